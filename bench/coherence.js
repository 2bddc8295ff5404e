'use strict'
// Scenario "coherence": how long another process's L1 keeps serving a value
// Redis no longer holds (the STALE WINDOW), measured across processes on one
// private redis-server.
//
// - Process A (a child) writes k = 1, 2, …, N with `await cache.set(k, i)`,
//   one at a time, and records when each write was acknowledged.
// - Process B (another child) reads k in a tight loop (`await cache.get(k)`)
//   and records, for each new value, the first time it observed it.
// Both clocks are `performance.timeOrigin + performance.now()`: wall-clock
// milliseconds with sub-millisecond resolution, comparable across processes.
//
// The stale window of write i = (the time B first saw a value ≥ i) − (the
// time A's write i was acknowledged), clamped at 0: a negative difference
// means B saw the value before A's acknowledgement reached A. B answers from
// L1 until Redis's invalidation of k reaches its connection, so this is the
// invalidation's latency as a reader sees it (plus one L2 round trip for the
// read that refills L1).
//
// Variant "reset": B talks to Redis through a TCP proxy
// (__test__/support/tcp-proxy.js); once A has written half of the values the
// proxy resets every connection (and refuses new ones) for RESET_MS, then
// passes again. B keeps answering from L1 (offlineGrace) until it has
// reconnected, when its L1 is flushed: the stale windows of the writes made
// while it was away must stay bounded by the time it takes to reconnect.
//
// Variants "cluster" and "cluster-failover": the same on a private Redis
// Cluster (three primaries with a replica each, tiercache's Cluster client);
// in the second, the primary that owns k is SIGKILLed once A has written half
// of the values, and A retries each write until it is acknowledged: the
// stale windows of the writes made meanwhile are bounded by the failover
// (replica promoted) plus one reconnection.
//
// B yields to the event loop (setImmediate) once every YIELD_EVERY_MS of
// reading: a loop of L1 hits resolves only microtasks, so without that it
// would never run a timer (reconnection is scheduled by one, as in ioredis)
// nor receive the replies to its own commands until it misses L1. A server
// yields between requests; the yield costs a few µs per millisecond.

const { runChild, isChild, childMain, progress } = require('./lib/child')
const fmt = require('./lib/table')
const rd = require('./lib/redis')

const WRITES = Number(process.env.BENCH_COHERENCE_WRITES) || 10_000
const RESET_MS = 200
// BENCH_COHERENCE_YIELD_MS=0: B never yields (see above).
const YIELD_EVERY_MS = process.env.BENCH_COHERENCE_YIELD_MS === undefined || process.env.BENCH_COHERENCE_YIELD_MS === ''
  ? 1
  : Number(process.env.BENCH_COHERENCE_YIELD_MS)
const KEY = 'k'
const CHILD_DEADLINE_MS = 40_000

const clock = () => performance.timeOrigin + performance.now()
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// ---- children -----------------------------------------------------------------

// A cluster travels to the children as "cluster:" + its startup nodes in JSON.
const CLUSTER_URL = 'cluster:'

async function openCache (url, keyPrefix) {
  const TierCache = require('..')
  const cache = url.startsWith(CLUSTER_URL)
    ? new TierCache.Cluster(JSON.parse(url.slice(CLUSTER_URL.length)), { keyPrefix })
    : new TierCache({ redis: url, keyPrefix })
  const events = []
  for (const name of ['ready', 'close', 'reconnecting', 'end']) cache.on(name, () => events.push({ event: name, at: clock() }))
  let errors = 0
  cache.on('error', () => { errors++ })
  await rd.withTimeout(cache.connect(), 10_000, 'tiercache connect()')
  return { cache, events, errors: () => errors }
}

/** A: waits for B's "ready" flag, then writes 1..n, recording each acknowledgement. */
async function writer (url, keyPrefix, n) {
  const { cache } = await openCache(url, keyPrefix)
  try {
    const waitUntil = Date.now() + CHILD_DEADLINE_MS
    while ((await cache.l2.get('reader-ready')) === null) {
      if (Date.now() > waitUntil) throw new Error('the reader never became ready')
      await sleep(5)
    }
    const acked = new Array(n + 1).fill(null)
    const rtt = new Array(n + 1).fill(null)
    const started = clock()
    let retries = 0
    for (let i = 1; i <= n; i++) {
      const sent = clock()
      // A failover (cluster-failover) fails writes until the replica is promoted.
      for (;;) {
        try {
          await cache.set(KEY, String(i))
          break
        } catch (err) {
          if (clock() - started > CHILD_DEADLINE_MS) throw err
          retries++
          await sleep(5)
        }
      }
      acked[i] = clock()
      rtt[i] = acked[i] - sent
    }
    return { acked, rtt, started, finished: clock(), retries }
  } finally {
    await cache.quit()
  }
}

/** B: reads k until it saw n, recording when it first saw each new value. */
async function reader (url, keyPrefix, n) {
  const { cache, events, errors } = await openCache(url, keyPrefix)
  try {
    // k = 0 was written by the parent: wait until it reads, then say so.
    while ((await cache.get(KEY)) !== '0') await sleep(5)
    const before = cache.stats()
    await cache.set('reader-ready', '1')
    const firstSeen = new Array(n + 1).fill(null)
    let last = 0
    let reads = 0
    let failed = 0
    let regressions = 0
    let slowest = 0
    let slowReads = 0
    const deadline = clock() + CHILD_DEADLINE_MS
    const yieldEvery = YIELD_EVERY_MS > 0 ? YIELD_EVERY_MS : Infinity
    let nextYield = clock() + yieldEvery
    while (last < n) {
      let v
      const started = clock()
      try {
        v = await cache.get(KEY)
      } catch {
        failed++
        if (clock() > deadline) break
        await sleep(1)
        continue
      }
      reads++
      const at = clock()
      if (at - started > slowest) slowest = at - started
      if (at - started > 1) slowReads++
      const value = Number(v)
      if (value > last) {
        for (let j = last + 1; j <= Math.min(value, n); j++) firstSeen[j] = at
        last = value
      } else if (value < last) {
        regressions++
      }
      if (at > deadline) break
      if (at >= nextYield) {
        await new Promise((resolve) => setImmediate(resolve))
        nextYield = clock() + yieldEvery
      }
    }
    const after = cache.stats()
    return {
      firstSeen,
      reads,
      failed,
      regressions,
      slowest,
      slowReads,
      last,
      l1Hits: after.l1.hits - before.l1.hits,
      l2Reads: (after.l2.hits + after.l2.misses) - (before.l2.hits + before.l2.misses),
      invalidations: after.l2.invalidations - before.l2.invalidations,
      flushes: after.l2.flushes - before.l2.flushes,
      disconnects: after.l2.disconnects - before.l2.disconnects,
      connects: after.l2.connects - before.l2.connects,
      errors: errors(),
      events
    }
  } finally {
    await cache.quit()
  }
}

// ---- parent ---------------------------------------------------------------------

function quantile (sorted, q) {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]
}

function ms (v) {
  if (!Number.isFinite(v)) return '—'
  return v < 1 ? `${(v * 1000).toFixed(0)} µs` : `${v.toFixed(v < 10 ? 2 : 1)} ms`
}

/** Stale windows of writes i in [from, to] (1-based), and how many B never saw. */
function windows (a, b, from = 1, to = a.acked.length - 1) {
  const list = []
  let unseen = 0
  let early = 0
  for (let i = from; i <= to; i++) {
    if (b.firstSeen[i] === null) {
      unseen++
      continue
    }
    const d = b.firstSeen[i] - a.acked[i]
    if (d < 0) early++
    list.push(Math.max(0, d))
  }
  list.sort((x, y) => x - y)
  return { list, unseen, early }
}

async function runVariant (server, variant) {
  const Redis = require('ioredis')
  const { startProxy } = require('../__test__/support/tcp-proxy')
  const keyPrefix = `coh:${variant}:`
  const io = server.cluster
    ? new Redis.Cluster(server.cluster.seeds, { lazyConnect: true })
    : new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 })
  await io.connect()
  let proxy = null
  try {
    await io.set(keyPrefix + KEY, '0')
    await io.del(keyPrefix + 'reader-ready')
    let readerUrl = server.url
    if (variant === 'reset') {
      proxy = await startProxy({ targetPort: server.port })
      readerUrl = proxy.url
    }
    progress(`coherence ${variant}: ${fmt.int(WRITES)} writes by A, B reading${proxy ? ' through a proxy that resets it halfway' : ''}`)
    const b = runChild(__filename, ['reader', readerUrl, keyPrefix, WRITES], { timeoutMs: 90_000 })
    const a = runChild(__filename, ['writer', server.url, keyPrefix, WRITES], { timeoutMs: 90_000 })
    const fault = {}
    let monitor = Promise.resolve()
    if (proxy !== null) {
      let stop = false
      monitor = (async () => {
        while (!stop && Number(await io.get(keyPrefix + KEY)) < WRITES / 2) await sleep(2)
        if (stop) return
        fault.resetAt = clock()
        await proxy.mode('reset')
        await sleep(RESET_MS)
        await proxy.mode('pass')
        fault.passAt = clock()
      })()
      Promise.allSettled([a, b]).then(() => { stop = true })
    }
    if (variant === 'cluster-failover') {
      monitor = (async () => {
        while (Number(await io.get(keyPrefix + KEY).catch(() => 0)) < WRITES / 2) await sleep(2)
        const owner = await server.cluster.masterOf(keyPrefix + KEY)
        fault.resetAt = clock()
        await server.cluster.killMaster(owner)
        fault.passAt = clock()
      })()
    }
    const [ra, rb] = await Promise.all([a, b])
    await monitor
    return { variant, a: ra, b: rb, fault }
  } finally {
    io.disconnect()
    if (proxy !== null) await proxy.close()
  }
}

const VARIANT_NAMES = {
  direct: 'direct',
  reset: `B through a proxy, reset for ${RESET_MS} ms halfway`,
  cluster: 'a Redis Cluster (three primaries)',
  'cluster-failover': 'a Redis Cluster, k\'s primary SIGKILLed halfway'
}

function summary (r) {
  const w = windows(r.a, r.b)
  const row = [
    VARIANT_NAMES[r.variant],
    fmt.int(r.a.acked.length - 1),
    ms(quantile(w.list, 0.5)),
    ms(quantile(w.list, 0.99)),
    ms(w.list[w.list.length - 1]),
    fmt.int(w.early),
    fmt.int(r.b.reads),
    fmt.int(r.b.l1Hits),
    fmt.int(r.b.l2Reads),
    fmt.int(r.b.regressions),
    `${ms(r.b.slowest)} (${fmt.int(r.b.slowReads)} > 1 ms)`,
    ms(quantile(r.a.rtt.slice(1).sort((x, y) => x - y), 0.5))
  ]
  return { row, w }
}

function faultNotes (r) {
  const { resetAt, passAt } = r.fault
  if (resetAt === undefined) return ['- ⚠ the proxy was never reset (A finished before the monitor saw half of the writes).']
  // Writes B had read before the reset were not disturbed by it; every other
  // write (acknowledged before the reset but not yet read by B, or after it)
  // is one the disconnection could keep from B.
  const n = r.a.acked.length - 1
  const undisturbed = []
  const disturbed = []
  let firstAfter = null
  for (let i = 1; i <= n; i++) {
    if (firstAfter === null && r.a.acked[i] >= resetAt) firstAfter = i
    if (r.b.firstSeen[i] === null) continue
    const d = Math.max(0, r.b.firstSeen[i] - r.a.acked[i])
    if (r.b.firstSeen[i] < resetAt) undisturbed.push(d)
    else disturbed.push(d)
  }
  undisturbed.sort((x, y) => x - y)
  disturbed.sort((x, y) => x - y)
  const readyAgain = r.b.events.find((e) => e.event === 'ready' && e.at > resetAt)
  const closed = r.b.events.find((e) => e.event === 'close' && e.at >= resetAt - 1)
  const reconnectMs = readyAgain ? readyAgain.at - resetAt : NaN
  const worst = disturbed[disturbed.length - 1]
  const failover = r.variant === 'cluster-failover'
  const [fault, back] = failover
    ? [`k's primary was SIGKILLed (the ${r.variant} variant)`, 'the cluster promoted its replica']
    : ['The proxy reset B\'s connection', 'the proxy passed again']
  return [
    `- ${fault} when A was at write ${fmt.int(firstAfter ?? n)}: B saw its connection close ${closed ? ms(closed.at - resetAt) : '(not seen)'} ` +
      `after it; ${back} ${ms(passAt - resetAt)} after it; B was ready again (L1 flushed) ${readyAgain ? ms(reconnectMs) : '(never)'} after it ` +
      `(B: ${fmt.int(r.b.disconnects)} disconnect(s), ${fmt.int(r.b.connects)} connect(s), ${fmt.int(r.b.flushes)} L1 flush(es), ` +
      `${fmt.int(r.b.errors)} 'error' event(s), ${fmt.int(r.b.failed)} read(s) rejected while it was away` +
      `${failover ? `; A retried ${fmt.int(r.a.retries)} write(s) that failed while there was no primary` : ''}).`,
    `- **Max stale window after the disconnect: ${ms(worst)}** over the ${fmt.int(disturbed.length)} writes B read after the reset ` +
      `(p50 ${ms(quantile(disturbed, 0.5))}, p99 ${ms(quantile(disturbed, 0.99))}); ` +
      `${Number.isFinite(reconnectMs) && worst <= reconnectMs + 50 ? 'within' : '⚠ NOT within'} B's reconnection time + 50 ms. ` +
      `The ${fmt.int(undisturbed.length)} writes B read before the reset: max ${ms(undisturbed[undisturbed.length - 1])}.`
  ]
}

const TITLE = '## Coherence: the stale window across processes'

function run () {
  return rd.onPrivateServer('coherence', TITLE, async (server) => {
    const results = []
    for (const variant of ['direct', 'reset']) results.push(await runVariant(server, variant))
    let cluster = null
    try {
      const { startCluster } = require('../__test__/support/cluster')
      cluster = await startCluster()
      const onCluster = { url: CLUSTER_URL + JSON.stringify(cluster.seeds), cluster }
      for (const variant of ['cluster', 'cluster-failover']) results.push(await runVariant(onCluster, variant))
    } catch (err) {
      progress(`coherence: no cluster variants (${err.message.split('\n')[0]})`)
    } finally {
      await cluster?.stop()
    }
    const rows = []
    const notes = []
    for (const r of results) {
      const s = summary(r)
      rows.push(s.row)
      if (s.w.unseen > 0) notes.push(`- ⚠ ${r.variant}: B never saw ${fmt.int(s.w.unseen)} of the values (it stopped at ${fmt.int(r.b.last)}).`)
      if (r.b.regressions > 0) notes.push(`- ⚠ ${r.variant}: B read a value older than one it had already read ${fmt.int(r.b.regressions)} time(s).`)
      if (r.variant === 'reset' || r.variant === 'cluster-failover') notes.push(...faultNotes(r))
    }
    const table = fmt.table(
      ['variant', 'writes', 'stale window p50', 'p99', 'max', 'B saw it before A\'s ack', 'B reads', 'from L1', 'from L2 (Redis)', 'B read an older value', 'B\'s slowest get', 'A set round trip p50'],
      rows,
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']
    )
    return [
      TITLE,
      '',
      `Process A writes \`k = 1…${fmt.int(WRITES)}\` through tiercache (\`await cache.set\`, one at a time); process B, another ` +
        'tiercache instance with the defaults, reads `k` in a tight `await cache.get(k)` loop (' +
        (YIELD_EVERY_MS > 0 ? `yielding to the event loop once per ${YIELD_EVERY_MS} ms of reading` : 'never yielding to the event loop') +
        "). Stale window of write i = the time B first read a value ≥ i − the time A's write i was acknowledged, " +
        'clamped at 0 (a common clock: `performance.timeOrigin + performance.now()`). "from L1" counts B\'s reads answered ' +
        'in-process (front or native L1), "from L2" its GETs to Redis (each after an invalidation emptied L1). A get that ' +
        'goes to Redis and is slow to come back (a CPU shared with Redis, A and B\'s own I/O thread) returns the value Redis ' +
        'had when it ran, so B\'s slowest gets bound the tail of the stale window from below. In the second ' +
        `run B reaches Redis through a TCP proxy that resets its connection halfway and resets new ones for ${RESET_MS} ms.`,
      '',
      table,
      '',
      ...notes,
      ''
    ].join('\n')
  })
}

module.exports = { name: 'coherence', title: 'stale window across processes', run }

if (isChild()) {
  childMain(([role, url, keyPrefix, n]) => (role === 'writer' ? writer(url, keyPrefix, Number(n)) : reader(url, keyPrefix, Number(n))))
} else if (require.main === module) {
  run().then((md) => console.log(md))
}
