'use strict'
// The tutorial examples (examples/ioredis-basics.js, examples/express-cache-aside.js)
// run as their own processes, as a user would run them: once L1 only (no
// REDIS_URL) and once against a private redis-server, checked from outside
// with ioredis. Each child must end by itself (exit code 0).

const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const IORedis = require('ioredis')
const { startRedis } = require('../support/redis-server')
const { startScript, within } = require('../support/child')

const ROOT = path.join(__dirname, '..', '..')
const EXAMPLES = path.join(ROOT, 'examples')

// Generous: with the Redis tier a child connects to Redis before answering.
const TEST_TIMEOUT_MS = 60_000
const EXIT_TIMEOUT_MS = 15_000
const LISTEN_TIMEOUT_MS = 15_000

/** The environment of a child: ours, with REDIS_URL only when given. */
function childEnv (extra = {}) {
  const env = { ...process.env }
  delete env.REDIS_URL
  delete env.PORT
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v
  return env
}

/** Starts `examples/<name>` with `env` (see support/child.js). */
function startExample (t, name, env) {
  return startScript(t, path.join(EXAMPLES, name), env)
}

/** Runs a script example to its end: { code, signal, stdout, stderr }. */
async function runToEnd (t, name, env) {
  const ex = startExample(t, name, env)
  const { code, signal } = await within(ex.exited, EXIT_TIMEOUT_MS,
    () => `${name} did not end by itself within ${EXIT_TIMEOUT_MS} ms\n${ex.describeOutput()}`)
  return { code, signal, ...ex.out, describeOutput: ex.describeOutput }
}

/** Starts the Express example on a free port; resolves once it prints its port. */
async function startServer (t, env) {
  const ex = startExample(t, 'express-cache-aside.js', { ...env, PORT: '0' })
  const port = new Promise((resolve, reject) => {
    const look = () => {
      const m = /listening on (\d+)/.exec(ex.out.stdout)
      if (m) resolve(Number(m[1]))
    }
    ex.child.stdout.on('data', look)
    ex.exited.then(({ code, signal }) => reject(new Error(
      `express-cache-aside.js exited (code ${code}, signal ${signal}) before listening\n${ex.describeOutput()}`)))
  })
  ex.port = await within(port, LISTEN_TIMEOUT_MS,
    () => `express-cache-aside.js printed no "listening on <port>" within ${LISTEN_TIMEOUT_MS} ms\n${ex.describeOutput()}`)
  ex.base = `http://127.0.0.1:${ex.port}`
  return ex
}

/** SIGTERM, then the process must exit by itself with code 0. */
async function stopServer (ex) {
  ex.child.kill('SIGTERM')
  const result = await within(ex.exited, EXIT_TIMEOUT_MS,
    () => `express-cache-aside.js did not exit within ${EXIT_TIMEOUT_MS} ms of SIGTERM\n${ex.describeOutput()}`)
  assert.deepEqual(result, { code: 0, signal: null }, `exit after SIGTERM\n${ex.describeOutput()}`)
}

/** GET `url`: { status, cache (X-Cache), body (parsed JSON), ms }. */
async function getJson (url) {
  const started = performance.now()
  const res = await fetch(url)
  const body = await res.json()
  return { status: res.status, cache: res.headers.get('x-cache'), body, ms: performance.now() - started }
}

/**
 * A private redis-server and an ioredis client on it, both closed when the
 * test ends (the client first, so it never sees the server go).
 */
async function privateRedis (t) {
  const server = await startRedis()
  const io = new IORedis(server.url, { maxRetriesPerRequest: 1, lazyConnect: true })
  io.on('error', () => {})
  t.after(async () => {
    io.disconnect()
    await server.stop()
  })
  await io.connect()
  return { server, io }
}

/** The first request for an id: a miss that ran the 50 ms query. */
async function assertMiss (base, id) {
  const miss = await getJson(`${base}/data/${id}`)
  assert.equal(miss.status, 200)
  assert.equal(miss.cache, 'MISS')
  assert.equal(miss.body.id, String(id))
  assert.equal(miss.body.name, `Item ${id}`)
  assert.equal(typeof miss.body.fetchedAt, 'number')
  assert.ok(miss.ms >= 45, `a miss runs the 50 ms query (took ${miss.ms.toFixed(1)} ms)`)
  return miss.body
}

/** A request answered from the cache: the same body as the miss that filled it. */
async function assertHit (base, id, body, what) {
  const hit = await getJson(`${base}/data/${id}`)
  assert.equal(hit.status, 200)
  assert.equal(hit.cache, 'HIT', what)
  assert.deepEqual(hit.body, body, `${what}: the cached body is the one the miss fetched`)
}

describe('examples/ioredis-basics.js (ioredis README "Basic Usage")', () => {
  test('L1 only: prints "value" twice and ends by itself', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const r = await runToEnd(t, 'ioredis-basics.js', childEnv())
    assert.deepEqual({ code: r.code, signal: r.signal }, { code: 0, signal: null }, r.describeOutput())
    assert.deepEqual(r.stdout.split('\n'), ['value', 'value', ''], r.describeOutput())
    assert.equal(r.stderr, '')
  })

  test('with Redis: the same output, and Redis holds what the script wrote', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const { server, io } = await privateRedis(t)
    const r = await runToEnd(t, 'ioredis-basics.js', childEnv({ REDIS_URL: server.url }))
    assert.deepEqual({ code: r.code, signal: r.signal }, { code: 0, signal: null }, r.describeOutput())
    assert.deepEqual(r.stdout.split('\n'), ['value', 'value', ''], r.describeOutput())
    assert.equal(r.stderr, '')
    // The script's last command is SET mykey hello EX 10.
    assert.equal(await io.get('mykey'), 'hello')
    const ttl = await io.ttl('mykey')
    assert.ok(ttl > 0 && ttl <= 10, `TTL of mykey in (0, 10], got ${ttl}`)
  })
})

describe('examples/express-cache-aside.js (node-redis + Express cache-aside)', () => {
  test('L1 only: a miss, then a hit with the same body; exits on SIGTERM', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const app = await startServer(t, childEnv())
    const body = await assertMiss(app.base, 42)
    await assertHit(app.base, 42, body, 'second request')
    // Another id is its own entry.
    await assertMiss(app.base, 7)
    await stopServer(app)
    assert.equal(app.out.stderr, '')
  })

  test('with Redis: the entry is in Redis with its TTL, and a fresh process hits it', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const { server, io } = await privateRedis(t)
    const env = childEnv({ REDIS_URL: server.url })

    const first = await startServer(t, env)
    const body = await assertMiss(first.base, 42)
    await assertHit(first.base, 42, body, 'second request, same process')

    assert.equal(await io.exists('data:42'), 1, 'the entry was written to Redis')
    assert.deepEqual(JSON.parse(await io.get('data:42')), body, 'Redis holds the JSON the app cached')
    const ttl = await io.ttl('data:42')
    assert.ok(ttl > 0 && ttl <= 3600, `TTL of data:42 in (0, 3600], got ${ttl}`)

    // A second process starts with an empty L1: its first request is a hit
    // from Redis, with the body the first process fetched.
    const second = await startServer(t, env)
    await assertHit(second.base, 42, body, 'first request of a fresh process')

    await stopServer(first)
    await stopServer(second)
    assert.equal(first.out.stderr, '')
    assert.equal(second.out.stderr, '')
  })
})
