'use strict'
// KEYS and SCAN never hold the event loop, whatever the pattern and the
// store; their replies stay exactly Redis's.
//
// The attack of issue 10: `keys('*' + 'a'.repeat(20000) + 'b')` over twenty
// 64 KiB keys held the event loop 31 s (a quadratic matcher); one SCAN with
// COUNT 1000 35 s. Now a pattern is at most 1 KiB (PATTERN_TOO_LONG past
// it), the matcher is a bit-parallel automaton (linear in the key), one SCAN
// call does bounded work, and KEYS runs as SCAN slices with the event loop
// free between them. The attacker goes first, on a cold store; the event
// loop is watched with a 1 ms interval, and a gap longer than 200 ms fails
// (the bugs cost seconds; a loaded 2-core machine costs tens of ms).

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fc = require('fast-check')
const Redis = require('ioredis')

const TierCache = require('../../..')
const { TierCacheRangeError } = TierCache
const { MAX_PATTERN_BYTES } = require('../../../lib/args')
const { startRedis } = require('../../support/redis-server')
const { uniqueName, open } = require('../../support/helpers')

const MAX_BLOCK_MS = 200
const PATTERN_TOO_LONG = 'ERR_TIERCACHE_PATTERN_TOO_LONG'

/** Watches the event loop: the longest gap between ticks of a 1 ms interval. */
function watchEventLoop () {
  let last = performance.now()
  let max = 0
  const timer = setInterval(() => {
    const now = performance.now()
    max = Math.max(max, now - last)
    last = now
  }, 1)
  return () => {
    clearInterval(timer)
    return Math.max(max, performance.now() - last)
  }
}

/** Runs `body` with the event loop watched; resolves { value, maxBlockMs }. */
async function watched (body) {
  const stop = watchEventLoop()
  await new Promise((resolve) => setTimeout(resolve, 5))
  try {
    const value = await body()
    await new Promise((resolve) => setTimeout(resolve, 5))
    return { value, maxBlockMs: stop() }
  } catch (err) {
    stop()
    throw err
  }
}

/** Every key of a SCAN iteration (the same key may come twice: a Set). */
async function scanAll (cache, ...options) {
  const seen = new Set()
  let cursor = '0'
  let calls = 0
  do {
    const [next, keys] = await cache.scan(cursor, ...options)
    for (const k of keys) seen.add(k)
    cursor = next
    calls++
    // Let the watcher run between calls: each call is what must be short.
    await new Promise((resolve) => setImmediate(resolve))
  } while (cursor !== '0')
  return { keys: seen, calls }
}

/** Twenty 64 KiB keys of 'a' (the attack's store), plus a few ordinary ones. */
async function attackedStore (t) {
  const cache = open(t, { name: uniqueName('glob') })
  for (let i = 0; i < 20; i++) await cache.set('a'.repeat(64 * 1024 - 2) + String(i).padStart(2, '0'), 'v')
  for (const k of ['ab', 'aab', 'user:1']) await cache.set(k, 'v')
  return cache
}

/**
 * Redis's stringmatchlen (src/util.c) on UTF-8 bytes, transcribed for the
 * tests: the reference the store's KEYS and SCAN are compared with.
 */
function redisMatch (patternText, keyText) {
  const p = Buffer.from(patternText)
  const s = Buffer.from(keyText)
  if (patternText === '*') return true // KEYS and SCAN: "*" is every key
  const at = (buf, i) => (i < buf.length ? buf[i] : 0)
  const signed = (b) => (b << 24) >> 24 // C char on x86-64
  const match = (pi, si) => {
    let plen = p.length - pi
    let slen = s.length - si
    while (plen > 0 && slen > 0) {
      const c = p[pi]
      if (c === 42) { // *
        while (plen > 0 && at(p, pi + 1) === 42) { pi++; plen-- }
        if (plen === 1) return true
        while (slen > 0) {
          if (match(pi + 1, si)) return true
          si++; slen--
        }
        return false
      } else if (c === 63) { // ?
        si++; slen--
      } else if (c === 91) { // [
        pi++; plen--
        const not = at(p, pi) === 94
        if (not) { pi++; plen-- }
        let hit = false
        for (;;) {
          if (at(p, pi) === 92 && plen >= 2) {
            pi++; plen--
            if (p[pi] === s[si]) hit = true
          } else if (at(p, pi) === 93) {
            break
          } else if (plen === 0) {
            pi--; plen++
            break
          } else if (plen >= 3 && p[pi + 1] === 45) {
            let lo = signed(p[pi])
            let hi = signed(p[pi + 2])
            if (lo > hi) [lo, hi] = [hi, lo]
            pi += 2; plen -= 2
            if (signed(s[si]) >= lo && signed(s[si]) <= hi) hit = true
          } else if (p[pi] === s[si]) {
            hit = true
          }
          pi++; plen--
        }
        if (not) hit = !hit
        if (!hit) return false
        si++; slen--
      } else {
        let lit = c
        if (c === 92 && plen >= 2) { pi++; plen--; lit = p[pi] }
        if (lit !== s[si]) return false
        si++; slen--
      }
      pi++; plen--
      if (slen === 0) {
        while (at(p, pi) === 42) { pi++; plen-- }
        break
      }
    }
    return plen === 0 && slen === 0
  }
  return match(0, 0)
}

const sorted = (iterable) => [...iterable].sort()

// Patterns and keys over a small alphabet (so that they match), the glob's
// metacharacters, and a non-ASCII letter (multi-byte, signed in ranges).
const alphabet = ['a', 'b', 'c', '*', '?', '[', ']', '^', '-', '\\', 'é']
const patternArb = fc.array(fc.constantFrom(...alphabet), { maxLength: 10 }).map((a) => a.join(''))
const keysArb = fc.uniqueArray(fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 8 }).map((a) => a.join('')), { minLength: 1, maxLength: 30 })

describe('KEYS and SCAN under attack (L1)', () => {
  test('the attack of the issue is refused at once: the pattern is too long', async (t) => {
    const cache = await attackedStore(t)
    const attack = '*' + 'a'.repeat(20000) + 'b'
    const { value: errors, maxBlockMs } = await watched(async () => {
      const out = []
      for (const call of [() => cache.keys(attack), () => cache.scan('0', 'MATCH', attack, 'COUNT', 1000)]) {
        out.push(await call().then(() => null, (err) => err))
      }
      return out
    })
    for (const err of errors) {
      assert.ok(err instanceof TierCacheRangeError, String(err))
      assert.equal(err.code, PATTERN_TOO_LONG)
      assert.match(err.message, /longer than 1024 bytes/)
    }
    t.diagnostic(`max event-loop block ${maxBlockMs.toFixed(1)} ms`)
    assert.ok(maxBlockMs < MAX_BLOCK_MS, `event loop blocked ${maxBlockMs.toFixed(0)} ms`)
  })

  test('the costliest pattern allowed: KEYS and SCAN answer right without blocking', async (t) => {
    const cache = await attackedStore(t)
    for (const tail of ['b', '?0']) {
      // 1 KiB of `*aaaa…` against twenty 64 KiB keys of 'a': quadratic
      // matching would cost 1.3 G steps; the automaton ~20 M word steps.
      const pattern = '*' + 'a'.repeat(MAX_PATTERN_BYTES - 1 - tail.length) + tail
      assert.equal(pattern.length, MAX_PATTERN_BYTES)
      const expected = tail === 'b' ? [] : ['00', '10'].map((n) => 'a'.repeat(64 * 1024 - 2) + n)
      const { value, maxBlockMs } = await watched(async () => ({
        keys: await cache.keys(pattern),
        scan: await scanAll(cache, 'MATCH', pattern, 'COUNT', 1000)
      }))
      assert.deepEqual(sorted(value.keys), expected)
      assert.deepEqual(sorted(value.scan.keys), expected)
      t.diagnostic(`tail ${tail}: max event-loop block ${maxBlockMs.toFixed(1)} ms, ${value.scan.calls} SCAN calls`)
      assert.ok(maxBlockMs < MAX_BLOCK_MS, `event loop blocked ${maxBlockMs.toFixed(0)} ms`)
      assert.ok(value.scan.calls > 1, 'one SCAN call stops after its share of work, with a cursor to go on')
    }
  })

  test('a pattern is measured in UTF-8 bytes, and the limit is inclusive', async (t) => {
    const cache = open(t, { name: uniqueName('glob') })
    await cache.set('é', 'v')
    const fits = 'é'.repeat(MAX_PATTERN_BYTES / 2) // 1024 bytes
    assert.deepEqual(await cache.keys(fits), [])
    assert.deepEqual(await cache.scan('0', 'MATCH', fits), ['0', []])
    for (const tooLong of ['é'.repeat(MAX_PATTERN_BYTES / 2) + 'x', 'x'.repeat(MAX_PATTERN_BYTES + 1)]) {
      await assert.rejects(cache.keys(tooLong), (err) => err instanceof TierCacheRangeError && err.code === PATTERN_TOO_LONG)
      await assert.rejects(cache.scan('0', { MATCH: tooLong }), (err) => err instanceof TierCacheRangeError && err.code === PATTERN_TOO_LONG)
    }
    const err = await new Promise((resolve) => cache.keys('x'.repeat(2000), (e) => resolve(e)))
    assert.equal(err.code, PATTERN_TOO_LONG, 'the callback gets the same error')
  })

  test('a big store: KEYS returns every key, SCAN with a huge COUNT returns early; neither blocks', async (t) => {
    const N = 200_000
    const cache = open(t, { name: uniqueName('glob'), maxEntries: N * 2 })
    for (let i = 0; i < N; i++) cache.local.set(`key:${i}`, 'v')
    const { value, maxBlockMs } = await watched(async () => {
      const all = await cache.keys('*')
      const some = await cache.keys('key:1?')
      const first = await cache.scan('0', 'COUNT', 10_000_000)
      const scan = await scanAll(cache, 'MATCH', 'key:*', 'COUNT', 10_000_000)
      return { all, some, first, scan }
    })
    assert.equal(value.all.length, N)
    assert.equal(new Set(value.all).size, N, 'no key twice')
    assert.deepEqual(sorted(value.some), sorted(Array.from({ length: 10 }, (_, i) => `key:1${i}`)))
    assert.notEqual(value.first[0], '0', 'a COUNT of ten million does not walk 200,000 keys in one call')
    assert.ok(value.first[1].length > 0 && value.first[1].length < N)
    assert.equal(value.scan.keys.size, N)
    t.diagnostic(`max event-loop block ${maxBlockMs.toFixed(1)} ms; SCAN took ${value.scan.calls} calls`)
    assert.ok(maxBlockMs < MAX_BLOCK_MS, `event loop blocked ${maxBlockMs.toFixed(0)} ms`)
  })

  test('KEYS and SCAN answer what Redis\'s matcher answers (generated patterns and keys)', async (t) => {
    const cache = open(t, { name: uniqueName('glob') })
    await fc.assert(fc.asyncProperty(keysArb, fc.array(patternArb, { minLength: 1, maxLength: 20 }), async (keys, patterns) => {
      await cache.flushall()
      for (const k of keys) await cache.set(k, 'v')
      for (const pattern of patterns) {
        const expected = sorted(keys.filter((k) => redisMatch(pattern, k)))
        assert.deepEqual(sorted(await cache.keys(pattern)), expected, `KEYS ${JSON.stringify(pattern)}`)
        assert.deepEqual(sorted((await scanAll(cache, 'MATCH', pattern, 'COUNT', 3)).keys), expected, `SCAN MATCH ${JSON.stringify(pattern)}`)
      }
    }), { numRuns: 300 })
  })

  test('KEYS sees every key present throughout while writes run between its slices', async (t) => {
    const N = 100_000
    const cache = open(t, { name: uniqueName('glob'), maxEntries: N * 4 })
    for (let i = 0; i < N; i++) cache.local.set(`stable:${i}`, 'v')
    for (let i = 0; i < N; i++) cache.local.set(`doomed:${i}`, 'v')
    let i = 0
    const churn = setInterval(() => {
      // Between KEYS's slices: deletions, new keys, and keys deleted and set again.
      for (let j = 0; j < 200; j++, i++) {
        cache.local.del(`doomed:${i}`)
        cache.local.set(`new:${i}`, 'v')
        cache.local.del(`stable:${i}`)
        cache.local.set(`stable:${i}`, 'again')
      }
    }, 0)
    const keys = await cache.keys('stable:*')
    clearInterval(churn)
    assert.ok(i > 0, 'writes ran while KEYS did')
    assert.equal(new Set(keys).size, keys.length, 'no key twice')
    const stable = new Set(keys)
    for (let k = i; k < N; k++) assert.ok(stable.has(`stable:${k}`), `stable:${k} (never touched) is in the reply`)
  })
})

describe('KEYS and SCAN with a Redis tier', () => {
  let redis
  before(async () => { redis = await startRedis() })
  after(() => redis.stop())

  test('a pattern too long is refused before it reaches Redis', async (t) => {
    const cache = open(t, { redis: redis.url, name: uniqueName('glob'), keyPrefix: 'p:' })
    await cache.set('k', 'v')
    const io = new Redis(redis.url)
    t.after(() => io.quit())
    await io.config('RESETSTAT')
    const attack = '*' + 'a'.repeat(20000) + 'b'
    await assert.rejects(cache.keys(attack), (err) => err.code === PATTERN_TOO_LONG)
    await assert.rejects(cache.scan('0', 'MATCH', attack), (err) => err.code === PATTERN_TOO_LONG)
    const stats = await io.info('commandstats')
    assert.doesNotMatch(stats, /cmdstat_(keys|scan):/, 'Redis never saw the pattern')
    assert.deepEqual(await cache.keys('*'), ['k'])
    assert.match(await io.info('commandstats'), /cmdstat_keys:/)
  })

  test('L1 alone answers KEYS as Redis does (differential, generated patterns)', async (t) => {
    const l2 = open(t, { redis: redis.url, name: uniqueName('glob'), keyPrefix: 'diff:' })
    const l1 = open(t, { name: uniqueName('glob') })
    await fc.assert(fc.asyncProperty(keysArb, fc.array(patternArb, { minLength: 1, maxLength: 20 }), async (keys, patterns) => {
      await l1.flushall()
      await l2.flushall()
      for (const k of keys) {
        await l1.set(k, 'v')
        await l2.set(k, 'v')
      }
      for (const pattern of patterns) {
        const fromRedis = sorted(await l2.keys(pattern))
        assert.deepEqual(sorted(await l1.keys(pattern)), fromRedis, `KEYS ${JSON.stringify(pattern)} over ${JSON.stringify(keys)}`)
        assert.deepEqual(sorted(keys.filter((k) => redisMatch(pattern, k))), fromRedis, `the tests' reference, ${JSON.stringify(pattern)}`)
      }
    }), { numRuns: 150 })
  })

  test('namespace clear escapes the name, and a name longer than the pattern limit still clears only its keys', async (t) => {
    for (const withRedis of [false, true]) {
      const cache = open(t, withRedis ? { redis: redis.url, name: uniqueName('glob'), keyPrefix: `ns${Date.now()}:` } : { name: uniqueName('glob') })
      for (const name of ['*[x]?\\', 'n'.repeat(MAX_PATTERN_BYTES) + '*']) {
        const ns = cache.namespace(name)
        await ns.set('1', 'a')
        await ns.set('2', 'b')
        // Keys a pattern built from the name unescaped, or cut to fit, would also match.
        const bystanders = [`${name.slice(0, -1)}Z:1`, 'x[x]y:1']
        if (name.length > 100) bystanders.push(`${name.slice(0, 100)}:1`)
        for (const k of bystanders) await cache.set(k, 'keep')
        assert.equal(await ns.clear(), 2, `${withRedis ? 'L1 + Redis' : 'L1'}: ${name.slice(0, 20)}…`)
        assert.equal(await ns.get('1'), null)
        for (const k of bystanders) assert.equal(await cache.get(k), 'keep', k.slice(0, 20))
      }
    }
  })
})
