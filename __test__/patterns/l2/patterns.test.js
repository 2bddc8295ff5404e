'use strict'
// The cache patterns in one process: getOrSet / wrap (single flight, ttl
// from the loader, grace, soft and hard timeouts, negative and error
// caching, refresh-ahead), writeThrough, tags and namespaces. Every suite
// runs twice: L1 only, and over a private redis-server (where a second
// instance, with its own L1, checks what other instances see).
//
// Timing: TTLs and timeouts are real timers with wide margins; nothing
// asserts an upper bound on speed.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const Redis = require('ioredis')

const { TierCache, LoaderTimeoutError, TierCacheError } = require('../../..')
const { startRedis } = require('../../support/redis-server')

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const TEST_TIMEOUT_MS = 30_000

/** Polls `check` until it returns true or `ms` pass. */
async function eventually (check, ms = 2000, what = 'condition') {
  const deadline = Date.now() + ms
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) assert.fail(`${what} did not hold within ${ms} ms`)
    await sleep(10)
  }
}

function counting (fn) {
  const loader = async (ctx) => {
    loader.calls++
    return fn(ctx, loader.calls)
  }
  loader.calls = 0
  return loader
}

const MODES = [
  { name: 'L1 only', redis: false },
  { name: 'L1 + Redis', redis: true }
]

for (const mode of MODES) {
  describe(`patterns · ${mode.name}`, { timeout: TEST_TIMEOUT_MS }, () => {
    let srv = null
    let n = 0
    const opened = []

    before(async () => {
      if (mode.redis) srv = await startRedis()
    })
    after(async () => {
      for (const c of opened) await c.quit().catch(() => {})
      if (srv !== null) await srv.stop()
    })

    /** A fresh cache; with Redis, a keyPrefix of its own per test group unless shared. */
    function open (options = {}) {
      const c = mode.redis
        ? new TierCache({ redis: srv.url, ...options })
        : new TierCache({ ...options })
      c.on('error', () => {})
      opened.push(c)
      return c
    }
    const key = (label) => `${label}:${++n}`

    describe('getOrSet', () => {
      test('1,000 concurrent cold calls share one loader call and one value', async () => {
        const cache = open()
        const k = key('cold')
        const loader = counting(async () => {
          await sleep(20)
          return { loaded: true }
        })
        const results = await Promise.all(Array.from({ length: 1000 }, () => cache.getOrSet(k, loader, { ttl: 10_000 })))
        assert.equal(loader.calls, 1)
        for (const r of results) assert.deepEqual(r, { loaded: true })
        assert.deepEqual(await cache.getOrSet(k, loader), { loaded: true })
        assert.equal(loader.calls, 1)
        assert.deepEqual(await cache.get(k), { loaded: true }, 'plain get reads a pattern entry')
        const s = cache.stats().patterns
        assert.equal(s.loads, 1)
        assert.ok(s.coalesced >= 999)
      })

      test('values come back with their type: strings, Buffers, numbers, objects', async () => {
        const cache = open()
        for (const v of ['text', Buffer.from([0, 1, 0xF5, 2]), 42, true, { a: [1, 'x'] }, [1, 2]]) {
          const k = key('types')
          assert.deepEqual(await cache.getOrSet(k, () => v, { ttl: 10_000 }), v)
          assert.deepEqual(await cache.getOrSet(k, () => 'other'), v)
        }
      })

      test('wrap(key, fn, ttl) is getOrSet with cache-manager\'s arguments', async () => {
        const cache = open()
        const k = key('wrap')
        const fn = counting(() => 'w')
        assert.equal(await cache.wrap(k, fn, 10_000), 'w')
        assert.equal(await cache.wrap(k, fn, 10_000), 'w')
        assert.equal(fn.calls, 1)
        assert.ok((await cache.pttl(k)) > 9000)
      })

      test('the entry expires with its ttl; the loader may choose the ttl (0: do not cache)', async () => {
        const cache = open()
        const k1 = key('ttl')
        const loader = counting(() => 'v')
        await cache.getOrSet(k1, loader, { ttl: 60 })
        await sleep(150)
        await cache.getOrSet(k1, loader, { ttl: 60 })
        assert.equal(loader.calls, 2)

        const k2 = key('ctx-ttl')
        await cache.getOrSet(k2, (ctx) => { ctx.ttl = 30_000; return 'long' }, { ttl: 10 })
        const pttl = await cache.pttl(k2)
        assert.ok(pttl > 20_000, `pttl ${pttl}`)

        const k3 = key('ctx-no-cache')
        const skip = counting((ctx) => { ctx.ttl = 0; return 'once' })
        await cache.getOrSet(k3, skip, { ttl: 10_000 })
        await cache.getOrSet(k3, skip, { ttl: 10_000 })
        assert.equal(skip.calls, 2)
        assert.equal(await cache.exists(k3), 0)
      })

      test('loader errors reach every joined caller and are not cached', async () => {
        const cache = open()
        const k = key('err')
        const failing = counting(async () => {
          await sleep(10)
          throw new Error('source down')
        })
        const all = await Promise.allSettled(Array.from({ length: 50 }, () => cache.getOrSet(k, failing, { ttl: 10_000 })))
        assert.equal(failing.calls, 1)
        for (const r of all) assert.equal(r.reason.message, 'source down')
        await assert.rejects(cache.getOrSet(k, failing), /source down/)
        assert.equal(failing.calls, 2)
        assert.equal(await cache.exists(k), 0)
        assert.equal(cache.stats().patterns.loadErrors, 2)
      })

      test('cacheErrors: a failure is cached for that long and rethrown', async () => {
        const cache = open()
        const k = key('cache-err')
        const failing = counting(() => {
          const e = new Error('not found upstream')
          e.code = 'E_UPSTREAM'
          throw e
        })
        await assert.rejects(cache.getOrSet(k, failing, { ttl: 10_000, cacheErrors: 5000 }), /not found upstream/)
        const again = await cache.getOrSet(k, failing, { ttl: 10_000, cacheErrors: 5000 }).catch((e) => e)
        assert.equal(failing.calls, 1)
        assert.equal(again.message, 'not found upstream')
        assert.equal(again.code, 'E_UPSTREAM')
        assert.equal(again.cached, true)
        assert.equal(await cache.get(k), null, 'plain get of a cached error is a miss')
      })

      test('null and undefined are not cached unless cacheNull', async () => {
        const cache = open()
        const k1 = key('null')
        const nothing = counting(() => null)
        assert.equal(await cache.getOrSet(k1, nothing, { ttl: 10_000 }), null)
        assert.equal(await cache.getOrSet(k1, nothing, { ttl: 10_000 }), null)
        assert.equal(nothing.calls, 2)

        const k2 = key('null-cached')
        const once = counting(() => undefined)
        await cache.getOrSet(k2, once, { ttl: 10_000, cacheNull: true })
        assert.equal(await cache.getOrSet(k2, once, { ttl: 10_000, cacheNull: true }), null)
        assert.equal(once.calls, 1)

        const k3 = key('null-short')
        await cache.getOrSet(k3, () => null, { ttl: 10_000, cacheNull: 50 })
        const pttl = await cache.pttl(k3)
        assert.ok(pttl > 0 && pttl <= 50, `negative entry pttl ${pttl}`)
      })

      test('hardTimeout aborts the loader\'s signal and fails the call', async () => {
        const cache = open()
        const k = key('hard')
        let signal
        const err = await cache.getOrSet(k, (ctx) => {
          signal = ctx.signal
          return new Promise(() => {})
        }, { ttl: 10_000, hardTimeout: 50 }).catch((e) => e)
        assert.ok(err instanceof LoaderTimeoutError)
        assert.ok(err instanceof TierCacheError)
        assert.equal(err.code, 'ERR_TIERCACHE_LOADER_TIMEOUT')
        assert.equal(signal.aborted, true)
        assert.equal(signal.reason, err)
        assert.equal(await cache.exists(k), 0)
      })

      test('grace: a stale value is served when the loader fails, and by default at once while it reloads', async () => {
        const cache = open()
        const k = key('grace')
        await cache.getOrSet(k, () => 'v1', { ttl: 50, grace: 60_000 })
        await sleep(120)
        assert.equal(await cache.get(k), null, 'plain get does not serve stale values')
        // Loader fails: the stale value is served.
        assert.equal(await cache.getOrSet(k, () => { throw new Error('down') }, { ttl: 50, grace: 60_000 }), 'v1')
        // Slow loader: stale at once (softTimeout 0), the reload lands in the background.
        let release
        const gate = new Promise((resolve) => { release = resolve })
        const slow = counting(async (ctx) => {
          assert.equal(ctx.stale, 'v1')
          await gate
          return 'v2'
        })
        assert.equal(await cache.getOrSet(k, slow, { ttl: 10_000, grace: 60_000 }), 'v1')
        assert.equal(await cache.getOrSet(k, slow, { ttl: 10_000, grace: 60_000 }), 'v1', 'the reload in flight is not started twice')
        assert.equal(slow.calls, 1)
        release()
        await eventually(async () => (await cache.get(k)) === 'v2', 2000, 'the background reload stored v2')
        assert.ok(cache.stats().patterns.staleServed >= 3)
      })

      test('softTimeout: the loader\'s result when it is quick enough, else the stale value', async () => {
        const cache = open()
        const k = key('soft')
        await cache.getOrSet(k, () => 'old', { ttl: 30, grace: 60_000 })
        await sleep(80)
        assert.equal(await cache.getOrSet(k, async () => { await sleep(5); return 'quick' }, { ttl: 30, grace: 60_000, softTimeout: 1000 }), 'quick')
        await sleep(80)
        const started = Date.now()
        const v = await cache.getOrSet(k, async () => { await sleep(1000); return 'late' }, { ttl: 10_000, grace: 60_000, softTimeout: 50 })
        assert.equal(v, 'quick')
        assert.ok(Date.now() - started < 900)
        await eventually(async () => (await cache.get(k)) === 'late', 3000, 'the late value landed')
      })

      test('refreshAhead: a hit near expiry returns the cached value and reloads once in the background', async () => {
        const cache = open()
        const k = key('refresh')
        let version = 0
        const loader = counting(async () => {
          await sleep(20)
          return `v${++version}`
        })
        const options = { ttl: 400, refreshAhead: 0.5 }
        assert.equal(await cache.getOrSet(k, loader, options), 'v1')
        await sleep(250) // past half of the ttl
        const hits = await Promise.all(Array.from({ length: 20 }, () => cache.getOrSet(k, loader, options)))
        assert.deepEqual([...new Set(hits)], ['v1'], 'hits are answered at once with the cached value')
        await eventually(async () => (await cache.get(k)) === 'v2', 2000, 'the refresh stored v2')
        assert.equal(loader.calls, 2)
        assert.equal(cache.stats().patterns.refreshes, 1)
        const pttl = await cache.pttl(k)
        assert.ok(pttl > 250, `the refreshed entry has a new ttl (${pttl})`)
      })

      test('refreshAhead in ms and through wrap\'s refreshThreshold', async () => {
        const cache = open()
        const k = key('refresh-ms')
        const loader = counting((ctx, calls) => `v${calls}`)
        await cache.wrap(k, loader, 300, 250)
        await sleep(80) // 220 ms left < 250: refresh
        assert.equal(await cache.wrap(k, loader, 300, 250), 'v1')
        await eventually(async () => (await cache.get(k)) === 'v2', 2000, 'the refresh stored v2')
      })

      test('bad arguments: TypeError / RangeError with codes, as rejections', async () => {
        const cache = open()
        const cases = [
          [() => cache.getOrSet('k', 'not a function'), TypeError, 'ERR_TIERCACHE_INVALID_ARGUMENT'],
          [() => cache.getOrSet('', () => 1), RangeError, 'ERR_TIERCACHE_INVALID_KEY'],
          [() => cache.getOrSet('k', () => 1, { ttl: -1 }), RangeError, 'ERR_TIERCACHE_INVALID_ARGUMENT'],
          [() => cache.getOrSet('k', () => 1, { ttl: 1.5 }), RangeError, 'ERR_TIERCACHE_INVALID_ARGUMENT'],
          [() => cache.getOrSet('k', () => 1, { tll: 5 }), TypeError, 'ERR_TIERCACHE_INVALID_ARGUMENT'],
          [() => cache.getOrSet('k', () => 1, { grace: 10 }), RangeError, 'ERR_TIERCACHE_INVALID_ARGUMENT'],
          [() => cache.getOrSet('k', () => 1, { refreshAhead: 0 }), RangeError, 'ERR_TIERCACHE_INVALID_ARGUMENT'],
          [() => cache.getOrSet('k', () => 1, { lock: 'yes' }), TypeError, 'ERR_TIERCACHE_INVALID_ARGUMENT'],
          [() => cache.getOrSet('k', () => 1, { tags: ['ok', ''] }), TypeError, 'ERR_TIERCACHE_INVALID_ARGUMENT'],
          [() => cache.getOrSet('k', () => 1, 'ttl'), TypeError, 'ERR_TIERCACHE_INVALID_ARGUMENT'],
          [() => cache.getOrSet('k', () => 10n, { ttl: 1000 }), TypeError, 'ERR_TIERCACHE_UNENCODABLE'],
          [() => cache.getOrSet('k', (ctx) => { ctx.ttl = -5; return 1 }), TypeError, 'ERR_TIERCACHE_INVALID_TTL']
        ]
        for (const [call, type, code] of cases) {
          const p = call()
          assert.ok(p instanceof Promise)
          const err = await p.catch((e) => e)
          assert.ok(err instanceof type, `${call}: ${err}`)
          assert.equal(err.code, code, String(call))
        }
      })
    })

    describe('writeThrough', () => {
      test('writes the source and the cache; a failed writer leaves no new (nor old) value cached', async () => {
        const cache = open()
        const k = key('wt')
        const source = new Map()
        const writer = async (value, k2) => { source.set(k2, value); return 'written' }
        assert.equal(await cache.writeThrough(k, { v: 1 }, writer, { ttl: 10_000 }), 'written')
        assert.deepEqual(source.get(k), { v: 1 })
        assert.deepEqual(await cache.get(k), { v: 1 })
        const failing = async () => { throw new Error('db refused') }
        await assert.rejects(cache.writeThrough(k, { v: 2 }, failing), /db refused/)
        assert.equal(await cache.get(k), null, 'neither the new value nor the old one is left cached')
        assert.deepEqual(source.get(k), { v: 1 })
        const loaded = await cache.getOrSet(k, () => source.get(k), { ttl: 10_000 })
        assert.deepEqual(loaded, { v: 1 })
      })

      test('a load that started before the write does not store its older result', async () => {
        const cache = open()
        const k = key('wt-race')
        const source = new Map([[k, 'old']])
        let release, started
        const gate = new Promise((resolve) => { release = resolve })
        const loaderStarted = new Promise((resolve) => { started = resolve })
        const load = cache.getOrSet(k, async () => {
          const v = source.get(k)
          started()
          await gate
          return v
        }, { ttl: 10_000 })
        await loaderStarted
        await cache.writeThrough(k, 'new', async (v) => { source.set(k, v) })
        release()
        assert.equal(await load, 'old', 'the caller of the load still gets its result')
        assert.equal(await cache.get(k), 'new', 'but the cache keeps the written value')
      })

      test('writes of one key are applied in call order', async () => {
        const cache = open()
        const k = key('wt-order')
        const order = []
        const writer = async (v) => {
          await sleep(v === 1 ? 30 : 1)
          order.push(v)
        }
        await Promise.all([1, 2, 3].map((v) => cache.writeThrough(k, v, writer)))
        assert.deepEqual(order, [1, 2, 3])
        assert.equal(await cache.get(k), 3)
      })

      test('bad arguments', async () => {
        const cache = open()
        await assert.rejects(cache.writeThrough('k', 1, 'nope'), { code: 'ERR_TIERCACHE_INVALID_ARGUMENT' })
        await assert.rejects(cache.writeThrough('k', 1n, async () => {}), { code: 'ERR_TIERCACHE_UNENCODABLE' })
        await assert.rejects(cache.writeThrough('k', 1, async () => {}, { ttl: 0 }), { code: 'ERR_TIERCACHE_INVALID_ARGUMENT' })
      })
    })

    describe('tags', () => {
      test('invalidateTags drops tagged entries (set and getOrSet) and nothing else', async () => {
        const cache = open()
        const [a, b, c] = [key('tag'), key('tag'), key('tag')]
        const t = `user-${n}`
        await cache.set(a, 'A', { tags: [t], PX: 10_000 })
        await cache.getOrSet(b, () => ({ b: true }), { ttl: 10_000, tags: [t, 'other'] })
        await cache.set(c, 'C')
        assert.equal(await cache.get(a), 'A')
        assert.equal(await cache.invalidateTags([t]), 1)
        assert.equal(await cache.get(a), null)
        const loader = counting(() => ({ b: 'reloaded' }))
        assert.deepEqual(await cache.getOrSet(b, loader, { ttl: 10_000, tags: [t] }), { b: 'reloaded' })
        assert.equal(loader.calls, 1)
        assert.equal(await cache.get(c), 'C')
        // Entries written after the invalidation are valid.
        await cache.set(a, 'A2', { tags: [t] })
        assert.equal(await cache.get(a), 'A2')
      })

      test('an invalidation during a load makes its result stale at once', async () => {
        const cache = open()
        const k = key('tag-race')
        const t = `race-${n}`
        let release, started
        const gate = new Promise((resolve) => { release = resolve })
        const loaderStarted = new Promise((resolve) => { started = resolve })
        const load = cache.getOrSet(k, async () => {
          started()
          await gate
          return 'computed before'
        }, { ttl: 10_000, tags: [t] })
        await loaderStarted
        await cache.invalidateTags([t])
        release()
        assert.equal(await load, 'computed before')
        assert.equal(await cache.get(k), null)
      })

      test('set with tags: options and errors', async () => {
        const cache = open()
        const k = key('tag-opts')
        assert.equal(await cache.set(k, 'x', { tags: ['t1'], EX: 100, NX: true }), 'OK')
        assert.equal(await cache.set(k, 'y', { tags: ['t1'], NX: true }), null)
        const ttl = await cache.ttl(k)
        assert.ok(ttl > 90 && ttl <= 100)
        await assert.rejects(cache.set(k, 'x', { tags: 'no' }), { code: 'ERR_TIERCACHE_INVALID_ARGUMENT' })
        await assert.rejects(cache.set(k, 'x', { tags: ['t'], GET: true }), { code: 'ERR_TIERCACHE_OPTION_CONFLICT' })
        await assert.rejects(cache.invalidateTags('t'), { code: 'ERR_TIERCACHE_INVALID_ARGUMENT' })
        const viaCallback = await new Promise((resolve) => cache.set(key('cb'), 'v', { tags: ['t'] }, (err, r) => resolve([err, r])))
        assert.deepEqual(viaCallback, [null, 'OK'])
      })
    })

    describe('namespaces', () => {
      test('a namespace prefixes its keys; clear() removes them all and nothing else, glob characters included', async () => {
        const cache = open()
        const name = `ns*[${n}]?`
        const ns = cache.namespace(name)
        const inner = ns.namespace('inner')
        for (let i = 0; i < 1200; i++) await ns.set(`k${i}`, `v${i}`)
        await inner.set('deep', 'd')
        assert.equal(await cache.get(`${name}:k7`), 'v7')
        assert.equal(await inner.get('deep'), 'd')
        assert.equal(await cache.get(`${name}:inner:deep`), 'd')
        // Keys a glob of the unescaped name would match:
        const lookalikes = [`nsX[${n}]?:k1`, `ns*[${n}]X:k1`, `ns*${n}?:k1`]
        for (const k of lookalikes) await cache.set(k, 'keep')
        assert.deepEqual(await ns.getOrSet('loaded', () => 'L', { ttl: 10_000 }), 'L')
        const deleted = await ns.clear()
        assert.equal(deleted, 1202)
        assert.equal(await ns.get('k7'), null)
        assert.equal(await inner.get('deep'), null)
        for (const k of lookalikes) assert.equal(await cache.get(k), 'keep', k)
      })

      test('del and mget take keys or arrays of keys, with or without a callback', async () => {
        const cache = open()
        const ns = cache.namespace(`dm${n}`)
        await ns.set('1', 'a')
        await ns.set('2', 'b')
        assert.deepEqual(await ns.mget('1', '2', '3'), ['a', 'b', null])
        assert.deepEqual(await ns.mget(['2']), ['b'])
        assert.deepEqual(await new Promise((resolve) => ns.mget('1', (err, r) => resolve([err, r]))), [null, ['a']])
        assert.equal(await ns.del('1', '3'), 1)
        assert.equal(await ns.del(['2']), 1)
        assert.deepEqual(await new Promise((resolve) => ns.del('2', (err, r) => resolve([err, r]))), [null, 0])
      })

      test('bad names', () => {
        const cache = open()
        assert.throws(() => cache.namespace(''), { code: 'ERR_TIERCACHE_INVALID_ARGUMENT' })
        assert.throws(() => cache.namespace(5), TypeError)
      })
    })

    if (mode.redis) {
      describe('across instances (each with its own L1)', () => {
        test('tag invalidation and namespace clear reach the other instance\'s L1', async () => {
          const a = open()
          const b = open()
          const k = key('x-tag')
          const t = `xt-${n}`
          await a.set(k, 'tagged', { tags: [t] })
          assert.equal(await b.get(k), 'tagged')
          // b's L1 now holds it (unless the invalidation of a's write reached b after its read: an extra miss, not a stale read).
          await a.invalidateTags([t])
          await eventually(async () => (await b.get(k)) === null, 2000, 'b sees the tag invalidated')

          const nsA = a.namespace(`xns${n}`)
          const nsB = b.namespace(`xns${n}`)
          await nsA.set('1', 'one')
          assert.equal(await nsB.get('1'), 'one')
          await nsA.clear()
          await eventually(async () => (await nsB.get('1')) === null, 2000, 'b sees the namespace cleared')
        })

        test('a value written with getOrSet is read by ioredis as its bytes behind a header, and the lease key leaves nothing behind', async () => {
          const a = open({ keyPrefix: 'app:' })
          const k = key('raw')
          await a.getOrSet(k, () => 'hello', { ttl: 10_000, lock: true })
          const io = new Redis(srv.url)
          try {
            const raw = await io.getBuffer(`app:${k}`)
            assert.equal(raw.subarray(0, 3).toString('latin1'), '\xF5TC')
            assert.ok(raw.toString('latin1').endsWith('\nhello'))
            await eventually(async () => (await io.exists(`app:__tc:lock:${k}`)) === 0, 2000, 'the lease was released')
          } finally {
            io.disconnect()
          }
        })

        test('refreshAhead with lock: instances near expiry reload once in total', async () => {
          const instances = [open(), open(), open()]
          const k = key('refresh-lock')
          let version = 0
          const loader = counting(async () => {
            await sleep(50)
            return `v${++version}`
          })
          const options = { ttl: 600, refreshAhead: 0.5, lock: { lease: 5000 } }
          assert.equal(await instances[0].getOrSet(k, loader, options), 'v1')
          for (const c of instances.slice(1)) assert.equal(await c.getOrSet(k, loader, options), 'v1')
          await sleep(350) // past half of the ttl in every instance
          const hits = await Promise.all(instances.map((c) => c.getOrSet(k, loader, options)))
          assert.deepEqual(hits, ['v1', 'v1', 'v1'], 'every instance answered at once from its L1')
          for (const c of instances) await eventually(async () => (await c.get(k)) === 'v2', 2000, 'v2 reached every instance')
          assert.equal(loader.calls, 2, 'one initial load and one refresh for all three instances')
        })

        test('lock: a read that misses just before the holder\'s store lands, then takes the freed lease, reads again instead of loading twice', async () => {
          // A's Redis traffic is slow (80 ms each way), B's faster (40 ms): B's
          // read reaches Redis before A's store (miss), B's lease request after
          // A's store and release (free). Taking the lease, B must read again.
          const { startProxy } = require('../../support/tcp-proxy')
          const slow = await startProxy({ targetPort: srv.port })
          const fast = await startProxy({ targetPort: srv.port })
          try {
            const prefix = `race${++n}:`
            const a = open({ redis: slow.url, keyPrefix: prefix, commandTimeout: 5000 })
            const b = open({ redis: fast.url, keyPrefix: prefix, commandTimeout: 5000 })
            await Promise.all([a.connect(), b.connect()])
            await slow.mode('delay', { ms: 80 })
            await fast.mode('delay', { ms: 40 })
            const k = key('lease-race')
            const loader = counting(async (ctx, calls) => `v${calls}`)
            const options = { ttl: 10_000, lock: { lease: 5000 } }
            assert.equal(await a.getOrSet(k, loader, options), 'v1')
            // A answered before its store and release were even sent.
            assert.equal(await b.getOrSet(k, loader, options), 'v1')
            assert.equal(loader.calls, 1, 'one load for both instances')
          } finally {
            await slow.close()
            await fast.close()
          }
        })

        test('Redis down: getOrSet still loads (a failed read is a miss, a failed store is counted)', async () => {
          const down = new TierCache({ redis: 'redis://127.0.0.1:1', connectTimeout: 200, commandTimeout: 200, lazyConnect: true, retryStrategy: () => null })
          down.on('error', () => {})
          opened.push(down)
          const loader = counting(() => 'from source')
          assert.equal(await down.getOrSet('k', loader, { ttl: 10_000, lock: true }), 'from source')
          assert.equal(loader.calls, 1)
          const s = down.stats().patterns
          assert.equal(s.storeErrors, 1)
        })
      })
    }
  })
}
