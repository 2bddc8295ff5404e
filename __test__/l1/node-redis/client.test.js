'use strict'
// The node-redis flavour without Redis: what createClient() returns, its
// lifecycle markers, the string family in L1 through node-redis's names
// and shapes, the scan iterators yielding pages, and bad input refused with
// a TierCacheError (never a crash). With Redis: __test__/l2/node-redis/.

const { test } = require('node:test')
const assert = require('node:assert/strict')

const { createClient, TierCache, NodeRedisClient, TierCacheError } = require('../../..')

const rejects = (p, code) => assert.rejects(p, (err) => err instanceof TierCacheError && err.code === code)

test('createClient returns a NodeRedisClient, still a TierCache', async () => {
  const client = createClient()
  assert.ok(client instanceof NodeRedisClient)
  assert.ok(client instanceof TierCache)
  // The ioredis methods are still there, and the camelCase / UPPER-CASE ones are added.
  for (const m of ['hgetall', 'zadd', 'call', 'getOrSet', 'stats', 'hGetAll', 'zAdd', 'HSET', 'sIsMember', 'clientSetName', 'zRangeWithScores']) {
    assert.equal(typeof client[m], 'function', m)
  }
  // node-redis's multi and pub/sub (lib/node-redis/multi.js, pubsub.js), duplicate, the blocking pops.
  for (const m of ['multi', 'duplicate', 'subscribe', 'pSubscribe', 'unsubscribe', 'SUBSCRIBE', 'blPop', 'bzmPop']) assert.equal(typeof client[m], 'function', m)
  assert.equal(typeof client.multi().hGetAll, 'function')
  assert.equal(typeof client.multi().execAsPipeline, 'function')
  await client.quit()
})

test('isOpen / isReady follow connect and close; events as node-redis', async () => {
  const client = createClient()
  const events = []
  for (const e of ['connect', 'ready', 'end']) client.on(e, () => events.push(e))
  // L1 only, readiness is announced on the next tick (as ioredis does).
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(await client.connect(), client)
  assert.equal(client.isOpen, true)
  assert.equal(client.isReady, true)
  assert.equal(await client.close(), 'OK')
  assert.equal(client.isOpen, false)
  assert.equal(client.isReady, false)
  await new Promise((resolve) => setImmediate(resolve))
  assert.deepEqual(events, ['connect', 'ready', 'end'])
  const other = createClient()
  await other.connect()
  assert.equal(await other.disconnect(), undefined)
  assert.equal(other.isOpen, false)
  const third = createClient()
  third.destroy()
  assert.equal(third.isOpen, false)
})

test('the string family in L1 through node-redis names and shapes', async (t) => {
  const client = createClient()
  t.after(() => client.quit())
  await client.connect()
  assert.equal(await client.set('a', '1', { expiration: { type: 'EX', value: 100 } }), 'OK')
  assert.equal(await client.set('a', '2', { condition: 'NX' }), null)
  assert.equal(await client.SET('b', '2', { NX: true, GET: true }), null)
  assert.deepEqual(await client.mGet(['a', 'b', 'c']), ['1', '2', null])
  assert.equal(await client.mSet({ c: '3', d: '4' }), 'OK')
  assert.equal(await client.exists(['a', 'b', 'zz']), 2)
  assert.equal(await client.expire('a', 50, 'GT'), 0)
  assert.equal(await client.ttl('a'), 100)
  assert.equal(await client.getEx('a', { type: 'PERSIST' }), '1')
  assert.equal(await client.ttl('a'), -1)
  assert.equal(await client.incrBy('n', 5), 5)
  assert.equal(await client.setEx('e', 10, 'x'), 'OK')
  assert.equal(await client.del(['c', 'd']), 2)
  assert.equal(await client.sendCommand(['GET', 'a']), '1')
  assert.equal(await client.sendCommand(['PING']), 'PONG')
  assert.deepEqual(await client.scan('0', { MATCH: 'a', COUNT: 100 }), { cursor: '0', keys: ['a'] })
})

test('scanIterator yields pages of keys, every key once', async (t) => {
  const client = createClient()
  t.after(() => client.quit())
  const written = []
  for (let i = 0; i < 25; i++) written.push(`k${i}`)
  await client.mSet(written.map((k) => [k, 'v']))
  await client.set('other', 'v')
  const pages = []
  for await (const page of client.scanIterator({ MATCH: 'k*', COUNT: 10 })) {
    assert.ok(Array.isArray(page), 'a page is an array')
    pages.push(page)
  }
  assert.ok(pages.length >= 3, `several pages (got ${pages.length})`)
  assert.deepEqual(pages.flat().sort(), [...written].sort())
  // TYPE: every L1 value is a string.
  const hashes = []
  for await (const page of client.scanIterator({ TYPE: 'hash' })) hashes.push(...page)
  assert.deepEqual(hashes, [])
})

test('bad input is a TierCacheError with a stable code, never a crash', async (t) => {
  const client = createClient()
  t.after(() => client.quit())
  await rejects(client.sendCommand('PING'), 'ERR_TIERCACHE_INVALID_ARGUMENT')
  await rejects(client.sendCommand([]), 'ERR_TIERCACHE_INVALID_ARGUMENT')
  await rejects(client.scan('0', { match: 'x' }), 'ERR_TIERCACHE_SYNTAX')
  await rejects(client.scanIterator('k*').next(), 'ERR_TIERCACHE_INVALID_ARGUMENT')
  await rejects(client.zAdd('z', ['a']), 'ERR_TIERCACHE_INVALID_ARGUMENT')
  await rejects(client.getEx('a'), 'ERR_TIERCACHE_INVALID_ARGUMENT')
  // Commands beyond the string family need Redis.
  await rejects(client.hSet('h', 'f', 'v'), 'ERR_TIERCACHE_NEEDS_REDIS')
  await rejects(client.zRangeWithScores('z', 0, -1), 'ERR_TIERCACHE_NEEDS_REDIS')
})

test('raw commands and subscriptions refuse hostile and revoked Proxies with a code, never a TypeError from reading them', async () => {
  const client = createClient()
  const { proxy: revoked, revoke } = Proxy.revocable([], {})
  revoke()
  const hostile = new Proxy(['PING'], { getPrototypeOf () { throw new Error('hostile proxy') }, get () { throw new Error('hostile proxy') } })
  for (const bad of [revoked, hostile]) {
    await assert.rejects(client.sendCommand(bad), { code: 'ERR_TIERCACHE_INVALID_ARGUMENT' })
    assert.throws(() => client.multi().addCommand(bad), { code: 'ERR_TIERCACHE_INVALID_ARGUMENT' })
    await assert.rejects(client.subscribe(bad, () => {}), { code: 'ERR_TIERCACHE_INVALID_ARGUMENT' })
  }
  // ioredis's sendCommand(command) likewise (the fuzzer found it with a Proxy whose traps throw).
  await assert.rejects(TierCache.prototype.sendCommand.call(client, hostile), { code: 'ERR_TIERCACHE_INVALID_ARGUMENT' })
  await client.quit()
})
