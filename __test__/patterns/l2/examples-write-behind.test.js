'use strict'
// examples/write-behind.js run as its own process, as a user would run it:
// a finite run (WB_COUNT) that ends by itself, and a graceful shutdown in
// the middle of the stream (SIGTERM), L1 only and with a private
// redis-server. The check is from outside: every write the example acked
// ("acked <seq>" on stdout) must be in its source file once it printed
// "drained" and exited with code 0 (zero lost writes).

const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const IORedis = require('ioredis')
const { startRedis } = require('../../support/redis-server')
const { startScript, within } = require('../../support/child')

const ROOT = path.join(__dirname, '..', '..', '..')
const EXAMPLE = path.join(ROOT, 'examples', 'write-behind.js')
const TYPES = ['view', 'click', 'purchase']

const TEST_TIMEOUT_MS = 60_000
const EXIT_TIMEOUT_MS = 20_000
const ACK_TIMEOUT_MS = 20_000

/** A source file path of the test's own, removed when the test ends. */
function sourceFile (t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiercache-wb-example-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return path.join(dir, 'source.jsonl')
}

/** The environment of a child: ours, without REDIS_URL / WB_* unless given. */
function childEnv (extra) {
  const env = { ...process.env }
  for (const k of ['REDIS_URL', 'WB_COUNT', 'WB_SOURCE_FILE']) delete env[k]
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v
  return env
}

/** Starts the example with `env` (see support/child.js). */
function startExample (t, env) {
  return startScript(t, EXAMPLE, env, { tail: 2000 })
}

/** The sequence numbers of the "acked <seq>" lines, in order. */
function ackedOf (stdout) {
  return [...stdout.matchAll(/^acked (\d+)$/gm)].map((m) => Number(m[1]))
}

/** Resolves once the child has acked at least `n` events. */
function whenAcked (ex, n) {
  return new Promise((resolve, reject) => {
    const look = () => {
      if (ackedOf(ex.out.stdout).length >= n) {
        ex.child.stdout.off('data', look)
        resolve()
      }
    }
    ex.child.stdout.on('data', look)
    ex.exited.then(({ code, signal }) => reject(new Error(
      `the example exited (code ${code}, signal ${signal}) before acking ${n} events\n${ex.describeOutput()}`)))
    look()
  })
}

/** The source file, parsed: one { key, value, op } per line. */
function readSource (file) {
  const text = fs.readFileSync(file, 'utf8')
  assert.ok(text === '' || text.endsWith('\n'), 'the source file ends with a whole line')
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line))
}

/**
 * The checks of a run that ended with "drained": the acked events are
 * 1..n in order, each is in the source exactly once with its value, nothing
 * else is, and the last count of each type in the source is the number of
 * acked events of that type. Returns n.
 */
function assertAllWritten (stdout, file, describeOutput) {
  const lines = stdout.trimEnd().split('\n')
  assert.equal(lines[0], `source ${file}`, describeOutput())
  assert.equal(lines[lines.length - 1], 'drained', describeOutput())
  const acked = ackedOf(stdout)
  const n = acked.length
  assert.deepEqual(acked, Array.from({ length: n }, (_, i) => i + 1), 'acked 1..n, in order')
  assert.match(lines[lines.length - 2], new RegExp(`^summary events=${n} cacheWrites=${2 * n} sourceWrites=\\d+ failedBatches=0$`))

  const entries = readSource(file)
  const events = new Map()
  const counters = new Map()
  for (const e of entries) {
    assert.equal(e.op, 'set', `only sets: ${JSON.stringify(e)}`)
    if (e.key.startsWith('event:')) {
      assert.equal(events.has(e.key), false, `${e.key} written once`)
      events.set(e.key, e.value)
    } else {
      assert.match(e.key, /^counter:(view|click|purchase)$/)
      const before = counters.get(e.key) ?? 0
      assert.ok(e.value > before, `${e.key}: counts only grow in the source (${before} then ${e.value})`)
      counters.set(e.key, e.value)
    }
  }
  const missing = acked.filter((seq) => !events.has(`event:${seq}`))
  assert.deepEqual(missing, [], `acked events missing from the source (${missing.length} of ${n})`)
  assert.equal(events.size, n, 'no event in the source that was not acked')
  for (const seq of acked) {
    const v = events.get(`event:${seq}`)
    assert.equal(v.seq, seq)
    assert.equal(v.type, TYPES[seq % TYPES.length])
    assert.equal(typeof v.at, 'number')
  }
  for (const type of TYPES) {
    const expected = acked.filter((seq) => TYPES[seq % TYPES.length] === type).length
    assert.equal(counters.get(`counter:${type}`) ?? 0, expected, `the last count of ${type} in the source`)
  }
  return { n, entries }
}

/** A private redis-server, stopped when the test ends. */
async function privateRedis (t) {
  const server = await startRedis()
  t.after(() => server.stop())
  return server
}

/**
 * Runs the example without WB_COUNT, waits for `atLeast` acks, sends
 * SIGTERM, and checks the graceful shutdown: exit code 0, "drained", every
 * acked write in the source.
 */
async function shutdownMidStream (t, extraEnv, atLeast = 300) {
  const file = sourceFile(t)
  const ex = startExample(t, childEnv({ WB_SOURCE_FILE: file, ...extraEnv }))
  await within(whenAcked(ex, atLeast), ACK_TIMEOUT_MS,
    () => `fewer than ${atLeast} events acked within ${ACK_TIMEOUT_MS} ms\n${ex.describeOutput()}`)
  ex.child.kill('SIGTERM')
  const result = await within(ex.exited, EXIT_TIMEOUT_MS,
    () => `the example did not exit within ${EXIT_TIMEOUT_MS} ms of SIGTERM\n${ex.describeOutput()}`)
  assert.deepEqual(result, { code: 0, signal: null }, `exit after SIGTERM\n${ex.describeOutput()}`)
  assert.equal(ex.out.stderr, '')
  const { n } = assertAllWritten(ex.out.stdout, file, ex.describeOutput)
  assert.ok(n >= atLeast, `${n} events acked`)
  return { n, ex }
}

describe('examples/write-behind.js', () => {
  test('WB_COUNT=2000, L1 only: ends by itself with every event in the source', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const file = sourceFile(t)
    const ex = startExample(t, childEnv({ WB_COUNT: '2000', WB_SOURCE_FILE: file }))
    const result = await within(ex.exited, EXIT_TIMEOUT_MS,
      () => `the example did not end by itself within ${EXIT_TIMEOUT_MS} ms\n${ex.describeOutput()}`)
    assert.deepEqual(result, { code: 0, signal: null }, ex.describeOutput())
    assert.equal(ex.out.stderr, '')
    const { n, entries } = assertAllWritten(ex.out.stdout, file, ex.describeOutput)
    assert.equal(n, 2000)
    // 2,000 events and 2,000 counter updates: the counters coalesce.
    assert.ok(entries.length <= 4000, `${entries.length} source writes`)
  })

  test('SIGTERM mid-stream, L1 only: exits 0 after "drained", no acked write lost', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    await shutdownMidStream(t, {})
  })

  test('SIGTERM mid-stream, with Redis: exits 0 after "drained", no acked write lost; Redis agrees', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const server = await privateRedis(t)
    const { n } = await shutdownMidStream(t, { REDIS_URL: server.url })
    // The counters in Redis (the cache's L2) are the ones in the source.
    const io = new IORedis(server.url, { maxRetriesPerRequest: 1, lazyConnect: true })
    io.on('error', () => {})
    await io.connect()
    try {
      for (const type of TYPES) {
        let expected = 0
        for (let seq = 1; seq <= n; seq++) if (TYPES[seq % TYPES.length] === type) expected++
        assert.equal(await io.get(`counter:${type}`), String(expected), `counter:${type} in Redis`)
      }
    } finally {
      io.disconnect()
    }
  })
})
