'use strict'
// Store events ('evict' with reason 'size', 'expire') and the statistics.

const { test } = require('node:test')
const assert = require('node:assert/strict')

const { open, sleep, runNode, uniqueName, tick } = require('../support/helpers')
const { advanceClock, runPendingTasks } = require('../../lib/testing')

/** Polls until `predicate()` holds (events arrive through the event loop). */
async function waitFor (predicate, what, timeoutMs = 2_000) {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(2)
  }
}

/** Records every 'evict' and 'expire' of `cache` as ['evict', ...args] / ['expire', ...args]. */
function record (cache) {
  const seen = []
  cache.on('evict', (...args) => seen.push(['evict', ...args]))
  cache.on('expire', (...args) => seen.push(['expire', ...args]))
  return seen
}

test("'evict' (key, 'size') fires for each eviction past maxEntries", async (t) => {
  const cache = open(t, { maxEntries: 5 })
  const seen = record(cache)
  const written = new Set()
  for (let i = 0; i < 50; i++) {
    written.add(`key:${i}`)
    await cache.set(`key:${i}`, 'v')
  }
  runPendingTasks(cache)
  const evictions = cache.stats().evictions
  assert.ok(evictions > 0)
  await waitFor(() => seen.length >= evictions, `${evictions} evict events`)
  await sleep(20)
  assert.equal(seen.length, evictions, 'one event per eviction, nothing else')
  for (const event of seen) {
    assert.equal(event.length, 3, `listener arguments: ${JSON.stringify(event)}`)
    const [type, key, reason] = event
    assert.equal(type, 'evict')
    assert.equal(typeof key, 'string', `the key is a string, got ${JSON.stringify(key)}`)
    assert.ok(written.has(key), `evicted key ${key} was written`)
    assert.equal(reason, 'size')
    assert.equal(await cache.exists(key), 0, `evicted ${key} is gone`)
  }
})

test("'expire' (key) fires after a TTL passes (advanceClock + get)", async (t) => {
  const cache = open(t)
  const seen = record(cache)
  await cache.set('short', 'v', 'PX', 100)
  await cache.set('long', 'v', 'EX', 100)
  advanceClock(cache, 100)
  assert.equal(await cache.get('short'), null)
  await waitFor(() => seen.length >= 1, 'an expire event')
  await sleep(20)
  assert.deepEqual(seen, [['expire', 'short']])
  assert.equal(cache.stats().expirations, 1)
})

test("'expire' fires on real expiry once housekeeping runs", async (t) => {
  const cache = open(t)
  const seen = record(cache)
  await cache.set('k', 'v', 'PX', 20)
  await sleep(60)
  runPendingTasks(cache)
  await waitFor(() => seen.length >= 1, 'an expire event')
  assert.deepEqual(seen, [['expire', 'k']])
  assert.equal(await cache.exists('k'), 0)
  assert.equal(cache.stats().expirations, 1)
})

test('explicit deletes and overwrites emit no events', async (t) => {
  const cache = open(t, { maxEntries: 100 })
  const seen = record(cache)
  await cache.set('a', '1')
  await cache.set('a', '2')
  await cache.del('a')
  await cache.set('b', '1')
  await cache.getdel('b')
  await cache.set('c', '1')
  await cache.flushall()
  runPendingTasks(cache)
  await sleep(30)
  assert.deepEqual(seen, [])
})

test('every instance of a named store hears its events', async (t) => {
  const name = uniqueName('events')
  const a = open(t, { name, maxEntries: 3 })
  const b = open(t, { name, maxEntries: 3 })
  const seenA = record(a)
  const seenB = record(b)
  for (let i = 0; i < 20; i++) await a.set(`k${i}`, 'v')
  runPendingTasks(a)
  const evictions = a.stats().evictions
  await waitFor(() => seenA.length >= evictions && seenB.length >= evictions, 'events on both instances')
  assert.deepEqual(seenA.map((e) => e[1]).sort(), seenB.map((e) => e[1]).sort())
  assert.ok(seenA.every((e) => e[0] === 'evict' && e[2] === 'size'))
})

test('removing every listener stops delivery; adding one again resumes it', async (t) => {
  const cache = open(t, { maxEntries: 2 })
  const first = []
  const listener = (key) => first.push(key)
  cache.on('evict', listener)
  cache.off('evict', listener)
  for (let i = 0; i < 10; i++) await cache.set(`a${i}`, 'v')
  runPendingTasks(cache)
  await sleep(30)
  assert.deepEqual(first, [])
  const second = []
  cache.on('evict', (key, reason) => second.push([key, reason]))
  for (let i = 0; i < 10; i++) await cache.set(`b${i}`, 'v')
  runPendingTasks(cache)
  await waitFor(() => second.length > 0, 'evict events after re-subscribing')
  assert.ok(second.every(([key, reason]) => typeof key === 'string' && reason === 'size'), JSON.stringify(second))
})

test('listeners do not keep the process alive', () => {
  const r = runNode(`
    const TierCache = require('.')
    const cache = new TierCache({ maxEntries: 2 })
    cache.on('evict', () => {})
    cache.on('expire', () => {})
    cache.on('ready', () => {})
    const named = new TierCache({ name: 'keepalive-test', maxEntries: 2 })
    named.on('evict', () => {})
    ;(async () => {
      for (let i = 0; i < 20; i++) { await cache.set('k' + i, 'v', 'PX', 5); await named.set('k' + i, 'v') }
      console.log('done')
    })()
  `, { timeout: 10_000 })
  assert.equal(r.error, undefined, `spawn error (a timeout means the process hung): ${r.error}`)
  assert.equal(r.signal, null, 'the process ended by itself')
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /done/)
})

test('stats(): hits, misses, sets, deletes, entries, bytes, hitRatio', async (t) => {
  const cache = open(t)
  let s = cache.stats()
  assert.deepEqual(
    { hits: s.hits, misses: s.misses, sets: s.sets, deletes: s.deletes, evictions: s.evictions, expirations: s.expirations, entries: s.entries, bytes: s.bytes, hitRatio: s.hitRatio },
    { hits: 0, misses: 0, sets: 0, deletes: 0, evictions: 0, expirations: 0, entries: 0, bytes: 0, hitRatio: 0 }
  )
  await cache.set('a', 'value-a')
  await cache.set('b', 'value-b')
  assert.equal(await cache.get('a'), 'value-a') // hit
  assert.equal(await cache.get('a'), 'value-a') // hit (maybe from the front)
  assert.equal(cache.local.get('a'), 'value-a') // hit
  assert.equal(await cache.get('nope'), null) // miss
  s = cache.stats()
  assert.equal(s.sets, 2)
  assert.equal(s.hits, 3)
  assert.equal(s.misses, 1)
  assert.equal(s.hitRatio, 3 / 4)
  assert.equal(s.entries, 2)
  assert.ok(s.bytes >= 2 * ('a'.length + 'value-a'.length), `bytes ${s.bytes}`)
  assert.equal(await cache.del('a', 'nope'), 1)
  s = cache.stats()
  assert.equal(s.deletes, 1)
  assert.equal(s.entries, 1)
  assert.equal(await cache.setnx('b', 'x'), 0)
  assert.equal(cache.stats().sets, 2, 'a refused SETNX is not a set')
  await cache.incr('n')
  assert.equal(cache.stats().sets, 3)
  assert.deepEqual(await cache.mget('b', 'nope'), ['value-b', null])
  s = cache.stats()
  assert.equal(s.hits, 4)
  assert.equal(s.misses, 2)
  assert.equal(s.hitRatio, 4 / 6)
  assert.equal(typeof s.maxBytes, 'number')
})

test('stats(): expirations and evictions', async (t) => {
  const cache = open(t, { maxEntries: 4 })
  await cache.set('t1', 'v', 'PX', 10)
  await cache.set('t2', 'v', 'PX', 10)
  advanceClock(cache, 10)
  assert.equal(await cache.get('t1'), null)
  assert.equal(await cache.exists('t2'), 0)
  let s = cache.stats()
  assert.equal(s.expirations, 2)
  assert.equal(s.evictions, 0)
  for (let i = 0; i < 40; i++) await cache.set(`k${i}`, 'v')
  runPendingTasks(cache)
  s = cache.stats()
  assert.ok(s.evictions > 0)
  assert.equal(s.expirations, 2)
  assert.ok(s.entries <= 4)
})

test('stats() are shared by every instance of a named store', async (t) => {
  const name = uniqueName('stats')
  const a = open(t, { name })
  const b = open(t, { name })
  await a.set('k', 'v')
  await b.get('k')
  await b.get('k')
  await a.get('missing')
  // Front hits are handed to the shared counters in batches, at the latest
  // when their own instance's stats() runs: read b's first.
  const sb = b.stats()
  const sa = a.stats()
  assert.equal(sa.sets, 1)
  assert.equal(sa.hits, 2)
  assert.equal(sa.misses, 1)
  assert.deepEqual(sa, sb)
})

test("'ready' and 'connect' are emitted after construction", async (t) => {
  const cache = open(t)
  const order = []
  cache.on('connect', () => order.push('connect'))
  cache.on('ready', () => order.push('ready'))
  await tick()
  assert.deepEqual(order, ['connect', 'ready'])
  assert.equal(cache.status, 'ready')
})
