'use strict'
// The Redis tier against a real redis-server of this file's own: connection
// forms and options, interop with ioredis both ways, TTL backfill, key
// prefixes (SCAN included), ordering, stats and events. Failure behaviour is
// in failure.test.js, cross-process coherence in coherence.test.js,
// the reply-by-reply comparison with ioredis in differential.test.js.

const { describe, it, before, after } = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const Redis = require('ioredis')

const TierCache = require('../..')
const { startRedis } = require('../support/redis-server')

const { createClient, UnavailableError } = TierCache

let redis
let io

before(async () => {
  redis = await startRedis()
  io = new Redis({ port: redis.port, lazyConnect: true })
  await io.connect()
})

after(async () => {
  io.disconnect()
  await redis.stop()
})

/** A connected cache on this file's Redis, quit when the test ends. */
async function open (t, options = {}) {
  const cache = new TierCache({ redis: redis.url, ...options })
  t.after(() => cache.quit())
  await cache.connect()
  return cache
}

/**
 * Runs `write` (through another client) and waits until `cache` has heard
 * Redis's invalidation of it: a read racing with an invalidation is not
 * cached, so tests that check L1 wait for it first.
 */
async function fromOutside (cache, write) {
  const before = cache.stats().l2.invalidations
  await write()
  await eventually(() => cache.stats().l2.invalidations > before)
}

/** Polls `check` until it returns true (or fails after `ms`). */
async function eventually (check, ms = 2000) {
  const until = Date.now() + ms
  for (;;) {
    if (await check()) return
    if (Date.now() > until) assert.fail('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

describe('connecting', () => {
  it('takes the forms of ioredis and node-redis, and reports ioredis statuses', async (t) => {
    const forms = [
      () => new TierCache(redis.url),
      () => new TierCache(redis.port, '127.0.0.1'),
      () => new TierCache(redis.port, { host: '127.0.0.1' }),
      () => new TierCache({ host: '127.0.0.1', port: redis.port }),
      () => new TierCache({ redis: { host: '127.0.0.1', port: redis.port } }),
      () => new TierCache({ url: redis.url }),
      () => new TierCache({ socket: { host: '127.0.0.1', port: redis.port } })
    ]
    for (const make of forms) {
      const cache = make()
      t.after(() => cache.quit())
      assert.equal(cache.hasRedis, true)
      const events = []
      for (const e of ['connect', 'ready']) cache.on(e, () => events.push(e))
      assert.equal(await cache.connect(), cache)
      assert.equal(cache.status, 'ready')
      assert.deepEqual(events, ['connect', 'ready'])
      assert.equal(await cache.ping(), 'PONG')
    }
  })

  it('createClient({ url }) waits for connect(), as node-redis does', async (t) => {
    const client = createClient({ url: redis.url })
    t.after(() => client.quit())
    assert.equal(client.status, 'wait')
    await client.connect()
    assert.equal(client.status, 'ready')
    await client.setEx('tutorial', 60, 'x')
    assert.equal(await io.get('tutorial'), 'x')
  })

  it('is L1 only when the URL is undefined (an unset REDIS_URL)', async (t) => {
    for (const cache of [new TierCache(undefined), createClient({ url: undefined }), new TierCache(undefined, { maxEntries: 5 })]) {
      t.after(() => cache.quit())
      assert.equal(cache.hasRedis, false)
      assert.equal(cache.stats().l2, null)
      await cache.set('k', 'v')
      assert.equal(await cache.get('k'), 'v')
    }
  })

  it('selects the database of the URL and authenticates', async (t) => {
    const secured = await startRedis({ args: ['--requirepass', 'pw-of-test'] })
    t.after(() => secured.stop())
    const cache = new TierCache(`redis://:pw-of-test@127.0.0.1:${secured.port}/3`)
    t.after(() => cache.quit())
    await cache.connect()
    await cache.set('in-db-3', 'yes')
    const check = new Redis({ port: secured.port, password: 'pw-of-test', db: 3, lazyConnect: true })
    t.after(() => check.disconnect())
    await check.connect()
    assert.equal(await check.get('in-db-3'), 'yes')
  })

  it('refuses bad URLs and options with clear, coded errors that never quote the URL', () => {
    const cases = [
      [() => new TierCache('http://user:secret-pw@host'), TypeError, 'ERR_TIERCACHE_INVALID_ARGUMENT'],
      [() => new TierCache('not a url secret-pw'), TypeError, 'ERR_TIERCACHE_INVALID_ARGUMENT'],
      [() => new TierCache('redis://:secret-pw@host/notadb'), RangeError, 'ERR_TIERCACHE_INVALID_ARGUMENT'],
      [() => new TierCache({ redis: 'redis://h', port: 70000 }), RangeError, 'ERR_TIERCACHE_INVALID_ARGUMENT'],
      [() => new TierCache({ redis: 'redis://h', db: -1 }), RangeError, 'ERR_TIERCACHE_INVALID_ARGUMENT'],
      [() => new TierCache({ redis: 'redis://h', commandTimeout: 0 }), RangeError, 'ERR_TIERCACHE_INVALID_ARGUMENT'],
      [() => new TierCache({ redis: 'redis://h', offlineMode: 'ignore' }), TypeError, 'ERR_TIERCACHE_INVALID_ARGUMENT'],
      [() => new TierCache({ redis: 'redis://h', breaker: { limit: 1 } }), TypeError, 'ERR_TIERCACHE_INVALID_ARGUMENT'],
      [() => new TierCache({ redis: 'redis://h', retryStrategy: 5 }), TypeError, 'ERR_TIERCACHE_INVALID_ARGUMENT'],
      [() => new TierCache({ redis: { host: 'h', colour: 'red' } }), TypeError, 'ERR_TIERCACHE_INVALID_ARGUMENT'],
      [() => new TierCache({ redis: 42 }), TypeError, 'ERR_TIERCACHE_INVALID_ARGUMENT'],
      [() => new TierCache({ path: '/tmp/redis.sock' }), TypeError, 'ERR_TIERCACHE_UNSUPPORTED'],
      [() => new TierCache({ redis: 'rediss://h', tls: { ciphers: 'x' } }), TypeError, 'ERR_TIERCACHE_UNSUPPORTED'],
      [() => new TierCache({ redis: 'rediss://h', tls: { cert: 'x' } }), TypeError, 'ERR_TIERCACHE_INVALID_ARGUMENT'],
      [() => new TierCache({ keyPrefix: 42 }), TypeError, 'ERR_TIERCACHE_INVALID_ARGUMENT'],
      [() => new TierCache('redis://h', {}, {}), TypeError, 'ERR_TIERCACHE_INVALID_ARGUMENT']
    ]
    for (const [make, type, code] of cases) {
      assert.throws(make, (err) => {
        assert.ok(err instanceof type, `${err}`)
        assert.ok(err instanceof TierCache.TierCacheError)
        assert.equal(err.code, code, err.message)
        assert.ok(!err.message.includes('secret-pw'), err.message)
        return true
      })
    }
  })

  it('never shows the password: util.inspect, options, errors', async (t) => {
    const secured = await startRedis({ args: ['--requirepass', 'the-real-pw'] })
    t.after(() => secured.stop())
    const wrong = new TierCache({ redis: `redis://:not-the-pw-xyz@127.0.0.1:${secured.port}`, retryStrategy: () => null })
    t.after(() => wrong.quit())
    const errors = []
    wrong.on('error', (e) => errors.push(e))
    await assert.rejects(wrong.connect(), (err) => {
      assert.ok(err instanceof UnavailableError)
      assert.equal(err.code, 'ERR_TIERCACHE_L2_UNAVAILABLE')
      return true
    })
    const right = await open(t, { redis: `redis://:the-real-pw@127.0.0.1:${secured.port}` })
    const shown = [
      util.inspect(wrong, { depth: 5 }), util.inspect(right, { depth: 5 }),
      JSON.stringify(wrong.options), JSON.stringify(right.options),
      ...errors.map((e) => `${e.stack} ${util.inspect(e)}`)
    ].join('\n')
    assert.ok(errors.length > 0)
    assert.ok(shown.includes('<redacted>'))
    for (const secret of ['the-real-pw', 'not-the-pw-xyz']) assert.ok(!shown.includes(secret), `leaked ${secret}`)
  })
})

describe('two levels', () => {
  it('reads through to Redis and backfills L1 for no longer than the key lives', async (t) => {
    const cache = await open(t)
    await fromOutside(cache, () => io.set('backfill', 'from-redis', 'PX', 400))
    assert.equal(cache.local.get('backfill'), undefined)
    assert.equal(await cache.get('backfill'), 'from-redis')
    assert.equal(cache.local.get('backfill'), 'from-redis', 'filled into L1')
    const l2Hits = cache.stats().l2.hits
    assert.equal(await cache.get('backfill'), 'from-redis')
    assert.equal(cache.stats().l2.hits, l2Hits, 'the second read was an L1 hit')
    await eventually(() => cache.local.get('backfill') === undefined, 1500)
    // L1's copy ends no later than Redis's original (its deadline is taken
    // from before Redis answered), and not much earlier.
    const left = await io.pttl('backfill')
    assert.ok(left < 250, `Redis still had ${left} ms when L1 let go`)
  })

  it('caps L1 copies with l1Ttl', async (t) => {
    const cache = await open(t, { l1Ttl: 80 })
    await fromOutside(cache, () => io.set('capped', 'forever-in-redis'))
    assert.equal(await cache.get('capped'), 'forever-in-redis')
    assert.equal(cache.local.get('capped'), 'forever-in-redis')
    await eventually(() => cache.local.get('capped') === undefined, 1000)
    assert.equal(await cache.get('capped'), 'forever-in-redis', 'read again from Redis')
  })

  it('writes through: SET options, TTLs and conditions are decided by Redis', async (t) => {
    const cache = await open(t)
    assert.equal(await cache.set('w', 'one', 'EX', 100), 'OK')
    assert.equal(await io.get('w'), 'one')
    const pttl = await io.pttl('w')
    assert.ok(pttl > 99000 && pttl <= 100000, `${pttl}`)
    assert.equal(cache.local.get('w'), 'one', 'the written value is in L1')
    assert.equal(await cache.set('w', 'two', 'NX'), null)
    assert.equal(await cache.set('w', 'two', 'XX', 'GET'), 'one')
    assert.equal(await io.get('w'), 'two')
    assert.equal(await cache.setnx('w', 'three'), 0)
    await io.set('counter', '41')
    assert.equal(await cache.incr('counter'), 42)
    assert.equal(await io.get('counter'), '42')
    assert.equal(await cache.incrbyfloat('counter', '0.5'), '42.5')
    assert.equal(await cache.get('counter'), '42.5')
  })

  it('keeps the order of commands, as one ioredis connection does', async (t) => {
    const cache = await open(t)
    const replies = []
    // More than tokio's cooperative budget (128) and than one burst.
    for (let i = 0; i < 2000; i++) {
      cache.set('ordered', String(i))
      replies.push(cache.get('ordered'))
    }
    const values = await Promise.all(replies)
    values.forEach((v, i) => assert.equal(v, String(i)))
    assert.equal(await io.get('ordered'), '1999')
  })

  it('mget takes what L1 has and fetches the rest in one round trip', async (t) => {
    const cache = await open(t)
    await fromOutside(cache, () => io.mset('m1', 'a', 'm2', 'b', 'm3', 'c'))
    assert.equal(await cache.get('m1'), 'a')
    const before = cache.stats().l2
    assert.deepEqual(await cache.mget('m1', 'm2', 'missing', 'm3'), ['a', 'b', null, 'c'])
    const afterward = cache.stats().l2
    assert.equal(afterward.hits - before.hits, 2, 'm1 came from L1')
    assert.equal(afterward.misses - before.misses, 1)
    assert.deepEqual(await cache.l2.mget(['m1', 'm2']), ['a', 'b'])
  })

  it('deletes, expires and flushes on both levels', async (t) => {
    const cache = await open(t)
    await cache.mset({ d1: '1', d2: '2', d3: '3' })
    assert.equal(cache.local.get('d1'), '1')
    assert.equal(await cache.del('d1', 'nope'), 1)
    assert.equal(cache.local.get('d1'), undefined)
    assert.equal(await io.exists('d1'), 0)
    assert.equal(await cache.expire('d2', 100), 1)
    assert.ok((await io.ttl('d2')) > 90)
    assert.equal(await cache.persist('d2'), 1)
    assert.equal(await cache.ttl('d2'), -1)
    assert.equal(await cache.pexpire('d2', -1), 1, 'a past expiry deletes, as in Redis')
    assert.equal(await cache.get('d2'), null)
    assert.equal(await cache.getdel('d3'), '3')
    assert.equal(await io.exists('d3'), 0)
  })

  it('a burst of reads and writes in one tick keeps its order on the wire; one failing GET fails alone', async (t) => {
    const cache = await open(t, { maxEntries: 1, frontSize: 0 })
    await io.del('burst:list')
    await fromOutside(cache, () => io.rpush('burst:list', 'x'))
    // All submitted in one synchronous burst: runs of GETs go out as pipelines between the writes.
    const replies = await Promise.allSettled([
      cache.set('burst:a', '1'),
      cache.l2.get('burst:a'),
      cache.get('burst:a'),
      cache.set('burst:a', '2'),
      cache.l2.get('burst:a'),
      cache.l2.get('burst:list'),
      cache.l2.get('burst:none'),
      cache.get('burst:a'),
      cache.del('burst:a'),
      cache.l2.get('burst:a')
    ])
    const values = replies.map((r) => (r.status === 'fulfilled' ? r.value : r.reason.code))
    assert.deepEqual(values, ['OK', '1', '1', 'OK', '2', 'ERR_TIERCACHE_REPLY', null, '2', 1, null])
    assert.match(replies[5].reason.message, /WRONGTYPE/)
  })

  it('a new TTL keeps the L1 copy (the value is unchanged) and L1 follows it once Redis applied it', async (t) => {
    const cache = await open(t)
    await cache.set('t1', 'kept', 'PX', 60_000)
    assert.equal(cache.local.get('t1'), 'kept')
    assert.equal(await cache.pexpire('t1', 120_000), 1)
    assert.equal(cache.local.get('t1'), 'kept', 'touching a key does not cost the next read a round trip')
    assert.equal(await cache.pexpire('t1', 60, 'GT'), 0, 'a refused condition changes nothing')
    assert.equal(cache.local.get('t1'), 'kept')
    assert.equal(await cache.pexpire('t1', 60), 1)
    // L1 takes the deadline counted from when the command was sent, so it
    // lets go no later than Redis: once Redis has dropped the key, L1 has too.
    await eventually(async () => (await io.exists('t1')) === 0, 1000)
    assert.equal(cache.local.get('t1'), undefined, 'L1 let go no later than Redis')
    assert.equal(await cache.get('t1'), null)
    await cache.set('t2', 'x')
    assert.equal(await cache.expireat('t2', 1), 1)
    assert.equal(cache.local.get('t2'), undefined, 'an expiry in the past deletes the L1 copy too')
  })
})

describe('interop with other Redis clients', () => {
  it('strings and Buffers are byte-identical both ways', async (t) => {
    const cache = await open(t)
    const text = 'héllo ✓ 🚀 \u0000 end'
    const bytes = Buffer.from([0xff, 0x00, 0xf5, 0x54, 0x43, 0x31, 0x7b, 0x7d, 0x80])
    await cache.set('text', text)
    await cache.set('bytes', bytes)
    await cache.set('number', 12.5)
    assert.equal(await io.get('text'), text)
    assert.deepEqual(await io.getBuffer('bytes'), bytes)
    assert.equal(await io.get('number'), '12.5')
    await io.set('from-io', bytes)
    assert.deepEqual(await cache.getBuffer('from-io'), bytes)
    const fresh = await open(t)
    assert.deepEqual(await fresh.getBuffer('bytes'), bytes, 'a Buffer that looks like tiercache\'s header round-trips')
    assert.equal(await fresh.get('text'), text)
  })

  it('objects come back as objects from Redis, and other clients see JSON after a 4-byte header', async (t) => {
    const writer = await open(t)
    const reader = await open(t)
    const user = { id: 7, name: 'Ada', tags: ['x'], nested: { ok: true } }
    await writer.set('user:7', user, 'EX', 60)
    assert.deepEqual(await reader.get('user:7'), user)
    const raw = await io.getBuffer('user:7')
    assert.deepEqual(raw.subarray(0, 3), Buffer.from([0xf5, 0x54, 0x43]))
    assert.deepEqual(JSON.parse(raw.subarray(4).toString()), user)
    const v8 = await open(t, { codec: 'v8' })
    await v8.set('when', { at: new Date(0), big: 10n })
    const fresh = await open(t, { codec: 'v8' })
    assert.deepEqual(await fresh.get('when'), { at: new Date(0), big: 10n })
  })
})

describe('key prefixes', () => {
  it('apply to every command, SCAN and KEYS included, and are stripped from replies', async (t) => {
    // A prefix full of glob characters: it must be matched literally.
    const cache = await open(t, { keyPrefix: 'app[1]*?:' })
    const other = await open(t, { keyPrefix: 'app[2]:' })
    await io.set('app1x:trap', 'not ours') // would match if the prefix were used as a glob
    await cache.mset('a', '1', 'b', '2', 'c*', '3')
    await other.set('a', 'other')
    assert.equal(await io.get('app[1]*?:a'), '1')
    assert.deepEqual((await cache.keys('*')).sort(), ['a', 'b', 'c*'])
    assert.deepEqual(await cache.keys('c\\*'), ['c*'])
    const seen = []
    for await (const k of cache.scanIterator({ match: '*', count: 2 })) seen.push(k)
    assert.deepEqual(seen.sort(), ['a', 'b', 'c*'])
    const [, page] = await cache.scan('0', 'MATCH', 'a', 'COUNT', 100)
    assert.deepEqual(page, ['a'])
    assert.equal(await other.get('a'), 'other')
    assert.equal(await cache.exists('a', 'b', 'zzz'), 2)
  })
})

describe('events and stats', () => {
  it('reports invalidations with the user key while someone listens', async (t) => {
    const cache = await open(t, { keyPrefix: 'ev:' })
    await cache.set('watched', '1')
    const seen = []
    cache.on('invalidate', (key) => seen.push(key))
    await io.set('ev:watched', '2')
    await eventually(() => seen.includes('watched'))
    assert.equal(cache.local.get('watched'), undefined)
    assert.equal(await cache.get('watched'), '2')
    assert.ok(cache.stats().l2.invalidations >= 1)
    cache.removeAllListeners('invalidate')
  })

  it('counts per tier', async (t) => {
    const cache = await open(t)
    await fromOutside(cache, () => io.set('s1', 'x'))
    await cache.get('s1') // L2 hit, fills L1
    await cache.get('s1') // L1 hit
    await cache.get('s-missing') // miss in both
    const s = cache.stats()
    assert.equal(s.l2.hits, 1)
    assert.equal(s.l2.misses, 1)
    assert.ok(s.l1.hits >= 1)
    assert.equal(s.hits, s.l1.hits + s.l2.hits)
    assert.equal(s.misses, 1)
    assert.equal(s.l2.breaker, 'closed')
    assert.equal(s.l2.status, 'ready')
    assert.equal(s.l2.connects, 1)
  })

  it('answers with callbacks too, and refuses bad input the same way as L1', async (t) => {
    const cache = await open(t)
    const viaCallback = await new Promise((resolve, reject) => cache.set('cb', 'v', 'EX', 5, (err, r) => (err ? reject(err) : resolve(r))))
    assert.equal(viaCallback, 'OK')
    const got = await new Promise((resolve, reject) => cache.get('cb', (err, r) => (err ? reject(err) : resolve(r))))
    assert.equal(got, 'v')
    await assert.rejects(cache.set('k', 'v', 'EX', -1), { code: 'ERR_TIERCACHE_INVALID_TTL' })
    await assert.rejects(cache.get(''), { code: 'ERR_TIERCACHE_INVALID_KEY' })
    const err = await new Promise((resolve) => cache.incr('cb', (e) => resolve(e)))
    assert.equal(err.name, 'ReplyError')
    assert.equal(err.message, 'ERR value is not an integer or out of range')
  })
})
