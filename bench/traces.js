'use strict'
// Scenario "traces": hit ratio on real access traces. Replay: get, and set on
// a miss. tiercache's L1 evicts by a TinyLFU-family policy (admission by
// estimated frequency); lru-cache is plain LRU; Bélády's OPT, computed
// offline from the future of the trace, is the ceiling no policy can beat,
// to show how much room each leaves.
//
// One process per trace (a 5M-access trace and its caches take a few hundred
// MB), two at a time: hit ratios do not depend on timing, so they can share
// the two cores.

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const zlib = require('node:zlib')

const { runChild, isChild, childMain, progress, pool } = require('./lib/child')
const { tiercache, lruCache } = require('./lib/caches')
const { TTLCache } = require('@isaacs/ttlcache')
const NodeCache = require('node-cache')
const { runPendingTasks } = require('../lib/testing.js')
const fmt = require('./lib/table')

// By default the traces sit beside the repository, in ../shared/traces.
const TRACES_DIR = process.env.BENCH_TRACES_DIR || path.resolve(__dirname, '..', '..', 'shared', 'traces')
// The two largest traces (3.9M and 5M accesses) dominate the run time; their
// first 2M accesses keep the whole suite within minutes. 0 = no cap.
const ACCESS_CAP = process.env.BENCH_TRACE_CAP !== undefined ? Number(process.env.BENCH_TRACE_CAP) : 2_000_000
const CAPACITY_FRACTIONS = [0.01, 0.05, 0.1, 0.25]
// tiercache's store hashes keys with a per-store random seed, so its hit
// ratio varies a little from one replay to the next: replay it this many
// times and report the median and the range.
const TIERCACHE_REPLAYS = 3

/** The README's table: file → { accesses, distinct, source }. */
function readCatalog () {
  const text = fs.readFileSync(path.join(TRACES_DIR, 'README.md'), 'utf8')
  const catalog = new Map()
  for (const line of text.split('\n')) {
    const m = /^\|\s*([\w.-]+\.trace\.gz)\s*\|\s*([\d,]+)\s*\|\s*([\d,]+)\s*\|\s*(.*?)\s*\|$/.exec(line)
    if (m) catalog.set(m[1], { accesses: Number(m[2].replace(/,/g, '')), distinct: Number(m[3].replace(/,/g, '')), source: m[4] })
  }
  return catalog
}

/**
 * The first `cap` accesses of a trace as dense ids (Int32Array), plus the key
 * string of each id: the caches get strings, OPT works on the ids.
 */
function loadTrace (file, cap) {
  const buf = zlib.gunzipSync(fs.readFileSync(path.join(TRACES_DIR, file)))
  const idOf = new Map()
  const names = []
  let ids = new Int32Array(1 << 20)
  let n = 0
  let start = 0
  for (let p = 0; p <= buf.length && (cap === 0 || n < cap); p++) {
    if (p < buf.length && buf[p] !== 10) continue
    // Keys are kept as the exact text of the line (some traces hold negative
    // or large integers): the caches are given that text as the key.
    const end = p > start && buf[p - 1] === 13 ? p - 1 : p
    if (end > start) {
      const name = buf.latin1Slice(start, end)
      let id = idOf.get(name)
      if (id === undefined) {
        id = names.length
        idOf.set(name, id)
        names.push(name)
      }
      if (n === ids.length) {
        const grown = new Int32Array(ids.length * 2)
        grown.set(ids)
        ids = grown
      }
      ids[n++] = id
    }
    start = p + 1
  }
  return { ids: ids.subarray(0, n), names }
}

/** Replays `trace` through any cache with Map-like get/set: get, and set on a miss. */
function replayGetSet (trace, cache) {
  const { ids, names } = trace
  let hits = 0
  for (let t = 0; t < ids.length; t++) {
    const k = names[ids[t]]
    if (cache.get(k) !== undefined) hits++
    else cache.set(k, k)
  }
  return hits
}

function replayLru (trace, capacity) {
  return replayGetSet(trace, lruCache(capacity))
}

// @isaacs/ttlcache walks its expiry buckets on every eviction (one bucket per
// millisecond of insert time here), so a replay costs O(capacity) per miss:
// minutes per cell beyond this size. Larger cells are left out ("—").
const TTLCACHE_MAX_CAPACITY = 10000

/**
 * @isaacs/ttlcache bounded by `max`. With `ttl: Infinity` (as the other
 * scenarios use) version 2.1.5 loops forever on the first set past `max`:
 * immortal entries are never purged. A TTL of ~31 years makes it drop the
 * soonest-expiring, i.e. the oldest, entry instead: FIFO.
 */
function replayTtl (trace, capacity) {
  return replayGetSet(trace, new TTLCache({ max: capacity, ttl: 1e12 }))
}

/**
 * node-cache bounded by `maxKeys`: it has no eviction, a set on a full cache
 * throws ECACHEFULL, so it keeps the first `capacity` keys it saw.
 */
function replayNodeCache (trace, capacity) {
  const { ids, names } = trace
  const cache = new NodeCache({ stdTTL: 0, checkperiod: 0, maxKeys: capacity, useClones: false })
  let hits = 0
  for (let t = 0; t < ids.length; t++) {
    const k = names[ids[t]]
    if (cache.get(k) !== undefined) {
      hits++
    } else {
      try {
        cache.set(k, k)
      } catch {}
    }
  }
  return hits
}

/**
 * `strict`: run the store's pending housekeeping after every insert. A store
 * that applies admission and eviction in batches (moka, tiercache's earlier
 * store, did) can briefly hold more than `capacity` entries between two
 * batches and answer hits from them. tiercache's own store evicts within the
 * write that overflows a shard, so the strict replay checks that there is no
 * such slack: it differs from the plain one by the per-store hash seed only.
 */
function replayTiercache (trace, capacity, strict) {
  const { ids, names } = trace
  const cache = tiercache({ maxEntries: capacity, frontSize: 0 })
  const local = cache.local
  let hits = 0
  for (let t = 0; t < ids.length; t++) {
    const k = names[ids[t]]
    if (local.get(k) !== undefined) {
      hits++
    } else {
      local.set(k, k)
      if (strict) runPendingTasks(cache)
    }
  }
  cache.quit()
  return hits
}

/**
 * Bélády's OPT, allowed to bypass (not cache) a missed key that is needed
 * later than everything cached: the upper bound for a policy with admission,
 * as TinyLFU has. A max-heap on next-use time with lazy deletion.
 */
function replayOpt (trace, capacity) {
  const { ids, names } = trace
  const n = ids.length
  const never = n
  const nextUse = new Int32Array(n)
  const upcoming = new Int32Array(names.length).fill(never)
  for (let t = n - 1; t >= 0; t--) {
    nextUse[t] = upcoming[ids[t]]
    upcoming[ids[t]] = t
  }
  const cached = new Uint8Array(names.length)
  const cachedNext = new Int32Array(names.length)
  const heapAt = new Int32Array(n + capacity + 1)
  const heapId = new Int32Array(n + capacity + 1)
  let heapSize = 0
  const push = (at, id) => {
    let i = heapSize++
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (heapAt[parent] >= at) break
      heapAt[i] = heapAt[parent]
      heapId[i] = heapId[parent]
      i = parent
    }
    heapAt[i] = at
    heapId[i] = id
  }
  const pop = () => {
    const lastAt = heapAt[--heapSize]
    const lastId = heapId[heapSize]
    let i = 0
    for (;;) {
      let child = 2 * i + 1
      if (child >= heapSize) break
      if (child + 1 < heapSize && heapAt[child + 1] > heapAt[child]) child++
      if (heapAt[child] <= lastAt) break
      heapAt[i] = heapAt[child]
      heapId[i] = heapId[child]
      i = child
    }
    heapAt[i] = lastAt
    heapId[i] = lastId
  }
  // Drops stale heap tops (keys evicted since, or whose next use moved on).
  const settle = () => {
    while (heapSize > 0 && (!cached[heapId[0]] || cachedNext[heapId[0]] !== heapAt[0])) pop()
  }
  let size = 0
  let hits = 0
  for (let t = 0; t < n; t++) {
    const id = ids[t]
    const at = nextUse[t]
    if (cached[id]) {
      hits++
      cachedNext[id] = at
      push(at, id)
      continue
    }
    if (size >= capacity) {
      settle()
      if (at >= heapAt[0]) continue
      cached[heapId[0]] = 0
      pop()
      size--
    }
    cached[id] = 1
    cachedNext[id] = at
    push(at, id)
    size++
  }
  return hits
}

/**
 * How many entries `new TierCache({ maxEntries: capacity })` really holds:
 * filled with twice as many fresh keys, what is left. Measured rather than
 * derived, as it depends on how the store rounds and shards its budget.
 */
function tiercacheHolds (capacity) {
  const cache = tiercache({ maxEntries: capacity, frontSize: 0 })
  for (let i = 0; i < 2 * capacity; i++) cache.local.set(`probe:${i}`, 'x')
  runPendingTasks(cache)
  const held = cache.stats().entries
  cache.quit()
  return held
}

function median (values) {
  const s = [...values].sort((a, b) => a - b)
  return s[s.length >> 1]
}

async function measureTrace (file, cap, distinct) {
  const t0 = performance.now()
  const trace = loadTrace(file, cap)
  progress(`traces ${file}: ${fmt.int(trace.ids.length)} accesses, ${fmt.int(trace.names.length)} distinct keys loaded`)
  const rows = []
  for (const fraction of CAPACITY_FRACTIONS) {
    const capacity = Math.max(1, Math.round(distinct * fraction))
    const timed = (fn) => {
      const s = performance.now()
      const hits = fn()
      return { hits, ms: performance.now() - s }
    }
    const replays = Array.from({ length: TIERCACHE_REPLAYS }, () => timed(() => replayTiercache(trace, capacity, false)))
    const hits = replays.map((r) => r.hits)
    rows.push({
      fraction,
      capacity,
      holds: tiercacheHolds(capacity),
      opt: timed(() => replayOpt(trace, capacity)),
      lru: timed(() => replayLru(trace, capacity)),
      ttl: capacity <= TTLCACHE_MAX_CAPACITY ? timed(() => replayTtl(trace, capacity)) : null,
      nodeCache: timed(() => replayNodeCache(trace, capacity)),
      tiercache: { hits: median(hits), min: Math.min(...hits), max: Math.max(...hits), ms: median(replays.map((r) => r.ms)) },
      strict: timed(() => replayTiercache(trace, capacity, true))
    })
    progress(`traces ${file}: capacity ${fmt.int(capacity)} done`)
  }
  return { file, accesses: trace.ids.length, distinctSeen: trace.names.length, rows, ms: performance.now() - t0 }
}

function pp (delta) {
  const v = delta * 100
  return `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(2)}`
}

function traceSection (r, meta) {
  const ratio = (x) => x.hits / r.accesses
  const capped = r.accesses < meta.accesses
  const head = `### ${r.file} — ${meta.source}\n\n` +
    `${fmt.int(r.accesses)} accesses${capped ? ` (first ${fmt.int(r.accesses)} of ${fmt.int(meta.accesses)}: capped)` : ''}, ` +
    `${fmt.int(r.distinctSeen)} distinct keys in them; capacities are % of the trace's ${fmt.int(meta.distinct)} distinct keys. ` +
    `Replayed in ${(r.ms / 1e3).toFixed(1)} s.\n`
  const body = fmt.table(
    ['capacity', 'entries', 'OPT (ceiling)', 'lru-cache', '@isaacs/ttlcache', 'node-cache (maxKeys)', `tiercache (median of ${TIERCACHE_REPLAYS})`, 'tiercache range', 'tiercache − lru-cache (pp)', 'tiercache, strict housekeeping', 'tiercache ns/access'],
    r.rows.map((row) => [
      `${row.fraction * 100}%`,
      fmt.int(row.capacity) + (row.holds !== row.capacity ? ` (tiercache holds ${fmt.int(row.holds)})` : ''),
      fmt.percent(ratio(row.opt)),
      fmt.percent(ratio(row.lru)),
      row.ttl === null ? '—' : fmt.percent(ratio(row.ttl)),
      fmt.percent(ratio(row.nodeCache)),
      fmt.percent(ratio(row.tiercache)),
      `${fmt.percent(row.tiercache.min / r.accesses)}–${fmt.percent(row.tiercache.max / r.accesses)}`,
      pp(ratio(row.tiercache) - ratio(row.lru)),
      fmt.percent(ratio(row.strict)),
      Math.round(row.tiercache.ms * 1e6 / r.accesses)
    ]),
    ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']
  )
  return `${head}\n${body}\n`
}

function summary (results) {
  let atLeast = 0
  let alwaysAtLeast = 0
  let cells = 0
  const rows = results.map((r) => {
    const deltas = r.rows.map((row) => {
      cells++
      if (row.tiercache.hits >= row.lru.hits) atLeast++
      if (row.tiercache.min >= row.lru.hits) alwaysAtLeast++
      return (row.tiercache.hits - row.lru.hits) / r.accesses
    })
    return [r.file, ...deltas.map(pp)]
  })
  return {
    text: fmt.table(['trace', ...CAPACITY_FRACTIONS.map((f) => `${f * 100}%`)], rows, ['l', ...CAPACITY_FRACTIONS.map(() => 'r')]),
    atLeast,
    alwaysAtLeast,
    cells
  }
}

async function run () {
  const catalog = readCatalog()
  const only = process.env.BENCH_TRACES ? new Set(process.env.BENCH_TRACES.split(',')) : null
  const files = fs.readdirSync(TRACES_DIR)
    .filter((f) => f.endsWith('.trace.gz') && catalog.has(f))
    .filter((f) => only === null || only.has(f) || only.has(f.replace('.trace.gz', '')))
    // Largest first, so the long ones overlap instead of running last, alone.
    .sort((a, b) => catalog.get(b).accesses - catalog.get(a).accesses)
  const parallel = Math.max(1, Math.min(2, os.cpus().length))
  const results = await pool(files.map((f) => () => runChild(__filename, [f, ACCESS_CAP, catalog.get(f).distinct])), parallel)
  results.sort((a, b) => files.indexOf(a.file) - files.indexOf(b.file))
  const ordered = [...results].sort((a, b) => a.file.localeCompare(b.file))
  const s = summary(ordered)
  return [
    '## 4. Hit ratio on real traces',
    '',
    'Replay: `get`, and `set` on a miss. tiercache is `new TierCache({ maxEntries: C, frontSize: 0 })` through `cache.local`,',
    'keys as strings; lru-cache is `new LRUCache({ max: C })`; @isaacs/ttlcache is `{ max: C, ttl: 1e12 }` (FIFO; `ttl: Infinity` hangs once full); node-cache is `{ maxKeys: C }` (no eviction: it keeps the first C keys). OPT is Bélády\'s offline optimum (with bypass): the ceiling.',
    `tiercache hashes with a per-store random seed, so it is replayed ${TIERCACHE_REPLAYS} times (median and range shown).`,
    '"strict housekeeping" calls the test hook runPendingTasks after every insert: a store that evicted lazily in batches could',
    'briefly hold more than C entries and answer hits from them. tiercache evicts within the write that overflows a shard, so this',
    'column checks there is no such slack: it differs from the median by the per-store hash seed only (compare with the range).',
    '"entries" notes where tiercache, filled with 2C fresh keys, keeps fewer (or more) than C.',
    ACCESS_CAP > 0 ? `Traces longer than ${fmt.int(ACCESS_CAP)} accesses are cut to their first ${fmt.int(ACCESS_CAP)} (BENCH_TRACE_CAP=0 replays them whole).` : 'Every trace is replayed whole.',
    '',
    '### Summary: tiercache − lru-cache hit ratio, in percentage points',
    '',
    s.text,
    '',
    `tiercache's median hit ratio is ≥ lru-cache's in ${s.atLeast} of ${s.cells} (trace, capacity) cells; ` +
      `its worst of ${TIERCACHE_REPLAYS} replays is ≥ lru-cache's in ${s.alwaysAtLeast} of ${s.cells}.`,
    '',
    ...ordered.map((r) => traceSection(r, catalog.get(r.file)))
  ].join('\n')
}

module.exports = { name: 'traces', title: 'hit ratio on real traces', run }

if (isChild()) childMain(([file, cap, distinct]) => measureTrace(file, Number(cap), Number(distinct)))
else if (require.main === module) run().then((md) => console.log(md))
