'use strict'
// cache.local: the synchronous, Map-like view (get → undefined on a miss).

const { test } = require('node:test')
const assert = require('node:assert/strict')

const { open, uniqueName } = require('../support/helpers')

test('local.get / set / has / del work synchronously and Map-like', (t) => {
  const cache = open(t)
  assert.equal(cache.local.get('k'), undefined, 'a miss is undefined, not null')
  assert.equal(cache.local.has('k'), false)
  assert.equal(cache.local.set('k', 'v'), true)
  assert.equal(cache.local.get('k'), 'v')
  assert.equal(cache.local.has('k'), true)
  assert.equal(cache.local.del('k'), true)
  assert.equal(cache.local.del('k'), false)
  assert.equal(cache.local.get('k'), undefined)
  assert.equal(cache.local.has('k'), false)
})

test('local and async commands see the same store', async (t) => {
  const cache = open(t)
  cache.local.set('a', 'from local')
  assert.equal(await cache.get('a'), 'from local')
  await cache.set('b', 'from async')
  assert.equal(cache.local.get('b'), 'from async')
  await cache.set('c', 'v')
  assert.equal(cache.local.get('c'), 'v')
  await cache.set('c', 'changed')
  assert.equal(cache.local.get('c'), 'changed', 'an async write is seen by a later local read')
  cache.local.set('c', 'again')
  assert.equal(await cache.get('c'), 'again')
  cache.local.del('c')
  assert.equal(await cache.get('c'), null)
  assert.equal(await cache.exists('c'), 0)
})

test('local values: objects, numbers, Buffers', (t) => {
  const cache = open(t)
  cache.local.set('o', { a: [1, 2], s: 'é' })
  assert.deepEqual(cache.local.get('o'), { a: [1, 2], s: 'é' })
  cache.local.set('n', 12)
  assert.equal(cache.local.get('n'), '12')
  cache.local.set('b', Buffer.from('bytes'))
  assert.equal(cache.local.get('b'), 'bytes')
  cache.local.set('e', '')
  assert.equal(cache.local.get('e'), '', 'an empty string is a hit, not a miss')
  assert.equal(cache.local.has('e'), true)
})

test('local.set with a TTL, and without one drops an old TTL', async (t) => {
  const cache = open(t)
  assert.equal(cache.local.set('k', 'v', 10_000), true)
  const left = await cache.pttl('k')
  assert.ok(left > 9_900 && left <= 10_000, `pttl ${left}`)
  cache.local.set('k', 'w')
  assert.equal(await cache.ttl('k'), -1)
})

test('local works across instances of a named store', (t) => {
  const name = uniqueName('local')
  const a = open(t, { name })
  const b = open(t, { name })
  a.local.set('k', 'one')
  assert.equal(b.local.get('k'), 'one')
  assert.equal(b.local.get('k'), 'one')
  a.local.set('k', 'two')
  assert.equal(b.local.get('k'), 'two')
  a.local.del('k')
  assert.equal(b.local.has('k'), false)
  assert.equal(b.local.get('k'), undefined)
})

test('local.del deletes only the key it is given', (t) => {
  const cache = open(t)
  cache.local.set('a', '1')
  cache.local.set('b', '2')
  assert.equal(cache.local.del('a'), true)
  assert.equal(cache.local.get('b'), '2')
})
