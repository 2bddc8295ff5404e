'use strict'
// Scenario "patterns": tiercache's cache patterns against the peers that
// offer the same thing, in one run:
//
// 1. getOrSet hit path. 1,000 keys are loaded once through each library,
//    then read at random with its cache-aside call; every timed call is a
//    hit (the loader's call count shows it). Awaited one at a time, as in
//    tiers.js. Contestants:
//    - tiercache `cache.getOrSet(k, loader, { ttl: 60000 })` on
//      `new TierCache()` (L1 only) and on `new TierCache({ redis: url })`.
//    - bentocache `getOrSet({ key, factory, ttl })`: memory driver only, and
//      memory driver + redis driver (set up as in tiers.js).
//    - cache-manager v7 `wrap(key, fn, ttl)` on `createCache()` (its default
//      store: a Keyv over a Map, serialisation off, so it keeps references).
//    - lru-cache `fetch(key)` with a `fetchMethod` and `ttl`.
// 2. Stampede: 1,000 concurrent cold calls (`Promise.all`) for ONE key whose
//    loader takes 10 ms (setTimeout). Wall time per stampede (median over
//    repetitions, each on a fresh key), loader calls per stampede, whether
//    every caller got the value, and whether the next call is a hit.
// 3. Write-behind: `cache.writeBehind({ writer, batchSize: 1000,
//    flushInterval: 50 })` on an L1-only tiercache, N `wb.set(k, v)` awaited
//    in chunks of 1,000 (Promise.all) plus a final `await wb.flush()`. No peer
//    has write-behind; the same chunks of plain `cache.set` are shown as a
//    reference for what the queue adds.
//
// The Redis rows use a private redis-server (lib/redis.js); without
// redis-server on PATH they print n/a and the rest still runs.

const path = require('node:path')

const { runChild, isChild, childMain, progress } = require('./lib/child')
const { compare, report, sink, median } = require('./lib/measure')
const fx = require('./lib/fixtures')
const fmt = require('./lib/table')
const rd = require('./lib/redis')
const { versionOf } = require('./lib/peers')

const ROOT = path.join(__dirname, '..')

const HOT_KEYS = 1_000
const ORDER = 1 << 16
const TTL_MS = 60_000

const STAMPEDE_CALLERS = 1_000
const STAMPEDE_LOAD_MS = 10
const STAMPEDE_WARMUP = 3
const STAMPEDE_REPS = positive(process.env.BENCH_STAMPEDE_REPS, 21)

const WB_WRITES = positive(process.env.BENCH_WB_WRITES, 100_000)
const WB_CHUNK = 1_000
const WB_REPS = 5
const WB_TARGET = 100_000 // queued writes/s

function positive (text, fallback) {
  const n = Number(text)
  return Number.isSafeInteger(n) && n > 0 ? n : fallback
}

/** The value kinds of the hit path (and of the write-behind runs). */
const KINDS = Object.freeze({
  '20B': { label: '20-byte strings', short: '20 B string', value: fx.stringValue },
  obj: { label: '1 KB objects (user records, ~1,045 bytes of JSON)', short: '1 KB object', value: fx.makeUser }
})
const KIND_IDS = Object.keys(KINDS)

const CONTESTANTS = [
  { id: 'tc', family: 'tiercache', tier: 'memory', name: '**tiercache** `getOrSet(k, loader, { ttl })` · `new TierCache()` (L1 only)' },
  { id: 'tc2', family: 'tiercache', tier: 'two', name: '**tiercache** `getOrSet(k, loader, { ttl })` · `{ redis }` (L1 + Redis)' },
  { id: 'bento', family: 'peer', tier: 'memory', name: 'bentocache `getOrSet({ key, factory, ttl })` · memory driver' },
  { id: 'bento2', family: 'peer', tier: 'two', name: 'bentocache `getOrSet({ key, factory, ttl })` · memory + redis drivers' },
  { id: 'cm', family: 'peer', tier: 'memory', name: 'cache-manager `wrap(key, fn, ttl)` · `createCache()`' },
  { id: 'lru', family: 'peer', tier: 'memory', name: 'lru-cache `fetch(key)` · fetchMethod, ttl' }
]
const NEEDS_REDIS = new Set(['tc2', 'bento2'])

/**
 * One call of each library's cache-aside API, as a caller writes it, with
 * `load(key)` as the source behind it (lru-cache's fetchMethod is set by
 * openAll). Contestants that could not open are absent from `instances`.
 */
function cacheAsideCalls ({ tc, tc2, bento, bento2, cm, lru }, load) {
  const tcLoader = (ctx) => load(ctx.key)
  return {
    tc: (key) => tc.getOrSet(key, tcLoader, { ttl: TTL_MS }),
    tc2: (key) => tc2.getOrSet(key, tcLoader, { ttl: TTL_MS }),
    bento: (key) => bento.getOrSet({ key, factory: () => load(key), ttl: TTL_MS }),
    bento2: (key) => bento2.getOrSet({ key, factory: () => load(key), ttl: TTL_MS }),
    cm: (key) => cm.wrap(key, () => load(key), TTL_MS),
    lru: (key) => lru.fetch(key)
  }
}

/** A counter of the commands redis-server runs (closed with `closers`), or null without Redis. */
async function countCommands (url, closers) {
  if (url === '') return null
  const counter = await rd.commandCounter(url)
  closers.push(() => counter.close())
  return counter
}

/** The peers' versions, for the results header and this section. */
function versions () {
  return {
    bentocache: versionOf('bentocache'),
    'cache-manager': versionOf('cache-manager'),
    keyv: versionOf('keyv'),
    'lru-cache': versionOf('lru-cache'),
    'redis-server': rd.redisServerVersion() ?? 'not installed'
  }
}

function versionLine () {
  const v = versions()
  return `bentocache ${v.bentocache}, cache-manager ${v['cache-manager']} (keyv ${v.keyv}), lru-cache ${v['lru-cache']}, redis-server ${v['redis-server']}`
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function same (a, b) {
  return a === b || (typeof a === 'object' && a !== null && JSON.stringify(a) === JSON.stringify(b))
}

function describe (v) {
  if (typeof v === 'string') return v.length > 24 ? `a ${v.length}-char string` : JSON.stringify(v)
  return v === null ? 'null' : typeof v
}

/**
 * Every contestant's instance, constructed as its README shows it. Resolves
 * with { instances, unavailable, closers }; an instance that cannot be built
 * (no Redis, no package) is reported, not thrown.
 */
async function openAll (url, { onLoad }) {
  const instances = {}
  const unavailable = new Map()
  const closers = []
  const TierCache = require(ROOT)

  instances.tc = new TierCache()
  closers.push(() => instances.tc.quit())

  if (url === '') {
    unavailable.set('tc2', 'redis-server is not on PATH')
    unavailable.set('bento2', 'redis-server is not on PATH')
  } else {
    const opened = await rd.openTiercache({ redis: url })
    if (opened.error !== undefined) unavailable.set('tc2', opened.error)
    else {
      instances.tc2 = opened.cache
      closers.push(() => opened.cache.quit())
    }
  }

  try {
    const { BentoCache, bentostore } = await import('bentocache')
    const { memoryDriver } = await import('bentocache/drivers/memory')
    const bento = new BentoCache({
      default: 'cache',
      stores: { cache: bentostore().useL1Layer(memoryDriver({ maxItems: HOT_KEYS })) }
    })
    closers.push(() => bento.disconnectAll())
    instances.bento = bento
    if (url !== '') {
      const { port, hostname } = new URL(url)
      const { redisDriver } = await import('bentocache/drivers/redis')
      const bento2 = new BentoCache({
        default: 'cache',
        stores: {
          cache: bentostore()
            .useL1Layer(memoryDriver({ maxItems: HOT_KEYS }))
            .useL2Layer(redisDriver({ connection: { host: hostname, port: Number(port) } }))
        }
      })
      closers.push(() => bento2.disconnectAll())
      instances.bento2 = bento2
    }
  } catch (err) {
    unavailable.set('bento', rd.reason(err))
    if (!unavailable.has('bento2')) unavailable.set('bento2', rd.reason(err))
  }

  try {
    const { createCache } = require('cache-manager')
    instances.cm = createCache()
    closers.push(() => instances.cm.disconnect())
  } catch (err) {
    unavailable.set('cm', rd.reason(err))
  }

  const { LRUCache } = require('lru-cache')
  instances.lru = new LRUCache({ max: HOT_KEYS, ttl: TTL_MS, fetchMethod: (key) => onLoad(key) })
  return { instances, unavailable, closers }
}

// ---- child: the getOrSet hit path, one process per value kind --------------------

async function hitGroup (kindId, url) {
  const make = KINDS[kindId].value
  const values = Array.from({ length: HOT_KEYS }, (_, i) => make(i))
  const order = fx.randomOrder(HOT_KEYS, ORDER, 13)
  const prefixes = { tc: 'tc', tc2: 't2', bento: 'bm', bento2: 'b2', cm: 'cm', lru: 'lr' }
  const keys = {}
  const valueOf = new Map()
  for (const [id, p] of Object.entries(prefixes)) {
    keys[id] = Array.from({ length: HOT_KEYS }, (_, i) => `${p}:${kindId}:${fx.key(i)}`)
    keys[id].forEach((k, i) => valueOf.set(k, values[i]))
  }
  // The "database" behind every library: counts its calls (0 on a hit path).
  let loads = 0
  const load = async (key) => {
    loads++
    return valueOf.get(key)
  }

  const { instances, unavailable, closers } = await openAll(url, { onLoad: load })
  try {
    const counter = await countCommands(url, closers)
    const call = cacheAsideCalls(instances, load)
    // The timed functions below spell each call out (one literal each, as
    // the other scenarios do), over the same instances.
    const { tc, tc2, bento, bento2, cm, lru } = instances
    const tcLoader = (ctx) => load(ctx.key)

    // ---- fill: one cold call per key (a load), then one hit per key ----------------
    progress(`patterns hit ${kindId}: loading ${fmt.int(HOT_KEYS)} keys per library`)
    const returns = {}
    const filled = {}
    for (const c of CONTESTANTS) {
      if (unavailable.has(c.id)) continue
      try {
        const before = loads
        for (let i = 0; i < HOT_KEYS; i++) {
          const v = await call[c.id](keys[c.id][i])
          if (!same(v, values[i])) throw new Error(`the first call answered ${describe(v)} for ${keys[c.id][i]}`)
        }
        filled[c.id] = loads - before
        const again = loads
        for (let i = 0; i < HOT_KEYS; i++) {
          const v = await call[c.id](keys[c.id][i])
          if (!same(v, values[i])) throw new Error(`a hit answered ${describe(v)} for ${keys[c.id][i]}`)
        }
        if (loads !== again) throw new Error(`the loader ran ${loads - again} times on 1,000 hits`)
        if (typeof values[0] === 'string') returns[c.id] = 'the string'
        else {
          const a = await call[c.id](keys[c.id][0])
          const b = await call[c.id](keys[c.id][0])
          returns[c.id] = a === b ? (a === values[0] ? 'the loaded object (a reference)' : 'one stored object (a reference)') : 'a fresh copy per call'
        }
      } catch (err) {
        unavailable.set(c.id, rd.reason(err))
      }
    }

    const cursors = { tc: 0, tc2: 0, bento: 0, bento2: 0, cm: 0, lru: 0 }
    const kTc = keys.tc
    const kTc2 = keys.tc2
    const kBento = keys.bento
    const kBento2 = keys.bento2
    const kCm = keys.cm
    const kLru = keys.lru
    // One function literal per contestant (see README: monomorphic call sites).
    const fns = {
      tc: async () => {
        const key = kTc[order[(cursors.tc = (cursors.tc + 1) & (ORDER - 1))]]
        sink(await tc.getOrSet(key, tcLoader, { ttl: TTL_MS }))
      },
      tc2: async () => {
        const key = kTc2[order[(cursors.tc2 = (cursors.tc2 + 1) & (ORDER - 1))]]
        sink(await tc2.getOrSet(key, tcLoader, { ttl: TTL_MS }))
      },
      bento: async () => {
        const key = kBento[order[(cursors.bento = (cursors.bento + 1) & (ORDER - 1))]]
        sink(await bento.getOrSet({ key, factory: () => load(key), ttl: TTL_MS }))
      },
      bento2: async () => {
        const key = kBento2[order[(cursors.bento2 = (cursors.bento2 + 1) & (ORDER - 1))]]
        sink(await bento2.getOrSet({ key, factory: () => load(key), ttl: TTL_MS }))
      },
      cm: async () => {
        const key = kCm[order[(cursors.cm = (cursors.cm + 1) & (ORDER - 1))]]
        sink(await cm.wrap(key, () => load(key), TTL_MS))
      },
      lru: async () => {
        const key = kLru[order[(cursors.lru = (cursors.lru + 1) & (ORDER - 1))]]
        sink(await lru.fetch(key))
      }
    }
    const live = CONTESTANTS.filter((c) => !unavailable.has(c.id))

    // Redis commands and loads per 1,000 measured calls, outside the rounds.
    const perThousand = {}
    for (const c of live) {
      const before = counter !== null && NEEDS_REDIS.has(c.id) ? await counter.count() : null
      const loadsBefore = loads
      for (let i = 0; i < 1000; i++) await fns[c.id]()
      perThousand[c.id] = {
        commands: before === null ? null : (await counter.count()) - before,
        loads: loads - loadsBefore
      }
    }

    const loadsBefore = loads
    const rows = live.map((c) => ({ id: c.id, fn: fns[c.id] }))
    const results = await compare(`patterns hit ${kindId}`, rows)
    return {
      kindId,
      rows: report(rows, results),
      perThousand,
      filled,
      returns,
      loadsDuringRounds: loads - loadsBefore,
      unavailable: Object.fromEntries(unavailable)
    }
  } finally {
    for (const close of closers.reverse()) await rd.closeQuietly(close)
  }
}

// ---- child: the stampede --------------------------------------------------------

async function stampedeGroup (url) {
  const value = fx.makeUser(7)
  const calls = new Map() // key → loader calls
  const slow = async (key) => {
    calls.set(key, (calls.get(key) ?? 0) + 1)
    await sleep(STAMPEDE_LOAD_MS)
    return value
  }
  const { instances, unavailable, closers } = await openAll(url, { onLoad: slow })
  try {
    const counter = await countCommands(url, closers)
    const call = cacheAsideCalls(instances, slow)
    const live = CONTESTANTS.filter((c) => !unavailable.has(c.id))
    const out = Object.fromEntries(live.map((c) => [c.id, { wallMs: [], loads: [], commands: [], wrong: 0, thrown: 0, laterLoads: 0 }]))
    const total = STAMPEDE_WARMUP + STAMPEDE_REPS
    for (let r = 0; r < total; r++) {
      if (r === 0 || r === STAMPEDE_WARMUP || (r + 1) % 8 === 0) progress(`patterns stampede: repetition ${r + 1}/${total}${r < STAMPEDE_WARMUP ? ' (warm-up)' : ''}`)
      for (let i = 0; i < live.length; i++) {
        const c = live[(i + r) % live.length]
        const o = out[c.id]
        const key = `st:${c.id}:${String(r).padStart(4, '0')}`
        const fn = call[c.id]
        global.gc()
        const before = counter !== null && NEEDS_REDIS.has(c.id) ? await counter.count() : null
        const pending = new Array(STAMPEDE_CALLERS)
        const t0 = performance.now()
        for (let j = 0; j < STAMPEDE_CALLERS; j++) pending[j] = fn(key)
        const settled = await Promise.allSettled(pending)
        const wall = performance.now() - t0
        const after = before === null ? null : await counter.count()
        if (r < STAMPEDE_WARMUP) continue
        o.wallMs.push(wall)
        o.loads.push(calls.get(key) ?? 0)
        if (after !== null) o.commands.push(after - before)
        for (const s of settled) {
          if (s.status === 'rejected') o.thrown++
          else if (!same(s.value, value)) o.wrong++
        }
        // Once the stampede settled, the value is cached: one more call is a hit.
        const n = calls.get(key) ?? 0
        await fn(key)
        o.laterLoads += (calls.get(key) ?? 0) - n
      }
    }
    return { results: out, unavailable: Object.fromEntries(unavailable) }
  } finally {
    for (const close of closers.reverse()) await rd.closeQuietly(close)
  }
}

// ---- child: write-behind --------------------------------------------------------

const WB_ROWS = [
  { id: 'wb:20B', kindId: '20B', mode: 'wb', name: '**tiercache** `wb.set(k, v)` + `wb.flush()` · `new TierCache()`' },
  { id: 'wb:obj', kindId: 'obj', mode: 'wb', name: '**tiercache** `wb.set(k, v)` + `wb.flush()` · `new TierCache()`' },
  { id: 'set:20B', kindId: '20B', mode: 'set', name: 'reference: `cache.set(k, v)` (no queue) · `new TierCache()`' },
  { id: 'set:obj', kindId: 'obj', mode: 'set', name: 'reference: `cache.set(k, v)` (no queue) · `new TierCache()`' }
]

async function writeBehindGroup () {
  const TierCache = require(ROOT)
  const keys = Array.from({ length: WB_WRITES }, (_, i) => `wb:${String(i).padStart(7, '0')}`)
  // A few hundred distinct values, reused: the cost measured is the queue and
  // the cache write, not building 100,000 objects.
  const values = Object.fromEntries(KIND_IDS.map((k) => [k, Array.from({ length: 256 }, (_, i) => KINDS[k].value(i))]))
  const out = Object.fromEntries(WB_ROWS.map((row) => [row.id, { totalMs: [], flushMs: [], handed: [], batches: [], entries: [] }]))

  async function once (row) {
    const cache = new TierCache()
    const vals = values[row.kindId]
    let batches = 0
    let wb = null
    if (row.mode === 'wb') wb = cache.writeBehind({ writer: async () => { batches++ }, batchSize: 1000, flushInterval: 50 })
    global.gc()
    const handedBefore = cache.stats().patterns.writeBehindWrites
    const t0 = performance.now()
    for (let i = 0; i < WB_WRITES; i += WB_CHUNK) {
      const end = Math.min(i + WB_CHUNK, WB_WRITES)
      const pending = new Array(end - i)
      if (wb !== null) for (let j = i; j < end; j++) pending[j - i] = wb.set(keys[j], vals[j & 255])
      else for (let j = i; j < end; j++) pending[j - i] = cache.set(keys[j], vals[j & 255])
      await Promise.all(pending)
    }
    const t1 = performance.now()
    if (wb !== null) await wb.flush()
    const t2 = performance.now()
    const s = cache.stats()
    const result = {
      totalMs: t2 - t0,
      flushMs: t2 - t1,
      handed: s.patterns.writeBehindWrites - handedBefore,
      batches,
      entries: s.entries
    }
    if (wb !== null) await wb.close()
    await cache.quit()
    return result
  }

  for (let r = 0; r < WB_REPS + 1; r++) {
    progress(`patterns write-behind: repetition ${r + 1}/${WB_REPS + 1}${r === 0 ? ' (warm-up)' : ''}`)
    for (let i = 0; i < WB_ROWS.length; i++) {
      const row = WB_ROWS[(i + r) % WB_ROWS.length]
      const res = await once(row)
      if (r === 0) continue
      for (const k of Object.keys(res)) out[row.id][k].push(res[k])
    }
  }
  return out
}

// ---- parent: tables --------------------------------------------------------------

function hitSection (g) {
  const kind = KINDS[g.kindId]
  const byId = new Map(g.rows.map((r) => [r.id, r]))
  const detail = fmt.table(
    ['contestant', 'returns', 'calls/s', 'per call', 'loader calls per 1,000 timed calls', 'Redis commands per 1,000 calls', 'spread'],
    CONTESTANTS.map((c) => {
      const r = byId.get(c.id)
      const t = g.perThousand[c.id]
      const cmds = t === undefined || t.commands === null ? '—' : fmt.int(t.commands)
      if (r === undefined) return [c.name, g.returns[c.id] ?? '—', 'n/a', 'n/a', '—', '—', '—']
      return [c.name, g.returns[c.id] ?? '—', fmt.ops(r.opsPerSec), fmt.ns(r.nsPerOp), fmt.int(t.loads), cmds, fmt.percent(r.spread, 0)]
    }),
    ['l', 'l', 'r', 'r', 'r', 'r', 'r']
  )
  const ratios = fmt.peerRatios(
    'tiercache ÷ peer (calls/s)',
    CONTESTANTS,
    (c, p) => (byId.has(c.id) && byId.has(p.id) ? byId.get(c.id).opsPerSec / byId.get(p.id).opsPerSec : undefined),
    // Like with like in bold: memory-only with memory-only, two tiers with two tiers.
    (c, p) => c.tier === p.tier
  )
  const notes = rd.unavailableNotes(g.unavailable, CONTESTANTS)
  const loadsOutside = Object.values(g.perThousand).reduce((a, x) => a + x.loads, 0)
  if (g.loadsDuringRounds + loadsOutside > 0) {
    notes.push(`- ⚠ the loader ran ${fmt.int(g.loadsDuringRounds + loadsOutside)} times during the timed calls: some rows were not pure hits.`)
  }
  const oddFills = Object.entries(g.filled).filter(([, n]) => n !== HOT_KEYS)
  for (const [id, n] of oddFills) notes.push(`- ${id}: the ${fmt.int(HOT_KEYS)} cold calls ran the loader ${fmt.int(n)} times.`)
  return [
    `### getOrSet hit · ${kind.label} · ${fmt.int(HOT_KEYS)} keys`,
    '',
    detail,
    '',
    ratios,
    '',
    ...(notes.length > 0 ? [...notes, ''] : [])
  ].join('\n')
}

function stampedeSection (s) {
  const byId = s.results
  const med = (id) => median(byId[id].wallMs)
  const range = (list) => {
    const lo = Math.min(...list)
    const hi = Math.max(...list)
    return lo === hi ? fmt.int(lo) : `${fmt.int(lo)}–${fmt.int(hi)}`
  }
  const ms = (x) => `${x.toFixed(1)} ms`
  const detail = fmt.table(
    ['contestant', 'wall per stampede (median)', 'fastest – slowest', 'above the 10 ms loader', 'loader calls per stampede', 'callers without the value', 'loads on the next call', 'Redis commands per stampede'],
    CONTESTANTS.map((c) => {
      const o = byId[c.id]
      if (o === undefined) return [c.name, 'n/a', '—', '—', '—', '—', '—', '—']
      const m = med(c.id)
      const bad = o.wrong + o.thrown
      return [
        c.name,
        ms(m),
        `${ms(Math.min(...o.wallMs))} – ${ms(Math.max(...o.wallMs))}`,
        ms(m - STAMPEDE_LOAD_MS),
        `**${fmt.int(median(o.loads))}**${Math.min(...o.loads) !== Math.max(...o.loads) ? ` (${range(o.loads)})` : ''}`,
        bad === 0 ? '0' : `⚠ ${fmt.int(bad)} (${fmt.int(o.thrown)} rejected)`,
        fmt.int(o.laterLoads),
        o.commands.length === 0 ? '—' : `${fmt.int(median(o.commands))}${Math.min(...o.commands) !== Math.max(...o.commands) ? ` (${range(o.commands)})` : ''}`
      ]
    }),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r']
  )
  const ratios = fmt.peerRatios(
    'tiercache ÷ peer (stampedes/s = peer wall ÷ tiercache wall)',
    CONTESTANTS,
    (c, p) => (byId[c.id] === undefined || byId[p.id] === undefined ? undefined : med(p.id) / med(c.id)),
    (c, p) => c.tier === p.tier
  )
  const notes = rd.unavailableNotes(s.unavailable, CONTESTANTS)
  for (const c of CONTESTANTS) {
    const o = byId[c.id]
    if (o !== undefined && Math.max(...o.loads) > 1) {
      notes.push(`- ${c.name.replace(/\*\*/g, '')} ran the loader more than once per stampede (median ${fmt.int(median(o.loads))}, up to ${fmt.int(Math.max(...o.loads))} of ${fmt.int(STAMPEDE_CALLERS)} callers).`)
    }
  }
  return [
    `### Stampede · ${fmt.int(STAMPEDE_CALLERS)} concurrent cold calls for one key · loader ${STAMPEDE_LOAD_MS} ms · 1 KB object`,
    '',
    detail,
    '',
    ratios,
    '',
    ...(notes.length > 0 ? [...notes, ''] : [])
  ].join('\n')
}

function writeBehindSection (w) {
  const rows = WB_ROWS.map((row) => {
    const o = w[row.id]
    const totalMs = median(o.totalMs)
    const rate = WB_WRITES / (totalMs / 1e3)
    const handed = row.mode === 'wb' ? range(o.handed) : '—'
    const batches = row.mode === 'wb' ? range(o.batches) : '—'
    const target = row.mode === 'wb' ? (rate >= WB_TARGET ? `yes (${fmt.ratio(rate / WB_TARGET)})` : `⚠ no (${fmt.ratio(rate / WB_TARGET)})`) : '—'
    const spread = (Math.max(...o.totalMs) - Math.min(...o.totalMs)) / totalMs
    return [row.name, KINDS[row.kindId].short, fmt.ops(rate), fmt.ns((totalMs * 1e6) / WB_WRITES),
      row.mode === 'wb' ? `${median(o.flushMs).toFixed(1)} ms` : '—', handed, batches, range(o.entries), target, fmt.percent(spread, 0)]
  })
  function range (list) {
    const lo = Math.min(...list)
    const hi = Math.max(...list)
    return lo === hi ? fmt.int(lo) : `${fmt.int(lo)}–${fmt.int(hi)}`
  }
  const byId = Object.fromEntries(WB_ROWS.map((row) => [row.id, WB_WRITES / (median(w[row.id].totalMs) / 1e3)]))
  return [
    `### Write-behind · ${fmt.int(WB_WRITES)} writes in chunks of ${fmt.int(WB_CHUNK)} · L1 only`,
    '',
    fmt.table(
      ['contestant', 'value', 'queued writes/s', 'per write', 'final flush()', 'writes handed to the writer', 'writer batches', 'entries in L1 after', `≥ ${fmt.compact(WB_TARGET)}/s target`, 'spread'],
      rows,
      ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']
    ),
    '',
    `The queue's cost: write-behind ÷ plain set (writes/s) is ${fmt.ratio(byId['wb:20B'] / byId['set:20B'])} for 20-byte strings and ` +
      `${fmt.ratio(byId['wb:obj'] / byId['set:obj'])} for 1 KB objects.`,
    ''
  ].join('\n')
}

const TITLE = '## Patterns: getOrSet hit path, stampede and write-behind against bentocache, cache-manager and lru-cache'

async function run () {
  const server = await rd.startServer()
  try {
    const url = server === null ? '' : server.url
    if (server !== null) progress(`patterns: private redis-server on port ${server.port}`)
    const hits = []
    for (const kindId of KIND_IDS) hits.push(await runChild(__filename, ['hit', kindId, url]))
    const stampede = await runChild(__filename, ['stampede', '-', url])
    const wb = await runChild(__filename, ['writebehind', '-', ''])
    return [
      TITLE,
      '',
      `Versions: ${versionLine()}. ` +
        'Every library is used as its README shows it; the L1 + Redis rows share one private redis-server on loopback ' +
        '(bentocache: `memoryDriver` + `redisDriver` as in the tiers scenario). Every call returns a promise.',
      '',
      `**getOrSet hit path.** ${fmt.int(HOT_KEYS)} keys are loaded through each library (one cold call each), then read ` +
        `uniformly at random with its cache-aside call (ttl ${fmt.int(TTL_MS)} ms everywhere), each call awaited before ` +
        'the next: every timed call is a hit (the loader column, counted outside the timed rounds, shows it; so does ' +
        '"Redis commands": the two-level rows answer from memory). "returns" is observed (two calls compared with `===`): ' +
        'tiercache decodes a fresh copy per hit; bentocache\'s memory driver stores JSON text and parses it per hit; ' +
        'cache-manager (a Keyv over a Map, serialisation off) and lru-cache return the stored reference. Bold ratios ' +
        'compare like with like (memory only with memory only, L1 + Redis with L1 + Redis).',
      '',
      ...hits.map(hitSection),
      `**Stampede.** ${fmt.int(STAMPEDE_CALLERS)} calls for one absent key are started at once and awaited with ` +
        `\`Promise.allSettled\`; the loader sleeps ${STAMPEDE_LOAD_MS} ms (setTimeout) and returns a 1 KB object. ` +
        `${STAMPEDE_REPS} timed repetitions per library after ${STAMPEDE_WARMUP} warm-ups, each on a fresh key, libraries ` +
        'taking turns (order rotated), a full GC before each. Wall time runs from the first call to the last settled; ' +
        '"loads on the next call" is the loader calls of one more call after the stampede, summed over the repetitions ' +
        '(0: the value was cached).',
      '',
      stampedeSection(stampede),
      '**Write-behind.** `cache.writeBehind({ writer, batchSize: 1000, flushInterval: 50 })` on `new TierCache()` ' +
        '(writer: an async function that only counts its batches). Timed: ' +
        `${fmt.int(WB_WRITES)} \`wb.set(k, v)\` on distinct keys, ${fmt.int(WB_CHUNK)} at a time in \`Promise.all\`, then ` +
        `\`await wb.flush()\`. Median of ${WB_REPS} runs (after a warm-up), a fresh cache each run. No peer has ` +
        'write-behind; the same loop of plain `cache.set` shows what the queue adds.',
      '',
      writeBehindSection(wb)
    ].join('\n')
  } finally {
    if (server !== null) await server.stop()
  }
}

module.exports = { name: 'patterns', title: 'getOrSet hit path, stampede, write-behind', run, versions, versionLine }

if (isChild()) {
  childMain(([what, kindId, url]) => {
    if (what === 'hit') return hitGroup(kindId, url ?? '')
    if (what === 'stampede') return stampedeGroup(url ?? '')
    return writeBehindGroup()
  })
} else if (require.main === module) run().then((md) => console.log(md))
