'use strict'
// Scenario "generic": the generic command path (lib/send-command.js, issue
// 12's throughput targets) against ioredis, on one private redis-server, in
// one child process:
//
// - commands sequentially (each awaited before the next) and 100 at once
//   (a Promise.all per 100): HGETALL of 10-field hashes where L1 cannot
//   answer (1,000 hashes read in turn, L1 bounded to 2 entries) and where it
//   does (one hash read again), ZADD, LPUSH, HSET, EVALSHA, PUBLISH;
// - pipelines and transactions of 100 commands: 50 SET + 50 GET in
//   `pipeline()` (L1 answers the gets after the sets) and in `multi()` (one
//   MULTI … EXEC write, every command to Redis), 100 HSETs, and 100 HGETALLs
//   that L1 cannot answer.
//
// Both clients run the same calls in interleaved rounds (lib/measure.js), so
// noise from a neighbour hits both: the ratio column is what to read.
// Standalone: `node bench/generic.js`. Speed targets live here, never in tests.

const { runChild, isChild, childMain } = require('./lib/child')
const { compare, report, sink } = require('./lib/measure')
const fmt = require('./lib/table')
const rd = require('./lib/redis')

const CONCURRENCY = 100
const SEQUENTIAL_PER_CALL = 20
const HASHES = 1000
const BATCH = 100
const SCRIPT = "return redis.call('SET', KEYS[1], ARGV[1])"

// [label, (client, i, sha) => promise]: the same calls on both clients.
const COMMANDS = [
  ['HGETALL, L1 cannot answer', (c, i) => c.hgetall(`h:${i % HASHES}`)],
  ['HGETALL, L1 answers', (c) => c.hgetall('h:0')],
  ['ZADD', (c, i) => c.zadd('z', i % 5000, `m${i % 5000}`)],
  ['LPUSH', (c, i) => c.lpush(`l:${i % 100}`, 'v')],
  ['HSET', (c, i) => c.hset(`w:${i % 100}`, `f${i % 10}`, String(i))],
  ['EVALSHA', (c, i, sha) => c.evalsha(sha, 1, `e:${i % 100}`, 'x')],
  ['PUBLISH', (c) => c.publish('channel', 'message')]
]

// [label, (client, pipelineOrMulti) => filled batch]: each a batch of BATCH.
const BATCHES = [
  ['50 SET + 50 GET, pipeline()', (c) => {
    const p = c.pipeline()
    for (let i = 0; i < BATCH / 2; i++) p.set(`s:${i}`, `value-${i}`)
    for (let i = 0; i < BATCH / 2; i++) p.get(`s:${i}`)
    return p
  }],
  ['50 SET + 50 GET, multi()', (c) => {
    const p = c.multi()
    for (let i = 0; i < BATCH / 2; i++) p.set(`s:${i}`, `value-${i}`)
    for (let i = 0; i < BATCH / 2; i++) p.get(`s:${i}`)
    return p
  }],
  ['100 HSET, pipeline()', (c) => {
    const p = c.pipeline()
    for (let i = 0; i < BATCH; i++) p.hset(`w:${i}`, `f${i % 10}`, `value-${i}`)
    return p
  }],
  ['100 HGETALL (L1 cannot answer), pipeline()', (c) => {
    const p = c.pipeline()
    for (let i = 0; i < BATCH; i++) p.hgetall(`h:${i}`)
    return p
  }]
]

async function seed (url) {
  const Redis = require('ioredis')
  const io = new Redis(url)
  await io.flushdb()
  for (let h = 0; h < HASHES; h++) {
    const fields = {}
    for (let f = 0; f < 10; f++) fields[`field${f}`] = `value-${h}-${f}`
    await io.hset(`h:${h}`, fields)
  }
  const sha = await io.script('LOAD', SCRIPT)
  io.disconnect()
  return sha
}

/** The two contestants of one row: `call(client, i)` for ioredis and for `ours`. */
function contestants (ours, io, opsPerCall, fn) {
  return [
    { id: 'tc', name: 'tiercache', opsPerCall, fn: () => fn(ours) },
    { id: 'io', name: 'ioredis', opsPerCall, fn: () => fn(io) }
  ]
}

async function measureAll (url) {
  const sha = await seed(url)
  const Redis = require('ioredis')
  const io = new Redis(url, { lazyConnect: true })
  await io.connect()
  // Two entries: reading 1,000 hashes in turn, every read misses L1.
  const small = (await rd.openTiercache({ redis: url, maxEntries: 2 })).cache
  const warm = (await rd.openTiercache({ redis: url })).cache
  const rows = []
  let next = 0
  try {
    for (const [label, call] of COMMANDS) {
      const ours = label === 'HGETALL, L1 answers' ? warm : small
      const sequential = async (client) => {
        for (let i = 0; i < SEQUENTIAL_PER_CALL; i++) sink(await call(client, next++, sha))
      }
      const burst = async (client) => {
        const batch = new Array(CONCURRENCY)
        for (let j = 0; j < CONCURRENCY; j++) batch[j] = call(client, next++, sha)
        sink(await Promise.all(batch))
      }
      for (const [mode, fn, per] of [['sequential', sequential, SEQUENTIAL_PER_CALL], [`${CONCURRENCY} at once`, burst, CONCURRENCY]]) {
        const list = contestants(ours, io, per, fn)
        rows.push({ group: 'commands', label, mode, rows: report(list, await compare(`generic ${label} ${mode}`, list)) })
      }
    }
    for (const [label, fill] of BATCHES) {
      const ours = label.includes('HGETALL') ? small : warm
      const list = contestants(ours, io, BATCH, async (client) => sink(await fill(client).exec()))
      rows.push({ group: 'batches', label, mode: 'batch', rows: report(list, await compare(`generic ${label}`, list)) })
    }
  } finally {
    await rd.closeQuietly(() => small.quit())
    await rd.closeQuietly(() => warm.quit())
    io.disconnect()
  }
  return rows
}

function ratioCell (by) {
  return `**${(by.tc.opsPerSec / by.io.opsPerSec).toFixed(2)}×**`
}

function spreadCell (by) {
  return `${Math.round(by.tc.spread * 100)}%, ${Math.round(by.io.spread * 100)}%`
}

function section (rows) {
  const lines = [
    '### Commands, one at a time and 100 at once',
    '',
    '| command | mode | tiercache ops/s | ioredis ops/s | tiercache ÷ ioredis | spread (tc, io) |',
    '|---|---|---:|---:|---:|---:|'
  ]
  for (const r of rows.filter((x) => x.group === 'commands')) {
    const by = Object.fromEntries(r.rows.map((x) => [x.id, x]))
    lines.push(`| ${r.label} | ${r.mode} | ${fmt.int(Math.round(by.tc.opsPerSec))} | ${fmt.int(Math.round(by.io.opsPerSec))} | ` +
      `${ratioCell(by)} | ${spreadCell(by)} |`)
  }
  lines.push('', `### Pipelines and transactions of ${BATCH} commands`, '',
    '| batch | tiercache µs / batch | ioredis µs / batch | tiercache ÷ ioredis (throughput) | spread (tc, io) |',
    '|---|---:|---:|---:|---:|')
  for (const r of rows.filter((x) => x.group === 'batches')) {
    const by = Object.fromEntries(r.rows.map((x) => [x.id, x]))
    const perBatch = (x) => (x.nsPerOp * BATCH / 1000).toFixed(0)
    lines.push(`| ${r.label} | ${perBatch(by.tc)} | ${perBatch(by.io)} | ${ratioCell(by)} | ${spreadCell(by)} |`)
  }
  return lines.join('\n')
}

const TITLE = '## Generic path: any command, pipelines and transactions against ioredis'

function run () {
  return rd.onPrivateServer('generic', TITLE, async (server) => {
    const rows = await runChild(__filename, [server.url])
    return [
      TITLE,
      '',
      'The same calls from tiercache and ioredis on one private redis-server, in interleaved rounds. "Sequential" awaits ' +
        'each command before the next; "100 at once" is a Promise.all of 100. HGETALL reads 10-field hashes: "L1 cannot ' +
        'answer" reads 1,000 of them in turn from a tiercache bounded to 2 entries (each read also fills L1, and sends the ' +
        'key\'s PTTL with it); "L1 answers" reads one hash again. Spread is (slowest round − fastest) ÷ median: a noise ' +
        'indicator.',
      '',
      section(rows),
      ''
    ].join('\n')
  })
}

module.exports = { name: 'generic', title: 'the generic command path, pipelines and transactions vs ioredis', run }

if (isChild()) childMain(([url]) => measureAll(url))
else if (require.main === module) run().then((md) => console.log(md))
