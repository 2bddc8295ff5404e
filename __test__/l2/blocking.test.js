'use strict'
// Blocking commands (BLPOP, BLMOVE, XREAD BLOCK, …) against a private
// redis-server: each runs on a dedicated connection of its own
// (src/core/tier/dedicated.rs), with its own deadline (its timeout plus a
// margin, none for 0), never on the shared connection, never judged by the
// circuit breaker. Closing rejects them at once; a lost connection rejects
// them (they are not resent: the pop may have happened).

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')

const { startRedis } = require('../support/redis-server')
const { startProxy } = require('../support/tcp-proxy')
const { TierCache, rejectsWith, sleep } = require('../support/helpers')

const { ClosedError, TierCacheError } = TierCache

let counter = 0
const fresh = (what) => `${what}:${process.pid}:${++counter}`

describe('blocking commands on dedicated connections', () => {
  let server
  const caches = []
  const open = async (options = {}) => {
    const c = new TierCache(server.url, options)
    caches.push(c)
    await c.connect()
    return c
  }
  before(async () => { server = await startRedis() })
  after(async () => {
    for (const c of caches) c.disconnect()
    await server.stop()
  })

  test('BLPOP producer/consumer across two instances: the consumer waits, the producer\'s push wakes it', async () => {
    const consumer = await open()
    const producer = await open()
    const q = fresh('queue')
    const got = []
    const consuming = (async () => {
      for (let i = 0; i < 5; i++) got.push(await consumer.blpop(q, 0))
    })()
    await sleep(50)
    for (let i = 0; i < 5; i++) {
      assert.equal(await producer.rpush(q, `job${i}`), 1)
      await sleep(10)
    }
    await consuming
    assert.deepEqual(got, [0, 1, 2, 3, 4].map((i) => [q, `job${i}`]))
    // Its timeout passing answers null, as Redis does.
    assert.equal(await consumer.brpop(q, 0.1), null)
  })

  test('a blocking command with timeout 5 holds up no GET of its instance, nor trips the breaker at commandTimeout 100 ms', async () => {
    const c = await open({ commandTimeout: 100, breaker: { threshold: 1, cooldown: 60000 } })
    const k = fresh('k')
    await c.set(k, 'v')
    const q = fresh('q')
    const started = Date.now()
    const pop = c.blpop(q, 5)
    // Meanwhile the shared connection answers, many times over.
    for (let i = 0; i < 20; i++) assert.equal(await c.l2.get(k), 'v')
    assert.ok(Date.now() - started < 2000, 'the GETs were not queued behind BLPOP')
    await sleep(300) // past commandTimeout: a shared-connection command would have timed out
    const other = await open()
    await other.lpush(q, 'late')
    assert.deepEqual(await pop, [q, 'late'])
    const stats = c.stats().l2
    assert.equal(stats.breaker, 'closed')
    assert.equal(stats.timeouts, 0)
    assert.equal(await c.l2.get(k), 'v')
  })

  test('close during BLPOP 0 rejects it with ClosedError at once: no hang, no unhandled rejection', async () => {
    let unhandled = null
    const onUnhandled = (err) => { unhandled = err }
    process.on('unhandledRejection', onUnhandled)
    try {
      for (const how of ['quit', 'disconnect']) {
        const c = await open()
        const pops = [c.blpop(fresh('never'), 0), c.brpoplpush(fresh('a'), fresh('b'), 0), c.xread('BLOCK', 0, 'STREAMS', fresh('s'), '$')]
        const settled = pops.map((p) => p.then(() => 'resolved', (e) => e))
        await sleep(100)
        const t0 = Date.now()
        if (how === 'quit') await c.quit()
        else c.disconnect()
        for (const outcome of await Promise.all(settled)) {
          assert.ok(outcome instanceof ClosedError, `${how}: ${outcome}`)
          assert.equal(outcome.code, 'ERR_TIERCACHE_CLOSED')
        }
        assert.ok(Date.now() - t0 < 1000, `${how} took ${Date.now() - t0} ms`)
        await rejectsWith(c.blpop(fresh('q'), 0), ClosedError, 'ERR_TIERCACHE_CLOSED', `blpop after ${how}`)
      }
      await sleep(20)
      assert.equal(unhandled, null)
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  test('keyPrefix applies to the keys of blocking commands; L1 drops the copies of the keys they write', async () => {
    const c = await open({ keyPrefix: 'app:' })
    const raw = await open()
    const src = fresh('src')
    const dst = fresh('dst')
    await raw.rpush(`app:${src}`, 'x')
    // L1 holds an (unrelated) string copy under dst's name: BLMOVE writes dst, so it goes.
    c.local.set(dst, 'stale')
    assert.equal(await c.blmove(src, dst, 'LEFT', 'RIGHT', 1), 'x')
    assert.equal(c.local.get(dst), undefined)
    assert.deepEqual(await raw.lrange(`app:${dst}`, 0, -1), ['x'])
    assert.equal(await raw.exists(src, dst), 0, 'nothing written without the prefix')
    // BZPOPMIN on a prefixed sorted set; the reply names the key as Redis does (with its prefix), as ioredis.
    await raw.zadd(`app:${fresh('z')}`, 1, 'm')
    const z = `z:${process.pid}:${counter}`
    assert.deepEqual(await c.bzpopmin(z, 1), [`app:${z}`, 'm', '1'])
  })

  test('its deadline is its own timeout plus the margin, not commandTimeout; a timeout Redis refuses is a ReplyError', async () => {
    const c = await open({ commandTimeout: 50 })
    const t0 = Date.now()
    assert.equal(await c.blpop(fresh('q'), 0.4), null)
    const waited = Date.now() - t0
    assert.ok(waited >= 350, `answered by Redis after its timeout (${waited} ms)`)
    await rejectsWith(c.blpop(fresh('q'), 'soon'), TierCache.ReplyError, 'ERR_TIERCACHE_REPLY', 'bad timeout')
    assert.equal(c.stats().l2.timeouts, 0)
  })

  test('a lost connection rejects the blocking command (it is not resent); the next one runs on a new connection', async () => {
    const c = await open()
    const admin = await open()
    const q = fresh('lost')
    const pop = c.blpop(q, 0)
    const outcome = pop.then(() => 'resolved', (e) => e)
    await sleep(100)
    // Kill the blocked client: the blocking command's connection.
    const list = await admin.client('LIST')
    const blocked = list.split('\n').filter((l) => / flags=b /.test(l))
    assert.equal(blocked.length, 1, list)
    const id = /\bid=(\d+)/.exec(blocked[0])[1]
    await admin.client('KILL', 'ID', id)
    const err = await outcome
    assert.ok(err instanceof TierCacheError, String(err))
    assert.equal(err.code, 'ERR_TIERCACHE_L2_UNAVAILABLE')
    await admin.rpush(q, 'after')
    assert.deepEqual(await c.blpop(q, 1), [q, 'after'])
  })

  test('a Redis that never answers: the blocking command times out at its own deadline, the breaker stays closed', async () => {
    const proxy = await startProxy({ targetPort: server.port })
    const c = new TierCache(proxy.url, { commandTimeout: 100, healthCheckInterval: 0, breaker: { threshold: 1, cooldown: 60000 } })
    caches.push(c)
    c.on('error', () => {})
    try {
      await c.connect()
      // A dedicated connection opened (and left idle) before Redis goes silent.
      assert.equal(await c.blpop(fresh('q'), 0.01), null)
      await proxy.mode('blackhole')
      const t0 = Date.now()
      // 0.2 s of its own + the 1 s margin: well past commandTimeout, and a timeout at the end.
      await rejectsWith(c.blpop(fresh('q'), 0.2), TierCache.TimeoutError, 'ERR_TIERCACHE_L2_TIMEOUT', 'blpop')
      const waited = Date.now() - t0
      assert.ok(waited >= 1100, `waited ${waited} ms, not commandTimeout`)
      assert.equal(c.stats().l2.breaker, 'closed', 'not counted against the breaker')
      await proxy.mode('pass')
      assert.equal(await c.ping(), 'PONG')
    } finally {
      c.disconnect()
      await proxy.close()
    }
  })

  test('blocking commands without Redis: ERR_TIERCACHE_NEEDS_REDIS', async () => {
    const local = new TierCache()
    await rejectsWith(local.blpop('q', 0), TierCache.NeedsRedisError, 'ERR_TIERCACHE_NEEDS_REDIS', 'blpop')
    await local.quit()
  })
})
