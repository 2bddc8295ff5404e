'use strict'
// Scenario "memory": what 1,000,000 entries of 20-byte strings cost in RSS,
// and how long a full GC takes with them in the process. The in-heap caches
// put every key and value on the V8 heap, which each major GC must mark;
// tiercache keeps them in native memory, outside the GC's reach. Each cache
// runs in its own process so their RSS cannot mix.

const { runChild, isChild, childMain, progress } = require('./lib/child')
const { median } = require('./lib/measure')
const fx = require('./lib/fixtures')
const { tiercache, lruCache, ttlCache, nodeCache } = require('./lib/caches')
const fmt = require('./lib/table')

const ENTRIES = 1_000_000
const GC_RUNS = 5

const CACHES = {
  // No cache at all, only a Map: the floor any in-heap cache builds on.
  Map: {
    label: 'Map (reference: no cache logic)',
    create: () => new Map(),
    set: (c, k, v) => c.set(k, v),
    count: (c) => c.size
  },
  tiercache: {
    // maxEntries has headroom on purpose: every entry weighs at least
    // ceil(maxBytes / maxEntries) bytes, so maxEntries: 1e6 with 1 GiB holds
    // only floor(2^30 / 1074) = 999,759 entries.
    label: 'tiercache (maxEntries 1,100,000, maxBytes 1 GiB)',
    create: () => tiercache({ maxEntries: 1_100_000, maxBytes: 2 ** 30 }),
    set: (c, k, v) => c.local.set(k, v),
    count: (c) => c.dbsize(),
    // What the store believes it holds (the figure maxBytes is enforced on),
    // to set against what the process really grew by.
    accounted: (c) => c.stats().bytes
  },
  'lru-cache': {
    label: 'lru-cache (max 1,000,000)',
    create: (n) => lruCache(n),
    set: (c, k, v) => c.set(k, v),
    count: (c) => c.size
  },
  '@isaacs/ttlcache': {
    label: '@isaacs/ttlcache (max 1,000,000, ttl Infinity)',
    create: (n) => ttlCache(n),
    set: (c, k, v) => c.set(k, v),
    count: (c) => c.size
  },
  'node-cache': {
    label: 'node-cache (stdTTL 0, checkperiod 0)',
    create: () => nodeCache(),
    set: (c, k, v) => c.set(k, v),
    count: (c) => c.keys().length
  }
}

function fullGc () {
  // Twice: the first may leave work (weak callbacks, finalizers) for a second.
  global.gc()
  global.gc()
}

async function measureCache (name, n) {
  const spec = CACHES[name]
  fullGc()
  const before = process.memoryUsage()
  // Construct inside the measured window: lru-cache, for one, preallocates
  // its index arrays for `max` entries, and that is part of its cost.
  const cache = spec.create(n)
  progress(`memory ${name}: inserting ${fmt.int(n)} entries`)
  const t0 = performance.now()
  for (let i = 0; i < n; i++) spec.set(cache, fx.key(i), fx.stringValue(i))
  const fillMs = performance.now() - t0
  fullGc()
  const after = process.memoryUsage()
  const entries = await spec.count(cache)
  if (entries !== n) throw new Error(`${name} holds ${entries} entries, expected ${n}`)

  const gcMs = []
  for (let r = 0; r < GC_RUNS; r++) {
    const g0 = performance.now()
    global.gc()
    gcMs.push(performance.now() - g0)
  }
  return {
    name,
    label: spec.label,
    entries,
    fillMs,
    rss: after.rss - before.rss,
    heap: after.heapUsed - before.heapUsed,
    gcMs,
    gcMedianMs: median(gcMs),
    accounted: spec.accounted !== undefined ? spec.accounted(cache) : null,
    // Keeps the cache reachable until the GC timings are done.
    alive: cache !== null
  }
}

async function run () {
  const results = []
  for (const name of Object.keys(CACHES)) results.push(await runChild(__filename, [name, ENTRIES]))
  const lru = results.find((r) => r.name === 'lru-cache')
  const rows = results.map((r) => [
    r.label,
    fmt.int(r.entries),
    fmt.bytes(r.rss),
    fmt.int(r.rss / r.entries),
    fmt.int(r.heap / r.entries),
    r.accounted !== null ? fmt.int(r.accounted / r.entries) : '—',
    fmt.ratio((r.rss / r.entries) / (lru.rss / lru.entries)),
    r.gcMedianMs.toFixed(1),
    fmt.ratio(r.gcMedianMs / lru.gcMedianMs),
    `${(r.fillMs / 1e3).toFixed(1)} s`
  ])
  return [
    `## 3. Memory: ${fmt.int(ENTRIES)} entries of 20-byte strings`,
    '',
    "Keys `'key:000000'`…`'key:999999'`, a distinct 20-byte flat string value each, one process per cache.",
    'RSS and JS-heap growth are measured after a full GC, from before the cache was constructed.',
    `Full GC = \`global.gc()\` with the cache alive, median of ${GC_RUNS}. Ratios are ÷ lru-cache: below 1× is smaller / faster.`,
    '"bytes/entry the cache counts" is tiercache\'s own `stats().bytes` (what maxBytes is enforced against) ÷ entries.',
    '',
    fmt.table(
      ['cache', 'entries', 'RSS growth', 'RSS bytes/entry', 'JS heap bytes/entry', 'bytes/entry the cache counts', 'bytes/entry ÷ lru-cache', 'full GC ms', 'GC ÷ lru-cache', 'fill time'],
      rows,
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']
    ),
    '',
    `Full GC runs (ms): ${results.map((r) => `${r.name} [${r.gcMs.map((ms) => ms.toFixed(1)).join(', ')}]`).join('; ')}.`,
    ''
  ].join('\n')
}

module.exports = { name: 'memory', title: 'memory per entry and full-GC time', run }

if (isChild()) childMain(([name, n]) => measureCache(name, Number(n)))
else if (require.main === module) run().then((md) => console.log(md))
