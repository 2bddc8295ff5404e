'use strict'
// Scenario "hotpath": get hits and sets, one operation at a time, tiercache's
// L1 against the in-heap caches. Each (value kind × key-set size) group runs
// in its own process; within a group the contestants take turns (see
// lib/measure.js) so their ratios hold on a noisy machine.
//
// tiercache's promise API costs a promise and a microtask per call that the
// synchronous peers do not pay, so the headline row is the synchronous
// `cache.local` view; the promise path is shown too, awaited 100 at a time
// (as a request handler doing Promise.all would), to show what it adds.

const { runChild, isChild, childMain, progress } = require('./lib/child')
const { compare, report, sink } = require('./lib/measure')
const fx = require('./lib/fixtures')
const { tiercache, lruCache, ttlCache, nodeCache } = require('./lib/caches')
const fmt = require('./lib/table')

const { GROUPS } = fx
const BATCH = 100
// Longer than the largest key set, so a run does not replay a short cycle.
const ORDER_LENGTH = 1 << 20
const MASK = ORDER_LENGTH - 1
const DEFAULT_FRONT = 1024

// ---- contestants (child side) ------------------------------------------------
// Every measured function below is its own function literal, so each gets its
// own JIT feedback rather than one call site shared (and made polymorphic) by
// all caches.

function tiercacheRows (ctx, options, variant, { get = true, set = false, promise = true }) {
  const { keys, values, order, objects } = ctx
  const c = tiercache(options)
  for (let k = 0; k < keys.length; k++) c.local.set(keys[k], values[k])
  // Read every key once so a front as large as the key set starts full: the
  // rounds are too short to fill 100,000 front entries by themselves.
  for (let k = 0; k < keys.length; k++) c.local.get(keys[k])
  const pending = new Array(BATCH)
  let i = 0
  let j = 0
  let s = 0
  let t = 0
  const rows = []
  const base = { family: 'tiercache', variant }
  if (get) {
    rows.push({
      ...base,
      op: 'get',
      api: '`cache.local.get(k)`',
      returns: !objects ? 'string' : options.frontObjects ? 'same object each get (decoded once, kept in the front)' : 'new object each get (JSON.parse)',
      fn: () => sink(c.local.get(keys[order[i++ & MASK]]))
    })
    if (promise) {
      rows.push({
        ...base,
        op: 'get',
        api: '`await Promise.all(100 × cache.get(k))`',
        returns: !objects ? 'string' : options.frontObjects ? 'same object each get' : 'new object each get (JSON.parse)',
        opsPerCall: BATCH,
        fn: async () => {
          for (let b = 0; b < BATCH; b++) pending[b] = c.get(keys[order[j++ & MASK]])
          sink(await Promise.all(pending))
        }
      })
    }
  }
  if (set) {
    rows.push({
      ...base,
      op: 'set',
      api: '`cache.local.set(k, v)`',
      returns: objects ? 'JSON text copied to native memory' : 'bytes copied to native memory',
      // A random other value each time: overwriting a key with the value it
      // already holds is a shortcut some caches take.
      fn: () => sink(c.local.set(keys[order[s & MASK]], values[order[(s++ + 7) & MASK]]))
    })
    if (promise) {
      rows.push({
        ...base,
        op: 'set',
        api: '`await Promise.all(100 × cache.set(k, v))`',
        returns: objects ? 'JSON text copied to native memory' : 'bytes copied to native memory',
        opsPerCall: BATCH,
        fn: async () => {
          for (let b = 0; b < BATCH; b++) pending[b] = c.set(keys[order[t & MASK]], values[order[(t++ + 7) & MASK]])
          sink(await Promise.all(pending))
        }
      })
    }
  }
  return rows
}

function lruRows (ctx) {
  const { keys, values, order, objects } = ctx
  const c = lruCache(keys.length)
  for (let k = 0; k < keys.length; k++) c.set(keys[k], values[k])
  let i = 0
  let s = 0
  const base = { family: 'peer', peer: 'lru', name: 'lru-cache', variant: objects ? 'stores the object reference' : '' }
  return [
    { ...base, op: 'get', returns: objects ? 'same object (reference)' : 'string', fn: () => sink(c.get(keys[order[i++ & MASK]])) },
    { ...base, op: 'set', returns: 'reference', fn: () => sink(c.set(keys[order[s & MASK]], values[order[(s++ + 7) & MASK]])) }
  ]
}

/** lru-cache holding JSON text: the same "a fresh copy per get" contract as tiercache's default. */
function lruJsonRows (ctx) {
  const { keys, values, order } = ctx
  const c = lruCache(keys.length)
  for (let k = 0; k < keys.length; k++) c.set(keys[k], JSON.stringify(values[k]))
  let i = 0
  let s = 0
  const base = { family: 'peer', peer: 'lruJson', name: 'lru-cache', variant: 'stores JSON text, JSON.parse on get' }
  return [
    { ...base, op: 'get', returns: 'new object each get (JSON.parse)', fn: () => sink(JSON.parse(c.get(keys[order[i++ & MASK]]))) },
    { ...base, op: 'set', returns: 'JSON text (JSON.stringify)', fn: () => sink(c.set(keys[order[s & MASK]], JSON.stringify(values[order[(s++ + 7) & MASK]]))) }
  ]
}

function ttlRows (ctx) {
  const { keys, values, order, objects } = ctx
  const c = ttlCache(keys.length)
  for (let k = 0; k < keys.length; k++) c.set(keys[k], values[k])
  let i = 0
  let s = 0
  const base = { family: 'peer', peer: 'ttl', name: '@isaacs/ttlcache', variant: 'ttl: Infinity' }
  return [
    { ...base, op: 'get', returns: objects ? 'same object (reference)' : 'string', fn: () => sink(c.get(keys[order[i++ & MASK]])) },
    { ...base, op: 'set', returns: 'reference', fn: () => sink(c.set(keys[order[s & MASK]], values[order[(s++ + 7) & MASK]])) }
  ]
}

function nodeCacheRows (ctx) {
  const { keys, values, order, objects } = ctx
  const c = nodeCache()
  for (let k = 0; k < keys.length; k++) c.set(keys[k], values[k])
  let i = 0
  let s = 0
  const base = { family: 'peer', peer: 'node', name: 'node-cache', variant: 'defaults (useClones: true)' }
  return [
    { ...base, op: 'get', returns: objects ? 'new object each get (deep clone)' : 'string', fn: () => sink(c.get(keys[order[i++ & MASK]])) },
    { ...base, op: 'set', returns: objects ? 'deep clone' : 'reference', fn: () => sink(c.set(keys[order[s & MASK]], values[order[(s++ + 7) & MASK]])) }
  ]
}

async function measureGroup (kind, size) {
  const objects = kind === 'object'
  const label = `hotpath ${kind} × ${size}`
  progress(`${label}: building caches`)
  const keys = fx.makeKeys(size)
  const values = objects ? fx.makeUsers(size) : fx.makeStringValues(size)
  const ctx = { keys, values, objects, order: fx.randomOrder(size, ORDER_LENGTH) }

  const rows = [
    ...tiercacheRows(ctx, {}, `defaults (frontSize ${DEFAULT_FRONT}${objects ? ', frontObjects false' : ''})`, { set: true }),
    // A front as large as the key set: what the front can do at best.
    ...(objects
      ? tiercacheRows(ctx, { frontObjects: true, frontSize: size }, `{ frontObjects: true, frontSize: ${size} }`, {})
      : size > DEFAULT_FRONT
        ? tiercacheRows(ctx, { frontSize: size }, `{ frontSize: ${size} }`, { promise: false })
        : []),
    ...lruRows(ctx),
    ...(objects ? lruJsonRows(ctx) : []),
    ...ttlRows(ctx),
    ...nodeCacheRows(ctx)
  ]
  rows.forEach((r, n) => { r.id = `${r.op}#${n}` })

  const results = new Map()
  // All gets first, then all sets: a set drops the key from tiercache's
  // front, which would otherwise disturb the get rounds that follow.
  for (const op of ['get', 'set']) {
    const these = rows.filter((r) => r.op === op)
    for (const [id, m] of await compare(`${label} ${op}`, these)) results.set(id, m)
  }
  const jsonBytes = objects ? Math.round(values.reduce((n, v) => n + JSON.stringify(v).length, 0) / size) : 20
  return {
    kind,
    size,
    jsonBytes,
    rows: report(rows, results)
  }
}

// ---- report (parent side) ------------------------------------------------------

function rowName (r) {
  if (r.family === 'tiercache') return `**tiercache** ${r.api} · ${r.variant}`
  return r.variant ? `${r.name} · ${r.variant}` : r.name
}

function groupTitle (g, op) {
  const what = g.kind === 'string' ? '20-byte string values' : `~1 KB objects (user records, ${g.jsonBytes} B of JSON on average)`
  return `${op === 'get' ? 'get (hit)' : 'set (overwrite of an existing key)'} · ${what} · ${fmt.int(g.size)} keys`
}

const PEER_COLUMNS = [
  ['lru', 'lru-cache'],
  ['lruJson', 'lru-cache + JSON'],
  ['ttl', '@isaacs/ttlcache'],
  ['node', 'node-cache']
]

function groupSection (g, op) {
  const rows = g.rows.filter((r) => r.op === op)
  const detail = fmt.table(
    ['contestant', 'returns / stores', 'ops/s', 'ns/op', 'spread'],
    rows.map((r) => [rowName(r), r.returns, fmt.ops(r.opsPerSec), fmt.ns(r.nsPerOp), fmt.percent(r.spread, 0)]),
    ['l', 'l', 'r', 'r', 'r']
  )
  const peers = PEER_COLUMNS.filter(([id]) => rows.some((r) => r.peer === id))
  const byPeer = new Map(rows.filter((r) => r.family === 'peer').map((r) => [r.peer, r]))
  const ratios = fmt.table(
    ['tiercache ÷ peer (ops/s)', ...peers.map(([, name]) => name)],
    rows.filter((r) => r.family === 'tiercache').map((r) => [
      `${r.api} · ${r.variant}`,
      ...peers.map(([id]) => fmt.ratio(r.opsPerSec / byPeer.get(id).opsPerSec))
    ]),
    ['l', ...peers.map(() => 'r')]
  )
  return `### ${groupTitle(g, op)}\n\n${detail}\n\n${ratios}\n`
}

function summary (groups) {
  const rows = []
  for (const g of groups) {
    for (const op of ['get', 'set']) {
      const these = g.rows.filter((r) => r.op === op)
      const lru = these.find((r) => r.peer === 'lru')
      const lruJson = these.find((r) => r.peer === 'lruJson')
      for (const tc of these.filter((r) => r.family === 'tiercache' && r.api.includes('local'))) {
        rows.push([
          `${op} · ${g.kind === 'string' ? '20 B string' : '1 KB object'} · ${fmt.int(g.size)} keys`,
          tc.variant,
          fmt.ops(tc.opsPerSec),
          fmt.ops(lru.opsPerSec),
          fmt.ratio(tc.opsPerSec / lru.opsPerSec),
          lruJson ? fmt.ratio(tc.opsPerSec / lruJson.opsPerSec) : '—'
        ])
      }
    }
  }
  return fmt.table(
    ['scenario', 'tiercache `local` options', 'tiercache ops/s', 'lru-cache ops/s', 'tiercache ÷ lru-cache', 'tiercache ÷ lru-cache + JSON'],
    rows,
    ['l', 'l', 'r', 'r', 'r', 'r']
  )
}

async function run () {
  const groups = []
  for (const { kind, size } of GROUPS) groups.push(await runChild(__filename, [kind, size]))
  const sections = groups.flatMap((g) => [groupSection(g, 'get'), groupSection(g, 'set')])
  return [
    '## 1. Hot path: get hit and set',
    '',
    'One operation per call, keys read in uniformly random order from the key set, every get a hit.',
    '"spread" is (slowest − fastest round) ÷ median over the rounds: a noise gauge.',
    'Ratios are tiercache ops/s ÷ peer ops/s: above 1× tiercache is faster.',
    '',
    '### Summary: tiercache `cache.local` vs lru-cache',
    '',
    summary(groups),
    '',
    ...sections
  ].join('\n')
}

module.exports = { name: 'hotpath', title: 'get hit / set', run }

if (isChild()) childMain(([kind, size]) => measureGroup(kind, Number(size)))
else if (require.main === module) run().then((md) => console.log(md))
