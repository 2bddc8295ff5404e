'use strict'
// Write-behind with tiercache: the app writes to the cache, which answers at
// once, and a queue writes to the slower "source of truth" (a database, an
// API, a file) later, in batches. Reads come from the cache, so the app
// never waits for the source.
//
// Here the source is an append-only JSON-lines file, one line per write:
//   {"key":"event:17","value":{"seq":17,"type":"view","at":…},"op":"set"}
// The app records events (`event:<seq>`, one key each) and keeps a counter
// per event type (`counter:<type>`, the same few keys written over and over:
// the queue coalesces them, so the source sees far fewer counter writes than
// the app made).
//
// Run it:
//   node examples/write-behind.js                 # until Ctrl-C (SIGINT) or SIGTERM
//   WB_COUNT=2000 node examples/write-behind.js   # 2,000 events, then ends by itself
//   REDIS_URL=redis://localhost:6379 node examples/write-behind.js   # Redis as L2
//   WB_SOURCE_FILE=/tmp/source.jsonl …            # where the source lives (emptied at start;
//                                                 # default: a file in the OS temp dir)
//
// What it prints (stdout, one line each; the tests read it):
//   source <path>      at start: the source file
//   acked <seq>        event <seq> is accepted: in the cache, and queued for the source
//   summary …          at the end: events, cache writes, source writes, failed batches
//   drained            every accepted write is in the source file; the process then ends (code 0)
// A second Ctrl-C while draining kills the process at once (Node's default).

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { setTimeout: sleep } = require('node:timers/promises')
const TierCache = require('..') // in your app: require('tiercache')

const SOURCE_FILE = process.env.WB_SOURCE_FILE || path.join(os.tmpdir(), 'tiercache-write-behind-source.jsonl')
const COUNT = process.env.WB_COUNT === undefined ? Infinity : Number(process.env.WB_COUNT)
if (COUNT !== Infinity && !(Number.isSafeInteger(COUNT) && COUNT >= 0)) {
  console.error(`WB_COUNT must be a non-negative integer, got ${JSON.stringify(process.env.WB_COUNT)}`)
  process.exit(2)
}

/** How long the source takes per batch: a database round trip, say. */
const SOURCE_DELAY_MS = 5
const EVENT_TYPES = ['view', 'click', 'purchase']

// REDIS_URL unset: `new TierCache(undefined)` is L1 only (no Redis needed).
// With Redis, every instance of the app sees a write as soon as it is acked.
const cache = new TierCache(process.env.REDIS_URL)
cache.on('error', (err) => console.error(`redis: ${err.message}`))

/**
 * The writer: gets a batch of writes, `[{ key, value, op: 'set' | 'del' }]`,
 * and stores all of it in the source. It resolves when the source has the
 * batch, and throws if it could not: the queue then retries the batch
 * (with backoff), and never drops it. Writes of one key arrive in order, and
 * only one batch is with the writer at a time.
 */
async function writeToSource (batch) {
  await sleep(SOURCE_DELAY_MS)
  const lines = batch.map((entry) => JSON.stringify(entry) + '\n').join('')
  await fs.promises.appendFile(SOURCE_FILE, lines)
}

// The queue. Every option has a default; these are the ones to think about:
const wb = cache.writeBehind({
  writer: writeToSource,
  batchSize: 100, // at most this many writes per writer call (a full batch goes at once)
  flushInterval: 200, // ms: queued writes go out at least this often
  maxQueue: 5000, // keys waiting at most; then set() waits for room (whenFull: 'wait')
  retries: 3, // a failed batch is tried again 3 times, from retryDelay ms, doubling…
  retryDelay: 50 // …then it goes back to the head of the queue for the next flush
})
// A failed batch is not lost, but you want to know the source is failing.
wb.on('writeError', (err, entries, attempt) => {
  console.error(`source write failed (attempt ${attempt}, ${entries.length} writes): ${err.message}`)
})
// The cache could not be updated (Redis down): the source write is queued anyway.
wb.on('cacheError', (err) => console.error(`cache write failed: ${err.message}`))

let stopping = false
let acked = 0

/** The app: records events and counts them, until WB_COUNT events or a signal. */
async function produce () {
  for (let seq = 1; seq <= COUNT && !stopping; seq++) {
    const type = EVENT_TYPES[seq % EVENT_TYPES.length]
    // Resolves once the cache holds the event and its source write is queued:
    // from here on the write is ours to deliver, whatever happens next
    // (short of a crash: the queue lives in this process's memory).
    await wb.set(`event:${seq}`, { seq, type, at: Date.now() })
    acked = seq
    console.log(`acked ${seq}`)

    // Read-modify-write on the cache: it is the fast, current copy. The
    // source only ever sees the latest count of each type that was queued.
    const counterKey = `counter:${type}`
    const count = Number(await cache.get(counterKey)) + 1 // null (no count yet) → 0
    await wb.set(counterKey, count)

    // Events come in over time, not all at once.
    if (seq % 5 === 0) await sleep(1)
  }
}

async function main () {
  // A fresh source for each run.
  await fs.promises.writeFile(SOURCE_FILE, '')
  console.log(`source ${SOURCE_FILE}`)

  // Graceful shutdown: stop producing, then drain. `once`: a second signal
  // gets Node's default behaviour and ends the process at once.
  const stop = () => { stopping = true }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)

  await produce()

  // close() refuses new writes and resolves once every write queued before
  // it is in the source (a failing source is retried until it takes them).
  // Skip it and the writes still in the queue are lost when the process ends.
  await wb.close()
  // Two cache writes per event (the event, its counter); coalescing makes
  // the source writes fewer.
  const { writeBehindWrites, writeBehindFailures } = cache.stats().patterns
  console.log(`summary events=${acked} cacheWrites=${acked * 2} sourceWrites=${writeBehindWrites} failedBatches=${writeBehindFailures}`)
  // Only then close the cache (with Redis: the connection).
  await cache.quit()
  console.log('drained')
  // Nothing is left running: the process ends by itself, with code 0.
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
