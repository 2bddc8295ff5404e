'use strict'
// ioredis's scan streams (scanStream, sscanStream, hscanStream, zscanStream)
// on a redis-server of this file's own, compared with ioredis's own streams
// over the same data: one page (array) per SCAN reply, every element once,
// the end after cursor 0; keyPrefix; TYPE; errors as stream errors; and
// backpressure (no SCAN is sent until the consumer reads), counted by the
// server's own command statistics.

const { describe, it, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { once } = require('node:events')
const Redis = require('ioredis')

const TierCache = require('../..')
const { startRedis } = require('../support/redis-server')

let redis
let io

before(async () => {
  redis = await startRedis()
  io = new Redis({ port: redis.port, lazyConnect: true })
  await io.connect()
  const m = io.multi()
  for (let i = 0; i < 200; i++) m.set(`k:${i}`, 'v')
  for (let i = 0; i < 50; i++) m.set(`app:${i}`, 'v')
  m.set('a*p:1', 'v')
  m.hset('h', Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`f${i}`, `v${i}`])))
  m.sadd('s', ...Array.from({ length: 300 }, (_, i) => `m${i}`))
  m.zadd('z', ...Array.from({ length: 300 }, (_, i) => [i, `z${i}`]).flat())
  await m.exec()
})

after(async () => {
  io.disconnect()
  await redis.stop()
})

async function open (t, options) {
  const cache = new TierCache(redis.url, options)
  t.after(() => cache.quit())
  await cache.connect()
  return cache
}

async function pages (stream) {
  const out = []
  for await (const page of stream) {
    assert.ok(Array.isArray(page), 'each chunk is one page, an array')
    out.push(page)
  }
  return out
}

/** Pairs [a, b] of a flat hscan/zscan page, as strings "a=b", sorted. */
function pairs (flat) {
  const out = []
  for (let i = 0; i < flat.length; i += 2) out.push(`${flat[i]}=${flat[i + 1]}`)
  return out.sort()
}

describe('scan streams', () => {
  it('scanStream: pages of every matching key once, as ioredis\'s', async (t) => {
    const cache = await open(t)
    const ours = await pages(cache.scanStream({ match: 'k:*', count: 20 }))
    const theirs = await pages(io.scanStream({ match: 'k:*', count: 20 }))
    assert.ok(ours.length > 1, 'several pages')
    assert.deepEqual(ours.flat().sort(), theirs.flat().sort())
    assert.equal(new Set(ours.flat()).size, 200)
  })

  it('sscanStream / hscanStream / zscanStream: flat pages as ioredis\'s', async (t) => {
    const cache = await open(t)
    const s = await pages(cache.sscanStream('s', { count: 50 }))
    assert.deepEqual(s.flat().sort(), (await pages(io.sscanStream('s', { count: 50 }))).flat().sort())
    assert.equal(s.flat().length, 300)
    const h = await pages(cache.hscanStream('h', { match: 'f1*' }))
    assert.deepEqual(pairs(h.flat()), pairs((await pages(io.hscanStream('h', { match: 'f1*' }))).flat()))
    assert.ok(pairs(h.flat()).includes('f10=v10'))
    const z = await pages(cache.zscanStream('z'))
    assert.deepEqual(pairs(z.flat()), pairs((await pages(io.zscanStream('z'))).flat()))
  })

  it('keyPrefix: only this instance\'s keys, without the prefix; the prefix is escaped as a glob', async (t) => {
    const app = await open(t, { keyPrefix: 'app:' })
    const keys = (await pages(app.scanStream({ count: 100 }))).flat()
    assert.equal(keys.length, 50)
    assert.ok(keys.every((k) => /^\d+$/.test(k)), 'the prefix is taken off')
    // 'a*p:' as a glob would match 'app:…' too: escaped, it matches only itself.
    const star = await open(t, { keyPrefix: 'a*p:' })
    assert.deepEqual((await pages(star.scanStream({ count: 1000 }))).flat(), ['1'])
    // The key of sscan/hscan/zscan is prefixed as every key.
    await io.sadd('app:set', 'x')
    assert.deepEqual((await pages(app.sscanStream('set'))).flat(), ['x'])
  })

  it('type: keys of that Redis type only', async (t) => {
    const cache = await open(t)
    assert.deepEqual((await pages(cache.scanStream({ type: 'hash', count: 1000 }))).flat(), ['h'])
    assert.deepEqual((await pages(cache.scanStream({ type: 'zset', match: 'z*', count: 1000 }))).flat(), ['z'])
  })

  it('errors are stream errors: a wrong type, bad options', async (t) => {
    const cache = await open(t)
    const wrong = cache.hscanStream('k:1')
    wrong.resume()
    const [err] = await once(wrong, 'error')
    assert.match(err.message, /WRONGTYPE/)
    for (const bad of ['k:*', { match: 5 }, { cursor: '3' }]) {
      const s = cache.scanStream(bad)
      s.resume()
      const [e] = await once(s, 'error')
      assert.ok(e instanceof TierCache.TierCacheError, String(bad))
      assert.equal(e.code, 'ERR_TIERCACHE_INVALID_ARGUMENT')
    }
  })

  it('backpressure: no SCAN is sent until the consumer reads', async (t) => {
    const cache = await open(t)
    const scans = async () => {
      const info = await io.info('commandstats')
      const m = /cmdstat_scan:calls=(\d+)/.exec(info)
      return m === null ? 0 : Number(m[1])
    }
    const stream = cache.scanStream({ match: 'k:*', count: 10, highWaterMark: 1 })
    const startedAt = await scans()
    const iterator = stream[Symbol.asyncIterator]()
    const first = await iterator.next()
    assert.equal(first.done, false)
    // The consumer holds: the stream may fill its buffer (one page) and stop.
    await new Promise((resolve) => setTimeout(resolve, 100))
    const held = await scans() - startedAt
    assert.ok(held <= 3, `SCANs sent while the consumer held: ${held}`)
    let rest = 0
    for (;;) {
      const r = await iterator.next()
      if (r.done) break
      rest++
    }
    assert.ok(await scans() - startedAt >= rest, 'reading on sends the rest')
  })

  it('close(): the stream ends after the SCAN in flight', async (t) => {
    const cache = await open(t)
    const stream = cache.scanStream({ match: 'k:*', count: 10 })
    const got = []
    stream.on('data', (page) => {
      got.push(page)
      stream.close()
    })
    await once(stream, 'end')
    assert.ok(got.length <= 2, `pages after close: ${got.length}`)
  })
})
