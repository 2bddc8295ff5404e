'use strict'
// WAIT numreplicas timeout on the shared connection, beside ioredis, with a
// real replica (a second private redis-server replicating the first): it
// answers how many replicas acknowledged this client's writes; a timeout of
// 0 or above half of commandTimeout is refused before anything is sent (it
// would hold every command behind it); a command sent behind a WAIT that
// waits its whole timeout still settles within its own commandTimeout.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const IORedis = require('ioredis')

const TierCache = require('../../..')
const { startRedis } = require('../../support/redis-server')
const { rejectsWith, sleep } = require('../../support/helpers')
const { TierCacheError, CODES } = require('../../../lib/errors')

describe('WAIT', () => {
  let primary, replica, io, cache
  before(async () => {
    primary = await startRedis()
    replica = await startRedis({ args: ['--replicaof', '127.0.0.1', String(primary.port)] })
    const r = new IORedis({ port: replica.port, lazyConnect: true })
    await r.connect()
    const deadline = Date.now() + 10000
    while (!/master_link_status:up/.test(await r.info('replication'))) {
      if (Date.now() > deadline) throw new Error('the replica never synced')
      await sleep(50)
    }
    r.disconnect()
    io = new IORedis({ port: primary.port, lazyConnect: true })
    await io.connect()
    cache = new TierCache({ redis: primary.url, commandTimeout: 1000 })
    await cache.connect()
  })
  after(async () => {
    await cache.quit()
    await io.quit()
    await replica.stop()
    await primary.stop()
  })

  test('answers as ioredis: the replicas that acknowledged, at once when enough did, after its timeout when not', async () => {
    for (const c of [cache, io]) {
      await c.set(`wait:${c === io ? 'io' : 'tc'}`, 'v')
      assert.equal(await c.wait(1, 400), 1, 'the replica acknowledged the write')
      const t0 = Date.now()
      assert.equal(await c.call('WAIT', 2, 150), 1, 'only one replica exists')
      assert.ok(Date.now() - t0 >= 140, 'it waited its timeout')
    }
    // In a transaction WAIT does not block (Redis answers at once): any timeout.
    const [[, waited]] = await cache.multi().wait(5, 0).exec()
    assert.equal(typeof waited, 'number')
  })

  test('a timeout of 0, above half of commandTimeout, or not a number is refused before anything is sent', async () => {
    const sent = Number(/total_commands_processed:(\d+)/.exec(await io.info('stats'))[1])
    for (const timeout of [0, 501, 'later']) {
      const err = await rejectsWith(cache.wait(1, timeout), TierCacheError, CODES.UNSUPPORTED, String(timeout))
      assert.match(err.message, /half of commandTimeout/)
    }
    const after = Number(/total_commands_processed:(\d+)/.exec(await io.info('stats'))[1])
    assert.equal(after - sent, 1, 'only the INFO in between reached Redis')
  })

  test('a command sent behind a WAIT that waits its whole timeout still settles', async () => {
    const waiting = cache.wait(2, 500)
    await sleep(20)
    const t0 = Date.now()
    assert.equal(await cache.call('PING'), 'PONG')
    assert.ok(Date.now() - t0 < 1000, 'within its commandTimeout')
    assert.equal(await waiting, 1)
  })
})
