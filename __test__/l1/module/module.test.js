'use strict'
// The module's shape: the export is the class itself (ioredis style), with
// TierCache, createClient and the error classes as properties.

const { test } = require('node:test')
const assert = require('node:assert/strict')

test('require returns the class itself: new Redis()', async () => {
  const Redis = require('../../..')
  assert.equal(typeof Redis, 'function')
  const redis = new Redis()
  assert.ok(redis instanceof Redis)
  assert.equal(await redis.set('k', 'v'), 'OK')
  assert.equal(await redis.get('k'), 'v')
  await redis.quit()
})

test('TierCache, default, createClient and the error classes are properties of the export', () => {
  const Redis = require('../../..')
  assert.equal(Redis.TierCache, Redis)
  assert.equal(Redis.default, Redis)
  assert.equal(typeof Redis.createClient, 'function')
  for (const name of ['TierCacheError', 'TierCacheTypeError', 'TierCacheRangeError', 'ReplyError', 'ClosedError', 'InternalError']) {
    assert.equal(typeof Redis[name], 'function', name)
    assert.ok(new Redis[name]('x') instanceof Redis.TierCacheError, name)
  }
  assert.equal(typeof Redis.codes, 'object')
  assert.equal(Redis.MAX_KEY_BYTES, 65536)
  assert.ok(Object.isFrozen(Redis.DEFAULTS))
  assert.equal(typeof Redis.codecs.json.encode, 'function')
  assert.equal(typeof Redis.codecs.v8.decode, 'function')
  const { TierCache, createClient, TierCacheError } = require('../../..')
  assert.equal(TierCache, Redis)
  assert.equal(typeof createClient, 'function')
  assert.equal(TierCacheError, Redis.TierCacheError)
})

test('createClient() + await client.connect() works for L1 only', async () => {
  const { createClient, TierCache } = require('../../..')
  const client = createClient()
  assert.ok(client instanceof TierCache)
  const connected = await client.connect()
  assert.equal(connected, client, 'connect resolves with the client (node-redis)')
  assert.equal(await client.set('k', 'v', { EX: 10 }), 'OK')
  assert.equal(await client.get('k'), 'v')
  assert.equal(await client.ttl('k'), 10)
  await client.quit()
})

test('createClient passes its options on', async () => {
  const { createClient } = require('../../..')
  const client = createClient({ maxEntries: 3 })
  await client.connect()
  assert.equal(client.stats().maxEntries, 3)
  await client.quit()
})

test('commands are methods of the prototype, as in ioredis', () => {
  const Redis = require('../../..')
  for (const m of ['get', 'set', 'setex', 'psetex', 'setnx', 'getBuffer', 'getdel', 'getex', 'del', 'unlink', 'exists', 'expire', 'pexpire', 'expireat', 'pexpireat', 'ttl', 'pttl', 'persist', 'incr', 'decr', 'incrby', 'decrby', 'incrbyfloat', 'mget', 'mset', 'keys', 'scan', 'scanIterator', 'flushall', 'flushdb', 'dbsize', 'stats', 'connect', 'quit', 'close', 'disconnect']) {
    assert.equal(typeof Redis.prototype[m], 'function', m)
  }
})
