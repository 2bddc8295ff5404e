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
  try {
    await measure('tiercache pipeline()', () => fill(cache.pipeline(), 't:').exec())
    await measure('ioredis pipeline()', () => fill(io.pipeline(), 'i:').exec())
    await measure('tiercache multi()', () => fill(cache.multi(), 't:').exec())
    await measure('ioredis multi()', () => fill(io.multi(), 'i:').exec())
  } finally {
    await closeQuietly(() => cache.quit())
    await io.quit()
    await server.stop()
  }
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
