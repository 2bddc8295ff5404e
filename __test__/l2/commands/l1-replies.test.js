'use strict'
// L1 for reads of hashes, lists, sets and sorted sets (the table's `reply`
// effect; src/core/tier/reply_cache.rs, lib/reply-front.js) against a
// private redis-server: hits after the first read, replies equal to
// ioredis's from Redis, from the shared store and from the front; coherence
// with a foreign writer, with this instance's writes, DEL/EXPIRE/FLUSHDB;
// TTLs; the byte budget; worker threads; keyPrefix; reads racing writes.

const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { Worker } = require('node:worker_threads')

const { useRedisWithClient, useCache } = require('../../support/redis-server')
const { TierCache, uniqueName, sleep } = require('../../support/helpers')
const table = require('../../../lib/commands/table.json')

let counter = 0
const fresh = (what) => `${what}:${process.pid}:${++counter}`

const l1Hits = (cache) => cache.stats().l1.hits

/** Polls `read` until `ok(reply)`, for at most 2 s; returns the last reply. */
async function eventually (read, ok) {
  const until = Date.now() + 2000
  let last
  while (Date.now() < until) {
    last = await read()
    if (ok(last)) return last
    await sleep(5)
  }
  return last
}

/** Fills a hash, a set, a sorted set and a list of 10 through ioredis; their keys. */
async function seed (io) {
  const k = { h: fresh('h'), s: fresh('s'), z: fresh('z'), l: fresh('l') }
  for (let i = 0; i < 10; i++) {
    await io.hset(k.h, `f${i}`, `v${i}`)
    await io.sadd(k.s, `m${i}`)
    await io.zadd(k.z, i + 0.5, `m${i}`)
    await io.rpush(k.l, `e${i}`)
  }
  return k
}

// Every read the brief names, with its arguments; `c` is tiercache or ioredis.
const READS = (c, k) => [
  ['hget', () => c.hget(k.h, 'f1')],
  ['hget missing field', () => c.hget(k.h, 'nope')],
  ['hmget', () => c.hmget(k.h, 'f1', 'nope', 'f2')],
  ['hgetall', () => c.hgetall(k.h)],
  ['hgetallBuffer', () => c.hgetallBuffer(k.h)],
  ['hexists', () => c.hexists(k.h, 'f3')],
  ['hlen', () => c.hlen(k.h)],
  ['hstrlen', () => c.hstrlen(k.h, 'f4')],
  ['hkeys', () => c.hkeys(k.h)],
  ['hvals', () => c.hvals(k.h)],
  ['hvalsBuffer', () => c.hvalsBuffer(k.h)],
  ['sismember', () => c.sismember(k.s, 'm2')],
  ['smismember', () => c.smismember(k.s, 'm2', 'x')],
  ['smembers', async () => (await c.smembers(k.s)).sort()],
  ['scard', () => c.scard(k.s)],
  ['zscore', () => c.zscore(k.z, 'm3')],
  ['zmscore', () => c.zmscore(k.z, 'm3', 'x')],
  ['zrange', () => c.zrange(k.z, 0, -1)],
  ['zrange withscores', () => c.zrange(k.z, 0, -1, 'WITHSCORES')],
  ['zrange byscore rev limit', () => c.zrange(k.z, '+inf', 2, 'BYSCORE', 'REV', 'LIMIT', 0, 3, 'WITHSCORES')],
  ['zrangebyscore', () => c.zrangebyscore(k.z, 1, 5, 'WITHSCORES')],
  ['zrevrange', () => c.zrevrange(k.z, 0, 2)],
  ['zrangeBuffer', () => c.zrangeBuffer(k.z, 0, 1, 'WITHSCORES')],
  ['zcard', () => c.zcard(k.z)],
  ['zcount', () => c.zcount(k.z, 2, 6)],
  ['zrank', () => c.zrank(k.z, 'm4')],
  ['zrevrank', () => c.zrevrank(k.z, 'm4')],
  ['lrange', () => c.lrange(k.l, 0, -1)],
  ['lrangeBuffer', () => c.lrangeBuffer(k.l, 0, 2)],
  ['llen', () => c.llen(k.l)],
  ['lindex', () => c.lindex(k.l, 3)],
  ['lpos', () => c.lpos(k.l, 'e5')]
]

describe('the table says which reads L1 answers', () => {
  test('reply reads are cacheable reads of hashes, lists, sets and sorted sets, never random ones', () => {
    const reply = Object.keys(table).filter((n) => table[n].l1 === 'reply')
    for (const name of ['hget', 'hmget', 'hgetall', 'hexists', 'hlen', 'hstrlen', 'hkeys', 'hvals', 'sismember',
      'smismember', 'smembers', 'scard', 'zscore', 'zmscore', 'zrange', 'zrangebyscore', 'zcard', 'zcount', 'zrank',
      'zrevrank', 'lrange', 'llen', 'lindex']) assert.ok(reply.includes(name), name)
    for (const name of reply) {
      assert.equal(table[name].cacheable, true, name)
      // lib/send-command.js answers them without planning: their key is the first argument.
      assert.ok(table[name].firstKey === 1 && table[name].lastKey === 1 && !table[name].flags.includes('movablekeys'), name)
    }
    for (const name of ['srandmember', 'hrandfield', 'zrandmember', 'hscan', 'get', 'strlen', 'substr', 'spop', 'lpop']) {
      assert.notEqual(table[name].l1, 'reply', name)
    }
  })
})

for (const frontSize of [1024, 0]) {
  describe(`reads answered from L1 (frontSize ${frontSize}), replies as ioredis's`, () => {
    const redis = useRedisWithClient()
    const box = useCache(redis, { frontSize })

    test('the first read fills, the next ones hit L1 with the same reply as ioredis', async () => {
      const k = await seed(redis.io)
      const ours = READS(box.cache, k)
      const theirs = READS(redis.io, k)
      for (let i = 0; i < ours.length; i++) {
        const [what, read] = ours[i]
        const expected = await theirs[i][1]()
        assert.deepEqual(await read(), expected, `${what} from Redis`)
        const hits = l1Hits(box.cache)
        const again = await read()
        assert.deepEqual(again, expected, `${what} from L1`)
        assert.deepEqual(await read(), expected, `${what} from L1, again`)
        assert.ok(l1Hits(box.cache) >= hits + 2, `${what}: the reads after the first are L1 hits`)
      }
    })

    test('a reply handed out is a copy: changing it changes no later reply', async () => {
      const k = await seed(redis.io)
      await box.cache.hgetall(k.h)
      const a = await box.cache.hgetall(k.h)
      a.f1 = 'changed'
      const l = await box.cache.lrange(k.l, 0, -1)
      l.push('x')
      const b = await box.cache.zrangeBuffer(k.z, 0, 0)
      b[0][0] = 0
      assert.equal((await box.cache.hgetall(k.h)).f1, 'v1')
      assert.equal((await box.cache.lrange(k.l, 0, -1)).length, 10)
      assert.equal((await box.cache.zrangeBuffer(k.z, 0, 0))[0].toString(), 'm0')
    })

    test('arguments L1 cannot tell apart are refused or read from Redis, even once a neighbour is cached', async () => {
      const k = await seed(redis.io)
      await box.cache.hget(k.h, '\uFFFD')
      await box.cache.hget(k.h, '\uFFFD')
      await assert.rejects(box.cache.hget(k.h, '\uD800'), (e) => e.code === 'ERR_TIERCACHE_INVALID_VALUE')
      await assert.rejects(box.cache.hget('\uD800', 'f1'), (e) => e.code === 'ERR_TIERCACHE_INVALID_KEY')
      // A Buffer key or argument is read from Redis (not cached), with the same reply.
      for (let i = 0; i < 2; i++) {
        assert.equal(await box.cache.hget(Buffer.from(k.h), 'f1'), 'v1')
        assert.equal(await box.cache.hget(k.h, Buffer.from('f2')), 'v2')
      }
      // '1' and 1 are the same argument; 'f1' and 'f1 ' are not.
      assert.deepEqual(await box.cache.lrange(k.l, 0, '1'), await box.cache.lrange(k.l, '0', 1))
      assert.equal(await box.cache.hget(k.h, 'f1 '), null)
    })

    test('errors are not cached, and an absent key is read from Redis each time', async () => {
      const k = await seed(redis.io)
      for (let i = 0; i < 2; i++) {
        await assert.rejects(box.cache.hget(k.l, 'x'), (e) => e.code === 'ERR_TIERCACHE_REPLY' && /WRONGTYPE/.test(e.message))
      }
      const gone = fresh('gone')
      assert.deepEqual(await box.cache.hgetall(gone), {})
      await redis.io.hset(gone, 'a', '1')
      assert.deepEqual(await box.cache.hgetall(gone), { a: '1' })
    })
  })
}

describe('coherence', () => {
  const redis = useRedisWithClient()
  const box = useCache(redis)

  const FAMILIES = [
    ['hash', (c, k) => c.hget(k.h, 'f1'), (io, k) => io.hset(k.h, 'f1', 'new'), 'new'],
    ['set', (c, k) => c.sismember(k.s, 'new'), (io, k) => io.sadd(k.s, 'new'), 1],
    ['sorted set', (c, k) => c.zscore(k.z, 'm1'), (io, k) => io.zadd(k.z, 42, 'm1'), '42'],
    ['list', (c, k) => c.lindex(k.l, 0), (io, k) => io.lpush(k.l, 'new'), 'new']
  ]

  for (const [family, read, write, expected] of FAMILIES) {
    test(`${family}: a write by another client reaches the next reads once its invalidation arrives`, async () => {
      const k = await seed(redis.io)
      await read(box.cache, k)
      await read(box.cache, k) // cached, front and store
      await write(redis.io, k)
      assert.deepEqual(await eventually(() => read(box.cache, k), (r) => r === expected), expected)
    })

    test(`${family}: a write through this instance is seen by the very next read`, async () => {
      const k = await seed(redis.io)
      await read(box.cache, k)
      await read(box.cache, k)
      await write(box.cache, k)
      assert.deepEqual(await read(box.cache, k), expected)
    })
  }

  test('DEL, EXPIRE and FLUSHDB through this instance drop the cached replies at once', async () => {
    const k = await seed(redis.io)
    await box.cache.hgetall(k.h)
    await box.cache.hgetall(k.h)
    await box.cache.del(k.h)
    assert.deepEqual(await box.cache.hgetall(k.h), {})
    await box.cache.smembers(k.s)
    await box.cache.smembers(k.s)
    await box.cache.pexpire(k.s, 1)
    await sleep(5)
    assert.deepEqual(await box.cache.smembers(k.s), [])
    await box.cache.llen(k.l)
    await box.cache.llen(k.l)
    await box.cache.call('expire', k.l, 100)
    assert.equal(await box.cache.llen(k.l), 10)
    await box.cache.flushdb()
    assert.equal(await box.cache.llen(k.l), 0)
    assert.equal(await box.cache.zcard(k.z), 0)
  })

  test('a key with a TTL is never answered from L1 past it', async () => {
    const k = await seed(redis.io)
    await redis.io.pexpire(k.h, 300)
    const until = Date.now() + 290
    const full = await box.cache.hgetall(k.h)
    assert.equal(Object.keys(full).length, 10)
    while (Date.now() < until - 20) await box.cache.hgetall(k.h)
    const hits = l1Hits(box.cache)
    assert.equal(Object.keys(await box.cache.hgetall(k.h)).length, 10)
    assert.ok(l1Hits(box.cache) > hits, 'served from L1 while the key lives')
    await sleep(Math.max(0, until + 15 - Date.now()))
    for (let i = 0; i < 20; i++) assert.deepEqual(await box.cache.hgetall(k.h), {}, 'past the TTL')
  })

  test('a read racing this instance\'s write never leaves a stale copy', async () => {
    const k = await seed(redis.io)
    for (let i = 0; i < 200; i++) {
      const read = box.cache.hget(k.h, 'f1')
      const write = box.cache.hset(k.h, 'f1', `w${i}`)
      await Promise.all([read, write])
      assert.equal(await box.cache.hget(k.h, 'f1'), `w${i}`)
      // Write first, read right after (not awaited).
      const w2 = box.cache.hset(k.h, 'f1', `x${i}`)
      const r2 = box.cache.hget(k.h, 'f1')
      await w2
      assert.equal(await r2, `x${i}`)
      assert.equal(await box.cache.hget(k.h, 'f1'), `x${i}`)
    }
  })

  test('a read racing a foreign write never leaves a stale copy', async () => {
    const k = await seed(redis.io)
    for (let i = 0; i < 100; i++) {
      await Promise.all([box.cache.zrange(k.z, 0, 0, 'WITHSCORES'), redis.io.zadd(k.z, -i - 1, `m${i}`),
        box.cache.zrange(k.z, 0, 0, 'WITHSCORES')])
      const want = [`m${i}`, String(-i - 1)]
      assert.deepEqual(await eventually(() => box.cache.zrange(k.z, 0, 0, 'WITHSCORES'),
        (r) => r[0] === want[0] && r[1] === want[1]), want, `round ${i}`)
    }
  })
})

describe('bounds, sharing, isolation', () => {
  const redis = useRedisWithClient()

  test('big hashes count their bytes and are evicted to stay within maxBytes', async () => {
    const cache = new TierCache({ redis: redis.server.url, maxBytes: 256 * 1024 })
    await cache.connect()
    try {
      const keys = []
      for (let i = 0; i < 40; i++) {
        const key = fresh('big')
        keys.push(key)
        await redis.io.hset(key, Object.fromEntries(Array.from({ length: 20 }, (_, j) => [`f${j}`, 'x'.repeat(1000)])))
        assert.equal(Object.keys(await cache.hgetall(key)).length, 20)
        await cache.hgetall(key)
      }
      const s = cache.stats()
      assert.ok(s.bytes <= 256 * 1024, `bytes ${s.bytes}`)
      assert.ok(s.bytes >= 20 * 1000, `the replies are counted (${s.bytes} bytes)`)
      assert.ok(s.evictions > 0, 'some were evicted')
      assert.equal(Object.keys(await cache.hgetall(keys[0])).length, 20)
    } finally {
      await cache.quit()
    }
  })

  test('worker threads answer from each other\'s fills (one process-wide store)', async () => {
    const name = uniqueName('replies-workers')
    const k = await seed(redis.io)
    const cache = new TierCache({ redis: redis.server.url, name })
    await cache.connect()
    try {
      const run = (steps) => new Promise((resolve, reject) => {
        const w = new Worker(`
          const { workerData, parentPort } = require('node:worker_threads')
          const { TierCache } = require(workerData.tiercache)
          ;(async () => {
            const cache = new TierCache({ redis: workerData.url, name: workerData.name })
            await cache.connect()
            const out = []
            for (const [op, ...args] of workerData.steps) out.push(await cache[op](...args))
            out.push(cache.stats().l1.hits)
            await cache.quit()
            parentPort.postMessage(out)
          })().catch((e) => parentPort.postMessage({ error: String(e) }))
        `, { eval: true, workerData: { tiercache: path.join(__dirname, '../../..'), url: redis.server.url, name, steps } })
        w.once('message', resolve)
        w.once('error', reject)
      })
      const hits = l1Hits(cache)
      const filled = await run([['hgetall', k.h]])
      assert.equal(Object.keys(filled[0]).length, 10)
      // The main thread's first read is a hit: the worker's fill.
      assert.deepEqual(await cache.hgetall(k.h), filled[0])
      assert.ok(l1Hits(cache) > hits, 'the main thread hit the worker\'s fill')
      await cache.lrange(k.l, 0, -1)
      const other = await run([['lrange', k.l, 0, -1]])
      assert.deepEqual(other[0], await redis.io.lrange(k.l, 0, -1))
      assert.ok(other[1] >= 1, 'the worker hit the main thread\'s fill')
    } finally {
      await cache.quit()
    }
  })

  test('keyPrefix: instances with different prefixes never share a reply', async () => {
    const name = uniqueName('replies-prefix')
    const a = new TierCache({ redis: redis.server.url, name, keyPrefix: 'a:' })
    const b = new TierCache({ redis: redis.server.url, name, keyPrefix: 'b:' })
    await a.connect()
    await b.connect()
    try {
      const key = fresh('p')
      await redis.io.hset(`a:${key}`, 'f', 'A')
      await redis.io.hset(`b:${key}`, 'f', 'B')
      for (let i = 0; i < 3; i++) {
        assert.equal(await a.hget(key, 'f'), 'A')
        assert.equal(await b.hget(key, 'f'), 'B')
      }
      await redis.io.hset(`a:${key}`, 'f', 'A2')
      assert.equal(await eventually(() => a.hget(key, 'f'), (r) => r === 'A2'), 'A2')
      assert.equal(await b.hget(key, 'f'), 'B')
    } finally {
      await a.quit()
      await b.quit()
    }
  })

  test('a string read never returns a key\'s cached replies, nor the reverse', async () => {
    const cache = new TierCache({ redis: redis.server.url })
    await cache.connect()
    try {
      const key = fresh('t')
      await redis.io.hset(key, 'f', 'v')
      await cache.hget(key, 'f')
      assert.equal(await cache.hget(key, 'f'), 'v')
      assert.equal(cache.local.get(key), undefined)
      await assert.rejects(cache.get(key), /WRONGTYPE/)
      await cache.set(key, 'now a string')
      assert.equal(await cache.get(key), 'now a string')
      await assert.rejects(cache.hget(key, 'f'), /WRONGTYPE/)
    } finally {
      await cache.quit()
    }
  })
})

describe('L1-only', () => {
  test('the reads of these families still need Redis', async () => {
    const cache = new TierCache()
    try {
      for (const read of [() => cache.hgetall('h'), () => cache.smembers('s'), () => cache.zrange('z', 0, -1), () => cache.lrange('l', 0, -1)]) {
        await assert.rejects(read(), (e) => e.code === 'ERR_TIERCACHE_NEEDS_REDIS')
      }
    } finally {
      await cache.quit()
    }
  })
})
