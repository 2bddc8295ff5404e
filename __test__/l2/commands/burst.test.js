'use strict'
// Commands called in one tick go to Redis as one pipeline
// (src/core/tier/batch.rs): GETs and generic commands, cached reads among
// them. Each keeps its own outcome (an error reply fails that command only,
// in its place), and L1 stays exact: a read and a write of the same key in
// one burst never leave the read's older reply in L1. Generated bursts are
// compared reply by reply with ioredis sending the same burst to a server
// of its own, then every key is read again through L1 and compared with
// Redis. BURST_RUNS=n runs more; a failure prints BURST_SEED.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fc = require('fast-check')
const IORedis = require('ioredis')

const TierCache = require('../../..')
const { startRedis } = require('../../support/redis-server')
const { plainReply } = require('../../support/helpers')

const RUNS = Number(process.env.BURST_RUNS || 40)
const SEED = process.env.BURST_SEED === undefined ? undefined : Number(process.env.BURST_SEED)

const HASHES = ['h:a', 'h:b']
const LISTS = ['l:a']
const STRINGS = ['s:a', 's:b']
const FIELDS = ['f1', 'f2', 'f3']

const key = (keys) => fc.constantFrom(...keys)
const value = fc.string({ maxLength: 6 })

// [method, ...args]: reads L1 may answer, the writes that change them, and
// commands that fail on the key's type (WRONGTYPE, in their place).
const call = fc.oneof(
  fc.tuple(fc.constant('hgetall'), key(HASHES)),
  fc.tuple(fc.constant('hget'), key(HASHES), key(FIELDS)),
  fc.tuple(fc.constant('hset'), key(HASHES), key(FIELDS), value),
  fc.tuple(fc.constant('hdel'), key(HASHES), key(FIELDS)),
  fc.tuple(fc.constant('lrange'), key(LISTS), fc.constant(0), fc.constant(-1)),
  fc.tuple(fc.constant('lpush'), key(LISTS), value),
  fc.tuple(fc.constant('get'), key(STRINGS)),
  fc.tuple(fc.constant('set'), key(STRINGS), value),
  fc.tuple(fc.constant('del'), key([...HASHES, ...STRINGS])),
  fc.tuple(fc.constant('incr'), key(HASHES)),
  fc.tuple(fc.constant('hgetall'), key(STRINGS))
)

/** Every call of `burst` in one tick; each outcome as a plain value or { error }. */
async function send (client, burst) {
  const outcomes = await Promise.allSettled(burst.map(([method, ...args]) => client[method](...args)))
  return outcomes.map((o) => o.status === 'fulfilled' ? plainReply(o.value) : { error: o.reason.message })
}

/** What Redis (through `client`) holds under every key, read in one burst. */
function everything (client) {
  return send(client, [
    ...HASHES.map((k) => ['hgetall', k]),
    ...HASHES.flatMap((k) => FIELDS.map((f) => ['hget', k, f])),
    ...LISTS.map((k) => ['lrange', k, 0, -1]),
    ...STRINGS.map((k) => ['get', k])
  ])
}

describe('a burst of commands sent as one pipeline', () => {
  let ours, theirs, cache, io
  before(async () => {
    [ours, theirs] = await Promise.all([startRedis(), startRedis()])
    cache = new TierCache({ redis: ours.url })
    await cache.connect()
    io = new IORedis({ port: theirs.port, lazyConnect: true })
    await io.connect()
  })
  after(async () => {
    await cache.quit()
    await io.quit()
    await Promise.all([ours.stop(), theirs.stop()])
  })

  test('each command answers as ioredis does, and L1 holds what Redis holds afterwards', async () => {
    const report = await fc.check(fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 40 }), async (burst) => {
      await Promise.all([cache.flushdb(), io.flushdb()])
      // Twice: the second burst starts with L1 filled by the first.
      for (let round = 0; round < 2; round++) {
        const [got, expected] = await Promise.all([send(cache, burst), send(io, burst)])
        assert.deepEqual(got, expected)
        // Twice again: the first read may fill L1, the second is answered from it.
        for (let read = 0; read < 2; read++) {
          assert.deepEqual(await everything(cache), await everything(io), `read ${read} after round ${round}`)
        }
      }
    }), { numRuns: RUNS, seed: SEED })
    if (report.failed) {
      assert.fail(`BURST_SEED=${report.seed} (path ${report.counterexamplePath}): ${report.errorInstance && report.errorInstance.message}`)
    }
  })

  test('bursts over several ticks, none awaited, mixing commands sent directly and through the dispatcher, keep their order', async () => {
    // A tick of batchable commands is written by the JS thread itself when
    // nothing handed to the dispatcher (a SET, an INCR, a DEL) is unsettled
    // (src/core/tier/direct.rs). Ticks here follow each other without
    // waiting for replies, sometimes with I/O between them, so direct and
    // dispatched bursts interleave in every way; the replies must be
    // ioredis's for the same calls, in the same order.
    const gaps = fc.constantFrom('microtask', 'immediate', 'none')
    const report = await fc.check(fc.asyncProperty(
      fc.array(fc.tuple(fc.array(call, { minLength: 1, maxLength: 8 }), gaps), { minLength: 2, maxLength: 12 }),
      async (ticks) => {
        await Promise.all([cache.flushdb(), io.flushdb()])
        const run = async (client) => {
          const pending = []
          for (const [burst, gap] of ticks) {
            // Settled into values at once: a rejection before the gaps end is not unhandled.
            for (const [method, ...args] of burst) {
              pending.push(client[method](...args).then(plainReply, (err) => ({ error: err.message })))
            }
            if (gap === 'microtask') await null
            else if (gap === 'immediate') await new Promise(setImmediate)
          }
          return Promise.all(pending)
        }
        const [got, expected] = await Promise.all([run(cache), run(io)])
        assert.deepEqual(got, expected)
        assert.deepEqual(await everything(cache), await everything(io))
      }), { numRuns: RUNS, seed: SEED })
    if (report.failed) {
      assert.fail(`BURST_SEED=${report.seed} (path ${report.counterexamplePath}): ${report.errorInstance && report.errorInstance.message}`)
    }
  })

  test('a read, a write of its key and the read again in one tick: the second read and L1 see the write', async () => {
    // Cold: the first read's reply races with the write sent right after it.
    await cache.flushdb()
    await cache.hset('race', 'f', 'old')
    const before = cache.hgetall('race')
    const write = cache.hset('race', 'f', 'new')
    const afterWrite = cache.hgetall('race')
    assert.deepEqual(await before, { f: 'old' })
    assert.equal(await write, 0)
    assert.deepEqual(await afterWrite, { f: 'new' })
    for (let i = 0; i < 3; i++) assert.deepEqual(await cache.hgetall('race'), { f: 'new' })
  })

  test('one failing command in a burst of 500 fails alone, in its place', async () => {
    await cache.flushdb()
    await cache.set('text', 'not a list')
    const burst = []
    for (let i = 0; i < 500; i++) burst.push(i === 250 ? cache.lpush('text', 'x') : cache.hset(`h${i % 7}`, `f${i}`, 'v'))
    const outcomes = await Promise.allSettled(burst)
    outcomes.forEach((o, i) => {
      if (i === 250) {
        assert.equal(o.status, 'rejected')
        assert.match(o.reason.message, /^WRONGTYPE/)
      } else {
        assert.deepEqual(o, { status: 'fulfilled', value: 1 })
      }
    })
  })
})
