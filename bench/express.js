'use strict'
// Scenario "express": an Express 5 route behind each response cache, loaded
// over HTTP with autocannon. `GET /data/:id`, ids 1…100 requested round-robin
// (one counter shared by all connections, so consecutive requests ask for
// different ids and every id is cached after the warm-up); on a miss the
// route runs a simulated 5 ms query returning a ~1 KB record. Variants, each
// served by its own child process (lib/express-server.js):
//
// 1. uncached: the query every time, `res.json(obj)`.
// 2. ioredis cache-aside middleware as the Redis tutorials write it:
//    `GET`, on a hit `res.json(JSON.parse(v))`, else query + `SETEX 30`.
// 3. apicache (memory store): `apicache.middleware('30 seconds')`.
// 4. lru-cache holding the JSON text: on a hit `res.type('json').send(str)`.
// 5. tiercache L1 only: `new TierCache()`, `cache.middleware({ ttl: 30000 })`.
// 6. tiercache L1 + Redis with an L1 of one entry and no front
//    (`{ redis, maxEntries: 1, frontSize: 0 }`): nearly every hit is HIT-L2.
// 7. the ceiling: `res.json` of the pre-built record, no cache, no query.
//
// autocannon runs here, in the harness process, with 50 connections; the
// server is a single Node process (one core of the two, the other being the
// load generator's). Per variant: a fresh server, one short warm-up (which
// also fills the cache), the timed run, then 200 sampled requests with fetch
// (body checked against the record, X-Cache values counted). Redis commands
// are counted on the private redis-server (lib/redis.js) during the timed run.

const { fork } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { addonsLoaded, progress } = require('./lib/child')
const { median } = require('./lib/measure')
const fmt = require('./lib/table')
const rd = require('./lib/redis')
const { IDS, QUERY_MS, TTL_S, RECORDS } = require('./lib/express-server')
const { versionOf } = require('./lib/peers')

const SERVER = path.join(__dirname, 'lib', 'express-server.js')

const SECONDS = positive(process.env.BENCH_HTTP_SECONDS, 10)
const WARMUP_SECONDS = positive(process.env.BENCH_HTTP_WARMUP_SECONDS, 2)
const ROUNDS = positive(process.env.BENCH_HTTP_ROUNDS, 1)
const CONNECTIONS = positive(process.env.BENCH_HTTP_CONNECTIONS, 50)
// A directory: the servers run with --cpu-prof and write their profiles there.
const PROFILE_DIR = process.env.BENCH_HTTP_CPU_PROF || ''
const SAMPLE = 200
// "rest of the machine" above this (in cores) flags a row: a neighbour was busy.
const NEIGHBOURS = 0.1
const SAMPLE_CONCURRENCY = 8

// Targets (from the issue): tiercache L1 hits ≥ 1.0× the constant res.json
// ceiling and ≥ every peer, p99 no higher than any peer's; tiercache with L2
// hits ≥ 1.2× the ioredis middleware.
const TARGET_L1_CEILING = 1.0
const TARGET_L2_IOREDIS = 1.2

function positive (text, fallback) {
  const n = Number(text)
  return Number.isSafeInteger(n) && n > 0 ? n : fallback
}

const VARIANTS = [
  { id: 'uncached', family: 'reference', name: 'uncached: the 5 ms query every time, `res.json(obj)`' },
  { id: 'ioredis', family: 'peer', redis: true, name: 'ioredis cache-aside middleware (`get`, else query + `setex`), `res.json(JSON.parse(v))`' },
  { id: 'apicache', family: 'peer', name: 'apicache `middleware(\'30 seconds\')` (memory)' },
  { id: 'lru', family: 'peer', name: 'lru-cache of the JSON text, `res.type(\'json\').send(str)`' },
  { id: 'tc', family: 'tiercache', name: '**tiercache** `cache.middleware({ ttl })` · `new TierCache()` (L1)' },
  { id: 'tc2', family: 'tiercache', redis: true, name: '**tiercache** `cache.middleware({ ttl })` · `{ redis, maxEntries: 1, frontSize: 0 }` (hits from L2)' },
  { id: 'ceiling', family: 'reference', name: 'ceiling: `res.json(obj)` of a pre-built object, no cache, no query' }
]
const PEERS = VARIANTS.filter((v) => v.family === 'peer')

function versionLine () {
  return ['express', 'autocannon', 'ioredis', 'apicache', 'lru-cache'].map((n) => `${n} ${versionOf(n)}`).join(', ') +
    `, redis-server ${rd.redisServerVersion() ?? 'not installed'}`
}

// ---- one variant ------------------------------------------------------------------

/** Resolves with the next IPC message of `type` from `child` (rejects if it exits first). */
function nextMessage (child, type, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no ${type} message after ${timeoutMs} ms`)), timeoutMs)
    const onMessage = (m) => { if (m && m.type === type) done(null, m) }
    const onExit = (code, signal) => done(new Error(`the server exited with ${signal ?? code}`))
    function done (err, m) {
      clearTimeout(timer)
      child.off('message', onMessage)
      child.off('exit', onExit)
      if (err) reject(err)
      else resolve(m)
    }
    child.on('message', onMessage)
    child.on('exit', onExit)
  })
}

/** Resolves once `child` has exited. */
function exited (child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

const PATHS = Array.from({ length: IDS + 1 }, (_, id) => `/data/${id}`)

/**
 * Busy and total jiffies of all CPUs from /proc/stat (Linux), or null: the
 * machine's load during a run, ours and the neighbours'.
 */
function machineCpu () {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]
    const f = line.trim().split(/\s+/).slice(1).map(Number)
    const idle = f[3] + (f[4] ?? 0)
    const total = f.slice(0, 8).reduce((a, x) => a + x, 0)
    return { busy: total - idle, total }
  } catch {
    return null
  }
}

/** Latencies in ms, exact (autocannon's own histogram keeps whole milliseconds). */
class Latencies {
  constructor () {
    this.values = new Float64Array(1 << 16)
    this.n = 0
  }

  add (ms) {
    if (this.n === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2)
      bigger.set(this.values)
      this.values = bigger
    }
    this.values[this.n++] = ms
  }

  /** { p50, p99, max } */
  summary () {
    const s = this.values.subarray(0, this.n).sort()
    const at = (q) => (s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)])
    return { p50: at(0.5), p99: at(0.99), max: s.length === 0 ? NaN : s[s.length - 1] }
  }
}

/**
 * One autocannon run against `base`; ids 1…IDS round-robin across all
 * connections. Resolves with autocannon's result plus `exact`: exact
 * percentiles of the 2xx responses.
 */
function cannon (base, seconds) {
  const autocannon = require('autocannon')
  let id = 0
  const options = {
    url: base,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{
      method: 'GET',
      setupRequest (req) {
        id = id === IDS ? 1 : id + 1
        req.path = PATHS[id]
        return req
      }
    }]
  }
  const latencies = new Latencies()
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (err, result) => (err ? reject(err) : resolve({ ...result, exact: latencies.summary() })))
    instance.on('response', (client, statusCode, bytes, ms) => {
      if (statusCode >= 200 && statusCode < 300) latencies.add(ms)
    })
  })
}

/**
 * SAMPLE requests with fetch (SAMPLE_CONCURRENCY in flight, ids round-robin):
 * bodies checked against the records, X-Cache values counted.
 */
async function sample (base) {
  const xcache = {}
  let wrong = 0
  let next = 0
  let firstWrong = null
  async function worker () {
    while (next < SAMPLE) {
      const id = (next++ % IDS) + 1
      const res = await fetch(`${base}${PATHS[id]}`)
      const text = await res.text()
      const x = res.headers.get('x-cache') ?? '(none)'
      xcache[x] = (xcache[x] ?? 0) + 1
      if (res.status !== 200 || text !== JSON.stringify(RECORDS[id])) {
        wrong++
        firstWrong ??= `${PATHS[id]}: ${res.status}, ${text.length} bytes`
      }
    }
  }
  await Promise.all(Array.from({ length: SAMPLE_CONCURRENCY }, worker))
  return { xcache, wrong, firstWrong }
}

/**
 * The server-side observers on the private redis-server: its command count
 * (lib/redis.js) and its CPU time in µs (INFO cpu, main thread and children).
 */
async function redisObservers (url) {
  const Redis = require('ioredis')
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 })
  await client.connect()
  const counter = await rd.commandCounter(url)
  return {
    count: () => counter.count(),
    async cpuUs () {
      const info = await client.info('cpu')
      const field = (name) => Number((new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info) ?? [])[1] ?? NaN)
      return (field('used_cpu_sys') + field('used_cpu_user')) * 1e6
    },
    close () {
      counter.close()
      client.disconnect()
    }
  }
}

/** Runs one variant in a fresh server: warm-up, timed run, sample. */
async function measureVariant (v, url, redis) {
  const execArgv = PROFILE_DIR === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=express-${v.id}-${Date.now()}.cpuprofile`]
  const child = fork(SERVER, [v.id, url], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const exit = exited(child)
  try {
    const ready = await nextMessage(child, 'ready')
    if (ready.addon !== undefined) addonsLoaded.push(ready.addon)
    const base = `http://127.0.0.1:${ready.port}`

    progress(`express ${v.id}: warm-up ${WARMUP_SECONDS} s`)
    const warm = await cannon(base, WARMUP_SECONDS)

    progress(`express ${v.id}: ${SECONDS} s × ${CONNECTIONS} connections`)
    // INFO cpu outside the counted window: the command count is the variant's own.
    const redisCpu0 = redis === null ? null : await redis.cpuUs()
    const commandsBefore = v.redis && redis !== null ? await redis.count() : null
    child.send({ type: 'mark' })
    const before = await nextMessage(child, 'mark')
    const cpu0 = process.cpuUsage()
    const machine0 = machineCpu()
    const t0 = performance.now()
    const r = await cannon(base, SECONDS)
    const wallUs = (performance.now() - t0) * 1e3
    const cpu1 = process.cpuUsage(cpu0)
    const machine1 = machineCpu()
    child.send({ type: 'mark' })
    const after = await nextMessage(child, 'mark')
    const commands = commandsBefore === null ? null : (await redis.count()) - commandsBefore
    const redisCpuShare = redisCpu0 === null ? null : ((await redis.cpuUs()) - redisCpu0) / wallUs

    const s = await sample(base)
    const requests = r.requests.total
    const serverCpuUs = (after.cpu.user - before.cpu.user) + (after.cpu.system - before.cpu.system)
    const loadGenCpuShare = (cpu1.user + cpu1.system) / wallUs
    const serverCpuShare = serverCpuUs / wallUs
    // Everything else on the machine, in cores: the kernel, neighbours (redis-server's own share apart).
    const otherCpu = machine0 === null || machine1 === null
      ? null
      : ((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * os.cpus().length - serverCpuShare - loadGenCpuShare - (redisCpuShare ?? 0)
    return {
      rps: r.requests.average,
      rpsStddev: r.requests.stddev,
      requests,
      p50: r.exact.p50,
      p99: r.exact.p99,
      max: r.exact.max,
      errors: r.errors,
      timeouts: r.timeouts,
      non2xx: r.non2xx,
      warmRps: warm.requests.average,
      warmErrors: warm.errors + warm.non2xx,
      queries: after.queries - before.queries,
      serverCpuPerReqUs: requests > 0 ? serverCpuUs / requests : NaN,
      serverCpuShare,
      loadGenCpuShare,
      otherCpu,
      redisCpuShare,
      redisPerReq: commands === null || requests === 0 ? null : commands / requests,
      // tiercache's own counters during the timed run (null for the other variants).
      l1Hits: after.stats === null ? null : after.stats.l1Hits - before.stats.l1Hits,
      l2Hits: after.stats === null ? null : after.stats.l2Hits - before.stats.l2Hits,
      frontPending: after.stats === null ? null : after.stats.frontPending - before.stats.frontPending,
      sample: s
    }
  } finally {
    if (child.connected) child.send({ type: 'exit' })
    // A server that does not close within 10 s is killed.
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    await exit
    clearTimeout(timer)
  }
}

// ---- tables -----------------------------------------------------------------------

const ms = (x) => (Number.isFinite(x) ? `${x.toFixed(x < 10 ? 2 : 1)} ms` : '—')

function xcacheCell (s) {
  const entries = Object.entries(s.xcache).sort((a, b) => b[1] - a[1])
  return entries.map(([k, n]) => `${k} ${fmt.percent(n / SAMPLE, 0)}`).join(', ')
}

/** The median over rounds of each measured number of a variant (rounds: array of results). */
function combine (rounds) {
  if (rounds.length === 1) return rounds[0]
  const out = { ...rounds[rounds.length - 1] }
  for (const k of ['rps', 'rpsStddev', 'p50', 'p99', 'max', 'serverCpuPerReqUs', 'serverCpuShare', 'loadGenCpuShare', 'otherCpu', 'redisCpuShare', 'redisPerReq']) {
    const xs = rounds.map((r) => r[k]).filter((x) => x !== null)
    out[k] = xs.length === 0 ? null : median(xs)
  }
  for (const k of ['requests', 'errors', 'timeouts', 'non2xx', 'queries', 'warmErrors', 'l1Hits', 'l2Hits', 'frontPending']) out[k] = rounds[0][k] === null ? null : rounds.reduce((a, r) => a + r[k], 0)
  out.rpsRounds = rounds.map((r) => r.rps)
  return out
}

function section (results, unavailable) {
  const get = (id) => results.get(id)
  const tc = get('tc')
  const tc2 = get('tc2')
  const ceiling = get('ceiling')
  const io = get('ioredis')
  const peerResults = PEERS.map((p) => get(p.id)).filter((r) => r !== undefined)
  const lowestPeerP99 = peerResults.length === 0 ? Infinity : Math.min(...peerResults.map((r) => r.p99))

  /** ⚠ notes of a row that misses a target. */
  function misses (v) {
    const r = get(v.id)
    if (r === undefined) return []
    const out = []
    if (r.errors + r.timeouts + r.non2xx > 0) out.push('errors')
    if (v.id === 'tc') {
      if (ceiling !== undefined && r.rps < TARGET_L1_CEILING * ceiling.rps) out.push(`< ${TARGET_L1_CEILING}× ceiling`)
      const slower = PEERS.filter((p) => get(p.id) !== undefined && r.rps < get(p.id).rps)
      if (slower.length > 0) out.push(`req/s < ${slower.map((p) => p.id).join(', ')}`)
      if (r.p99 > lowestPeerP99) out.push('p99 > a peer\'s')
    }
    if (v.id === 'tc2' && io !== undefined && r.rps < TARGET_L2_IOREDIS * io.rps) out.push(`< ${TARGET_L2_IOREDIS}× ioredis`)
    return out
  }

  const detail = fmt.table(
    ['variant', 'req/s', '± (1-s samples)', 'p50', 'p99', 'max', 'errors / timeouts / non-2xx', 'target'],
    VARIANTS.map((v) => {
      const r = get(v.id)
      if (r === undefined) return [v.name, 'n/a', '—', '—', '—', '—', '—', '—']
      const m = misses(v)
      const hasTarget = v.id === 'tc' || v.id === 'tc2'
      return [
        m.length > 0 ? `⚠ ${v.name}` : v.name,
        fmt.ops(r.rps),
        fmt.percent(r.rpsStddev / r.rps, 0),
        ms(r.p50),
        ms(r.p99),
        ms(r.max),
        `${fmt.int(r.errors)} / ${fmt.int(r.timeouts)} / ${fmt.int(r.non2xx)}`,
        m.length > 0 ? `⚠ ${m.join('; ')}` : hasTarget ? 'met' : '—'
      ]
    }),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'l']
  )
  const cpu = fmt.table(
    ['variant', 'requests', 'queries run', 'server CPU per request', 'server CPU', 'autocannon CPU', 'redis-server CPU', 'rest of the machine', 'Redis commands per request'],
    VARIANTS.map((v) => {
      const r = get(v.id)
      if (r === undefined) return [v.name, 'n/a', '—', '—', '—', '—', '—', '—', '—']
      return [
        v.name,
        fmt.int(r.requests),
        fmt.int(r.queries),
        `${fmt.int(r.serverCpuPerReqUs)} µs`,
        fmt.percent(r.serverCpuShare, 0),
        fmt.percent(r.loadGenCpuShare, 0),
        r.redisCpuShare === null ? '—' : fmt.percent(r.redisCpuShare, 0),
        r.otherCpu === null ? '—' : fmt.percent(Math.max(0, r.otherCpu), 0),
        r.redisPerReq === null ? '—' : r.redisPerReq.toFixed(2)
      ]
    }),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']
  )

  const cell = (a, b, bold = false) => {
    if (a === undefined || b === undefined) return 'n/a'
    const c = fmt.ratio(a.rps / b.rps)
    return bold ? `**${c}**` : c
  }
  const vsCeiling = fmt.table(
    ['variant', 'req/s ÷ ceiling', 'p99 ÷ ceiling p99'],
    VARIANTS.filter((v) => v.id !== 'ceiling').map((v) => {
      const r = get(v.id)
      const miss = v.id === 'tc' && r !== undefined && ceiling !== undefined && r.rps < TARGET_L1_CEILING * ceiling.rps
      return [
        miss ? `⚠ ${v.name}` : v.name,
        cell(r, ceiling, v.family === 'tiercache'),
        r === undefined || ceiling === undefined ? 'n/a' : fmt.ratio(r.p99 / ceiling.p99)
      ]
    }),
    ['l', 'r', 'r']
  )
  const vsPeers = fmt.table(
    ['tiercache ÷ peer', ...PEERS.map((p) => p.id)],
    [
      ['L1 · req/s', ...PEERS.map((p) => {
        const c = cell(tc, get(p.id), true)
        return tc !== undefined && get(p.id) !== undefined && tc.rps < get(p.id).rps ? `⚠ ${c}` : c
      })],
      ['L1 · p99 (lower is better)', ...PEERS.map((p) => {
        if (tc === undefined || get(p.id) === undefined) return 'n/a'
        const c = fmt.ratio(tc.p99 / get(p.id).p99)
        return tc.p99 > get(p.id).p99 ? `⚠ ${c}` : c
      })],
      ['L1 + L2 (hits from Redis) · req/s', ...PEERS.map((p) => {
        const c = cell(tc2, get(p.id), p.id === 'ioredis')
        return p.id === 'ioredis' && tc2 !== undefined && io !== undefined && tc2.rps < TARGET_L2_IOREDIS * io.rps ? `⚠ ${c}` : c
      })]
    ],
    ['l', ...PEERS.map(() => 'r')]
  )
  const perReq = (n, r) => (n === null || r.requests === 0 ? '—' : (n / r.requests).toFixed(2))
  const shares = fmt.table(
    ['variant', `X-Cache of ${SAMPLE} sampled requests (after the run)`, 'per request in the timed run: stats() L1 hits / L2 hits', 'sampled bodies ≠ the record'],
    VARIANTS.filter((v) => v.family === 'tiercache' || get(v.id)?.sample.wrong > 0).map((v) => {
      const r = get(v.id)
      if (r === undefined) return [v.name, 'n/a', '—', '—', '—']
      return [
        v.name,
        v.family === 'tiercache' ? xcacheCell(r.sample) : '—',
        r.l1Hits === null ? '—' : `${perReq(r.l1Hits, r)} / ${perReq(r.l2Hits, r)}`,
        r.sample.wrong === 0 ? '0' : `⚠ ${fmt.int(r.sample.wrong)} (${r.sample.firstWrong})`
      ]
    }),
    ['l', 'l', 'r', 'r', 'r']
  )

  const notes = []
  for (const [id, why] of Object.entries(unavailable)) notes.push(`- n/a: ${VARIANTS.find((v) => v.id === id).name}: ${why}`)
  const wrongBodies = VARIANTS.filter((v) => get(v.id) !== undefined && get(v.id).sample.wrong > 0)
  notes.push(wrongBodies.length === 0
    ? `- Every variant answered the ${SAMPLE} sampled requests with status 200 and the record's exact JSON.`
    : `- ⚠ Wrong bodies from: ${wrongBodies.map((v) => v.id).join(', ')} (table above).`)
  const cachedWithQueries = VARIANTS.filter((v) => v.id !== 'uncached' && v.id !== 'ceiling' && get(v.id) !== undefined && get(v.id).queries > 0)
  if (cachedWithQueries.length > 0) {
    notes.push(`- ⚠ Cached variants that ran the query during the timed run (not pure hits): ${cachedWithQueries.map((v) => `${v.id} ${fmt.int(get(v.id).queries)}`).join(', ')}.`)
  }
  if (tc !== undefined && tc.frontPending > 0 && tc.l1Hits === 0) {
    notes.push(`- tiercache L1: the middleware's front answered ${fmt.int(tc.frontPending)} hits that \`cache.stats()\` does not count ` +
      '(stats() adds the pending hits of the cache\'s own fronts, not those of the fronts a middleware registers).')
  }
  if (tc2 !== undefined && tc2.redisPerReq !== null && io !== undefined && io.redisPerReq !== null) {
    notes.push(`- tiercache L1 + L2: ${tc2.redisPerReq.toFixed(2)} Redis commands and ${perReq(tc2.l2Hits, tc2)} L2 hits (stats()) per request, ` +
      `against ${io.redisPerReq.toFixed(2)} command for the ioredis middleware.`)
  }
  const disturbed = VARIANTS.filter((v) => get(v.id) !== undefined && get(v.id).otherCpu !== null && get(v.id).otherCpu > NEIGHBOURS)
  if (disturbed.length > 0) {
    notes.push(`- ⚠ Something else used more than ${fmt.percent(NEIGHBOURS, 0)} of a core during ${disturbed.map((v) => `${v.id} (${fmt.percent(get(v.id).otherCpu, 0)})`).join(', ')}: ` +
      'those rows ran on a busier machine than the others; re-run on a quiet machine (or raise BENCH_HTTP_ROUNDS) before reading their ratios.')
  }
  const busyGenerator = VARIANTS.filter((v) => get(v.id) !== undefined && get(v.id).loadGenCpuShare > 0.9)
  if (busyGenerator.length > 0) {
    notes.push(`- ⚠ autocannon used > 90% of a core for ${busyGenerator.map((v) => v.id).join(', ')}: the load generator may have been the limit there.`)
  }
  const warmErrors = VARIANTS.filter((v) => get(v.id) !== undefined && get(v.id).warmErrors > 0)
  if (warmErrors.length > 0) notes.push(`- Errors or non-2xx during the warm-up: ${warmErrors.map((v) => `${v.id} ${fmt.int(get(v.id).warmErrors)}`).join(', ')}.`)
  if (ROUNDS > 1) {
    notes.push(`- req/s per round: ${VARIANTS.filter((v) => get(v.id) !== undefined).map((v) => `${v.id} ${get(v.id).rpsRounds.map(fmt.ops).join(' / ')}`).join('; ')}.`)
  }

  const targets = []
  if (tc !== undefined && ceiling !== undefined) {
    targets.push(`tiercache L1 ÷ ceiling ${fmt.ratio(tc.rps / ceiling.rps)} (target ≥ ${TARGET_L1_CEILING}×)`)
  }
  if (tc !== undefined && peerResults.length > 0) {
    const best = PEERS.filter((p) => get(p.id) !== undefined).reduce((a, p) => (get(p.id).rps > get(a.id).rps ? p : a))
    targets.push(`tiercache L1 ÷ fastest peer (${best.id}) ${fmt.ratio(tc.rps / get(best.id).rps)} (target ≥ 1×), p99 ${ms(tc.p99)} vs lowest peer p99 ${ms(lowestPeerP99)} (target: no higher)`)
  }
  if (tc2 !== undefined && io !== undefined) targets.push(`tiercache L1 + L2 ÷ ioredis middleware ${fmt.ratio(tc2.rps / io.rps)} (target ≥ ${TARGET_L2_IOREDIS}×)`)

  return [
    '### Results',
    '',
    detail,
    '',
    `Targets: ${targets.join('; ')}.`,
    '',
    '### Where the CPU went',
    '',
    cpu,
    '',
    '### Each variant ÷ the ceiling',
    '',
    vsCeiling,
    '',
    '### tiercache ÷ each peer',
    '',
    vsPeers,
    '',
    '### X-Cache share (tiercache variants)',
    '',
    shares,
    '',
    ...notes,
    ''
  ].join('\n')
}

// ---- the scenario -----------------------------------------------------------------

const TITLE = '## Express: a cached route over HTTP (autocannon) against ioredis, apicache and lru-cache middleware'

async function run () {
  const server = await rd.startServer()
  const url = server === null ? '' : server.url
  let redis = null
  const unavailable = {}
  const perVariant = new Map(VARIANTS.map((v) => [v.id, []]))
  try {
    if (server !== null) {
      progress(`express: private redis-server on port ${server.port}`)
      redis = await redisObservers(url)
    }
    for (let round = 0; round < ROUNDS; round++) {
      if (ROUNDS > 1) progress(`express: round ${round + 1}/${ROUNDS}`)
      for (let i = 0; i < VARIANTS.length; i++) {
        const v = VARIANTS[(i + round) % VARIANTS.length]
        if (unavailable[v.id] !== undefined) continue
        if (v.redis && server === null) {
          unavailable[v.id] = 'redis-server is not on PATH'
          continue
        }
        try {
          perVariant.get(v.id).push(await measureVariant(v, url, redis))
        } catch (err) {
          unavailable[v.id] = rd.reason(err)
        }
      }
    }
  } finally {
    if (redis !== null) redis.close()
    if (server !== null) await server.stop()
  }
  const results = new Map()
  for (const [id, rounds] of perVariant) if (rounds.length > 0) results.set(id, combine(rounds))
  return [
    TITLE,
    '',
    `Versions: ${versionLine()}; Node ${process.version}. ` +
      `\`GET /data/:id\` on Express 5, ids 1…${IDS} requested round-robin (one counter shared by the connections, so ` +
      `consecutive requests ask for different ids); on a miss the route waits ${QUERY_MS} ms (setTimeout, a simulated ` +
      `query) for a ~1 KB user record (${fmt.int(JSON.stringify(RECORDS[1]).length)} bytes of JSON) and answers it with ` +
      `\`res.json\`. Every cache keeps responses ${TTL_S} s. autocannon ${CONNECTIONS} connections, ` +
      `${SECONDS} s per variant after a ${WARMUP_SECONDS} s warm-up (which fills the caches), all variants in this run, ` +
      `one after another${ROUNDS > 1 ? `, ${ROUNDS} rounds in rotated order (median shown)` : ' (one round: a burst of noise lands on one variant; see "±")'}. ` +
      'Each variant is served by its own fresh Node process (`bench/lib/express-server.js`, one event loop) and ' +
      `autocannon runs in the harness process: on this ${os.cpus().length}-core machine the server can have one core and ` +
      'the load generator another (redis-server shares them in the Redis rows). p50/p99/max are exact, from every 2xx ' +
      'response\'s time as autocannon measured it (its own histogram keeps whole milliseconds). "server CPU", ' +
      '"autocannon CPU" and "redis-server CPU" (from its INFO cpu) are each process\'s CPU time ÷ the timed run\'s wall ' +
      'time (100% = one core; a server can pass 100% with its GC threads and, with Redis, tiercache\'s I/O thread); ' +
      `"rest of the machine" is everything else that ran (the kernel, neighbours), from /proc/stat: above ${fmt.percent(NEIGHBOURS, 0)} the row ` +
      'is flagged. "queries run" counts the simulated query during the timed run (0 = every request was a cache hit). ' +
      'Redis commands are counted on the server. Knobs: BENCH_HTTP_SECONDS, BENCH_HTTP_WARMUP_SECONDS, ' +
      'BENCH_HTTP_ROUNDS, BENCH_HTTP_CONNECTIONS, ' +
      'BENCH_HTTP_CPU_PROF.',
    '',
    `Targets (from the issue): tiercache L1 hits ≥ ${TARGET_L1_CEILING}× the constant \`res.json\` ceiling and ≥ every ` +
      `peer, with a p99 no higher than any peer's; tiercache with L2 hits ≥ ${TARGET_L2_IOREDIS}× the ioredis middleware. ` +
      'Rows that miss a target are marked ⚠. The peers run as their READMEs and the Redis tutorials write them, untuned.',
    '',
    section(results, unavailable)
  ].join('\n')
}

module.exports = { name: 'express', title: 'a cached Express route over HTTP (autocannon)', run, versionLine, SECONDS, CONNECTIONS }

if (require.main === module) run().then((md) => console.log(md))
