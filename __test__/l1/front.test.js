'use strict'
// The per-thread front (decoded copies of recently read keys): it must never
// answer differently from the store. Cross-thread coherence is in
// workers.test.js; here: one thread, own writes, other instances, expiry.

const { test } = require('node:test')
const assert = require('node:assert/strict')

const { open, sleep, uniqueName } = require('../support/helpers')
const { advanceClock, runPendingTasks } = require('../../lib/testing')

/** Reads `key` twice (the second read may be a front hit) and returns both. */
async function readTwice (cache, key) {
  return [await cache.get(key), await cache.get(key)]
}

test('own writes of every kind are seen by the next read', async (t) => {
  const cache = open(t)
  await cache.set('k', 'a')
  assert.deepEqual(await readTwice(cache, 'k'), ['a', 'a'])
  await cache.set('k', 'b')
  assert.deepEqual(await readTwice(cache, 'k'), ['b', 'b'])
  await cache.setex('k', 100, 'c')
  assert.deepEqual(await readTwice(cache, 'k'), ['c', 'c'])
  await cache.psetex('k', 100_000, 'd')
  assert.deepEqual(await readTwice(cache, 'k'), ['d', 'd'])
  await cache.set('k', 'e', 'XX', 'GET')
  assert.deepEqual(await readTwice(cache, 'k'), ['e', 'e'])
  await cache.mset('k', 'f')
  assert.deepEqual(await readTwice(cache, 'k'), ['f', 'f'])
  await cache.set('k', '5')
  assert.deepEqual(await readTwice(cache, 'k'), ['5', '5'])
  await cache.incr('k')
  assert.deepEqual(await readTwice(cache, 'k'), ['6', '6'])
  await cache.decrby('k', 2)
  assert.deepEqual(await readTwice(cache, 'k'), ['4', '4'])
  await cache.incrbyfloat('k', 0.5)
  assert.deepEqual(await readTwice(cache, 'k'), ['4.5', '4.5'])
  cache.local.set('k', 'g')
  assert.deepEqual(await readTwice(cache, 'k'), ['g', 'g'])
  await cache.getdel('k')
  assert.deepEqual(await readTwice(cache, 'k'), [null, null])
  await cache.set('k', 'h')
  await readTwice(cache, 'k')
  await cache.unlink('k')
  assert.deepEqual(await readTwice(cache, 'k'), [null, null])
  await cache.set('k', 'i')
  await readTwice(cache, 'k')
  cache.local.del('k')
  assert.deepEqual(await readTwice(cache, 'k'), [null, null])
  await cache.set('k', 'j')
  await readTwice(cache, 'k')
  await cache.flushall()
  assert.deepEqual(await readTwice(cache, 'k'), [null, null])
})

test('a key read into the front still expires on time (real clock)', async (t) => {
  const cache = open(t)
  await cache.set('k', 'v', 'PX', 40)
  assert.deepEqual(await readTwice(cache, 'k'), ['v', 'v'])
  await sleep(90)
  assert.equal(await cache.get('k'), null)
  assert.equal(cache.local.get('k'), undefined)
})

test('a key read into the front expires with the advanced clock', async (t) => {
  const cache = open(t)
  await cache.set('k', 'v', 'PX', 1_000)
  assert.deepEqual(await readTwice(cache, 'k'), ['v', 'v'])
  advanceClock(cache, 1_000)
  assert.equal(await cache.get('k'), null)
})

test('own EXPIRE / GETEX / PERSIST on a key in the front are honoured', async (t) => {
  const cache = open(t)
  await cache.set('a', 'v')
  await readTwice(cache, 'a')
  await cache.expire('a', 1)
  advanceClock(cache, 1_000)
  assert.equal(await cache.get('a'), null, 'EXPIRE after the read')

  await cache.set('b', 'v')
  await readTwice(cache, 'b')
  await cache.getex('b', 'PX', 50)
  advanceClock(cache, 50)
  assert.equal(await cache.get('b'), null, 'GETEX PX after the read')

  await cache.set('c', 'v', 'PX', 100)
  await readTwice(cache, 'c')
  await cache.persist('c')
  await readTwice(cache, 'c')
  advanceClock(cache, 200)
  assert.equal(await cache.get('c'), 'v', 'PERSIST after the read')

  await cache.set('d', 'v', 'PX', 100)
  await readTwice(cache, 'd')
  await cache.set('d', 'w', 'KEEPTTL')
  assert.equal(await cache.get('d'), 'w')
  advanceClock(cache, 100)
  assert.equal(await cache.get('d'), null, 'KEEPTTL after the read')
})

test('writes by another instance of the same store are seen at once', async (t) => {
  const name = uniqueName('front')
  const reader = open(t, { name })
  const writer = open(t, { name })
  const steps = [
    [() => writer.set('k', 'b'), 'b'],
    [() => writer.mset({ k: 'c' }), 'c'],
    [() => writer.set('k', '1'), '1'],
    [() => writer.incr('k'), '2'],
    [() => writer.incrbyfloat('k', 0.5), '2.5'],
    [() => writer.getex('k', 'PXAT', 1), null],
    [() => writer.set('k', 'd'), 'd'],
    [() => writer.del('k'), null],
    [() => writer.set('k', 'e'), 'e'],
    [() => writer.expire('k', -1), null],
    [() => { writer.local.set('k', 'f') }, 'f'],
    [() => writer.flushall(), null]
  ]
  await writer.set('k', 'a')
  assert.deepEqual(await readTwice(reader, 'k'), ['a', 'a'])
  for (const [i, [write, expected]] of steps.entries()) {
    await write()
    assert.equal(await reader.get('k'), expected, `step ${i}`)
    assert.equal(reader.local.get('k') ?? null, expected, `step ${i} (local)`)
  }
})

test('evictions caused by another instance are seen', async (t) => {
  const name = uniqueName('front-evict')
  const reader = open(t, { name, maxEntries: 5 })
  const writer = open(t, { name, maxEntries: 5 })
  for (let i = 0; i < 5; i++) await writer.set(`k${i}`, 'v')
  for (let i = 0; i < 5; i++) await readTwice(reader, `k${i}`)
  for (let i = 5; i < 100; i++) await writer.set(`k${i}`, 'v')
  runPendingTasks(writer)
  for (let i = 0; i < 100; i++) {
    const exists = await writer.exists(`k${i}`)
    assert.equal((await reader.get(`k${i}`)) === null ? 0 : 1, exists, `k${i}`)
  }
})

test('a small front (frontSize 2) still answers every key correctly', async (t) => {
  const cache = open(t, { frontSize: 2 })
  for (let i = 0; i < 10; i++) await cache.set(`k${i}`, `v${i}`)
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 10; i++) assert.equal(await cache.get(`k${i}`), `v${i}`)
  }
  const s = cache.stats()
  assert.equal(s.hits, 30)
})

test('front hits count as hits in stats()', async (t) => {
  const cache = open(t)
  await cache.set('k', 'v')
  for (let i = 0; i < 2_000; i++) assert.equal(cache.local.get('k'), 'v')
  assert.equal(cache.stats().hits, 2_000)
  assert.equal(cache.stats().misses, 0)
})

test('mget answers from the front and the store together, in order', async (t) => {
  const { TierCache } = require('../..')
  const cache = new TierCache({ frontSize: 16 })
  t.after(() => cache.quit())
  await cache.mset({ a: '1', b: '2', c: '3' })
  await cache.get('a') // now in the front
  await cache.set('o', { n: 1 })
  assert.deepEqual(await cache.mget('a', 'missing', 'b', 'o', 'a'), ['1', null, '2', { n: 1 }, '1'])
  // A write through another instance of the same store must not be hidden by the front.
  const name = `front-mget-${process.pid}-${Date.now()}`
  const one = new TierCache({ name })
  const two = new TierCache({ name })
  t.after(() => Promise.all([one.quit(), two.quit()]))
  await one.set('k', 'old')
  assert.deepEqual(await one.mget(['k']), ['old'])
  await one.get('k')
  await two.set('k', 'new')
  assert.deepEqual(await one.mget(['k', 'k']), ['new', 'new'])
})
