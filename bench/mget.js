'use strict'
// Scenario "mget": reading 100 keys at once. tiercache has a native MGET
// (one call into the addon for all keys, answered by a promise); the
// in-heap caches have no such need and simply loop over `get`. The
// synchronous tiercache loop over `cache.local.get` is shown too: it is what
// a caller wanting MGET's result without a promise would write.

const { runChild, isChild, childMain, progress } = require('./lib/child')
const { compare, report, sink } = require('./lib/measure')
const fx = require('./lib/fixtures')
const { tiercache, lruCache, ttlCache, nodeCache } = require('./lib/caches')
const fmt = require('./lib/table')

const { GROUPS } = fx
const KEYS_PER_CALL = 100
// Distinct random batches, cycled: enough that a 100,000-key set is read all over.
const BATCHES = 4096

function fill (ctx, set, get) {
  for (let k = 0; k < ctx.keys.length; k++) set(ctx.keys[k], ctx.values[k])
  // Read every key once so a front as large as the key set starts full: the
  // rounds are too short to fill 100,000 front entries by themselves.
  if (get !== undefined) for (let k = 0; k < ctx.keys.length; k++) get(ctx.keys[k])
}

async function measureGroup (kind, size) {
  const objects = kind === 'object'
  const label = `mget ${kind} × ${size}`
  progress(`${label}: building caches`)
  const keys = fx.makeKeys(size)
  const values = objects ? fx.makeUsers(size) : fx.makeStringValues(size)
  const ctx = { keys, values }
  const order = fx.randomOrder(size, BATCHES * KEYS_PER_CALL)
  const batches = Array.from({ length: BATCHES }, (_, b) =>
    Array.from(order.subarray(b * KEYS_PER_CALL, (b + 1) * KEYS_PER_CALL), (i) => keys[i]))
  let cursor = 0
  const next = () => batches[(cursor = (cursor + 1) & (BATCHES - 1))]

  const tc = tiercache()
  fill(ctx, (k, v) => tc.local.set(k, v), (k) => tc.local.get(k))
  const tcFront = objects ? tiercache({ frontObjects: true, frontSize: size }) : null
  if (tcFront) fill(ctx, (k, v) => tcFront.local.set(k, v), (k) => tcFront.local.get(k))
  const lru = lruCache(size)
  fill(ctx, (k, v) => lru.set(k, v))
  const lruJson = objects ? lruCache(size) : null
  if (lruJson) fill(ctx, (k, v) => lruJson.set(k, JSON.stringify(v)))
  const ttl = ttlCache(size)
  fill(ctx, (k, v) => ttl.set(k, v))
  const nc = nodeCache()
  fill(ctx, (k, v) => nc.set(k, v))

  const rows = [
    {
      family: 'tiercache',
      name: '**tiercache** `await cache.mget(keys)` · defaults',
      returns: objects ? 'new objects (JSON.parse)' : 'strings',
      fn: async () => sink(await tc.mget(next()))
    },
    {
      family: 'tiercache',
      name: '**tiercache** loop of `cache.local.get(k)` · defaults',
      returns: objects ? 'new objects (JSON.parse)' : 'strings',
      fn: () => {
        const batch = next()
        const out = new Array(batch.length)
        for (let i = 0; i < batch.length; i++) out[i] = tc.local.get(batch[i])
        sink(out)
      }
    },
    ...(tcFront
      ? [{
          family: 'tiercache',
          name: `**tiercache** loop of \`cache.local.get(k)\` · { frontObjects: true, frontSize: ${size} }`,
          returns: 'same objects (kept in the front)',
          fn: () => {
            const batch = next()
            const out = new Array(batch.length)
            for (let i = 0; i < batch.length; i++) out[i] = tcFront.local.get(batch[i])
            sink(out)
          }
        }]
      : []),
    {
      family: 'peer',
      peer: 'lru',
      name: 'lru-cache, loop of get' + (objects ? ' · object references' : ''),
      returns: objects ? 'same objects (references)' : 'strings',
      fn: () => {
        const batch = next()
        const out = new Array(batch.length)
        for (let i = 0; i < batch.length; i++) out[i] = lru.get(batch[i])
        sink(out)
      }
    },
    ...(lruJson
      ? [{
          family: 'peer',
          peer: 'lruJson',
          name: 'lru-cache, loop of get + JSON.parse · JSON text',
          returns: 'new objects (JSON.parse)',
          fn: () => {
            const batch = next()
            const out = new Array(batch.length)
            for (let i = 0; i < batch.length; i++) out[i] = JSON.parse(lruJson.get(batch[i]))
            sink(out)
          }
        }]
      : []),
    {
      family: 'peer',
      peer: 'ttl',
      name: '@isaacs/ttlcache, loop of get',
      returns: objects ? 'same objects (references)' : 'strings',
      fn: () => {
        const batch = next()
        const out = new Array(batch.length)
        for (let i = 0; i < batch.length; i++) out[i] = ttl.get(batch[i])
        sink(out)
      }
    },
    {
      family: 'peer',
      peer: 'node',
      name: 'node-cache, loop of get · useClones: true',
      returns: objects ? 'new objects (deep clones)' : 'strings',
      fn: () => {
        const batch = next()
        const out = new Array(batch.length)
        for (let i = 0; i < batch.length; i++) out[i] = nc.get(batch[i])
        sink(out)
      }
    }
  ]
  rows.forEach((r, n) => { r.id = String(n) })
  const results = await compare(label, rows)
  return { kind, size, rows: report(rows, results) }
}

const PEER_COLUMNS = [
  ['lru', 'lru-cache'],
  ['lruJson', 'lru-cache + JSON'],
  ['ttl', '@isaacs/ttlcache'],
  ['node', 'node-cache']
]

function section (g) {
  const what = g.kind === 'string' ? '20-byte string values' : '~1 KB objects'
  const detail = fmt.table(
    ['contestant', 'returns', 'calls/s (100 keys each)', 'µs per call', 'ns per key', 'spread'],
    g.rows.map((r) => [r.name, r.returns, fmt.ops(r.opsPerSec), (r.nsPerOp / 1e3).toFixed(1), fmt.ns(r.nsPerOp / KEYS_PER_CALL), fmt.percent(r.spread, 0)]),
    ['l', 'l', 'r', 'r', 'r', 'r']
  )
  const peers = PEER_COLUMNS.filter(([id]) => g.rows.some((r) => r.peer === id))
  const byPeer = new Map(g.rows.filter((r) => r.family === 'peer').map((r) => [r.peer, r]))
  const ratios = fmt.table(
    ['tiercache ÷ peer (calls/s)', ...peers.map(([, name]) => name)],
    g.rows.filter((r) => r.family === 'tiercache').map((r) => [
      r.name.replace('**tiercache** ', ''),
      ...peers.map(([id]) => fmt.ratio(r.opsPerSec / byPeer.get(id).opsPerSec))
    ]),
    ['l', ...peers.map(() => 'r')]
  )
  return `### mget of ${KEYS_PER_CALL} random keys · ${what} · ${fmt.int(g.size)} keys\n\n${detail}\n\n${ratios}\n`
}

async function run () {
  const groups = []
  for (const { kind, size } of GROUPS) groups.push(await runChild(__filename, [kind, size]))
  return [
    `## 2. mget: ${KEYS_PER_CALL} keys per call`,
    '',
    `Each call reads ${KEYS_PER_CALL} keys drawn at random from the key set (all hits); the peers loop over get.`,
    '',
    ...groups.map(section)
  ].join('\n')
}

module.exports = { name: 'mget', title: 'mget of 100 keys', run }

if (isChild()) childMain(([kind, size]) => measureGroup(kind, Number(size)))
else if (require.main === module) run().then((md) => console.log(md))
