'use strict'
// node-redis's own createClient options (lib/node-redis/options.js) without
// Redis: `RESP` and `clientSideCache` (the README's "Client Side Caching"
// recipe) accepted, clientSideCache's ttl / maxEntries applied to L1, bad
// values refused with a TierCacheError.

const { test } = require('node:test')
const assert = require('node:assert/strict')

const { createClient, TierCacheError } = require('../../..')

const refused = (options, code) => assert.throws(() => createClient(options), (err) => err instanceof TierCacheError && err.code === code)

test('RESP 2 and 3 are accepted; replies keep the flavour\'s shapes', async () => {
  for (const RESP of [2, 3]) {
    const client = await createClient({ RESP }).connect()
    await client.set('k', 'v', { EX: 10 })
    assert.deepEqual(await client.mGet(['k', 'missing']), ['v', null])
    client.destroy()
  }
})

test('clientSideCache\'s ttl and maxEntries bound L1; 0 means none, as in node-redis', async () => {
  const client = await createClient({ RESP: 3, clientSideCache: { ttl: 60_000, maxEntries: 2, evictPolicy: 'LRU' } }).connect()
  await client.set('a', '1')
  const pttl = await client.pTTL('a')
  assert.ok(pttl > 0 && pttl <= 60_000, `the entry expires within the ttl (pTTL ${pttl})`)
  for (let i = 0; i < 20; i++) await client.set(`k${i}`, 'v')
  assert.ok(await client.dbSize() <= 2, 'at most maxEntries entries')
  client.destroy()

  const unbounded = await createClient({ RESP: 3, clientSideCache: { ttl: 0, maxEntries: 0, evictPolicy: 'FIFO' } }).connect()
  await unbounded.set('a', '1')
  assert.equal(await unbounded.pTTL('a'), -1, 'ttl 0: no expiry')
  assert.equal(unbounded.options.maxEntries, undefined, 'maxEntries 0: unbounded')
  unbounded.destroy()
})

test('tiercache\'s own ttl / maxEntries win over clientSideCache\'s', () => {
  const client = createClient({ ttl: 5000, maxEntries: 7, clientSideCache: { ttl: 60_000, maxEntries: 2 } })
  assert.equal(client.options.ttl, 5000)
  assert.equal(client.options.maxEntries, 7)
  client.destroy()
})

test('bad RESP and clientSideCache values are refused', () => {
  refused({ RESP: 4 }, 'ERR_TIERCACHE_INVALID_ARGUMENT')
  refused({ RESP: '3' }, 'ERR_TIERCACHE_INVALID_ARGUMENT')
  refused({ clientSideCache: 'yes' }, 'ERR_TIERCACHE_INVALID_ARGUMENT')
  refused({ clientSideCache: { ttl: -1 } }, 'ERR_TIERCACHE_INVALID_ARGUMENT')
  refused({ clientSideCache: { maxEntries: 1.5 } }, 'ERR_TIERCACHE_INVALID_ARGUMENT')
  refused({ clientSideCache: { evictPolicy: 'LFU' } }, 'ERR_TIERCACHE_INVALID_ARGUMENT')
  refused({ clientSideCache: { size: 3 } }, 'ERR_TIERCACHE_INVALID_ARGUMENT')
  refused({ clientSideCache: new (class BasicClientSideCache {})() }, 'ERR_TIERCACHE_UNSUPPORTED')
})
