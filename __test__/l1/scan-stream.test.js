'use strict'
// scanStream without Redis walks L1's keys (the cache's own scan), page by
// page; the keyed streams need Redis and say so as a stream error.
// With Redis: __test__/l2/scan-stream.test.js.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { once } = require('node:events')

const TierCache = require('../..')

test('scanStream over L1: pages, every matching key once, then the end', async (t) => {
  const cache = new TierCache()
  t.after(() => cache.quit())
  for (let i = 0; i < 40; i++) await cache.set(`k${i}`, 'v')
  await cache.set('other', 'v')
  const pages = []
  for await (const page of cache.scanStream({ match: 'k*', count: 7 })) {
    assert.ok(Array.isArray(page))
    pages.push(page)
  }
  assert.ok(pages.length > 1)
  assert.deepEqual(pages.flat().sort(), Array.from({ length: 40 }, (_, i) => `k${i}`).sort())
  // TYPE: every L1 value is a string.
  assert.deepEqual((await arrayOf(cache.scanStream({ type: 'hash' }))).flat(), [])
  assert.equal((await arrayOf(cache.scanStream({ type: 'string' }))).flat().length, 41)
})

test('the keyed streams need Redis: a stream error with ERR_TIERCACHE_NEEDS_REDIS', async (t) => {
  const cache = new TierCache()
  t.after(() => cache.quit())
  for (const make of [() => cache.sscanStream('s'), () => cache.hscanStream('h', { noValues: true }), () => cache.zscanStream('z')]) {
    const stream = make()
    stream.resume()
    const [err] = await once(stream, 'error')
    assert.ok(err instanceof TierCache.TierCacheError)
    assert.equal(err.code, 'ERR_TIERCACHE_NEEDS_REDIS')
  }
})

test('bad options are stream errors with a stable code, never a crash', async (t) => {
  const cache = new TierCache()
  t.after(() => cache.quit())
  // Each made when its listener is attached: a stream error without a listener is thrown, as any stream's.
  for (const [make, code] of [
    [() => cache.scanStream({ match: 'a', noValues: true }), 'ERR_TIERCACHE_INVALID_ARGUMENT'],
    [() => cache.scanStream({ count: {} }), 'ERR_TIERCACHE_INVALID_ARGUMENT'],
    [() => cache.scanStream({ count: -1 }), 'ERR_TIERCACHE_INVALID_ARGUMENT'],
    [() => cache.scanStream([]), 'ERR_TIERCACHE_INVALID_ARGUMENT']
  ]) {
    const stream = make()
    stream.resume()
    const [err] = await once(stream, 'error')
    assert.ok(err instanceof TierCache.TierCacheError, err.message)
    assert.equal(err.code, code)
  }
})

async function arrayOf (stream) {
  const out = []
  for await (const page of stream) out.push(page)
  return out
}
