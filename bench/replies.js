'use strict'
// Scenario "replies": L1 hits of reads of hashes, sets, sorted sets and
// lists (issue 12 §8) against node-redis v6's client-side cache, the same
// commands on the same private redis-server, in one run:
//
// - tiercache `new TierCache({ redis: url })`: the generated methods
//   (`hgetall`, `hget`, `smembers`, `zrange(k, 0, -1, 'WITHSCORES')`,
//   `lrange`) with the defaults (a per-thread reply front answers, handing
//   out a copy of the reply) and with `{ frontSize: 0 }` (every read is a
//   native hit in the shared store, the reply built from its bytes);
// - node-redis `createClient({ url, RESP: 3, clientSideCache: { ttl: 0,
//   maxEntries: 0 } })`: `hGetAll`, `hGet`, `sMembers`,
//   `zRangeWithScores(k, 0, -1)` (its WITHSCORES form), `lRange`.
//
// Each key holds 10 fields / members / elements of 10 bytes. Every read is
// awaited one at a time (100 per timed call). "Redis commands per 1,000
// reads", counted on the server outside the timed rounds, shows that every
// row is a cache hit (0).

const { runChild, isChild, childMain } = require('./lib/child')
const { compare, report, sink } = require('./lib/measure')
const fmt = require('./lib/table')
const rd = require('./lib/redis')

const PER_CALL = 100

const COMMANDS = [
  { id: 'hgetall', label: 'HGETALL (10 fields)', tc: (c, k) => c.hgetall(k.h), nr: (c, k) => c.hGetAll(k.h) },
  { id: 'hget', label: 'HGET', tc: (c, k) => c.hget(k.h, 'field:0003'), nr: (c, k) => c.hGet(k.h, 'field:0003') },
  { id: 'smembers', label: 'SMEMBERS (10)', tc: (c, k) => c.smembers(k.s), nr: (c, k) => c.sMembers(k.s) },
  { id: 'zrange', label: 'ZRANGE 0 -1 WITHSCORES (10)', tc: (c, k) => c.zrange(k.z, 0, -1, 'WITHSCORES'), nr: (c, k) => c.zRangeWithScores(k.z, 0, -1) },
  { id: 'lrange', label: 'LRANGE 0 -1 (10)', tc: (c, k) => c.lrange(k.l, 0, -1), nr: (c, k) => c.lRange(k.l, 0, -1) }
]

async function seed (url) {
  const Redis = require('ioredis')
  const io = new Redis(url)
  const k = { h: 'bench:h', s: 'bench:s', z: 'bench:z', l: 'bench:l' }
  await io.del(k.h, k.s, k.z, k.l)
  for (let i = 0; i < 10; i++) {
    const m = `field:${String(i).padStart(4, '0')}`
    await io.hset(k.h, m, `value:${String(i).padStart(4, '0')}`)
    await io.sadd(k.s, m)
    await io.zadd(k.z, i + 0.25, m)
    await io.rpush(k.l, m)
  }
  io.disconnect()
  return k
}

async function measureAll (url) {
  const k = await seed(url)
  const tc = (await rd.openTiercache({ redis: url })).cache
  const tc0 = (await rd.openTiercache({ redis: url, frontSize: 0 })).cache
  const { createClient } = require('redis')
  const nr = createClient({ url, RESP: 3, clientSideCache: { ttl: 0, maxEntries: 0 } })
  nr.on('error', () => {})
  await nr.connect()
  const counter = await rd.commandCounter(url)
  const clients = { tc, tc0, nr }
  const rows = []
  try {
    for (const cmd of COMMANDS) {
      const read = { tc: (c) => cmd.tc(c, k), tc0: (c) => cmd.tc(c, k), nr: (c) => cmd.nr(c, k) }
      const commandsPer1000 = {}
      for (const id of Object.keys(clients)) {
        for (let i = 0; i < 3; i++) await read[id](clients[id]) // fill
        const before = await counter.count()
        for (let i = 0; i < 1000; i++) await read[id](clients[id])
        commandsPer1000[id] = (await counter.count()) - before
      }
      const contestants = [
        { id: 'tc', name: '**tiercache** · defaults (reply front hit)' },
        { id: 'tc0', name: '**tiercache** · { frontSize: 0 } (native L1 hit)' },
        { id: 'nr', name: 'node-redis v6 client-side cache hit' }
      ].map((c) => ({
        ...c,
        opsPerCall: PER_CALL,
        fn: async () => {
          const client = clients[c.id]
          const f = read[c.id]
          for (let i = 0; i < PER_CALL; i++) sink(await f(client))
        }
      }))
      const results = await compare(`replies ${cmd.id}`, contestants)
      rows.push({ cmd, rows: report(contestants, results).map((r) => ({ ...r, redisPer1000: commandsPer1000[r.id] })) })
    }
  } finally {
    counter.close()
    await tc.quit()
    await tc0.quit()
    await nr.close()
  }
  return rows
}

function section (groups) {
  const lines = [
    '| command | tiercache front hit ops/s | tiercache native hit ops/s | node-redis CSC hit ops/s | front ÷ CSC | native ÷ CSC | Redis commands / 1,000 reads (tc, tc0, nr) | spread (tc, tc0, nr) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|'
  ]
  for (const { cmd, rows } of groups) {
    const by = Object.fromEntries(rows.map((r) => [r.id, r]))
    const ratio = (a, b) => `**${(by[a].opsPerSec / by[b].opsPerSec).toFixed(2)}×**`
    lines.push(`| ${cmd.label} | ${fmt.int(Math.round(by.tc.opsPerSec))} | ${fmt.int(Math.round(by.tc0.opsPerSec))} | ` +
      `${fmt.int(Math.round(by.nr.opsPerSec))} | ${ratio('tc', 'nr')} | ${ratio('tc0', 'nr')} | ` +
      `${by.tc.redisPer1000}, ${by.tc0.redisPer1000}, ${by.nr.redisPer1000} | ` +
      `${[by.tc, by.tc0, by.nr].map((r) => `${Math.round(r.spread * 100)}%`).join(', ')} |`)
  }
  return lines.join('\n')
}

const TITLE = '## Replies: L1 hits of hash, set, sorted-set and list reads against node-redis\'s client-side cache'

function run () {
  return rd.onPrivateServer('replies', TITLE, async (server) => {
    const groups = await runChild(__filename, [server.url])
    return [
      TITLE,
      '',
      'The same reads on the same keys of a private redis-server (10 fields, members or elements of 10 bytes each), ' +
        'each awaited one at a time; every timed read is a cache hit (the Redis commands column, counted on the server ' +
        'outside the timed rounds). tiercache hands out a copy of the cached reply (a caller may change it); node-redis ' +
        'structuredClones its cached reply. node-redis\'s ZRANGE row is `zRangeWithScores` (objects), tiercache\'s the ' +
        'flat WITHSCORES array, as ioredis.',
      '',
      section(groups),
      ''
    ].join('\n')
  })
}

module.exports = { name: 'replies', title: 'L1 hits of hash/set/zset/list reads', run }

if (isChild()) childMain(([url]) => measureAll(url))
else if (require.main === module) run().then((md) => console.log(md))
