'use strict'
// Bad callbacks and bad options never end the process (issue 10, section 1).
// Each case runs in a child `node` under Node's default settings (no
// 'unhandledRejection' / 'uncaughtException' handler), because what is
// tested is exactly that nothing is unhandled or thrown on a later tick: the
// child must exit 0 and print what each call answered.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { spawn, spawnSync } = require('node:child_process')
const { startRedis } = require('../support/redis-server')

const ROOT = path.join(__dirname, '..', '..')

/**
 * Runs `body` (an async function's body, with `TierCache`, `url` and `out`
 * in scope) in a child process; resolves { code, signal, lines, stderr }.
 * `out(x)` prints a line; the child waits 100 ms after `body` so that a throw
 * on a later tick still ends it before it can exit 0.
 */
function inChild (body, env = {}) {
  const script = `
    const TierCache = require(${JSON.stringify(ROOT)})
    const url = process.env.REDIS_URL || undefined
    const out = (x) => console.log(x)
    ;(async () => {
      ${body}
      await new Promise((resolve) => setTimeout(resolve, 100))
      console.log('END')
    })()`
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => { stdout += c })
    child.stderr.on('data', (c) => { stderr += c })
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, lines: stdout.trim().split('\n'), stderr })
    })
  })
}

function assertSurvived (r) {
  assert.equal(r.code, 0, `the process died (exit ${r.signal || r.code}):\n${r.stderr.slice(-2000)}`)
  assert.equal(r.lines[r.lines.length - 1], 'END')
}

// What each call answered: 'name code class' for a rejection, 'name resolved' otherwise.
const REPORT = `
  const report = async (name, p) => {
    try { await p; out(name + ' resolved') } catch (err) {
      out(name + ' ' + err.code + ' ' + (err instanceof TierCache.TierCacheError ? 'TierCacheError' : 'other'))
    }
  }`

let redis
test.before(async () => { redis = await startRedis() })
test.after(() => redis.stop())

test('scanIterator with a string (or another non-object) where the options go: next() rejects, the process lives', async () => {
  for (const mode of ['local', 'redis']) {
    const r = await inChild(`${REPORT}
      const cache = url ? new TierCache(url) : new TierCache()
      await report('string', cache.scanIterator('abc').next())
      await report('number', cache.scanIterator(5).next())
      await report('array', cache.scanIterator(['MATCH', '*']).next())
      await report('match', cache.scanIterator({ match: String.prototype.match }).next())
      await report('count', cache.scanIterator({ count: {} }).next())
      await report('ok', cache.scanIterator({ match: 'x*' }).next())
      await cache.quit()`, mode === 'redis' ? { REDIS_URL: redis.url } : {})
    assertSurvived(r)
    assert.deepEqual(r.lines.slice(0, -1), [
      'string ERR_TIERCACHE_INVALID_ARGUMENT TierCacheError',
      'number ERR_TIERCACHE_INVALID_ARGUMENT TierCacheError',
      'array ERR_TIERCACHE_INVALID_ARGUMENT TierCacheError',
      'match ERR_TIERCACHE_INVALID_ARGUMENT TierCacheError',
      'count ERR_TIERCACHE_INVALID_ARGUMENT TierCacheError',
      'ok resolved'
    ], mode)
  }
})

test('a callback that is not a function rejects with ERR_TIERCACHE_INVALID_ARGUMENT and nothing throws later, with and without Redis', async () => {
  for (const mode of ['local', 'redis']) {
    const r = await inChild(`${REPORT}
      const cache = url ? new TierCache(url) : new TierCache()
      await report('get', cache.get('k', 'notfn'))
      await report('getBuffer', cache.getBuffer('k', 42))
      await report('incr', cache.incr('k', {}))
      await report('ttl', cache.ttl('k', 'x'))
      await report('dbsize', cache.dbsize('x'))
      await report('l2.get', cache.l2.get('k', {}))
      await report('connect', cache.connect('x'))
      await report('quit', cache.quit(1))
      await cache.quit()`, mode === 'redis' ? { REDIS_URL: redis.url } : {})
    assertSurvived(r)
    const expected = ['get', 'getBuffer', 'incr', 'ttl', 'dbsize', 'l2.get', 'connect', 'quit']
      .map((name) => `${name} ERR_TIERCACHE_INVALID_ARGUMENT TierCacheError`)
    assert.deepEqual(r.lines.slice(0, -1), expected, mode)
  }
})

test('a non-function callback refuses the command: the write is not made', async () => {
  const r = await inChild(`${REPORT}
    const cache = new TierCache(url)
    await report('set', cache.setex('k', 10, 'v', 'notfn'))
    await report('incr', cache.incr('n', 7))
    out('after ' + await cache.get('k') + ' ' + await cache.get('n'))
    await cache.quit()`, { REDIS_URL: redis.url })
  assertSurvived(r)
  assert.deepEqual(r.lines.slice(0, -1), [
    'set ERR_TIERCACHE_INVALID_ARGUMENT TierCacheError',
    'incr ERR_TIERCACHE_INVALID_ARGUMENT TierCacheError',
    'after null null'
  ])
})

test('a function where the key goes (get(cb)) is called back with the argument error, as ioredis does; nothing is unhandled', async () => {
  for (const mode of ['local', 'redis']) {
    const r = await inChild(`
      const cache = url ? new TierCache(url) : new TierCache()
      const viaCallback = (name, invoke) => new Promise((resolve) => {
        const timer = setTimeout(() => { out(name + ' never called back'); resolve() }, 2000)
        invoke((err, value) => {
          clearTimeout(timer)
          out(name + ' ' + (err ? err.code + ' ' + (err instanceof TierCache.TierCacheError) : 'ok ' + value))
          resolve()
        })
      })
      await viaCallback('get', (cb) => cache.get(cb))
      await viaCallback('ttl', (cb) => cache.ttl(cb))
      await viaCallback('getBuffer', (cb) => cache.getBuffer(cb))
      await viaCallback('set', (cb) => cache.set('k', cb))
      await viaCallback('setex', (cb) => cache.setex('k', cb))
      await viaCallback('expire', (cb) => cache.expire('k', cb))
      await viaCallback('incrby', (cb) => cache.incrby('k', cb))
      await cache.quit()`, mode === 'redis' ? { REDIS_URL: redis.url } : {})
    assertSurvived(r)
    assert.deepEqual(r.lines.slice(0, -1), [
      'get ERR_TIERCACHE_INVALID_KEY true',
      'ttl ERR_TIERCACHE_INVALID_KEY true',
      'getBuffer ERR_TIERCACHE_INVALID_KEY true',
      'set ERR_TIERCACHE_INVALID_VALUE true',
      'setex ERR_TIERCACHE_INVALID_TTL true',
      'expire ERR_TIERCACHE_INVALID_TTL true',
      'incrby ERR_TIERCACHE_INVALID_ARGUMENT true' // both modes refuse a non-number amount alike
    ], mode)
  }
})

test('l2.get(cb) without Redis: the callback gets ERR_TIERCACHE_UNSUPPORTED', async () => {
  const r = await inChild(`
    const cache = new TierCache()
    await new Promise((resolve) => cache.l2.get((err) => { out(err.code); resolve() }))
    await cache.quit()`)
  assertSurvived(r)
  assert.deepEqual(r.lines.slice(0, -1), ['ERR_TIERCACHE_UNSUPPORTED'])
})

test('a namespace refuses a bad key as the commands do: a rejection or a callback error, never a synchronous throw', async () => {
  const r = await inChild(`${REPORT}
    const cache = new TierCache()
    const ns = cache.namespace('users')
    await report('get', ns.get({}))
    await report('set', ns.set(null, 'v'))
    await report('del', ns.del([{}]))
    await report('getOrSet', ns.getOrSet({}, () => 1))
    await new Promise((resolve) => ns.get((err) => { out('get(cb) ' + err.code); resolve() }))
    await new Promise((resolve) => ns.set({}, 'v', (err) => { out('set(cb) ' + err.code); resolve() }))
    await cache.quit()`)
  assertSurvived(r)
  assert.deepEqual(r.lines.slice(0, -1), [
    'get ERR_TIERCACHE_INVALID_KEY TierCacheError',
    'set ERR_TIERCACHE_INVALID_KEY TierCacheError',
    'del ERR_TIERCACHE_INVALID_KEY TierCacheError',
    'getOrSet ERR_TIERCACHE_INVALID_KEY TierCacheError',
    'get(cb) ERR_TIERCACHE_INVALID_KEY',
    'set(cb) ERR_TIERCACHE_INVALID_KEY'
  ])
})

test('the session store refuses a session JSON cannot hold (BigInt, cycle) with ERR_TIERCACHE_UNENCODABLE, the cause kept', async () => {
  const r = await inChild(`${REPORT}
    const { TierCacheStore } = require(${JSON.stringify(path.join(ROOT, 'lib/express'))})
    const cache = new TierCache()
    const store = new TierCacheStore({ cache })
    await report('bigint', store.set('s1', { cookie: {}, n: 1n }))
    const cyclic = { cookie: {} }
    cyclic.self = cyclic
    await report('cycle', store.set('s2', cyclic))
    // An expires JSON cannot hold either: new Date(1n) threw a bare TypeError.
    await report('expires', store.set('s3', { cookie: { expires: 1n } }))
    await store.set('s4', { cookie: {}, n: 1n }).catch((err) => out('cause ' + (err.cause instanceof TypeError)))
    // An async ttl function is refused, and its rejection does not end the process.
    const asyncTtl = new TierCacheStore({ cache, ttl: async () => { throw new Error('no ttl') } })
    await report('async ttl', asyncTtl.set('s5', { cookie: {} }))
    await cache.quit()`)
  assertSurvived(r)
  assert.deepEqual(r.lines.slice(0, -1), [
    'bigint ERR_TIERCACHE_UNENCODABLE TierCacheError',
    'cycle ERR_TIERCACHE_UNENCODABLE TierCacheError',
    'expires ERR_TIERCACHE_UNENCODABLE TierCacheError',
    'cause true',
    'async ttl ERR_TIERCACHE_INVALID_ARGUMENT TierCacheError'
  ])
})

test('the response cache: a header name Node refuses is refused at creation; a userKey returning a promise fails the request, not the process', async () => {
  const r = await inChild(`
    const http = require('node:http')
    const express = require(${JSON.stringify(require.resolve('express'))})
    const cache = new TierCache()
    try { cache.middleware({ header: 'X Cache' }) } catch (err) { out('header ' + err.code) }
    try { cache.middleware({ bypassHeader: 'a:b' }) } catch (err) { out('bypass ' + err.code) }
    const app = express()
    app.get('/me', cache.middleware({ userKey: async (req) => { throw new Error('no session') } }), (req, res) => res.send('private to ' + req.headers.cookie))
    app.use((err, req, res, _next) => { out('next(err) ' + err.code); res.status(500).end() })
    const server = http.createServer(app)
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
    for (const user of ['alice', 'bob']) {
      await new Promise((resolve) => http.get({ port: server.address().port, path: '/me', headers: { cookie: user } }, (res) => {
        let body = ''
        res.on('data', (c) => { body += c })
        res.on('end', () => { out(user + ' ' + res.statusCode + ' ' + body); resolve() })
      }))
    }
    server.close()
    await cache.quit()`)
  assertSurvived(r)
  assert.deepEqual(r.lines.slice(0, -1), [
    'header ERR_TIERCACHE_INVALID_ARGUMENT',
    'bypass ERR_TIERCACHE_INVALID_ARGUMENT',
    'next(err) ERR_TIERCACHE_INVALID_ARGUMENT',
    'alice 500 ',
    'next(err) ERR_TIERCACHE_INVALID_ARGUMENT',
    'bob 500 '
  ])
})

// A TLS connection being made when the process exits used to crash it
// (SIGSEGV/SIGABRT in OpenSSL on the tiercache-redis thread while OpenSSL's
// atexit cleanup ran; 26 of 30 exits on this machine). The I/O thread now
// parks before that cleanup (src/core/tier/runtime.rs).
test('TLS connect at exit: a process that ends while a TLS connection is being made exits 0', () => {
  // The crash needs the exit to come while the TLS connector loads its CA
  // store (the first few ms): the script ends right after the constructor.
  const script = `const TierCache = require(${JSON.stringify(ROOT)})
    new TierCache({ port: ${Number(new URL(redis.url).port)}, tls: {} }).on('error', () => {})`
  const died = []
  for (let i = 0; i < 20; i++) {
    const r = spawnSync(process.execPath, ['-e', script], { timeout: 20_000 })
    if (r.status !== 0) died.push(r.signal || r.status)
  }
  assert.deepEqual(died, [], 'runs that crashed at exit')
})
