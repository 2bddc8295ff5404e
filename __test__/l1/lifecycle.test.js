'use strict'
// close() / quit() / disconnect(), 'end' / 'close' / 'ready' events,
// commands after close, util.inspect.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { once } = require('node:events')
const util = require('node:util')

const { TierCache, uniqueName, callbackResult, rejectsWith, throwsWith, failsBothWays, tick } = require('../support/helpers')

const { ClosedError } = TierCache
const CLOSED = 'ERR_TIERCACHE_CLOSED'

test("quit() replies 'OK' and emits 'close' then 'end'", async () => {
  const cache = new TierCache()
  const order = []
  cache.on('close', () => order.push('close'))
  cache.on('end', () => order.push('end'))
  const ended = once(cache, 'end')
  assert.equal(await cache.quit(), 'OK')
  await ended
  assert.deepEqual(order, ['close', 'end'])
  assert.equal(cache.status, 'end')
})

test("close() replies 'OK' and emits 'end'; a second quit is harmless", async () => {
  const cache = new TierCache()
  const ended = once(cache, 'end')
  assert.equal(await cache.close(), 'OK')
  await ended
  let ends = 0
  cache.on('end', () => ends++)
  assert.equal(await cache.quit(), 'OK')
  await tick()
  assert.equal(ends, 0, "'end' is emitted once")
})

test('quit takes a callback', async () => {
  const cache = new TierCache()
  const { err, result } = await callbackResult((cb) => cache.quit(cb))
  assert.equal(err, null)
  assert.equal(result, 'OK')
})

test('disconnect() closes too', async () => {
  const cache = new TierCache()
  const ended = once(cache, 'end')
  cache.disconnect()
  await ended
  await rejectsWith(cache.get('k'), ClosedError, CLOSED)
})

test('every command after close rejects with ClosedError ERR_TIERCACHE_CLOSED', async () => {
  const cache = new TierCache()
  await cache.set('k', 'v')
  await cache.set('n', '1')
  assert.equal(await cache.get('k'), 'v') // in the front
  assert.equal(await cache.get('k'), 'v')
  await cache.quit()
  const calls = [
    ['get', ['k']],
    ['get', ['missing']],
    ['getBuffer', ['k']],
    ['set', ['k', 'w']],
    ['set', ['k', 'w', 'EX', 10, 'NX']],
    ['setex', ['k', 10, 'w']],
    ['psetex', ['k', 10, 'w']],
    ['setnx', ['x', 'w']],
    ['getdel', ['k']],
    ['getex', ['k', 'EX', 10]],
    ['del', ['k']],
    ['unlink', ['k']],
    ['exists', ['k']],
    ['expire', ['k', 10]],
    ['pexpire', ['k', 10]],
    ['expireat', ['k', 2000000000]],
    ['pexpireat', ['k', 2000000000000]],
    ['ttl', ['k']],
    ['pttl', ['k']],
    ['persist', ['k']],
    ['incr', ['n']],
    ['decr', ['n']],
    ['incrby', ['n', 2]],
    ['decrby', ['n', 2]],
    ['incrbyfloat', ['n', 1.5]],
    ['mget', ['k', 'n']],
    ['mset', ['k', 'v']],
    ['keys', ['*']],
    ['scan', ['0']],
    ['flushall', []],
    ['flushdb', []],
    ['dbsize', []]
  ]
  for (const [method, args] of calls) await failsBothWays(cache, method, args, ClosedError, CLOSED)
  throwsWith(() => cache.local.get('k'), ClosedError, CLOSED, 'local.get')
  throwsWith(() => cache.local.set('k', 'v'), ClosedError, CLOSED, 'local.set')
  throwsWith(() => cache.local.del('k'), ClosedError, CLOSED, 'local.del')
  throwsWith(() => cache.local.has('k'), ClosedError, CLOSED, 'local.has')
  // stats() is not a command: after quit it gives the figures at close.
  assert.equal(cache.stats().sets, 2, 'stats() after quit')
  await rejectsWith(cache.connect(), ClosedError, CLOSED, 'connect')
})

test('closing one instance of a named store leaves the others working', async (t) => {
  const name = uniqueName('close-one')
  const a = new TierCache({ name })
  const b = new TierCache({ name })
  t.after(() => b.quit())
  await a.set('k', 'v')
  await a.quit()
  await rejectsWith(a.get('k'), ClosedError, CLOSED)
  assert.equal(await b.get('k'), 'v')
  assert.equal(await b.set('k2', 'v'), 'OK')
})

test("new TierCache() emits 'ready' (and 'connect') on the next tick", async () => {
  const cache = new TierCache()
  assert.equal(cache.status, 'ready')
  const events = []
  cache.on('connect', () => events.push('connect'))
  const ready = once(cache, 'ready')
  await ready
  assert.deepEqual(events, ['connect'])
  await cache.quit()
})

test("a cache closed at once never emits 'ready'", async () => {
  const cache = new TierCache()
  let ready = false
  cache.on('ready', () => { ready = true })
  await cache.quit()
  await tick()
  assert.equal(ready, false)
})

test('util.inspect(cache) works and shows the configuration, not internals', async () => {
  const name = uniqueName('inspect')
  const cache = new TierCache({ name, maxEntries: 123, codec: 'v8' })
  const text = util.inspect(cache)
  assert.equal(typeof text, 'string')
  assert.match(text, /^TierCache /)
  assert.ok(text.includes(name), text)
  assert.match(text, /maxEntries: 123/)
  assert.match(text, /status: 'ready'/)
  assert.match(text, /codec: 'v8'/)
  assert.doesNotMatch(text, /_h|External|_front/)
  assert.ok(util.inspect(new TierCache()).startsWith('TierCache '))
  assert.match(`${util.format('%o', cache)}`, /TierCache/)
  await cache.quit()
  assert.match(util.inspect(cache), /status: 'end'/)
})

test('options are exposed frozen', async () => {
  const cache = new TierCache({ maxEntries: 5, ttl: 1000 })
  assert.ok(Object.isFrozen(cache.options))
  assert.equal(cache.options.maxEntries, 5)
  assert.equal(cache.options.ttl, 1000)
  await cache.quit()
})
