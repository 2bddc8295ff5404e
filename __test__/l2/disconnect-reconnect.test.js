'use strict'
// ioredis's disconnect(true): the Redis connection is dropped now and a new
// one made by retryStrategy ('close', 'reconnecting', 'ready', no 'error');
// the cache stays open, L1 keeps serving, and no copy L1 held from the old
// connection outlives it unvouched (a write made while it was down is read
// back). Plain disconnect() still closes the cache.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const IORedis = require('ioredis')

const { startRedis } = require('../support/redis-server')
const { TierCache, sleep } = require('../support/helpers')

async function until (what, check, ms = 5000) {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

describe('disconnect(true) reconnects, as ioredis', () => {
  let server
  let foreign
  before(async () => {
    server = await startRedis()
    foreign = new IORedis({ host: '127.0.0.1', port: server.port, lazyConnect: true })
    await foreign.connect()
  })
  after(async () => {
    if (foreign) await foreign.quit()
    await server.stop()
  })

  test('a new connection, the same events as ioredis, no error; commands and L1 coherence carry on', async (t) => {
    const retries = []
    const cache = new TierCache(server.url, { retryStrategy: (n) => { retries.push(n); return 20 } })
    t.after(() => cache.disconnect())
    const events = []
    for (const name of ['close', 'reconnecting', 'ready', 'end', 'error']) cache.on(name, () => events.push(name))
    await cache.connect()
    const before = await cache.client('ID')
    await cache.set('k', 'v1')
    assert.equal(await cache.get('k'), 'v1')
    events.length = 0

    cache.disconnect(true)
    await until('ready again', () => events.includes('ready'))
    assert.deepEqual(events, ['close', 'reconnecting', 'ready'])
    assert.deepEqual(retries, [1], 'one reconnection, by retryStrategy')
    const after = await cache.client('ID')
    assert.notEqual(after, before, 'a new connection')
    // The old one goes away: Redis no longer lists it.
    await until('the old connection gone', async () => !(await foreign.client('LIST')).includes(`id=${before} `), 10_000)

    // Coherence holds on the new connection: a foreign write drops L1's copy.
    assert.equal(await cache.get('k'), 'v1')
    await foreign.set('k', 'v2')
    await until('the invalidation', async () => (await cache.get('k')) === 'v2')
    assert.equal(cache.status, 'ready')
  })

  test('a write made while the connection was being replaced is never hidden by an old L1 copy', async (t) => {
    const cache = new TierCache(server.url, { retryStrategy: () => 50 })
    t.after(() => cache.disconnect())
    await cache.connect()
    await cache.set('w', 'old')
    assert.equal(await cache.get('w'), 'old')
    const reconnected = new Promise((resolve) => cache.once('reconnecting', () => cache.once('ready', resolve)))
    cache.disconnect(true)
    // The connection that carried the invalidations is going: Redis changes now.
    await foreign.set('w', 'new')
    await reconnected
    assert.equal(await cache.get('w'), 'new')
  })

  test('without Redis it does nothing; disconnect() still closes', async () => {
    const local = new TierCache()
    await local.set('a', '1')
    local.disconnect(true)
    assert.equal(await local.get('a'), '1')
    assert.equal(local.status, 'ready')
    local.disconnect()
    assert.equal(local.status, 'end')

    const cache = new TierCache(server.url)
    await cache.connect()
    cache.disconnect()
    await assert.rejects(cache.get('a'), { code: 'ERR_TIERCACHE_CLOSED' })
  })
})
