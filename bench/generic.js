'use strict'
// Commands of the generic path (lib/send-command.js) against a private
// redis-server, tiercache beside ioredis on the same server in one run:
// each command sequentially (one awaited at a time) and 100 at once, in
// ops/s, with the ratio tiercache ÷ ioredis. HGETALL is measured where L1
// cannot answer (1,000 hashes read in turn, L1 bounded to 2 entries) and
// where it does (one hash, read again). Standalone:
//
//   node bench/generic.js
//
// Speed targets live here, never in the tests.

const { startServer, openTiercache, closeQuietly } = require('./lib/redis')

const ROUNDS = 5
const OPS_PER_ROUND = 4000
const CONCURRENCY = 100
const HASHES = 1000

async function sequential (op) {
  for (let i = 0; i < OPS_PER_ROUND; i++) await op(i)
}

async function concurrent (op) {
  for (let i = 0; i < OPS_PER_ROUND; i += CONCURRENCY) {
    const batch = []
    for (let j = 0; j < CONCURRENCY; j++) batch.push(op(i + j))
    await Promise.all(batch)
  }
}

/** Median ops/s of `run(op)` over ROUNDS, after one warm-up round. */
async function opsPerSecond (run, op) {
  await run(op)
  const rates = []
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint()
    await run(op)
    rates.push(OPS_PER_ROUND / (Number(process.hrtime.bigint() - t0) / 1e9))
  }
  rates.sort((a, b) => a - b)
  return rates[Math.floor(rates.length / 2)]
}

// [label, (client, i) => promise]; the same calls on both clients.
const COMMANDS = [
  ['HGETALL, L1 cannot answer', (c, i) => c.hgetall(`h:${i % HASHES}`)],
  ['HGETALL, L1 answers', (c) => c.hgetall('h:0')],
  ['ZADD', (c, i) => c.zadd('z', i % 5000, `m${i % 5000}`)],
  ['LPUSH', (c, i) => c.lpush(`l:${i % 100}`, 'v')],
  ['HSET', (c, i) => c.hset(`w:${i % 100}`, `f${i % 10}`, String(i))],
  ['EVALSHA', (c, i, sha) => c.evalsha(sha, 1, `e:${i % 100}`, 'x')],
  ['PUBLISH', (c) => c.publish('channel', 'message')]
]

const SCRIPT = "return redis.call('SET', KEYS[1], ARGV[1])"

async function main () {
  const server = await startServer()
  if (server === null) {
    console.log('redis-server is not installed: nothing measured')
    return
  }
  const Redis = require('ioredis')
  const io = new Redis({ port: server.port, lazyConnect: true })
  await io.connect()
  for (let h = 0; h < HASHES; h++) {
    const fields = {}
    for (let f = 0; f < 10; f++) fields[`field${f}`] = `value-${h}-${f}`
    await io.hset(`h:${h}`, fields)
  }
  const sha = await io.script('LOAD', SCRIPT)
  // Two entries: reading 1,000 hashes in turn, every read misses L1.
  const { cache, error } = await openTiercache({ redis: server.url, maxEntries: 2 })
  if (error !== undefined) throw new Error(error)
  const { cache: warm, error: warmError } = await openTiercache({ redis: server.url })
  if (warmError !== undefined) throw new Error(warmError)
  try {
    console.log('command'.padEnd(28), 'mode'.padEnd(12), 'tiercache'.padStart(11), 'ioredis'.padStart(11), 'ratio'.padStart(7))
    for (const [label, call] of COMMANDS) {
      const ours = label === 'HGETALL, L1 answers' ? warm : cache
      for (const [mode, run] of [['sequential', sequential], [`${CONCURRENCY} at once`, concurrent]]) {
        const t = await opsPerSecond(run, (i) => call(ours, i, sha))
        const r = await opsPerSecond(run, (i) => call(io, i, sha))
        console.log(label.padEnd(28), mode.padEnd(12), Math.round(t).toLocaleString('en').padStart(11),
          Math.round(r).toLocaleString('en').padStart(11), `${(t / r).toFixed(2)}×`.padStart(7))
      }
    }
  } finally {
    await closeQuietly(() => cache.quit())
    await closeQuietly(() => warm.quit())
    await io.quit()
    await server.stop()
  }
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
