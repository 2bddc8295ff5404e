'use strict'
// createClientPool (lib/node-redis/pool.js) beside node-redis's own pool on
// the same private redis-server: commands through the pool answer alike;
// execute() isolates (optimistic increments with WATCH from many executes
// at once lose no update, as with node-redis), queues past `maximum`,
// rejects after `acquireTimeout`, and close() leaves no connection behind.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const IORedis = require('ioredis')
const redisPackage = require('redis')

const TierCache = require('../../..')
const { startRedis } = require('../../support/redis-server')
const { rejectsWith, sleep } = require('../../support/helpers')
const { UnavailableError, ClosedError, TierCacheTypeError, codes: CODES } = TierCache

/** Connections Redis holds on database `db` (each test's pool has a database of its own). */
async function clients (io, db) {
  return (await io.client('LIST')).trim().split('\n').filter((line) => new RegExp(`\\bdb=${db}\\b`).test(line)).length
}

/** WATCH, read, MULTI/EXEC; retried while EXEC aborts (node-redis v5: WatchError). */
async function increment (client, key) {
  for (;;) {
    await client.watch(key)
    const next = Number(await client.get(key)) + 1
    try {
      await client.multi().set(key, String(next)).exec()
      return next
    } catch (err) {
      if (err.constructor.name !== 'WatchError') throw err
    }
  }
}

describe('createClientPool', () => {
  let server, io
  before(async () => {
    server = await startRedis()
    io = new IORedis({ port: server.port, lazyConnect: true })
    await io.connect()
  })
  after(async () => {
    await io.quit()
    await server.stop()
  })

  test('answers as node-redis\'s pool: commands, and execute with WATCH from 20 executes at once', async () => {
    const run = async (pool, prefix) => {
      const out = []
      out.push(await pool.ping())
      out.push(await pool.set(`${prefix}:k`, 'v'))
      out.push(await pool.get(`${prefix}:k`))
      const racing = await Promise.all(Array.from({ length: 20 }, () => pool.execute((c) => increment(c, `${prefix}:n`))))
      out.push(racing.sort((a, b) => a - b))
      out.push(await pool.get(`${prefix}:n`))
      out.push(await pool.execute((c) => c.blPop(`${prefix}:none`, 0.1)))
      return out
    }
    const theirs = await redisPackage.createClientPool({ url: server.url, RESP: 2 }, { maximum: 5 }).connect()
    const ours = await TierCache.createClientPool({ url: server.url }, { maximum: 5 }).connect()
    try {
      const expected = await run(theirs, 'nr')
      const got = await run(ours, 'tc')
      assert.deepEqual(got, expected)
      assert.deepEqual(got[3], Array.from({ length: 20 }, (_, i) => i + 1), 'no increment lost')
      assert.ok(ours.totalClients <= 6, `at most maximum isolated clients (${ours.totalClients})`)
    } finally {
      await theirs.close()
      await ours.close()
    }
  })

  test('past maximum, executes wait; past acquireTimeout they reject; a closed pool refuses', async () => {
    const pool = await TierCache.createClientPool({ url: server.url }, { maximum: 1, acquireTimeout: 200 }).connect()
    try {
      let release
      const holding = pool.execute(() => new Promise((resolve) => { release = resolve }))
      await sleep(50)
      const queued = pool.execute((c) => c.ping())
      assert.equal(pool.tasksQueueLength, 1)
      assert.equal(pool.clientsInUse, 1)
      release('done')
      assert.equal(await holding, 'done')
      assert.equal(await queued, 'PONG', 'the queued execute got the released client')
      const hold2 = pool.execute(() => sleep(500))
      await sleep(20)
      const err = await rejectsWith(pool.execute((c) => c.ping()), UnavailableError, CODES.L2_UNAVAILABLE)
      assert.match(err.message, /acquireTimeout/)
      await hold2
      await rejectsWith(pool.execute('not a function'), TierCacheTypeError, CODES.INVALID_ARGUMENT)
    } finally {
      await pool.close()
    }
    await rejectsWith(pool.execute((c) => c.ping()), ClosedError, CODES.CLOSED)
    assert.throws(() => TierCache.createClientPool({ url: server.url }, { maximum: 0 }), TierCacheTypeError)
    assert.throws(() => TierCache.createClientPool({ url: server.url }, { bogus: 1 }), TierCacheTypeError)
  })

  test('without Redis, execute hands fn the pool\'s own client (one L1)', async () => {
    const pool = await TierCache.createClientPool().connect()
    try {
      await pool.set('k', 'v')
      assert.equal(await pool.execute((c) => { assert.equal(c, pool); return c.get('k') }), 'v')
    } finally {
      await pool.close()
    }
    await rejectsWith(pool.execute((c) => c.get('k')), ClosedError, CODES.CLOSED)
  })

  test('close() leaves no connection behind, idle clients included', async () => {
    const pool = await TierCache.createClientPool({ url: `${server.url}/5` }, { maximum: 4 }).connect()
    await Promise.all(Array.from({ length: 4 }, () => pool.execute(async (c) => { await sleep(30); return c.ping() })))
    assert.equal(pool.idleClients, 4)
    assert.ok(await clients(io, 5) >= 5, 'the pool\'s own connection and its 4 isolated clients\'')
    await pool.close()
    const deadline = Date.now() + 5000
    while (await clients(io, 5) > 0 && Date.now() < deadline) await sleep(20)
    assert.equal(await clients(io, 5), 0)
  })
})
