'use strict'
// Every call settles, however many are in flight at once. The dispatcher
// keeps at most MAX_IN_FLIGHT (4096, src/core/tier/connection.rs) commands
// on the wire and parks the rest; with the wire full it once spun without
// yielding to the connection's driver, so a burst of more than 4096
// single commands (SET, PING, HSET, PUBLISH: GETs go out in batches) never
// settled, not even by commandTimeout.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')

const TierCache = require('../../..')
const { startRedis } = require('../../support/redis-server')

// Far above any honest answer time: this checks settling, not speed.
const HANG_MS = 15000

function settledWithin (promises, what) {
  let timer
  const hang = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not settled within ${HANG_MS} ms`)), HANG_MS)
  })
  return Promise.race([Promise.allSettled(promises), hang]).finally(() => clearTimeout(timer))
}

describe('bursts above the in-flight bound settle', () => {
  let server
  let cache
  before(async () => {
    server = await startRedis()
    cache = new TierCache(server.url)
    await cache.ping()
  })
  after(async () => {
    await cache.quit()
    await server.stop()
  })

  for (const [label, send] of [
    ['set', (c, i) => c.set(`burst:set:${i}`, 'v')],
    ['one key set again and again', (c) => c.set('burst:same', 'v')],
    ['ping through call', (c) => c.call('ping')],
    ['hset (generic path)', (c, i) => c.hset(`burst:h:${i % 100}`, `f${i}`, 'v')],
    ['publish', (c, i) => c.publish('burst', String(i))],
    ['get, set and hget mixed', (c, i) => [c.get(`burst:set:${i}`), c.set(`burst:m:${i}`, 'v'), c.hget(`burst:h:${i % 100}`, `f${i}`)][i % 3]]
  ]) {
    test(`${label}: 10,000 at once, every one answered`, async () => {
      const outcomes = await settledWithin(Array.from({ length: 10000 }, (_, i) => send(cache, i)), label)
      const failed = outcomes.filter((o) => o.status === 'rejected')
      assert.deepEqual(failed.slice(0, 3).map((o) => o.reason.message), [])
    })
  }

  test('the bound holds for a burst over the limit: the commands went to Redis', async () => {
    await settledWithin(Array.from({ length: 6000 }, (_, i) => cache.set(`burst:count:${i}`, String(i))), 'count')
    assert.equal(await cache.get('burst:count:5999'), '5999')
    assert.equal((await cache.keys('burst:count:*')).length, 6000)
  })
})
