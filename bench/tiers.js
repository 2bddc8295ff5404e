'use strict'
// Scenario "tiers": the read-hit path of a two-level cache when the value is
// in the memory tier. Each library is configured with a memory L1 and a Redis
// L2 on the same private redis-server; 1,000 hot keys are written through the
// library (so both tiers hold them) and read once (so L1 holds them), then
// read at random:
//
// - tiercache `new TierCache({ redis: url })`: `cache.get(k)` with the
//   defaults (a 1,024-entry front answers without calling the addon) and with
//   `{ frontSize: 0 }` (every get is a native L1 hit); its getOrSet row is
//   `cache.getOrSet(k, load)` over the same keys (written with `set`; the
//   'patterns' scenario measures entries written by getOrSet itself).
// - bentocache: `bentostore().useL1Layer(memoryDriver({ maxItems }))
//   .useL2Layer(redisDriver({ connection: { host, port } }))`, defaults
//   otherwise (its memory driver keeps JSON text and parses it on every get).
// - cacheable: `new Cacheable({ primary: createKeyv(), secondary: new
//   KeyvRedis(url) })` — the primary is cacheable's default in-memory store
//   (@cacheable/memory, keeps references), the secondary @keyv/redis.
//
// All of them answer with a promise, awaited one at a time. "Redis commands
// per 1,000 gets" is counted on the server outside the timed rounds: 0 is
// what proves a row is a memory-tier hit.

const { runChild, isChild, childMain, progress } = require('./lib/child')
const { compare, report, sink } = require('./lib/measure')
const fx = require('./lib/fixtures')
const fmt = require('./lib/table')
const rd = require('./lib/redis')

const HOT_KEYS = 1_000
const ORDER = 1 << 16
const KIND_IDS = Object.keys(rd.VALUE_KINDS)

const CONTESTANTS = [
  { id: 'tc', family: 'tiercache', op: 'get', name: '**tiercache** `cache.get(k)` · defaults (front hit)', returns: 'the string (kept in the front)' },
  { id: 'tc0', family: 'tiercache', op: 'get', name: '**tiercache** `cache.get(k)` · { frontSize: 0 } (native L1 hit)', returns: 'a new string from L1 bytes' },
  { id: 'tcGos', family: 'tiercache', op: 'getOrSet', name: '**tiercache** `getOrSet(k, load)` · defaults', returns: 'the string' },
  { id: 'bento', family: 'peer', op: 'get', name: 'bentocache `get({ key })`', returns: 'JSON.parse of the L1 entry' },
  { id: 'bentoGos', family: 'peer', op: 'getOrSet', name: 'bentocache `getOrSet({ key, factory })`', returns: 'JSON.parse of the L1 entry' },
  { id: 'cacheable', family: 'peer', op: 'get', name: 'cacheable `get(key)`', returns: 'the stored reference' },
  { id: 'cacheableGos', family: 'peer', op: 'getOrSet', name: 'cacheable `getOrSet(key, fn)`', returns: 'the stored reference' }
]

/** Which instance (and so which keys) each contestant reads. */
const INSTANCE_OF = { tc: 'tc', tcGos: 'tc', tc0: 'tc0', bento: 'bento', bentoGos: 'bento', cacheable: 'cacheable', cacheableGos: 'cacheable' }

/** 'bc:20B:key:000123': one prefix per library instance, all the same length. */
function keysFor (prefix, kindId) {
  return Array.from({ length: HOT_KEYS }, (_, i) => `${prefix}:${kindId}:${fx.key(i)}`)
}

function describe (v) {
  if (typeof v === 'string') return v.length > 24 ? `a ${v.length}-char string` : JSON.stringify(v)
  return v === null ? 'null' : typeof v
}

// ---- child: one process per value kind ---------------------------------------

async function measureGroup (kindId, url) {
  const { port, hostname } = new URL(url)
  const make = rd.VALUE_KINDS[kindId].value
  const values = Array.from({ length: HOT_KEYS }, (_, i) => make(i))
  const order = fx.randomOrder(HOT_KEYS, ORDER, 11)
  const prefixes = { tc: 'tc', tc0: 't0', bento: 'bc', cacheable: 'ca' }
  const keys = Object.fromEntries(Object.entries(prefixes).map(([inst, p]) => [inst, keysFor(p, kindId)]))
  const valueOf = new Map()
  for (const list of Object.values(keys)) list.forEach((k, i) => valueOf.set(k, values[i]))
  // The "database" behind every getOrSet: counts its calls (0 on a hit path).
  let loads = 0
  const load = async (k) => {
    loads++
    return valueOf.get(k)
  }
  const cursors = { tc: 0, tc0: 0, bento: 0, cacheable: 0 }
  const next = {
    tc: () => keys.tc[order[(cursors.tc = (cursors.tc + 1) & (ORDER - 1))]],
    tc0: () => keys.tc0[order[(cursors.tc0 = (cursors.tc0 + 1) & (ORDER - 1))]],
    bento: () => keys.bento[order[(cursors.bento = (cursors.bento + 1) & (ORDER - 1))]],
    cacheable: () => keys.cacheable[order[(cursors.cacheable = (cursors.cacheable + 1) & (ORDER - 1))]]
  }

  const closers = []
  const unavailable = new Map() // contestant id → reason
  const stored = {} // instance → keys it wrote to Redis
  try {
    const counter = await rd.commandCounter(url)
    closers.push(() => counter.close())

    // ---- construct and fill each library -------------------------------------
    progress(`tiers ${kindId}: filling ${fmt.int(HOT_KEYS)} keys per library`)
    const instances = {}
    const fill = async (inst, set, get) => {
      const before = await counter.dbsize()
      for (let i = 0; i < HOT_KEYS; i++) await set(keys[inst][i], values[i])
      stored[inst] = (await counter.dbsize()) - before
      // Read each key once: afterwards it is in the memory tier.
      for (let i = 0; i < HOT_KEYS; i++) {
        const v = await get(keys[inst][i])
        if (v !== values[i]) throw new Error(`read back ${describe(v)} for ${keys[inst][i]}, expected ${describe(values[i])}`)
      }
    }

    for (const [inst, options] of [['tc', { redis: url }], ['tc0', { redis: url, frontSize: 0 }]]) {
      const opened = await rd.openTiercache(options)
      if (opened.error !== undefined) {
        for (const c of CONTESTANTS) if (INSTANCE_OF[c.id] === inst) unavailable.set(c.id, opened.error)
        continue
      }
      const cache = opened.cache
      closers.push(() => cache.quit())
      try {
        await fill(inst, (k, v) => cache.set(k, v), (k) => cache.get(k))
        instances[inst] = cache
      } catch (err) {
        for (const c of CONTESTANTS) if (INSTANCE_OF[c.id] === inst) unavailable.set(c.id, rd.reason(err))
      }
    }

    const { BentoCache, bentostore } = await import('bentocache')
    const { memoryDriver } = await import('bentocache/drivers/memory')
    const { redisDriver } = await import('bentocache/drivers/redis')
    const bento = new BentoCache({
      default: 'cache',
      stores: {
        cache: bentostore()
          .useL1Layer(memoryDriver({ maxItems: HOT_KEYS }))
          .useL2Layer(redisDriver({ connection: { host: hostname, port: Number(port) } }))
      }
    })
    closers.push(() => bento.disconnectAll())
    try {
      await fill('bento', (key, value) => bento.set({ key, value }), (key) => bento.get({ key }))
      instances.bento = bento
    } catch (err) {
      unavailable.set('bento', rd.reason(err))
      unavailable.set('bentoGos', rd.reason(err))
    }

    const { Cacheable, createKeyv } = require('cacheable')
    const KeyvRedis = require('@keyv/redis').default
    const cacheable = new Cacheable({ primary: createKeyv(), secondary: new KeyvRedis(url) })
    let cacheableError = null
    cacheable.on('error', (err) => { cacheableError ??= err })
    closers.push(() => cacheable.disconnect())
    try {
      await fill('cacheable', (k, v) => cacheable.set(k, v), (k) => cacheable.get(k))
      if (cacheableError !== null) throw cacheableError
      instances.cacheable = cacheable
    } catch (err) {
      unavailable.set('cacheable', rd.reason(err))
      unavailable.set('cacheableGos', rd.reason(err))
    }

    // ---- the measured functions, one literal each ----------------------------
    const tc = instances.tc
    const tc0 = instances.tc0
    const fns = {
      tc: async () => sink(await tc.get(next.tc())),
      tc0: async () => sink(await tc0.get(next.tc0())),
      tcGos: async () => {
        const k = next.tc()
        sink(await tc.getOrSet(k, () => load(k)))
      },
      bento: async () => sink(await bento.get({ key: next.bento() })),
      bentoGos: async () => {
        const key = next.bento()
        sink(await bento.getOrSet({ key, factory: () => load(key) }))
      },
      cacheable: async () => sink(await cacheable.get(next.cacheable())),
      cacheableGos: async () => {
        const key = next.cacheable()
        sink(await cacheable.getOrSet(key, () => load(key)))
      }
    }
    const live = CONTESTANTS.filter((c) => !unavailable.has(c.id))

    // Redis commands and loads per 1,000 measured calls, outside the rounds.
    const perThousand = {}
    for (const c of live) {
      const before = await counter.count()
      const loadsBefore = loads
      for (let i = 0; i < 1000; i++) await fns[c.id]()
      perThousand[c.id] = { commands: (await counter.count()) - before, loads: loads - loadsBefore }
    }

    const loadsBefore = loads
    const rows = live.map((c) => ({ id: c.id, fn: fns[c.id] }))
    const results = await compare(`tiers ${kindId}`, rows)
    return {
      kindId,
      rows: report(rows, results),
      perThousand,
      stored,
      loadsDuringRounds: loads - loadsBefore,
      unavailable: Object.fromEntries(unavailable),
      cacheableError: cacheableError === null ? null : rd.reason(cacheableError)
    }
  } finally {
    for (const close of closers.reverse()) await rd.closeQuietly(close)
  }
}

// ---- parent: server and tables ---------------------------------------------------

function section (g) {
  const kind = rd.VALUE_KINDS[g.kindId]
  const byId = new Map(g.rows.map((r) => [r.id, r]))
  const detail = fmt.table(
    ['contestant', 'returns', 'gets/s', 'per get', 'Redis commands per 1,000 gets', 'keys it wrote to Redis', 'spread'],
    CONTESTANTS.map((c) => {
      const r = byId.get(c.id)
      const stored = g.stored[INSTANCE_OF[c.id]]
      const cmds = g.perThousand[c.id]
      if (r === undefined) return [c.name, c.returns, 'n/a', 'n/a', '—', stored === undefined ? '—' : fmt.int(stored), '—']
      return [c.name, c.returns, fmt.ops(r.opsPerSec), fmt.ns(r.nsPerOp), cmds === undefined ? '—' : fmt.int(cmds.commands),
        stored === undefined ? '—' : fmt.int(stored), fmt.percent(r.spread, 0)]
    }),
    ['l', 'l', 'r', 'r', 'r', 'r', 'r']
  )
  const ratios = fmt.peerRatios(
    'tiercache ÷ peer (gets/s)',
    CONTESTANTS,
    (c, p) => (byId.has(c.id) && byId.has(p.id) ? byId.get(c.id).opsPerSec / byId.get(p.id).opsPerSec : undefined),
    // Like against like in bold: get with get, getOrSet with getOrSet.
    (c, p) => c.op === p.op
  )
  const notes = rd.unavailableNotes(g.unavailable, CONTESTANTS)
  const loadsOutside = Object.values(g.perThousand).reduce((a, x) => a + x.loads, 0)
  if (g.loadsDuringRounds + loadsOutside > 0) {
    notes.push(`- ⚠ the loader ran ${fmt.int(g.loadsDuringRounds + loadsOutside)} times: some getOrSet rows were not pure hits.`)
  }
  if (g.cacheableError !== null) notes.push(`- cacheable emitted an error: ${g.cacheableError}`)
  return [
    `### Memory-tier hit · ${kind.label} · ${fmt.int(HOT_KEYS)} hot keys`,
    '',
    detail,
    '',
    ratios,
    '',
    ...(notes.length > 0 ? [...notes, ''] : [])
  ].join('\n')
}

const TITLE = '## Tiers: the two-level hit path against bentocache and cacheable'

function run () {
  return rd.onPrivateServer('tiers', TITLE, async (server) => {
    const groups = []
    for (const kindId of KIND_IDS) groups.push(await runChild(__filename, [kindId, server.url]))
    return [
      TITLE,
      '',
      `Each library runs with a memory L1 and a Redis L2 (a private redis-server ${rd.redisServerVersion() ?? ''} on loopback). ` +
        `${fmt.int(HOT_KEYS)} keys are written through the library and read once, then read uniformly at random: every timed ` +
        'get is answered by the memory tier (the "Redis commands" column, counted on the server outside the timed rounds, ' +
        'shows it). Every call returns a promise, awaited one at a time. The getOrSet rows never run their loader (a hit); ' +
        'Bold ratios compare ' +
        'like with like. Defaults otherwise: bentocache\'s memory driver stores JSON text and parses it on each get, ' +
        'cacheable\'s default primary (@cacheable/memory) keeps references, tiercache\'s front keeps the last 1,024 strings read.',
      '',
      ...groups.map(section)
    ].join('\n')
  })
}

module.exports = { name: 'tiers', title: 'two-level hit path', run }

if (isChild()) childMain(([kindId, url]) => measureGroup(kindId, url))
else if (require.main === module) run().then((md) => console.log(md))
