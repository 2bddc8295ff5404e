'use strict'
// stats(): writes that went to Redis count as sets (and deletes as deletes,
// not the L1 copies the Redis tier drops), and after quit() the figures at
// close are still there (they are what a script prints last).

const { test } = require('node:test')
const assert = require('node:assert/strict')
const TierCache = require('../../..')
const { startRedis } = require('../../support/redis-server')
const { within } = require('../../support/child')

test('with Redis, the writes count as sets: SET, MSET (per key), INCR; a SET NX that wrote nothing does not', async (t) => {
  const redis = await startRedis()
  t.after(() => redis.stop())
  const cache = new TierCache(redis.url)
  t.after(() => cache.quit())
  await cache.connect()
  await cache.set('a', '1')
  await cache.set('b', { n: 2 }, 'EX', 60)
  assert.equal(cache.stats().sets, 2)
  await cache.mset('x', '1', 'y', '2', 'z', '3')
  assert.equal(cache.stats().sets, 5)
  await cache.incr('n')
  await cache.incrbyfloat('f', 1.5)
  assert.equal(cache.stats().sets, 7)
  assert.equal(await cache.set('a', 'other', 'NX'), null)
  assert.equal(await cache.setnx('a', 'other'), 0)
  assert.equal(cache.stats().sets, 7, 'a refused SET NX is no write')
})

test('with Redis, deletes are the keys commands deleted: not the L1 copies dropped for a write or an invalidation', async (t) => {
  const redis = await startRedis()
  t.after(() => redis.stop())
  const cache = new TierCache(redis.url)
  const other = new TierCache(redis.url)
  t.after(() => Promise.all([cache.quit(), other.quit()]))
  await Promise.all([cache.connect(), other.connect()])
  await cache.set('a', '1')
  assert.equal(await cache.get('a'), '1')
  await cache.set('a', '2') // L1's copy of 'a' is dropped while the SET is on its way
  assert.equal(cache.stats().deletes, 0, 'an overwrite is no delete')
  assert.equal(await cache.get('a'), '2')
  const invalidated = new Promise((resolve) => cache.once('invalidate', resolve))
  await other.set('a', '3') // another client's write: 'a' leaves this instance's L1
  await within(invalidated, 5_000, () => 'no invalidation within 5 s')
  assert.equal(cache.stats().deletes, 0, 'an invalidation is no delete')
  assert.equal(await cache.del('a', 'missing'), 1)
  assert.equal(cache.stats().deletes, 1)
  await cache.set('b', '1')
  assert.equal(await cache.getdel('b'), '1')
  assert.equal(await cache.getdel('b'), null)
  assert.equal(cache.stats().deletes, 2)
})

test('L1 only: stats() after quit() gives the figures at close', async () => {
  const cache = new TierCache()
  await cache.set('a', '1')
  await cache.set('b', '2')
  assert.equal(await cache.get('a'), '1')
  assert.equal(await cache.get('missing'), null)
  const before = cache.stats()
  await cache.quit()
  const after = cache.stats()
  assert.equal(after.sets, 2)
  assert.equal(after.entries, 2)
  assert.equal(after.hits, before.hits)
  assert.equal(after.misses, before.misses)
  assert.equal(after.l2, null)
  assert.deepEqual(after, before)
  // Still the same later, and the caller cannot change what the next call returns.
  after.l1.hits = 999
  assert.equal(cache.stats().l1.hits, before.l1.hits)
})

test('with Redis: stats() after quit() and after disconnect() gives the figures at close, status end', async (t) => {
  const redis = await startRedis()
  t.after(() => redis.stop())
  for (const close of ['quit', 'disconnect']) {
    const cache = new TierCache(redis.url)
    await cache.connect()
    await cache.set(`${close}:a`, '1')
    await cache.set(`${close}:b`, '2')
    assert.equal(await cache.l2.get(`${close}:a`), '1')
    const before = cache.stats()
    await cache[close]()
    const after = cache.stats()
    assert.equal(after.sets, before.sets, close)
    assert.ok(after.sets >= 2, close)
    assert.equal(after.l2.hits, before.l2.hits, close)
    assert.equal(after.l2.status, 'end', close)
  }
})
