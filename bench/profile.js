'use strict'
// Scenario "profile": where the time of one tiercache get (and set) goes.
// Each row adds one layer to the one before it, so the differences between
// rows are the cost of each layer: the JS loop itself, a Map lookup, the
// front, the bare N-API call, the key conversion and store lookup, building
// the reply, the facade around it. It reaches into tiercache's internals
// (the native binding, the handle, the front) on purpose: that is the only
// way to time the layers one by one.

const { runChild, isChild, childMain, progress } = require('./lib/child')
const { compare, report, sink, ROUNDS: BASE_ROUNDS } = require('./lib/measure')
const fx = require('./lib/fixtures')
const { tiercache, lruCache } = require('./lib/caches')
const native = require('../binding.js')
const codecs = require('../lib/codec.js')
const fmt = require('./lib/table')

const SIZES = [1_000, 100_000]
const ORDER_LENGTH = 1 << 20
const MASK = ORDER_LENGTH - 1
const BATCH = 100
// A front smaller than the key set but larger than the default: shows how
// the cost of a front miss grows with frontSize.
const BIG_FRONT = 16_384
// The layers are differences between rows, so they need steadier medians
// than the other scenarios' ratios do.
const ROUNDS = Math.max(5, BASE_ROUNDS)

async function measureSize (size) {
  progress(`profile ${size} keys: building caches`)
  const keys = fx.makeKeys(size)
  const values = fx.makeStringValues(size)
  const users = fx.makeUsers(Math.min(size, 1_000))
  const userJson = users.map((u) => JSON.stringify(u))
  const order = fx.randomOrder(size, ORDER_LENGTH)
  const userOrder = fx.randomOrder(users.length, ORDER_LENGTH, 7)

  const map = new Map()
  const lru = lruCache(size)
  const withFront = tiercache({ frontSize: size })
  const defaultFront = tiercache()
  const noFront = tiercache({ frontSize: 0 })
  const bigFront = size > BIG_FRONT ? tiercache({ frontSize: BIG_FRONT }) : null
  const objects = tiercache({ frontSize: 0 })
  for (let k = 0; k < size; k++) {
    map.set(keys[k], values[k])
    lru.set(keys[k], values[k])
    withFront.local.set(keys[k], values[k])
    defaultFront.local.set(keys[k], values[k])
    noFront.local.set(keys[k], values[k])
    if (bigFront !== null) bigFront.local.set(keys[k], values[k])
  }
  for (let k = 0; k < users.length; k++) objects.local.set(keys[k], users[k])
  for (let k = 0; k < size; k++) withFront.local.get(keys[k])
  const h = noFront._h
  const front = withFront._front
  const hObjects = objects._h
  const missKey = 'key:absent'

  let i0 = 0; let i1 = 0; let i2 = 0; let i3 = 0; let i4 = 0; let i5 = 0
  let i8 = 0; let i9 = 0; let i10 = 0; let i11 = 0; let i12 = 0; let i13 = 0; let i14 = 0; let i15 = 0; let i16 = 0; let i17 = 0
  const pending = new Array(BATCH)
  const rows = [
    { group: 'get', what: 'empty loop (index + key fetch)', fn: () => sink(keys[order[i0++ & MASK]]) },
    { group: 'get', what: '`Map.get(k)`', fn: () => sink(map.get(keys[order[i1++ & MASK]])) },
    { group: 'get', what: 'lru-cache `get(k)`', fn: () => sink(lru.get(keys[order[i2++ & MASK]])) },
    { group: 'get', what: 'tiercache front alone: `cache._front.get(k)` (Map + epoch check)', fn: () => sink(front.get(keys[order[i3++ & MASK]])) },
    { group: 'get', what: `tiercache \`cache.local.get(k)\`, front hit (frontSize ${size})`, fn: () => sink(withFront.local.get(keys[order[i4++ & MASK]])) },
    { group: 'get', what: `tiercache \`await Promise.all(100 × cache.get(k))\`, front hit (frontSize ${size})`, opsPerCall: BATCH, fn: async () => { for (let b = 0; b < BATCH; b++) pending[b] = withFront.get(keys[order[i5++ & MASK]]); sink(await Promise.all(pending)) } },
    { group: 'get', what: 'N-API call floor: `binding.addHits(handle, 0)` (no string, no lookup)', fn: () => sink(native.addHits(h, 0)) },
    { group: 'get', what: '`binding.get(handle, missingKey)`: call + key to UTF-8 + store lookup (miss)', fn: () => sink(native.get(h, missKey)) },
    { group: 'get', what: '`binding.pttl(handle, k)`: call + key to UTF-8 + store lookup (hit), number reply', fn: () => sink(native.pttl(h, keys[order[i8++ & MASK]])) },
    { group: 'get', what: '`binding.get(handle, k)`: + string reply, hit counter, last TTL', fn: () => sink(native.get(h, keys[order[i9++ & MASK]])) },
    { group: 'get', what: 'tiercache `cache.local.get(k)`, frontSize 0 (facade + native)', fn: () => sink(noFront.local.get(keys[order[i10++ & MASK]])) },
    { group: 'get', what: 'tiercache `cache.local.get(k)`, default front (1024)' + (size > 1024 ? ': mostly front misses + front refills' : ''), fn: () => sink(defaultFront.local.get(keys[order[i11++ & MASK]])) },
    ...(size > BIG_FRONT
      ? [{ group: 'get', what: `tiercache \`cache.local.get(k)\`, frontSize ${BIG_FRONT}: front misses, each refill evicts the oldest entry`, fn: () => sink(bigFront.local.get(keys[order[i17++ & MASK]])) }]
      : []),
    { group: 'object', what: '`JSON.parse` of the same ~1 KB JSON text', fn: () => sink(JSON.parse(userJson[userOrder[i12++ & MASK]])) },
    { group: 'object', what: '`binding.get(handle, k)` of a ~1 KB JSON entry: [kind, text] reply, no decode', fn: () => sink(native.get(hObjects, keys[userOrder[i13++ & MASK]])) },
    { group: 'object', what: 'tiercache `cache.local.get(k)` of a ~1 KB object, frontSize 0 (native + decode)', fn: () => sink(objects.local.get(keys[userOrder[i14++ & MASK]])) },
    { group: 'set', what: '`JSON.stringify(user)`', fn: () => sink(JSON.stringify(users[userOrder[i15++ & MASK]])) },
    { group: 'set', what: 'tiercache json codec encode (`JSON.stringify` with the strict replacer)', fn: () => sink(codecs.json.encode(users[userOrder[i16++ & MASK]])) }
  ]
  let s0 = 0; let s1 = 0; let s2 = 0
  rows.push(
    { group: 'set', what: 'lru-cache `set(k, v)` (20-byte string, existing key)', fn: () => sink(lru.set(keys[order[s0 & MASK]], values[order[(s0++ + 7) & MASK]])) },
    { group: 'set', what: '`binding.set(handle, k, v, …)` (20-byte string, existing key)', fn: () => sink(native.set(h, keys[order[s1 & MASK]], values[order[(s1++ + 7) & MASK]], native.ValueKind.Raw, native.SetTtl.Default, 0, native.WriteIf.Always, false)) },
    { group: 'set', what: 'tiercache `cache.local.set(k, v)`, frontSize 0 (facade + native)', fn: () => sink(noFront.local.set(keys[order[s2 & MASK]], values[order[(s2++ + 7) & MASK]])) }
  )
  rows.forEach((r, n) => { r.id = String(n) })
  const results = new Map()
  // Gets before sets: a set drops the key from the front the get rows read.
  for (const group of ['get', 'object', 'set']) {
    for (const [id, m] of await compare(`profile ${size} ${group}`, rows.filter((r) => r.group === group), { rounds: ROUNDS })) results.set(id, m)
  }
  return { size, rows: report(rows, results) }
}

/**
 * The layers are taken from each row's best round, not its median: on a
 * shared machine noise only ever adds time, and a difference of two noisy
 * medians can come out negative.
 */
function split (r) {
  const at = (prefix) => Math.min(...r.rows.find((x) => x.what.startsWith(prefix)).rounds)
  const loop = at('empty loop')
  const call = at('N-API call floor')
  const pttl = at('`binding.pttl')
  const get = at('`binding.get(handle, k)`')
  const local = at('tiercache `cache.local.get(k)`, frontSize 0')
  const frontHit = at('tiercache `cache.local.get(k)`, front hit')
  const layers = [
    ['JS loop and key fetch (the benchmark itself)', loop],
    ['crossing into the addon (N-API call, External handle)', call - loop],
    ['key → UTF-8 copy, store lookup (hash, shard, key compare) and read bookkeeping', pttl - call],
    ['reply: JS string from the value bytes, hit counter, last-TTL store', get - pttl],
    ['facade: LocalView.get → _get → front check → decode switch', local - get]
  ]
  return { layers, local, frontHit, loop }
}

function section (r) {
  const detail = fmt.table(
    ['what is timed', 'ns/op (median round)', 'ns/op (best round)', 'spread'],
    r.rows.map((x) => [x.what, fmt.ns(x.nsPerOp), fmt.ns(Math.min(...x.rounds)), fmt.percent(x.spread, 0)]),
    ['l', 'r', 'r', 'r']
  )
  const { layers, local, frontHit, loop } = split(r)
  const layerTable = fmt.table(
    ['layer of a native get (20-byte string, frontSize 0)', 'ns', 'share'],
    [
      ...layers.map(([name, ns]) => [name, fmt.ns(ns), fmt.percent(ns / local, 0)]),
      ['**total `cache.local.get(k)` without a front**', fmt.ns(local), '100%'],
      [`for comparison: a front hit (${fmt.ns(frontHit - loop)} above the empty loop)`, fmt.ns(frontHit), fmt.percent(frontHit / local, 0)]
    ],
    ['l', 'r', 'r']
  )
  return `### ${fmt.int(r.size)} keys (uniformly random reads)\n\n${detail}\n\nDifferences between rows' best rounds (small or negative = within noise):\n\n${layerTable}\n`
}

async function run () {
  const results = []
  for (const size of SIZES) results.push(await runChild(__filename, [size]))
  return [
    '## 5. Where the time goes: one get, layer by layer',
    '',
    'Each row adds a layer to the previous ones; `binding.*` rows call the native addon directly, bypassing index.js.',
    `${ROUNDS} interleaved rounds per row; the layer table subtracts the rows' best rounds (noise only adds time).`,
    '',
    ...results.map(section)
  ].join('\n')
}

module.exports = { name: 'profile', title: 'cost split of the get path', run }

if (isChild()) childMain(([size]) => measureSize(Number(size)))
else if (require.main === module) run().then((md) => console.log(md))
