'use strict'
// Scenario "cluster": tiercache's Cluster client against ioredis's, on one
// private Redis Cluster (three primaries, no replicas: replicas change
// nothing for a client that reads from primaries), in one child process:
//
// - 100 gets at once spread over all slots, where L1 cannot answer (the
//   cache is bounded to 2 entries, 10,000 keys read in turn) and where it
//   answers (100 keys read again): issue 13's "L1 hits unaffected by the
//   topology";
// - 100 sets at once, over all slots;
// - pipelines of 100 gets and of 100 sets within one slot (ioredis's Cluster
//   refuses a pipeline whose keys are on several primaries; tiercache's
//   splits it);
// - sequential gets that L1 cannot answer.
//
// Both clients run the same calls in interleaved rounds (lib/measure.js), so
// noise from a neighbour hits both: the ratio column is what to read.
// Standalone: `node bench/cluster.js`. Speed targets live here, never in tests.

const { runChild, isChild, childMain } = require('./lib/child')
const { compare, report, sink } = require('./lib/measure')
const fmt = require('./lib/table')
const rd = require('./lib/redis')

const KEYS = 10000
const BATCH = 100
const SEQUENTIAL_PER_CALL = 20

const key = (i) => `key:${i % KEYS}`
// One slot for the pipelines: ioredis's Cluster wants them on one primary.
const tagged = (i) => `{pipe}key:${i % KEYS}`

// [label, mode, perCall, (client, base) => promise]
const ROWS = [
  ['GET, L1 cannot answer', '100 at once', BATCH, (c, n) => Promise.all(Array.from({ length: BATCH }, (_, j) => c.get(key(n + j))))],
  ['GET, L1 answers', '100 at once', BATCH, (c) => Promise.all(Array.from({ length: BATCH }, (_, j) => c.get(key(j))))],
  ['SET', '100 at once', BATCH, (c, n) => Promise.all(Array.from({ length: BATCH }, (_, j) => c.set(key(n + j), 'value')))],
  ['GET, L1 cannot answer', 'pipeline of 100, one slot', BATCH, (c, n) => {
    const p = c.pipeline()
    for (let j = 0; j < BATCH; j++) p.get(tagged(n + j))
    return p.exec()
  }],
  ['SET', 'pipeline of 100, one slot', BATCH, (c, n) => {
    const p = c.pipeline()
    for (let j = 0; j < BATCH; j++) p.set(tagged(n + j), 'value')
    return p.exec()
  }],
  ['GET, L1 cannot answer', 'sequential', SEQUENTIAL_PER_CALL, async (c, n) => {
    for (let j = 0; j < SEQUENTIAL_PER_CALL; j++) sink(await c.get(key(n + j)))
  }]
]

async function measureAll (seeds) {
  const TierCache = require('../')
  const Redis = require('ioredis')
  const io = new Redis.Cluster(seeds)
  for (let i = 0; i < KEYS; i += BATCH) {
    await Promise.all(Array.from({ length: BATCH }, (_, j) => io.set(key(i + j), `value-${i + j}`)))
    await Promise.all(Array.from({ length: BATCH }, (_, j) => io.set(tagged(i + j), `value-${i + j}`)))
  }
  // Two entries: reading 10,000 keys in turn, every read misses L1.
  const small = new TierCache.Cluster(seeds, { maxEntries: 2 })
  const warm = new TierCache.Cluster(seeds)
  await small.ping()
  await warm.ping()
  for (let j = 0; j < BATCH; j++) await warm.get(key(j))
  const rows = []
  let next = 0
  try {
    for (const [label, mode, per, call] of ROWS) {
      const ours = label === 'GET, L1 answers' ? warm : small
      const list = [
        { id: 'tc', name: 'tiercache', opsPerCall: per, fn: async () => { sink(await call(ours, next)); next += per } },
        { id: 'io', name: 'ioredis', opsPerCall: per, fn: async () => { sink(await call(io, next)); next += per } }
      ]
      rows.push({ label, mode, rows: report(list, await compare(`cluster ${label} ${mode}`, list)) })
    }
  } finally {
    await rd.closeQuietly(() => small.quit())
    await rd.closeQuietly(() => warm.quit())
    io.disconnect()
  }
  return rows
}

function section (rows) {
  const lines = [
    '| command | mode | tiercache ops/s | ioredis ops/s | tiercache ÷ ioredis | spread (tc, io) |',
    '|---|---|---:|---:|---:|---:|'
  ]
  for (const r of rows) {
    const by = Object.fromEntries(r.rows.map((x) => [x.id, x]))
    lines.push(`| ${r.label} | ${r.mode} | ${fmt.int(Math.round(by.tc.opsPerSec))} | ${fmt.int(Math.round(by.io.opsPerSec))} | ` +
      `**${(by.tc.opsPerSec / by.io.opsPerSec).toFixed(2)}×** | ${Math.round(by.tc.spread * 100)}%, ${Math.round(by.io.spread * 100)}% |`)
  }
  return lines.join('\n')
}

const TITLE = '## Cluster: tiercache\'s Cluster client against ioredis\'s'

async function run () {
  let cluster
  try {
    const { startCluster } = require('../__test__/support/cluster')
    cluster = await startCluster({ replicasPerMaster: 0 })
  } catch (err) {
    return `${TITLE}\n\n_Skipped: no private Redis Cluster could be started (${err.message.split('\n')[0]})._\n`
  }
  try {
    const rows = await runChild(__filename, [JSON.stringify(cluster.seeds)])
    return [
      TITLE,
      '',
      'The same calls from both clients on one private Redis Cluster (three primaries), in interleaved rounds. ' +
        '"L1 cannot answer" reads 10,000 keys in turn from a cache bounded to 2 entries; "L1 answers" reads 100 keys ' +
        'again. Pipelines stay within one slot: ioredis\'s Cluster refuses one whose keys are on several primaries ' +
        '(tiercache\'s splits it). Spread is (slowest round − fastest) ÷ median: a noise indicator.',
      '',
      section(rows),
      ''
    ].join('\n')
  } finally {
    await cluster.stop()
  }
}

module.exports = { name: 'cluster', title: 'Redis Cluster: tiercache\'s Cluster client vs ioredis\'s', run }

if (isChild()) childMain(([seeds]) => measureAll(JSON.parse(seeds)))
else if (require.main === module) run().then((md) => console.log(md))
