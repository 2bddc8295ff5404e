'use strict'
// Pipelines and transactions of 100 commands (50 SET + 50 GET over 50 keys)
// against a private redis-server: tiercache's pipeline() (each command
// through the client's method: L1 answers the gets after the sets) and
// multi() (one packed MULTI … EXEC write, every command to Redis), beside
// ioredis's pipeline() and multi() on the same server. Reports the
// wall-clock time per batch (median of rounds). Standalone:
//
//   node bench/pipeline.js
//
// Speed targets live here, never in the tests.

const { startServer, openTiercache, closeQuietly } = require('./lib/redis')

const COMMANDS = 100
const ROUNDS = 15
const BATCHES_PER_ROUND = 200

async function measure (label, runBatch) {
  for (let i = 0; i < 50; i++) await runBatch(i) // warm-up
  const perBatch = []
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < BATCHES_PER_ROUND; i++) await runBatch(i)
    perBatch.push(Number(process.hrtime.bigint() - t0) / 1e3 / BATCHES_PER_ROUND)
  }
  perBatch.sort((a, b) => a - b)
  const median = perBatch[Math.floor(perBatch.length / 2)]
  console.log(`${label.padEnd(28)} ${median.toFixed(1).padStart(8)} µs / batch of ${COMMANDS}  (${(median / COMMANDS * 1000).toFixed(0)} ns / command)`)
}

// Generic-path commands (lib/send-command.js): 100 HSETs over 100 hashes,
// and 100 HGETALLs of 10-field hashes that L1 cannot answer (the
// tiercache client keeps 2 entries).
function hsets (p, prefix) {
  for (let i = 0; i < COMMANDS; i++) p.hset(`${prefix}w:${i}`, `f${i % 10}`, `value-${i}`)
  return p
}

function hgetalls (p, prefix) {
  for (let i = 0; i < COMMANDS; i++) p.hgetall(`${prefix}h:${i}`)
  return p
}

function fill (p, prefix) {
  for (let i = 0; i < COMMANDS / 2; i++) p.set(`${prefix}${i}`, `value-${i}`)
  for (let i = 0; i < COMMANDS / 2; i++) p.get(`${prefix}${i}`)
  return p
}

async function main () {
  const server = await startServer()
  if (server === null) {
    console.log('redis-server is not installed: nothing measured')
    return
  }
  const Redis = require('ioredis')
  const io = new Redis({ port: server.port, lazyConnect: true })
  await io.connect()
  const { cache, error } = await openTiercache({ redis: server.url })
  if (error !== undefined) throw new Error(error)
  const { cache: small, error: smallError } = await openTiercache({ redis: server.url, maxEntries: 2 })
  if (smallError !== undefined) throw new Error(smallError)
  for (const prefix of ['t:', 'i:']) {
    for (let i = 0; i < COMMANDS; i++) {
      const fields = {}
      for (let f = 0; f < 10; f++) fields[`field${f}`] = `value-${i}-${f}`
      await io.hset(`${prefix}h:${i}`, fields)
    }
  }
  try {
    await measure('tiercache pipeline()', () => fill(cache.pipeline(), 't:').exec())
    await measure('ioredis pipeline()', () => fill(io.pipeline(), 'i:').exec())
    await measure('tiercache multi()', () => fill(cache.multi(), 't:').exec())
    await measure('ioredis multi()', () => fill(io.multi(), 'i:').exec())
    await measure('tiercache pipeline() HSET', () => hsets(cache.pipeline(), 't:').exec())
    await measure('ioredis pipeline() HSET', () => hsets(io.pipeline(), 'i:').exec())
    await measure('tiercache pipeline() HGETALL', () => hgetalls(small.pipeline(), 't:').exec())
    await measure('ioredis pipeline() HGETALL', () => hgetalls(io.pipeline(), 'i:').exec())
  } finally {
    await closeQuietly(() => cache.quit())
    await closeQuietly(() => small.quit())
    await io.quit()
    await server.stop()
  }
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
