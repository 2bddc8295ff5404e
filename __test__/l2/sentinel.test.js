'use strict'
// Redis Sentinel (issue 13): a primary, a replica and three sentinels of our
// own (support/sentinel.js), one topology for the file. tiercache is given
// the sentinels and the primary's name, as ioredis is; it must find the
// primary, follow SENTINEL FAILOVER and a SIGKILLed primary under load, keep
// answering reads of what L1 holds meanwhile, resume writes by itself, and
// read nothing stale once settled. Bad settings come first, as an attacker's
// or a typo's would.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const Redis = require('ioredis')
const TierCache = require('../..')
const { startSentinels } = require('../support/sentinel')
const { freePort } = require('../support/redis-server')
const { sleep, eventually } = require('../support/helpers')

const SECRET = 'sentinel-secret-4417'

/**
 * Reads `held` (which L1 holds) and writes `k` every `everyMs`, counting
 * outcomes; `stop()` resolves once every call issued has settled.
 */
function load (cache, { everyMs = 10, held = 'held', expect = 'v1' } = {}) {
  const s = { reads: 0, readFailures: [], writes: 0, writeFailures: 0, written: 0, lastWritten: null, issued: 0, settled: 0, firstWriteAfter: null }
  let i = 0
  let mark = null
  const timer = setInterval(() => {
    s.issued += 2
    cache.get(held).then((v) => {
      s.reads++
      if (v !== expect) s.readFailures.push(`read ${util.inspect(v)}`)
    }, (err) => s.readFailures.push(err.code)).finally(() => s.settled++)
    const value = String(++i)
    cache.set('k', value).then(() => {
      s.written++
      s.lastWritten = Math.max(Number(s.lastWritten ?? 0), Number(value))
      if (mark !== null && s.firstWriteAfter === null) s.firstWriteAfter = Date.now() - mark
    }, () => { s.writeFailures++ }).finally(() => { s.writes++; s.settled++ })
  }, everyMs)
  return {
    stats: s,
    /** From now on, the first successful write's delay is recorded. */
    markFailover: () => { mark = Date.now() },
    async stop () {
      clearInterval(timer)
      await eventually('every call of the load to settle', 15000, async () => s.settled === s.issued)
      return s
    }
  }
}

describe('Redis Sentinel', { timeout: 180000 }, () => {
  let topology
  let io
  const caches = []
  const open = (options) => {
    const cache = new TierCache({ sentinels: topology.sentinels, name: topology.name, ...options })
    cache.on('error', () => {}) // connection losses are expected here; commands report their own
    caches.push(cache)
    return cache
  }

  before(async () => {
    topology = await startSentinels({ name: 'tc-primary' })
    io = new Redis({ sentinels: topology.sentinels, name: topology.name, lazyConnect: true })
    io.on('error', () => {})
    await io.connect()
  })

  after(async () => {
    for (const c of caches) await c.quit().catch(() => {})
    io?.disconnect()
    await topology?.stop()
  })

  test('bad Sentinel settings are refused at construction, with the option named', () => {
    const refused = (options, code, pattern) => assert.throws(() => new TierCache(options),
      (err) => err instanceof TierCache.TierCacheError && err.code === code && pattern.test(err.message) && !err.message.includes(SECRET))
    refused({ sentinels: [], name: 'x' }, 'ERR_TIERCACHE_INVALID_ARGUMENT', /sentinels must be a non-empty array/)
    refused({ sentinels: [{ host: '127.0.0.1', port: 1 }] }, 'ERR_TIERCACHE_INVALID_ARGUMENT', /name must be the primary's name/)
    refused({ sentinels: [{ host: 'a b', port: 1 }], name: 'x' }, 'ERR_TIERCACHE_INVALID_ARGUMENT', /sentinels\[0\]\.host/)
    refused({ sentinels: [{ port: 70000 }], name: 'x' }, 'ERR_TIERCACHE_INVALID_ARGUMENT', /sentinels\[0\]\.port/)
    refused({ sentinels: 'localhost:26379', name: 'x' }, 'ERR_TIERCACHE_INVALID_ARGUMENT', /sentinels must be/)
    refused({ sentinelPassword: SECRET }, 'ERR_TIERCACHE_INVALID_ARGUMENT', /give sentinels too/)
    refused({ sentinels: [{ port: 1 }], name: 'x', role: 'slave' }, 'ERR_TIERCACHE_UNSUPPORTED', /replica reads/)
    refused({ sentinels: [{ port: 1 }], name: 'x', natMap: () => null }, 'ERR_TIERCACHE_UNSUPPORTED', /natMap as a function/)
    refused({ sentinels: [{ port: 1 }], name: 'x', natMap: { nonsense: { host: 'a', port: 1 } } }, 'ERR_TIERCACHE_INVALID_ARGUMENT', /"ip:port"/)
    refused({ sentinels: [{ port: 1 }], name: 'x', sentinelCommandTimeout: 0 }, 'ERR_TIERCACHE_INVALID_ARGUMENT', /sentinelCommandTimeout/)
    assert.throws(() => TierCache.createSentinel({ name: 'x', sentinelRootNodes: [{ port: 1 }], replicaPoolSize: 2 }), (err) => err.code === 'ERR_TIERCACHE_UNSUPPORTED')
  })

  test('a primary no sentinel knows: commands fail with a clear error within their bound, the password never shown', async () => {
    const cache = open({ name: 'no-such-primary', sentinelPassword: SECRET, commandTimeout: 500, retryStrategy: () => 200 })
    const started = Date.now()
    const err = await cache.set('a', '1').then(() => null, (e) => e)
    assert.ok(err instanceof TierCache.TierCacheError, util.inspect(err))
    assert.equal(err.code, 'ERR_TIERCACHE_L2_UNAVAILABLE')
    assert.ok(Date.now() - started < 5000, 'settled within its bound')
    // Each sentinel said why (here: none has a password, or none knows the name).
    const shown = [err.message, String(err.cause?.message), util.inspect(cache, { depth: 9, showHidden: true }), JSON.stringify(cache.options)]
    for (const text of shown) assert.ok(!text.includes(SECRET), 'the sentinel password is never shown')
    assert.match(err.message + (err.cause?.message ?? ''), /no sentinel named the primary of "no-such-primary"/)
  })

  test('finds the primary through the sentinels, past one that is down, and works as on one server', async () => {
    const dead = { host: '127.0.0.1', port: await freePort() }
    const cache = open({ sentinels: [dead, ...topology.sentinels] })
    assert.equal(await cache.set('greeting', 'hello'), 'OK')
    assert.equal(await cache.get('greeting'), 'hello')
    assert.equal(await cache.hset('h', 'f', 'v'), 1)
    assert.deepEqual(await cache.hgetall('h'), { f: 'v' })
    const primary = await topology.primary()
    const direct = new Redis(primary.port, '127.0.0.1')
    assert.equal(await direct.get('greeting'), 'hello', 'written to the primary the sentinels name')
    // Coherent as on one server: a foreign write drops the L1 copy.
    await direct.set('greeting', 'changed')
    await eventually('the foreign write to reach L1', 2000, async () => (await cache.get('greeting')) === 'changed')
    direct.disconnect()
    assert.deepEqual(cache.options.sentinels.slice(1), topology.sentinels)
    assert.equal(cache.options.name, topology.name)
  })

  test('SENTINEL FAILOVER under load: no failed read of what L1 holds, writes resume by themselves, nothing stale once settled', async () => {
    const cache = open({ commandTimeout: 2000 })
    await cache.set('held', 'v1')
    assert.equal(await cache.get('held'), 'v1')
    const before = (await topology.primary()).port
    const running = load(cache)
    await sleep(300)
    running.markFailover()
    const started = Date.now()
    const promoted = await topology.failover()
    const failoverMs = Date.now() - started
    assert.notEqual(promoted.port, before)
    await eventually('a write to succeed on the new primary', 10000, async () => (await cache.set('after', 'x')) === 'OK')
    await sleep(300)
    const s = await running.stop()
    assert.deepEqual(s.readFailures, [], 'every read of the key L1 holds answered, with its value')
    assert.ok(s.reads > 50, `reads ran throughout (${s.reads})`)
    const direct = new Redis(promoted.port, '127.0.0.1')
    try {
      assert.equal(await direct.get('after'), 'x', 'the write went to the new primary')
      assert.equal(Number(await direct.get('k')) >= 1, true)
      // Settled: a foreign write on the new primary reaches L1.
      await direct.set('held', 'v2')
      await eventually('the foreign write on the new primary to reach L1', 2000, async () => (await cache.get('held')) === 'v2')
    } finally {
      direct.disconnect()
    }
    test.diagnostic?.(`failover ${failoverMs} ms; ${s.writes} writes, ${s.writeFailures} failed; first write after ${s.firstWriteAfter} ms`)
    console.log(`# SENTINEL FAILOVER: sentinels agreed in ${failoverMs} ms; ${s.reads} reads of the L1-held key, 0 failed; ${s.writes} writes, ${s.writeFailures} failed`)
  })

  test('the primary SIGKILLed under load: no failed read of what L1 holds, writes resume after the promotion, nothing stale once settled', async () => {
    // The caches of the tests above are still open on the same primary: had
    // they shared this one's L1 (name named the store too, at first), the
    // first of them to reconnect would flush it while this one is still
    // answering from it, and these reads would fail.
    // After the failover above, the old primary becomes a replica a few seconds later: wait for that.
    await topology.settle()
    const cache = open({ commandTimeout: 1000 })
    await cache.set('held', 'v1')
    assert.equal(await cache.get('held'), 'v1')
    const running = load(cache)
    await sleep(300)
    running.markFailover()
    const started = Date.now()
    const { promoted } = await topology.killPrimary()
    const promotedMs = Date.now() - started
    await eventually('a write to succeed on the promoted replica', 15000, async () => (await cache.set('after-kill', 'y')) === 'OK')
    const resumedMs = Date.now() - started
    await sleep(300)
    const s = await running.stop()
    assert.deepEqual(s.readFailures, [], 'every read of the key L1 holds answered, with its value')
    assert.ok(s.writeFailures > 0, 'writes failed while there was no primary (the test saw the outage)')
    assert.ok(s.written > 0)
    const direct = new Redis(promoted.port, '127.0.0.1')
    try {
      assert.equal(await direct.get('after-kill'), 'y')
      await direct.set('held', 'v3')
      await eventually('the foreign write on the promoted replica to reach L1', 2000, async () => (await cache.get('held')) === 'v3')
      assert.equal(await cache.get('k'), await direct.get('k'), 'no stale read of the last write')
    } finally {
      direct.disconnect()
    }
    console.log(`# SIGKILL of the primary: promoted after ${promotedMs} ms, writes resumed after ${resumedMs} ms; ${s.reads} reads of the L1-held key, 0 failed; ${s.writes} writes, ${s.writeFailures} failed fast`)
  })

  test('node-redis\'s createSentinel: a client on the current primary', async () => {
    const client = TierCache.createSentinel({ name: topology.name, sentinelRootNodes: topology.sentinels, masterPoolSize: 1 })
    client.on('error', () => {})
    await client.connect()
    assert.equal(await client.set('nr', 'v'), 'OK')
    assert.equal(await client.get('nr'), 'v')
    assert.equal(await client.hSet('nh', { a: '1' }), 1)
    assert.deepEqual({ ...await client.hGetAll('nh') }, { a: '1' })
    const primary = await topology.primary()
    const direct = new Redis(primary.port, '127.0.0.1')
    assert.equal(await direct.get('nr'), 'v')
    direct.disconnect()
    await client.quit()
  })
})
