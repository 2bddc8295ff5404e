'use strict'
// Scenario "l2": reading Redis through tiercache's L2 path, against ioredis
// and node-redis on the same private redis-server, in the same process and
// interleaved rounds. Four contestants read the same 10,000 preloaded keys:
//
// - ioredis and node-redis, each as its README shows it (one connection,
//   default options; node-redis v6 speaks RESP3 by default, ioredis RESP2);
// - tiercache's L2 path without L1: `cache.l2.get(k)` / `cache.l2.mget(keys)`
//   on `new TierCache({ redis: url })`;
// - tiercache's full miss path: `cache.get(k)` / `cache.mget(keys)` with an
//   L1 of one entry and no front (`{ redis, maxEntries: 1, frontSize: 0 }`),
//   so every read misses the memory tier, goes to Redis and fills L1. The
//   front is turned off because its default 1,024 entries would otherwise
//   answer some repeated reads in-process (the table's "L1 hits" column
//   shows what L1 still answered).
//
// Three workloads: sequential gets (each awaited before the next), 100
// concurrent gets (Promise.all; gets/s), and MGET of 100 keys. A loopback
// round trip takes tens of µs, under mitata's 65 µs batching threshold, so
// each measured call makes several round trips (SEQ_PER_CALL gets,
// MGETS_PER_CALL mgets) to keep mitata from batching 4,096 calls per sample.
// `redis-benchmark` runs once first: the server's own ceiling on this machine.

const { runChild, isChild, childMain, progress } = require('./lib/child')
const { compare, report, sink, ROUNDS } = require('./lib/measure')
const fx = require('./lib/fixtures')
const fmt = require('./lib/table')
const rd = require('./lib/redis')
const { unavailableNotes } = rd

const KEYS = 10_000
const BATCH = 100
const SEQ_PER_CALL = 16
const MGETS_PER_CALL = 4
const BATCHES = 1024
const ORDER = 1 << 17 // ≥ BATCHES × BATCH
const KIND_IDS = Object.keys(rd.VALUE_KINDS)
// A round trip shares two cores with redis-server: more rounds than the
// in-process scenarios, so that the median survives a neighbour's burst.
const L2_ROUNDS = Math.max(ROUNDS, 5)

const WORKLOADS = [
  { id: 'seq', name: 'sequential get', unit: 'gets/s', opsPerCall: SEQ_PER_CALL },
  { id: 'conc', name: `${BATCH} concurrent gets`, unit: 'gets/s', opsPerCall: BATCH },
  { id: 'mget', name: `mget of ${BATCH} keys`, unit: 'mget calls/s', opsPerCall: MGETS_PER_CALL }
]

const CONTESTANTS = [
  { id: 'ioredis', name: 'ioredis', calls: '`redis.get(k)` · `redis.mget(keys)`' },
  { id: 'node-redis', name: 'node-redis', calls: '`client.get(k)` · `client.mGet(keys)`' },
  { id: 'tc-l2', name: '**tiercache** L2 only', calls: '`cache.l2.get(k)` · `cache.l2.mget(keys)`' },
  { id: 'tc-miss', name: '**tiercache** full miss', calls: '`cache.get(k)` · `cache.mget(keys)` · { maxEntries: 1, frontSize: 0 }' }
]

/** 'l2:20B:key:000123': the same length for both value kinds. */
function keysFor (kindId) {
  return Array.from({ length: KEYS }, (_, i) => `l2:${kindId}:${fx.key(i)}`)
}

function valuesFor (kindId) {
  const make = rd.VALUE_KINDS[kindId].value
  return Array.from({ length: KEYS }, (_, i) => make(i))
}

function describe (v) {
  if (typeof v === 'string') return v.length > 24 ? `a ${v.length}-char string` : JSON.stringify(v)
  if (Buffer.isBuffer(v)) return `a Buffer of ${v.length} bytes`
  return v === null ? 'null' : typeof v
}

// ---- child: one process per value kind ---------------------------------------

async function measureGroup (kindId, url) {
  const keys = keysFor(kindId)
  const values = valuesFor(kindId)
  const order = fx.randomOrder(KEYS, ORDER, 7)
  let cursor = 0
  const nextKey = () => keys[order[(cursor = (cursor + 1) & (ORDER - 1))]]
  const batches = Array.from({ length: BATCHES }, (_, b) =>
    Array.from(order.subarray(b * BATCH, (b + 1) * BATCH), (i) => keys[i]))
  let batchCursor = 0
  const nextBatch = () => batches[(batchCursor = (batchCursor + 1) & (BATCHES - 1))]

  const closers = []
  const unavailable = new Map() // contestant id → reason
  try {
    progress(`l2 ${kindId}: connecting`)
    const Redis = require('ioredis')
    const io = new Redis(url, { lazyConnect: true })
    closers.push(() => io.quit())
    await rd.withTimeout(io.connect(), 10_000, 'ioredis connect')

    const { createClient } = require('redis')
    const nr = createClient({ url })
    nr.on('error', () => {})
    closers.push(() => nr.close())
    await rd.withTimeout(nr.connect(), 10_000, 'node-redis connect')

    const opened = await rd.openTiercache({ redis: url })
    let l2 = null
    if (opened.error !== undefined) unavailable.set('tc-l2', opened.error)
    else {
      closers.push(() => opened.cache.quit())
      if (opened.cache.l2 == null || typeof opened.cache.l2.get !== 'function' || typeof opened.cache.l2.mget !== 'function') {
        unavailable.set('tc-l2', 'this build has no `cache.l2.get` / `cache.l2.mget`')
      } else {
        l2 = opened.cache.l2
      }
    }
    const openedMiss = await rd.openTiercache({ redis: url, maxEntries: 1, frontSize: 0 })
    const tc = openedMiss.error === undefined ? openedMiss.cache : null
    if (tc === null) unavailable.set('tc-miss', openedMiss.error)
    else closers.push(() => tc.quit())

    // Each contestant's measured functions are their own literals (see
    // README "How it measures"), so no call site sees two clients.
    const fns = {
      ioredis: {
        get: (k) => io.get(k),
        mget: (ks) => io.mget(ks),
        seq: async () => { for (let i = 0; i < SEQ_PER_CALL; i++) sink(await io.get(nextKey())) },
        conc: async () => {
          const b = nextBatch()
          const ps = new Array(BATCH)
          for (let i = 0; i < BATCH; i++) ps[i] = io.get(b[i])
          sink(await Promise.all(ps))
        },
        mgetLoop: async () => { for (let i = 0; i < MGETS_PER_CALL; i++) sink(await io.mget(nextBatch())) }
      },
      'node-redis': {
        get: (k) => nr.get(k),
        mget: (ks) => nr.mGet(ks),
        seq: async () => { for (let i = 0; i < SEQ_PER_CALL; i++) sink(await nr.get(nextKey())) },
        conc: async () => {
          const b = nextBatch()
          const ps = new Array(BATCH)
          for (let i = 0; i < BATCH; i++) ps[i] = nr.get(b[i])
          sink(await Promise.all(ps))
        },
        mgetLoop: async () => { for (let i = 0; i < MGETS_PER_CALL; i++) sink(await nr.mGet(nextBatch())) }
      },
      'tc-l2': l2 === null
        ? null
        : {
            get: (k) => l2.get(k),
            mget: (ks) => l2.mget(ks),
            seq: async () => { for (let i = 0; i < SEQ_PER_CALL; i++) sink(await l2.get(nextKey())) },
            conc: async () => {
              const b = nextBatch()
              const ps = new Array(BATCH)
              for (let i = 0; i < BATCH; i++) ps[i] = l2.get(b[i])
              sink(await Promise.all(ps))
            },
            mgetLoop: async () => { for (let i = 0; i < MGETS_PER_CALL; i++) sink(await l2.mget(nextBatch())) }
          },
      'tc-miss': tc === null
        ? null
        : {
            get: (k) => tc.get(k),
            mget: (ks) => tc.mget(ks),
            seq: async () => { for (let i = 0; i < SEQ_PER_CALL; i++) sink(await tc.get(nextKey())) },
            conc: async () => {
              const b = nextBatch()
              const ps = new Array(BATCH)
              for (let i = 0; i < BATCH; i++) ps[i] = tc.get(b[i])
              sink(await Promise.all(ps))
            },
            mgetLoop: async () => { for (let i = 0; i < MGETS_PER_CALL; i++) sink(await tc.mget(nextBatch())) }
          }
    }

    // Every contestant must answer the preloaded values (and null for a
    // missing key) before it is timed.
    const live = []
    for (const c of CONTESTANTS) {
      const f = fns[c.id]
      if (f === null) continue
      try {
        const v = await f.get(keys[1])
        if (v !== values[1]) throw new Error(`get answered ${describe(v)}, expected ${describe(values[1])}`)
        const vs = await f.mget([keys[2], `l2:${kindId}:missing`, keys[3]])
        const want = [values[2], null, values[3]]
        if (!Array.isArray(vs) || vs.length !== 3 || vs.some((x, i) => x !== want[i])) {
          throw new Error(`mget answered [${Array.isArray(vs) ? vs.map(describe).join(', ') : describe(vs)}]`)
        }
        live.push(c)
      } catch (err) {
        unavailable.set(c.id, `wrong reply: ${rd.reason(err)}`)
      }
    }

    // Redis commands per operation, counted on the server (1,000 gets and
    // 100 mgets through each path, outside the timed rounds).
    const counter = await rd.commandCounter(url)
    closers.push(() => counter.close())
    const commands = new Map()
    for (const c of live) {
      const f = fns[c.id]
      const before = await counter.count()
      for (let i = 0; i < 1000; i++) await f.get(nextKey())
      const mid = await counter.count()
      for (let i = 0; i < 100; i++) await f.mget(nextBatch())
      const after = await counter.count()
      commands.set(c.id, { get: (mid - before) / 1000, mget: (after - mid) / 100 })
    }

    const statsBefore = tc !== null && live.some((c) => c.id === 'tc-miss') ? l1Stats(tc) : null
    const workloads = []
    for (const w of WORKLOADS) {
      const rows = live.map((c) => ({
        id: c.id,
        fn: fns[c.id][w.id === 'mget' ? 'mgetLoop' : w.id],
        opsPerCall: w.opsPerCall
      }))
      const results = await compare(`l2 ${kindId} ${w.name}`, rows, { rounds: L2_ROUNDS })
      workloads.push({ id: w.id, rows: report(rows, results) })
    }
    const statsAfter = statsBefore !== null ? l1Stats(tc) : null
    let missL1 = null
    if (statsBefore !== null && statsAfter !== null) {
      // The L1 tier's own counters (the top-level ones count a hit in either tier).
      const hits = statsAfter.l1.hits - statsBefore.l1.hits
      const misses = statsAfter.l1.misses - statsBefore.l1.misses
      missL1 = { hits, misses, entries: statsAfter.entries }
    }
    return {
      kindId,
      workloads,
      commands: Object.fromEntries(commands),
      unavailable: Object.fromEntries(unavailable),
      missL1
    }
  } finally {
    for (const close of closers.reverse()) await rd.closeQuietly(close)
  }
}

/** tiercache's L1 counters, or null when this build has none. */
function l1Stats (cache) {
  try {
    const s = cache.stats()
    return Number.isFinite(s.hits) && Number.isFinite(s.misses) ? s : null
  } catch {
    return null
  }
}

// ---- parent: server, ceiling, tables -------------------------------------------

function section (g) {
  const kind = rd.VALUE_KINDS[g.kindId]
  const rows = []
  for (const w of WORKLOADS) {
    const measured = g.workloads.find((x) => x.id === w.id)
    const byId = new Map(measured.rows.map((r) => [r.id, r]))
    const base = byId.get('ioredis')
    for (const c of CONTESTANTS) {
      const r = byId.get(c.id)
      const cmds = g.commands[c.id]
      const perOp = cmds === undefined ? '—' : (w.id === 'mget' ? cmds.mget : cmds.get).toFixed(2)
      if (r === undefined) {
        rows.push([w.name, c.name, c.calls, 'n/a', 'n/a', '—', '—', 'n/a'])
        continue
      }
      rows.push([
        w.name,
        c.name,
        c.calls,
        `${fmt.ops(r.opsPerSec)} ${w.unit}`,
        fmt.ns(r.nsPerOp),
        perOp,
        fmt.percent(r.spread, 0),
        base === undefined ? '—' : fmt.ratio(r.opsPerSec / base.opsPerSec)
      ])
    }
  }
  const detail = fmt.table(
    ['workload', 'client', 'calls', 'throughput', 'per op', 'Redis commands per op', 'spread', '÷ ioredis'],
    rows,
    ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r']
  )
  const notes = unavailableNotes(g.unavailable, CONTESTANTS)
  if (g.missL1 !== null) {
    const reads = g.missL1.hits + g.missL1.misses
    notes.push(`- tiercache full miss: L1 answered ${fmt.int(g.missL1.hits)} of ${fmt.int(reads)} reads during the rounds (${fmt.percent(reads === 0 ? 0 : g.missL1.hits / reads)}); L1 held ${fmt.int(g.missL1.entries)} ${g.missL1.entries === 1 ? 'entry' : 'entries'} at the end.`)
  }
  return [
    `### L2 reads · ${kind.label} · ${fmt.int(KEYS)} keys in Redis`,
    '',
    detail,
    '',
    ...(notes.length > 0 ? [...notes, ''] : [])
  ].join('\n')
}

function summary (groups) {
  const headers = ['throughput ÷ ioredis']
  const cols = []
  for (const g of groups) {
    for (const w of WORKLOADS) {
      headers.push(`${w.name} · ${rd.VALUE_KINDS[g.kindId].short}`)
      cols.push([g, w])
    }
  }
  const rows = CONTESTANTS.filter((c) => c.id !== 'ioredis').map((c) => [
    c.name,
    ...cols.map(([g, w]) => {
      const rows = g.workloads.find((x) => x.id === w.id).rows
      const r = rows.find((x) => x.id === c.id)
      const base = rows.find((x) => x.id === 'ioredis')
      return r === undefined || base === undefined ? 'n/a' : fmt.ratio(r.opsPerSec / base.opsPerSec)
    })
  ])
  return fmt.table(headers, rows, ['l', ...cols.map(() => 'r')])
}

function ceilingLine (c) {
  if (c.skipped !== undefined) return `Server ceiling: \`${c.command}\` skipped (${c.skipped}).`
  const p50 = c.p50Ms === null ? '' : `, p50 ${c.p50Ms} ms`
  return `Server ceiling: \`${c.command}\` (50 C clients, 16 pipelined GETs each, of a key that does not exist) → ` +
    `**${fmt.ops(c.rps)} GET/s**${p50}: the server's own capacity on this machine. A row far below it is bound by its client, not by Redis.`
}

const TITLE = '## L2: tiercache\'s Redis path against ioredis and node-redis'

function run () {
  return rd.onPrivateServer('l2', TITLE, async (server) => {
    progress(`l2: preloading ${fmt.int(KEYS)} keys × ${KIND_IDS.length} value kinds`)
    for (const kindId of KIND_IDS) await rd.preload(server.url, keysFor(kindId), valuesFor(kindId))
    progress('l2: redis-benchmark (the server\'s ceiling)')
    const ceiling = await rd.serverCeiling(server.port)
    const groups = []
    for (const kindId of KIND_IDS) groups.push(await runChild(__filename, [kindId, server.url]))
    return [
      TITLE,
      '',
      `A private redis-server ${rd.redisServerVersion() ?? ''} on loopback holds ${fmt.int(KEYS)} keys per value kind (plain strings, written by ioredis ` +
        'MSET). Keys are read uniformly at random, all hits. Sequential: each get awaited before the next; concurrent: ' +
        `\`Promise.all\` of ${BATCH} gets, counted as ${BATCH} gets; mget: one call for ${BATCH} keys, counted as one call. ` +
        'One connection per client, default options (node-redis v6 speaks RESP3, ioredis RESP2). "Redis commands per op" is ' +
        `counted on the server (INFO total_commands_processed) outside the timed rounds. ${L2_ROUNDS} interleaved rounds ` +
        '(at least 5 here: the server shares the two cores), median reported. Read the ratios.',
      '',
      ceilingLine(ceiling),
      '',
      '### Every client ÷ ioredis',
      '',
      summary(groups),
      '',
      ...groups.map(section)
    ].join('\n')
  })
}

module.exports = { name: 'l2', title: 'L2 path against ioredis and node-redis', run }

if (isChild()) childMain(([kindId, url]) => measureGroup(kindId, url))
else if (require.main === module) run().then((md) => console.log(md))
