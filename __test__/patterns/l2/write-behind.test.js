'use strict'
// The write-behind queue (`cache.writeBehind(options)`, lib/patterns/write-behind.js):
// the cache is updated at once, the writer gets the queued writes later in
// batches, one batch at a time, in order, coalesced per key; failed batches
// are retried and never dropped; the queue is bounded; flush() and close()
// drain it. Every behaviour is checked L1 only and with a private
// redis-server (one for the Redis suite).
//
// Real timers, no fixed sleeps that a slow machine could lose: tests wait on
// flush()/close() and on promises they control (a gate the writer waits on),
// and only check with a few event-loop turns that something did NOT happen
// while the writer is held. Randomness comes from a seeded PRNG.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')

const TierCache = require('../../..')
const { startRedis } = require('../../support/redis-server')
const { rejectsWith, throwsWith, collect, runNode } = require('../../support/helpers')

const { QueueFullError, ClosedError, TierCacheTypeError, TierCacheRangeError } = TierCache

const TEST_TIMEOUT_MS = 60_000
/** A flush interval no test waits for: the writer runs only when a test asks. */
const NEVER_MS = 60 * 60 * 1000

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function prng (seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A promise the test resolves when it wants: `await g.promise`, `g.open()`. */
function gate () {
  let open
  const promise = new Promise((resolve) => { open = resolve })
  return { promise, open }
}

/** Resolves after a few turns of the event loop (timers of 0 ms included). */
async function turns (n = 5) {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve))
}

/** `p`, or a rejection with `message` after `ms` (the timer holds the process up meanwhile). */
function within (p, ms, message) {
  let timer
  const timeout = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms)
  })
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}

/** Whether `p` has settled within a few event-loop turns. */
async function settled (p) {
  let done = false
  p.then(() => { done = true }, () => { done = true })
  await turns()
  return done
}

/**
 * The "source" behind the queue: a Map the writer applies batches to.
 * `hook(entries, call)` runs first on each call (1-based): it may wait, or
 * throw to fail the call (then nothing of the batch is applied).
 * Records the batches applied, the calls, and how many ran at once.
 */
function sourceOf (hook = async () => {}) {
  const s = { data: new Map(), batches: [], calls: 0, active: 0, maxActive: 0, writer: null }
  s.writer = async (entries) => {
    const call = ++s.calls
    s.active++
    s.maxActive = Math.max(s.maxActive, s.active)
    try {
      await hook(entries, call)
      for (const e of entries) {
        if (e.op === 'set') s.data.set(e.key, e.value)
        else s.data.delete(e.key)
      }
      s.batches.push(entries.map((e) => ({ ...e })))
    } finally {
      s.active--
    }
  }
  return s
}

/** Every entry the source accepted, in order. */
const applied = (s) => s.batches.flat()

let keyRun = 0
/** Key names no other test uses (the Redis suite shares one server). */
function keys () {
  const prefix = `wb:${process.pid}:${++keyRun}:`
  return (name) => prefix + name
}

/**
 * The behaviours common to both tiers. `open(t)` gives a new cache, quit
 * when the test ends.
 */
function commonTests (open) {
  test('set updates the cache at once; the writer runs later, in batches of at most batchSize', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const cache = await open(t)
    const k = keys()
    const src = sourceOf()
    const wb = cache.writeBehind({ writer: src.writer, batchSize: 7, flushInterval: NEVER_MS })
    assert.equal(wb.size, 0)

    // Fewer keys than batchSize: nothing reaches the writer before flush().
    for (let i = 0; i < 5; i++) {
      assert.equal(await wb.set(k(`a${i}`), { i, name: `item ${i}` }), 'OK')
      assert.deepEqual(await cache.get(k(`a${i}`)), { i, name: `item ${i}` }, 'the cache holds the value as soon as set resolves')
    }
    await turns()
    assert.equal(src.calls, 0, 'the writer has not run yet')
    assert.equal(wb.size, 5)
    await wb.flush()
    assert.equal(wb.size, 0)
    assert.deepEqual(src.batches, [[0, 1, 2, 3, 4].map((i) => ({ key: k(`a${i}`), value: { i, name: `item ${i}` }, op: 'set' }))])

    // 50 keys: a batch goes out each time batchSize keys wait, each ≤ 7 entries.
    for (let i = 0; i < 50; i++) await wb.set(k(`b${i}`), `v${i}`)
    for (let i = 0; i < 50; i++) assert.equal(await cache.get(k(`b${i}`)), `v${i}`)
    await wb.flush()
    const later = src.batches.slice(1)
    assert.ok(later.length >= 8, `50 writes in batches of ≤ 7 take ≥ 8 batches, got ${later.length}`)
    for (const b of later) assert.ok(b.length >= 1 && b.length <= 7, `batch of ${b.length} entries`)
    assert.deepEqual(later.flat().map((e) => e.key), Array.from({ length: 50 }, (_, i) => k(`b${i}`)), 'queue order')
    for (let i = 0; i < 50; i++) assert.equal(src.data.get(k(`b${i}`)), `v${i}`)
    assert.equal(src.maxActive, 1, 'one batch with the writer at a time')

    const stats = cache.stats().patterns
    assert.equal(stats.writeBehindWrites, 55)
    assert.equal(stats.writeBehindFailures, 0)
    await wb.close()
  })

  test('the flush tick hands queued writes to the writer without flush()', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const cache = await open(t)
    const k = keys()
    const written = gate()
    const src = sourceOf(async () => { written.open() })
    const wb = cache.writeBehind({ writer: src.writer, batchSize: 100, flushInterval: 10 })
    await wb.set(k('a'), 'one')
    // The queue's timer does not hold the process open (unref): this one does
    // while the test waits (a guard, never reached when the tick works).
    const guard = setTimeout(() => {}, TEST_TIMEOUT_MS)
    await written.promise
    clearTimeout(guard)
    await turns()
    assert.equal(src.data.get(k('a')), 'one')
    assert.equal(wb.size, 0)
    await wb.close()
  })

  test('coalescing: 1,000 sets over 10 keys reach the writer as each key\'s last value', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const cache = await open(t)
    const k = keys()
    const src = sourceOf()
    const wb = cache.writeBehind({ writer: src.writer, batchSize: 100, flushInterval: NEVER_MS })
    const last = new Map()
    for (let i = 0; i < 1000; i++) {
      const key = k(`c${i % 10}`)
      const value = { i }
      last.set(key, value)
      assert.equal(await wb.set(key, value), 'OK')
    }
    assert.equal(wb.size, 10, 'one queued write per key')
    for (const [key, value] of last) assert.deepEqual(await cache.get(key), value)
    await wb.flush()
    assert.equal(src.calls, 1)
    assert.deepEqual(applied(src), [...last].map(([key, value]) => ({ key, value, op: 'set' })))
    assert.deepEqual(src.data, last)
    assert.equal(cache.stats().patterns.writeBehindWrites, 10)

    // The same with the writer busy while the writes come in (small batches,
    // a short tick): the writer may see older values too, but the source ends
    // with the last one of every key.
    const k2 = keys()
    const src2 = sourceOf(() => new Promise((resolve) => setImmediate(resolve)))
    const wb2 = cache.writeBehind({ writer: src2.writer, batchSize: 3, flushInterval: 10 })
    const last2 = new Map()
    for (let i = 0; i < 1000; i++) {
      const key = k2(`c${i % 10}`)
      last2.set(key, { i })
      await wb2.set(key, { i })
      if (i % 25 === 0) await turns(1)
    }
    await wb2.close()
    assert.deepEqual(src2.data, last2)
    // How much coalesces here depends on timing (with Redis the writer keeps
    // up with sets that each wait for a round trip): never more than 1,000.
    assert.ok(applied(src2).length <= 1000)
    await wb.close()
  })

  test('the writes of each key reach the source in order, across batches', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const cache = await open(t)
    const k = keys()
    const src = sourceOf(() => new Promise((resolve) => setImmediate(resolve)))
    const wb = cache.writeBehind({ writer: src.writer, batchSize: 7, flushInterval: 10 })
    const last = new Map()
    let n = 0
    for (let round = 0; round < 40; round++) {
      for (let j = 0; j < 20; j++) {
        // Keys in a different order each round, so batches mix rounds.
        const key = k(`o${(j * 7 + round * 3) % 20}`)
        const value = { n: n++, round }
        last.set(key, value)
        await wb.set(key, value)
        if (n % 9 === 0) await turns(1)
      }
    }
    await wb.close()
    assert.equal(src.maxActive, 1, 'one batch with the writer at a time')
    assert.ok(src.batches.length > 1, 'several batches')
    for (const b of src.batches) assert.ok(b.length <= 7)
    const seen = new Map()
    for (const e of applied(src)) {
      const before = seen.get(e.key)
      if (before !== undefined) assert.ok(e.value.n > before, `${e.key}: write ${e.value.n} after ${before}`)
      seen.set(e.key, e.value.n)
    }
    assert.deepEqual(src.data, last)
  })

  test('zero lost writes: a writer failing ~30% of its calls, 5,000 writes over 500 keys', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const cache = await open(t)
    const k = keys()
    const failRandom = prng(0xC0FFEE)
    const src = sourceOf(async (entries, call) => {
      await new Promise((resolve) => setImmediate(resolve))
      if (failRandom() < 0.3) throw new Error(`source unavailable (call ${call})`)
    })
    const wb = cache.writeBehind({ writer: src.writer, batchSize: 50, flushInterval: 10, retries: 2, retryDelay: 2, maxRetryDelay: 10 })
    const errors = collect(wb, 'writeError')
    const cacheErrors = collect(wb, 'cacheError')

    const pick = prng(42)
    const expected = new Map()
    const pending = []
    for (let i = 0; i < 5000; i++) {
      const key = k(`r${Math.floor(pick() * 500)}`)
      if (pick() < 0.05) {
        expected.delete(key)
        pending.push(wb.del(key))
      } else {
        expected.set(key, { i })
        pending.push(wb.set(key, { i }))
      }
      // Up to 25 writes in flight at once.
      if (pending.length === 25) {
        for (const r of await Promise.all(pending.splice(0))) assert.equal(r, 'OK')
      }
    }
    await Promise.all(pending)
    await wb.close()

    assert.equal(wb.size, 0)
    assert.deepEqual(src.data, expected, 'the source holds exactly the last write of every key')
    assert.ok(errors.length > 0, 'writeError was emitted')
    for (const [err, entries, attempt] of errors) {
      assert.match(err.message, /source unavailable/)
      assert.ok(Array.isArray(entries) && entries.length >= 1 && entries.length <= 50)
      assert.ok(attempt >= 1 && attempt <= 3, `attempt ${attempt}`)
    }
    assert.deepEqual(cacheErrors, [])
    assert.equal(src.maxActive, 1)
    // Per key, the values the source accepted only move forward.
    const seen = new Map()
    for (const e of applied(src)) {
      if (e.op !== 'set') continue
      const before = seen.get(e.key)
      if (before !== undefined) assert.ok(e.value.i > before, `${e.key}: write ${e.value.i} after ${before}`)
      seen.set(e.key, e.value.i)
    }
    const stats = cache.stats().patterns
    assert.equal(stats.writeBehindFailures, errors.length)
    assert.equal(stats.writeBehindWrites, applied(src).length)
    // The cache agrees with the source.
    for (let r = 0; r < 500; r += 37) {
      const key = k(`r${r}`)
      assert.deepEqual(await cache.get(key), expected.has(key) ? expected.get(key) : null, key)
    }
  })

  test('a writer that fails 5 times in a row, then recovers: retried with backoff, nothing lost', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const cache = await open(t)
    const k = keys()
    const times = []
    const src = sourceOf(async (entries, call) => {
      times.push(performance.now())
      if (call <= 5) throw new Error(`down (call ${call})`)
    })
    const retryDelay = 40
    const flushInterval = 50
    const wb = cache.writeBehind({ writer: src.writer, retries: 2, retryDelay, maxRetryDelay: 1000, flushInterval })
    const errors = collect(wb, 'writeError')
    await wb.set(k('a'), 'A')
    await wb.set(k('b'), 'B')
    await wb.del(k('c'))
    const batch = [{ key: k('a'), value: 'A', op: 'set' }, { key: k('b'), value: 'B', op: 'set' }, { key: k('c'), value: undefined, op: 'del' }]
    await within(wb.flush(), 20_000, 'flush() did not resolve')

    // Attempts 1..3 (retries: 2), back to the queue, at the next tick 1..3 again.
    assert.deepEqual(errors.map(([, , attempt]) => attempt), [1, 2, 3, 1, 2])
    for (const [err, entries] of errors) {
      assert.ok(err instanceof Error)
      assert.deepEqual(entries, batch)
    }
    assert.equal(src.calls, 6)
    assert.deepEqual(src.batches, [batch])
    assert.deepEqual(src.data, new Map([[k('a'), 'A'], [k('b'), 'B']]))

    // Backoff with jitter: the n-th retry waits in [d/2, d] with d = retryDelay·2^(n-1);
    // a batch whose retries are spent waits for the next tick (flushInterval).
    // Lower bounds only, with 3 ms for timer rounding.
    const gaps = times.slice(1).map((at, i) => at - times[i])
    const least = [retryDelay / 2, retryDelay, flushInterval, retryDelay / 2, retryDelay]
    least.forEach((min, i) => assert.ok(gaps[i] >= min - 3, `gap ${i + 1}: ${gaps[i].toFixed(1)} ms, expected ≥ ${min} ms (gaps ${gaps.map((g) => g.toFixed(1)).join(', ')})`))

    const stats = cache.stats().patterns
    assert.equal(stats.writeBehindFailures, 5)
    assert.equal(stats.writeBehindWrites, 3)
    await wb.close()
  })

  test('a failed batch goes back to the head of the queue, behind newer writes of its keys', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const cache = await open(t)
    const k = keys()
    const g = gate()
    const src = sourceOf(async (entries, call) => {
      if (call === 1) {
        await g.promise
        throw new Error('first call fails')
      }
    })
    const wb = cache.writeBehind({ writer: src.writer, retries: 0, retryDelay: 5, flushInterval: 20 })
    const errors = collect(wb, 'writeError')
    await wb.set(k('a'), '1')
    await wb.set(k('b'), '1')
    const flushed = wb.flush()
    assert.equal(src.calls, 1, 'the batch [a, b] is with the writer')
    await wb.set(k('a'), '2')
    await wb.set(k('c'), '1')
    assert.equal(wb.size, 4)
    g.open()
    await within(flushed, 20_000, 'flush() did not resolve')
    assert.deepEqual(errors.map(([, entries, attempt]) => [entries.map((e) => e.key), attempt]), [[[k('a'), k('b')], 1]])
    // b (failed, not superseded) first; a's failed write gave way to its newer one.
    assert.deepEqual(src.batches, [[
      { key: k('b'), value: '1', op: 'set' },
      { key: k('a'), value: '2', op: 'set' },
      { key: k('c'), value: '1', op: 'set' }
    ]])
    await wb.close()
  })

  test('close() drains a failing writer at retryDelay pace, not at the flush tick', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const cache = await open(t)
    const k = keys()
    const src = sourceOf(async (entries, call) => {
      if (call <= 7) throw new Error(`down (call ${call})`)
    })
    const wb = cache.writeBehind({ writer: src.writer, retries: 1, retryDelay: 5, maxRetryDelay: 5, flushInterval: NEVER_MS })
    const errors = collect(wb, 'writeError')
    await wb.set(k('a'), 'A')
    await wb.close()
    assert.equal(errors.length, 7)
    assert.deepEqual(src.data, new Map([[k('a'), 'A']]))
    assert.equal(wb.size, 0)
  })

  test("whenFull 'reject': set fails with QueueFullError when maxQueue keys wait", { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const cache = await open(t)
    const k = keys()
    const g = gate()
    const src = sourceOf(() => g.promise)
    const wb = cache.writeBehind({ writer: src.writer, maxQueue: 3, batchSize: 10, flushInterval: NEVER_MS, whenFull: 'reject' })
    await wb.set(k('x'), 'x')
    const flushed = wb.flush()
    assert.equal(src.calls, 1, 'x is with the (held) writer')
    for (const name of ['a', 'b', 'c']) assert.equal(await wb.set(k(name), '1'), 'OK')
    assert.equal(wb.size, 4, '3 queued + 1 with the writer')

    await rejectsWith(wb.set(k('d'), '1'), QueueFullError, 'ERR_TIERCACHE_QUEUE_FULL', 'set of a 4th key')
    await rejectsWith(wb.del(k('e')), QueueFullError, 'ERR_TIERCACHE_QUEUE_FULL', 'del of a 4th key')
    assert.equal(await cache.get(k('d')), null, 'a refused write does not reach the cache')
    // A key that is queued already coalesces: no room needed.
    assert.equal(await wb.set(k('a'), '2'), 'OK')
    assert.equal(await cache.get(k('a')), '2')
    assert.equal(wb.size, 4)

    g.open()
    await flushed
    await wb.close()
    assert.deepEqual(src.data, new Map([[k('x'), 'x'], [k('a'), '2'], [k('b'), '1'], [k('c'), '1']]))
  })

  test("whenFull 'wait': set waits for room and resolves once the writer takes a batch", { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const cache = await open(t)
    const k = keys()
    const g = gate()
    const src = sourceOf(() => g.promise)
    const wb = cache.writeBehind({ writer: src.writer, maxQueue: 2, batchSize: 10, flushInterval: NEVER_MS })
    await wb.set(k('x'), 'x')
    const flushed = wb.flush()
    assert.equal(src.calls, 1)
    await wb.set(k('a'), '1')
    await wb.set(k('b'), '1')

    const d = wb.set(k('d'), '1')
    assert.equal(await settled(d), false, 'set waits while the queue is full')
    assert.equal(await cache.get(k('d')), null, 'the cache is updated once the write is queued')
    assert.equal(wb.size, 3)

    g.open()
    assert.equal(await d, 'OK')
    assert.equal(await cache.get(k('d')), '1')
    await flushed
    await wb.close()
    assert.deepEqual(src.data, new Map([[k('x'), 'x'], [k('a'), '1'], [k('b'), '1'], [k('d'), '1']]))
  })

  test("whenFull 'wait': a set that finds the queue full resolves once its own kick makes room", { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const cache = await open(t)
    const k = keys()
    const src = sourceOf()
    const wb = cache.writeBehind({ writer: src.writer, maxQueue: 1, flushInterval: NEVER_MS })
    // Nothing else runs: set b's kick hands [a] to the (free) writer and
    // empties the queue; b must hear of that room, not wait for another batch.
    await wb.set(k('a'), '1')
    const b = wb.set(k('b'), '1')
    assert.equal(await within(b, 5000, 'set b still waits for room'), 'OK')
    for (let i = 0; i < 20; i++) assert.equal(await wb.set(k(`c${i}`), '1'), 'OK')
    await wb.close()
    assert.equal(src.data.size, 22)
  })

  test("whenFull 'wait': close() fails a waiting set with ERR_TIERCACHE_CLOSED", { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const cache = await open(t)
    const k = keys()
    const g = gate()
    const src = sourceOf(() => g.promise)
    const wb = cache.writeBehind({ writer: src.writer, maxQueue: 1, batchSize: 10, flushInterval: NEVER_MS })
    await wb.set(k('x'), 'x')
    const flushed = wb.flush()
    await wb.set(k('a'), '1')
    const waiting = wb.set(k('b'), '1')
    assert.equal(await settled(waiting), false)
    const closing = wb.close()
    await rejectsWith(waiting, ClosedError, 'ERR_TIERCACHE_CLOSED', 'a set waiting for room when the queue closes')
    g.open()
    await flushed
    await closing
    assert.deepEqual(src.data, new Map([[k('x'), 'x'], [k('a'), '1']]))
    assert.equal(await cache.get(k('b')), null)
  })

  test('flush() resolves only once the writer accepted everything queued before it', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const cache = await open(t)
    const k = keys()
    const g = gate()
    const src = sourceOf(() => g.promise)
    const wb = cache.writeBehind({ writer: src.writer, batchSize: 2, flushInterval: NEVER_MS })

    await wb.flush() // nothing queued: at once

    await wb.set(k('a'), '1')
    await wb.set(k('b'), '1') // 2 keys: the batch goes to the (held) writer
    await wb.set(k('c'), '1')
    const flushed = wb.flush()
    let atFlush = null
    flushed.then(() => { atFlush = new Map(src.data) })
    await wb.set(k('d'), '1') // after flush(): not waited for
    assert.equal(await settled(flushed), false, 'flush waits for the writer')
    assert.equal(src.data.size, 0)

    g.open()
    await flushed
    for (const name of ['a', 'b', 'c']) assert.equal(atFlush.get(k(name)), '1', `${name} was with the source when flush resolved`)

    // close(): drains what is left, then refuses writes.
    await wb.close()
    assert.equal(src.data.get(k('d')), '1')
    assert.equal(wb.size, 0)
    await rejectsWith(wb.set(k('e'), '1'), ClosedError, 'ERR_TIERCACHE_CLOSED', 'set after close')
    await rejectsWith(wb.del(k('a')), ClosedError, 'ERR_TIERCACHE_CLOSED', 'del after close')
    assert.equal(await cache.get(k('e')), null)
    assert.equal(await cache.get(k('a')), '1')
    await wb.close() // again: nothing to do
    await wb.flush()
  })

  test('flush() waits for a write queued before it even when a newer write of its key comes after', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const cache = await open(t)
    const k = keys()
    const g = gate()
    const src = sourceOf(async (entries, call) => {
      if (call === 1) await g.promise
    })
    const wb = cache.writeBehind({ writer: src.writer, batchSize: 1, flushInterval: NEVER_MS })
    await wb.set(k('x'), 'x') // with the (held) writer
    await wb.set(k('a'), '1')
    await wb.set(k('b'), '1')
    const flushed = wb.flush() // a=1 and b=1 are queued before it
    let atFlush = null
    flushed.then(() => { atFlush = new Map(src.data) })
    await wb.set(k('a'), '2') // supersedes a=1, queued after flush()
    g.open()
    await flushed
    assert.equal(atFlush.get(k('b')), '1')
    assert.equal(atFlush.get(k('a')), '2', 'a (its newer value) was with the source when flush resolved')
    await wb.close()
  })

  test("del is queued as op 'del' and removes the key from the cache at once", { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const cache = await open(t)
    const k = keys()
    const src = sourceOf()
    const wb = cache.writeBehind({ writer: src.writer, flushInterval: NEVER_MS })
    await wb.set(k('a'), 'A')
    await wb.flush()
    assert.equal(src.data.get(k('a')), 'A')

    assert.equal(await wb.del(k('a')), 'OK')
    assert.equal(await cache.get(k('a')), null, 'gone from the cache before the writer runs')
    assert.equal(src.data.get(k('a')), 'A', 'still in the source')
    // A set then a del of one key coalesce into the del.
    await wb.set(k('b'), 'B')
    await wb.del(k('b'))
    assert.equal(await cache.get(k('b')), null)
    await wb.flush()
    assert.deepEqual(src.batches[1], [
      { key: k('a'), value: undefined, op: 'del' },
      { key: k('b'), value: undefined, op: 'del' }
    ])
    assert.equal(src.data.has(k('a')), false)
    await wb.close()
  })

  test('ttl: the queue default, or per set, applies to the cache entry', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const cache = await open(t)
    const k = keys()
    const src = sourceOf()
    const wb = cache.writeBehind({ writer: src.writer, ttl: 60_000, flushInterval: NEVER_MS })
    await wb.set(k('a'), 'A')
    const a = await cache.pttl(k('a'))
    assert.ok(a > 0 && a <= 60_000, `pttl ${a}`)
    await wb.set(k('b'), 'B', 5_000)
    const b = await cache.pttl(k('b'))
    assert.ok(b > 0 && b <= 5_000, `pttl ${b}`)
    await rejectsWith(wb.set(k('c'), 'C', 0), TierCacheRangeError, 'ERR_TIERCACHE_INVALID_ARGUMENT', 'ttl 0')
    assert.equal(wb.size, 2, 'a refused set queues nothing')
    await wb.close()
    assert.deepEqual(src.data, new Map([[k('a'), 'A'], [k('b'), 'B']]))
  })
}

describe('writeBehind, L1 only', () => {
  commonTests(async (t) => {
    const cache = new TierCache()
    t.after(() => cache.quit())
    return cache
  })

  test('options are checked synchronously', () => {
    const cache = new TierCache()
    const writer = async () => {}
    const bad = [
      [undefined, TierCacheTypeError, 'no options'],
      [{}, TierCacheTypeError, 'missing writer'],
      [{ writer: 'x' }, TierCacheTypeError, 'writer not a function'],
      [{ writer, batchSize: 0 }, TierCacheRangeError, 'batchSize 0'],
      [{ writer, batchSize: 1.5 }, TierCacheRangeError, 'batchSize 1.5'],
      [{ writer, flushInterval: -1 }, TierCacheRangeError, 'flushInterval -1'],
      [{ writer, maxQueue: '10' }, TierCacheRangeError, 'maxQueue a string'],
      [{ writer, retries: -1 }, TierCacheRangeError, 'retries -1'],
      [{ writer, retryDelay: 0 }, TierCacheRangeError, 'retryDelay 0'],
      [{ writer, maxRetryDelay: 0 }, TierCacheRangeError, 'maxRetryDelay 0'],
      [{ writer, whenFull: 'x' }, TierCacheTypeError, "whenFull 'x'"],
      [{ writer, ttl: 0 }, TierCacheRangeError, 'ttl 0'],
      [{ writer, batchsize: 10 }, TierCacheTypeError, 'unknown option']
    ]
    for (const [options, Class, what] of bad) {
      throwsWith(() => cache.writeBehind(options), Class, 'ERR_TIERCACHE_INVALID_ARGUMENT', what)
    }
    // retries 0 is allowed (one attempt per tick), as are explicit undefineds.
    cache.writeBehind({ writer, retries: 0, ttl: undefined, whenFull: 'reject' }).close()
    return cache.quit()
  })

  test('a value the cache cannot store is refused before anything is queued', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const cache = new TierCache()
    t.after(() => cache.quit())
    const src = sourceOf()
    const wb = cache.writeBehind({ writer: src.writer, flushInterval: NEVER_MS })
    await assert.rejects(wb.set('a', undefined), (err) => err.code === 'ERR_TIERCACHE_INVALID_VALUE')
    await assert.rejects(wb.set('', 'x'), (err) => err.code === 'ERR_TIERCACHE_INVALID_KEY')
    await assert.rejects(wb.del(''), (err) => err.code === 'ERR_TIERCACHE_INVALID_KEY')
    assert.equal(wb.size, 0)
    await wb.close()
    assert.equal(src.calls, 0)
  })

  test('a set waiting for room, or a flush(), holds the process open through a pending retry', { timeout: TEST_TIMEOUT_MS }, () => {
    // A script whose only pending work is the queue's retry timer (the
    // queue's own timers are unref'd): the process must not exit before the
    // retry, with a promise never settled and writes never written.
    const r = runNode(`
      const TierCache = require('.')
      const cache = new TierCache()
      let calls = 0
      const failed = new Set()
      const source = []
      const wb = cache.writeBehind({
        // The first batch with 'a', and the first with 'd', fail.
        writer: async (batch) => {
          calls++
          for (const k of ['a', 'd']) {
            if (batch.some((e) => e.key === k) && !failed.has(k)) {
              failed.add(k)
              throw new Error('transient')
            }
          }
          source.push(...batch.map((e) => e.key))
        },
        retries: 0, maxQueue: 1, flushInterval: 50
      })
      const failure = () => new Promise((resolve) => wb.once('writeError', () => setImmediate(resolve)))
      process.on('exit', () => console.log('exit calls=' + calls + ' size=' + wb.size))
      ;(async () => {
        let failing = failure()
        await wb.set('a', '1')
        await wb.set('b', '1') // the queue is full: [a] goes to the writer, and fails
        await failing // a retry is pending, nobody waits
        await wb.set('c', '1') // waits for room until the retry
        console.log('room')
        await wb.flush()
        failing = failure()
        await wb.set('d', '1')
        const guard = setInterval(() => {}, 1000)
        await failing // the tick took [d], which failed: a retry is pending
        clearInterval(guard)
        await wb.flush() // waits for the retry
        console.log('flushed ' + source.join(','))
        await wb.close()
        await cache.quit()
      })()
    `)
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(r.stdout.trim().split('\n'), ['room', 'flushed a,b,c,d', 'exit calls=5 size=0'], r.stdout + r.stderr)
  })

  test("a failing cache write is reported as 'cacheError'; the source write stays queued", { timeout: TEST_TIMEOUT_MS }, async () => {
    const cache = new TierCache()
    const src = sourceOf()
    const wb = cache.writeBehind({ writer: src.writer, flushInterval: NEVER_MS })
    const cacheErrors = collect(wb, 'cacheError')
    await cache.quit()
    assert.equal(await wb.set('a', 'A'), 'OK')
    assert.equal(cacheErrors.length, 1)
    assert.equal(cacheErrors[0][0].code, 'ERR_TIERCACHE_CLOSED')
    await wb.close()
    assert.deepEqual(src.data, new Map([['a', 'A']]))
  })

  test("a 'writeError' listener that throws does not stop the queue (it becomes a warning)", { timeout: TEST_TIMEOUT_MS }, async () => {
    const cache = new TierCache()
    let failures = 1
    const src = sourceOf(async () => {
      if (failures-- > 0) throw new Error('transient')
    })
    const wb = cache.writeBehind({ writer: src.writer, flushInterval: NEVER_MS, retries: 2, retryDelay: 1 })
    wb.on('writeError', () => { throw new Error('a buggy listener') })
    const warnings = []
    const onWarning = (w) => warnings.push(w)
    process.on('warning', onWarning)
    try {
      await wb.set('a', 'A')
      await within(wb.flush(), 10_000, () => 'flush() never resolved: the queue stopped')
      await new Promise((resolve) => setImmediate(resolve))
      assert.deepEqual(src.data, new Map([['a', 'A']]))
      assert.ok(warnings.some((w) => w.code === 'TIERCACHE_LISTENER_THREW'), 'the listener error was reported')
    } finally {
      process.off('warning', onWarning)
      await wb.close()
      await cache.quit()
    }
  })
})

describe('writeBehind, with Redis', () => {
  let srv

  before(async () => {
    srv = await startRedis()
  })

  after(() => srv.stop())

  async function open (t) {
    const cache = new TierCache({ redis: srv.url })
    t.after(() => cache.quit())
    await cache.connect()
    return cache
  }

  commonTests(open)

  test('a value is visible to another instance as soon as set resolves, before the writer runs', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const cache = await open(t)
    const other = await open(t)
    const k = keys()
    const src = sourceOf()
    const wb = cache.writeBehind({ writer: src.writer, flushInterval: NEVER_MS })

    assert.equal(await wb.set(k('user'), { id: 1, name: 'Ada' }), 'OK')
    assert.deepEqual(await other.get(k('user')), { id: 1, name: 'Ada' })
    assert.equal(await wb.set(k('n'), 'plain'), 'OK')
    assert.equal(await other.get(k('n')), 'plain')
    assert.equal(src.calls, 0, 'the writer has not run')

    // A del is visible at once too (a fresh instance: nothing in its L1).
    await wb.del(k('n'))
    const third = await open(t)
    assert.equal(await third.get(k('n')), null)
    assert.equal(src.calls, 0)

    await wb.close()
    assert.deepEqual(src.data, new Map([[k('user'), { id: 1, name: 'Ada' }]]))
    assert.deepEqual(applied(src).map((e) => [e.key, e.op]), [[k('user'), 'set'], [k('n'), 'del']])
  })
})
