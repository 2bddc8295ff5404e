'use strict'
// WATCH / UNWATCH and the transaction after them (lib/watch.js,
// src/core/tier/pinned.rs) against a private redis-server, compared with
// ioredis and node-redis where they define the answer: a watch holds for
// this client alone, EXEC aborts when a watched key changed (ioredis: null;
// node-redis: WatchError), optimistic locking loses no update under a race,
// L1 never answers a watched key from a copy older than the watch, and a
// lost pinned connection fails the transaction instead of running it
// unwatched.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const IORedis = require('ioredis')

const TierCache = require('../../..')
const { startRedis } = require('../../support/redis-server')
const { startProxy } = require('../../support/tcp-proxy')

describe('WATCH and the transaction after it', () => {
  let server
  let foreign
  const open = []
  const keep = (c) => { open.push(c); return c }
  before(async () => {
    server = await startRedis()
    foreign = new IORedis({ host: '127.0.0.1', port: server.port, lazyConnect: true })
    await foreign.connect()
  })
  after(async () => {
    for (const c of open) c.disconnect()
    if (foreign) await foreign.quit()
    await server.stop()
  })

  test('as ioredis: EXEC runs when nothing changed, answers null when a watched key changed', async () => {
    const io = new IORedis({ host: '127.0.0.1', port: server.port, lazyConnect: true })
    await io.connect()
    const tc = keep(new TierCache(server.url))
    const run = async (client, key) => {
      const out = []
      await client.set(key, '1')
      out.push(await client.watch(key, `${key}:other`))
      out.push(await client.multi().incr(key).get(key).exec())
      out.push(await client.watch(key))
      await foreign.set(key, 'foreign')
      out.push(await client.multi().set(key, 'mine').exec())
      out.push(await client.get(key))
      // UNWATCH ends the watch: a later change no longer aborts.
      out.push(await client.watch(key))
      out.push(await client.unwatch())
      await foreign.set(key, 'again')
      out.push(await client.multi().set(key, 'after unwatch').exec())
      out.push(await client.get(key))
      return out
    }
    try {
      const expected = await run(io, 'io:k')
      const got = await run(tc, 'tc:k')
      assert.deepEqual(got, expected)
      assert.deepEqual(got[3], null, 'aborted')
    } finally {
      await io.quit()
    }
  })

  test('optimistic locking: concurrent increments through WATCH lose no update', async () => {
    // One flow per client: flows sharing one client share its watch, as
    // they share ioredis's one connection.
    const clients = [0, 1, 2, 3].map(() => keep(new TierCache(server.url)))
    await clients[0].set('counter', '0')
    let retries = 0
    const increment = async (client) => {
      for (;;) {
        await client.watch('counter')
        const n = Number(await client.get('counter'))
        const done = await client.multi().set('counter', String(n + 1)).exec()
        if (done !== null) return
        retries++
      }
    }
    const PER_CLIENT = 60
    const loop = async (client) => { for (let i = 0; i < PER_CLIENT; i++) await increment(client) }
    await Promise.all(clients.map(loop))
    assert.equal(await foreign.get('counter'), String(4 * PER_CLIENT))
    assert.ok(retries > 0, 'the race happened (some EXECs were aborted and retried)')
  })

  test('the attacker first: a foreign write whose invalidation is still on its way is read from Redis once watched', async (t) => {
    const proxy = await startProxy({ targetPort: server.port })
    t.after(() => proxy.close())
    const cache = keep(new TierCache(proxy.url))
    await cache.set('balance', '100')
    assert.equal(await cache.get('balance'), '100')
    assert.equal(cache.local.get('balance'), '100', 'L1 holds the balance')
    // Everything this client hears now arrives 300 ms late, invalidations included.
    await proxy.mode('delay', { ms: 300 })
    await foreign.set('balance', '50')
    // ioredis order: WATCH, then GET, then the transaction. The GET must not
    // be L1's copy from before the foreign write.
    const watched = cache.watch('balance')
    const seen = await cache.get('balance')
    await watched
    assert.equal(seen, '50', 'read the old balance from L1 while watching it')
    const result = await cache.multi().set('balance', String(Number(seen) - 10)).exec()
    assert.deepEqual(result, [[null, 'OK']])
    await proxy.mode('pass')
    assert.equal(await foreign.get('balance'), '40')
  })

  test('node-redis flavour: a changed watched key rejects exec with WatchError, as node-redis', async () => {
    const redis = require('redis')
    const real = redis.createClient({ url: server.url, RESP: 2 })
    await real.connect()
    const ours = keep(TierCache.createClient({ url: server.url }))
    await ours.connect()
    const run = async (client, key) => {
      await client.set(key, '1')
      await client.watch(key)
      await foreign.set(key, '2')
      return client.multi().set(key, '3').exec().then(() => 'ran', (err) => err.constructor.name)
    }
    try {
      const theirs = await run(real, 'nr:k')
      assert.equal(theirs, 'WatchError')
      assert.equal(await run(ours, 'tc:nr:k'), theirs)
      const err = await ours.watch('tc:nr:k').then(() => foreign.set('tc:nr:k', '4')).then(() => ours.multi().set('tc:nr:k', '5').exec()).catch((e) => e)
      assert.ok(err instanceof TierCache.WatchError)
      assert.equal(err.code, TierCache.codes.TRANSACTION_ABORTED)
    } finally {
      await real.close()
    }
  })

  test('a lost pinned connection fails the transaction instead of running it unwatched', async () => {
    const cache = keep(new TierCache(server.url, { connectionName: 'watcher' }))
    await cache.set('w', '1')
    await cache.watch('w')
    // Kill the connection that holds the watch (the pin has no name; the shared one has).
    const clients = (await foreign.client('LIST')).split('\n').filter((l) => / cmd=watch /.test(l))
    assert.equal(clients.length, 1, 'one connection sent WATCH')
    assert.ok(!clients[0].includes('name=watcher'), 'not the shared connection, which every caller uses')
    await foreign.client('KILL', 'ID', /id=(\d+)/.exec(clients[0])[1])
    await foreign.set('w', 'changed meanwhile')
    const err = await cache.multi().set('w', 'lost update').exec().catch((e) => e)
    assert.ok(err instanceof TierCache.TierCacheError, String(err))
    assert.equal(await foreign.get('w'), 'changed meanwhile', 'the transaction did not run')
    // The next watch works again.
    await cache.watch('w')
    assert.deepEqual(await cache.multi().set('w', 'ok').exec(), [[null, 'OK']])
  })

  test('quit releases the pin; without Redis watch is NEEDS_REDIS', async () => {
    const cache = new TierCache(server.url)
    await cache.watch('q')
    const before = (await foreign.client('LIST')).split('\n').filter((l) => / cmd=watch /.test(l)).length
    await cache.quit()
    for (let i = 0; i < 100; i++) {
      const now = (await foreign.client('LIST')).split('\n').filter((l) => / cmd=watch /.test(l)).length
      if (now < before) break
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    assert.ok((await foreign.client('LIST')).split('\n').filter((l) => / cmd=watch /.test(l)).length < before, 'the pinned connection was closed')
    const local = new TierCache()
    await assert.rejects(local.watch('k'), { code: 'ERR_TIERCACHE_NEEDS_REDIS' })
    local.disconnect()
  })
})
