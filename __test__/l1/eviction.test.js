'use strict'
// Bounds: maxEntries, maxBytes (both at once too) and maxValueBytes.

const { test } = require('node:test')
const assert = require('node:assert/strict')

const { TierCache, open, failsBothWays, throwsWith } = require('../support/helpers')
const { runPendingTasks } = require('../../lib/testing')

const { TierCacheRangeError } = TierCache
const VALUE_TOO_LARGE = 'ERR_TIERCACHE_VALUE_TOO_LARGE'

test('maxEntries: 10x the bound written, dbsize stays within it', async (t) => {
  const bound = 50
  const cache = open(t, { maxEntries: bound })
  for (let i = 0; i < bound * 10; i++) assert.equal(await cache.set(`key:${i}`, `value:${i}`), 'OK')
  runPendingTasks(cache)
  const size = await cache.dbsize()
  assert.ok(size <= bound, `dbsize ${size} > ${bound}`)
  assert.ok(size > 0, 'the store is not emptied')
  const s = cache.stats()
  assert.ok(s.evictions > 0, 'evictions are counted')
  assert.ok(s.entries <= bound, `entries ${s.entries}`)
  assert.equal(s.entries, size)
  assert.equal(s.maxEntries, bound)
  assert.equal(s.sets, bound * 10)
  assert.equal(s.evictions + s.entries, bound * 10, 'every write is either held or evicted')
  assert.equal((await cache.keys('*')).length, size)
})

test('maxEntries with sync writes through cache.local', (t) => {
  const bound = 20
  const cache = open(t, { maxEntries: bound })
  for (let i = 0; i < bound * 10; i++) assert.equal(cache.local.set(`k${i}`, 'v'), true)
  runPendingTasks(cache)
  const s = cache.stats()
  assert.ok(s.entries <= bound, `entries ${s.entries}`)
  assert.ok(s.evictions > 0)
})

test('maxEntries via mset and incr', async (t) => {
  const bound = 10
  const cache = open(t, { maxEntries: bound })
  const pairs = {}
  for (let i = 0; i < 100; i++) pairs[`m${i}`] = i
  await cache.mset(pairs)
  for (let i = 0; i < 100; i++) await cache.incr(`c${i}`)
  runPendingTasks(cache)
  assert.ok(await cache.dbsize() <= bound)
  assert.ok(cache.stats().evictions > 0)
})

test('maxBytes: the byte total stays within the budget', async (t) => {
  const maxBytes = 20_000
  const cache = open(t, { maxBytes })
  const value = 'x'.repeat(200)
  for (let i = 0; i < 1_000; i++) await cache.set(`key:${i}`, value)
  runPendingTasks(cache)
  const s = cache.stats()
  assert.ok(s.bytes <= maxBytes, `bytes ${s.bytes} > ${maxBytes}`)
  assert.ok(s.bytes >= s.entries * (value.length + 'key:0'.length), 'bytes count at least keys and values')
  assert.ok(s.entries > 0)
  assert.ok(s.entries < 1_000)
  assert.ok(s.evictions > 0)
  assert.equal(s.maxBytes, maxBytes)
  assert.equal(s.maxEntries, null)
})

test('maxBytes with values of mixed sizes and objects', async (t) => {
  const maxBytes = 50_000
  const cache = open(t, { maxBytes })
  for (let i = 0; i < 600; i++) {
    const size = 10 + ((i * 37) % 900)
    if (i % 3 === 0) await cache.set(`o${i}`, { pad: 'y'.repeat(size) })
    else await cache.set(`s${i}`, Buffer.alloc(size, i % 256))
  }
  runPendingTasks(cache)
  const s = cache.stats()
  assert.ok(s.bytes <= maxBytes, `bytes ${s.bytes} > ${maxBytes}`)
  assert.ok(s.evictions > 0)
})

test('bytes go back down on delete, overwrite and flush', async (t) => {
  const cache = open(t)
  assert.equal(cache.stats().bytes, 0)
  await cache.set('k', 'x'.repeat(1000))
  const one = cache.stats().bytes
  assert.ok(one >= 1001, `bytes ${one}`)
  await cache.set('k', 'x'.repeat(10))
  const small = cache.stats().bytes
  assert.equal(one - small, 990, 'an overwrite charges the new size only')
  await cache.set('j', 'x'.repeat(10))
  assert.equal(cache.stats().bytes, small * 2)
  await cache.del('k')
  assert.equal(cache.stats().bytes, small)
  await cache.flushall()
  assert.equal(cache.stats().bytes, 0)
  assert.equal(cache.stats().entries, 0)
})

test('both bounds: whichever binds first holds', async (t) => {
  // Entry bound binds: small values.
  const byCount = open(t, { maxEntries: 30, maxBytes: 1_000_000 })
  for (let i = 0; i < 300; i++) await byCount.set(`k${i}`, 'v')
  runPendingTasks(byCount)
  let s = byCount.stats()
  assert.ok(s.entries <= 30, `entries ${s.entries}`)
  assert.ok(s.bytes <= 1_000_000)
  assert.ok(s.evictions > 0)

  // Byte bound binds: large values.
  const byBytes = open(t, { maxEntries: 1_000, maxBytes: 30_000 })
  for (let i = 0; i < 300; i++) await byBytes.set(`k${i}`, 'x'.repeat(1_000))
  runPendingTasks(byBytes)
  s = byBytes.stats()
  assert.ok(s.bytes <= 30_000, `bytes ${s.bytes}`)
  assert.ok(s.entries <= 30, `entries ${s.entries}`)
  assert.ok(s.evictions > 0)
})

test('reads agree with the store after evictions (no stale front copies)', async (t) => {
  const cache = open(t, { maxEntries: 8 })
  for (let i = 0; i < 8; i++) await cache.set(`k${i}`, `v${i}`)
  for (let i = 0; i < 8; i++) await cache.get(`k${i}`) // into the front
  for (let i = 8; i < 200; i++) await cache.set(`k${i}`, `v${i}`)
  runPendingTasks(cache)
  for (let i = 0; i < 200; i++) {
    const present = await cache.exists(`k${i}`)
    const value = await cache.get(`k${i}`)
    assert.equal(value === null ? 0 : 1, present, `k${i}: get ${value} but exists ${present}`)
    if (value !== null) assert.equal(value, `v${i}`)
  }
})

test('a value larger than maxValueBytes is refused with RangeError ERR_TIERCACHE_VALUE_TOO_LARGE', async (t) => {
  const cache = open(t, { maxValueBytes: 100 })
  assert.equal(await cache.set('fits', 'x'.repeat(100)), 'OK')
  assert.equal(await cache.get('fits'), 'x'.repeat(100))
  await cache.set('k', 'old')
  const tooLarge = [
    'x'.repeat(101),
    'é'.repeat(51), // 102 bytes in 51 characters
    Buffer.alloc(101),
    { pad: 'x'.repeat(100) } // its JSON is larger than 100 bytes
  ]
  for (const value of tooLarge) {
    await failsBothWays(cache, 'set', ['k', value], TierCacheRangeError, VALUE_TOO_LARGE)
    await failsBothWays(cache, 'set', ['k', value, 'EX', 10], TierCacheRangeError, VALUE_TOO_LARGE)
    await failsBothWays(cache, 'setex', ['k', 10, value], TierCacheRangeError, VALUE_TOO_LARGE)
    await failsBothWays(cache, 'psetex', ['k', 1000, value], TierCacheRangeError, VALUE_TOO_LARGE)
    await failsBothWays(cache, 'setnx', ['new', value], TierCacheRangeError, VALUE_TOO_LARGE)
    throwsWith(() => cache.local.set('k', value), TierCacheRangeError, VALUE_TOO_LARGE, 'local.set')
    throwsWith(() => cache.local.set('k', value, 1000), TierCacheRangeError, VALUE_TOO_LARGE, 'local.set ttl')
  }
  assert.equal(await cache.get('k'), 'old')
  assert.equal(await cache.exists('new'), 0)
})

test('a value larger than maxBytes is refused even under the default maxValueBytes', async (t) => {
  const cache = open(t, { maxBytes: 1_000 })
  await failsBothWays(cache, 'set', ['k', 'x'.repeat(1_001)], TierCacheRangeError, VALUE_TOO_LARGE)
  assert.equal(await cache.exists('k'), 0)
})

test('MSET with one value too large writes nothing (MSET is atomic)', async (t) => {
  const cache = open(t, { maxValueBytes: 10 })
  await cache.set('a', 'old')
  assert.equal(await cache.get('a'), 'old') // in the front
  await failsBothWays(cache, 'mset', [{ a: 'new', b: 'small', c: 'y'.repeat(11) }], TierCacheRangeError, VALUE_TOO_LARGE)
  // get may answer from the front, getBuffer and mget always ask the store.
  assert.deepEqual({
    get: await cache.get('a'),
    getBuffer: String(await cache.getBuffer('a')),
    mget: await cache.mget('a', 'b', 'c')
  }, {
    get: 'old',
    getBuffer: 'old',
    mget: ['old', null, null]
  }, 'nothing of the refused MSET was written')
})
