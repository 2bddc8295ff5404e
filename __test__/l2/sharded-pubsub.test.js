'use strict'
// Sharded pub/sub (Redis 7: SSUBSCRIBE / SUNSUBSCRIBE / SPUBLISH) against a
// private redis-server, compared with ioredis's own ssubscribe on the same
// server: the same counts (shard channels are counted apart from channels
// and patterns), the same smessage / smessageBuffer events for the same
// publishes (unicode and binary channels and payloads byte for byte), the
// subscriptions back after the subscriber connection is killed
// (autoResubscribe), and bad input refused with a stable code.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const Redis = require('ioredis')

const { startRedis } = require('../support/redis-server')
const { TierCache, rejectsWith, sleep, callbackResult } = require('../support/helpers')

const BINARY = Buffer.from([0, 0xff, 0xfe, 0x0a, 0x0d, 0x80])

/** Every smessage / smessageBuffer `client` emits, in order. */
function record (client) {
  const seen = []
  client.on('smessage', (channel, message) => seen.push(['smessage', channel, message]))
  client.on('smessageBuffer', (channel, message) => seen.push(['smessageBuffer', channel.toString('hex'), message.toString('hex')]))
  return seen
}

/** Resolves once `seen` holds `n` entries, or rejects after 5 s. */
async function until (seen, n) {
  const deadline = Date.now() + 5000
  while (seen.length < n) {
    if (Date.now() > deadline) throw new Error(`only ${seen.length} of ${n} events: ${JSON.stringify(seen)}`)
    await sleep(10)
  }
}

describe('sharded pub/sub (ssubscribe, sunsubscribe, spublish) as ioredis', () => {
  let server
  const closers = []
  const open = async (options = {}) => {
    const c = new TierCache(server.url, options)
    closers.push(() => c.disconnect())
    await c.connect()
    return c
  }
  const ioredis = async () => {
    const io = new Redis(server.port, '127.0.0.1', { lazyConnect: true })
    closers.push(() => io.disconnect())
    await io.connect()
    return io
  }
  before(async () => { server = await startRedis() })
  after(async () => {
    for (const close of closers) close()
    await server.stop()
  })

  test('the same counts as ioredis for the same calls (shard channels counted apart)', async () => {
    const io = await ioredis()
    const ours = await open()
    // ioredis's unsubscribe() without names waits for a count of 0, which a
    // remaining pattern never gives: that step is left out.
    const steps = [
      ['ssubscribe', 'x', 'y'], ['subscribe', 'a'], ['ssubscribe', 'z', 'x'], ['psubscribe', 'p*'],
      ['sunsubscribe', 'x', 'nope'], ['subscribe', 'b'], ['unsubscribe', 'a'], ['sunsubscribe'], ['sunsubscribe', 'y'],
      ['ssubscribe', 'é', Buffer.from('ü')], ['sunsubscribe', 'é']
    ]
    const expected = []
    const got = []
    for (const [method, ...args] of steps) {
      expected.push([method, ...args, await io[method](...args)])
      got.push([method, ...args, await ours[method](...args)])
    }
    assert.deepEqual(got, expected)
    // Redis's own word on this connection's shard channels.
    assert.equal(await ours.sunsubscribe(), 0, 'every shard channel')
    assert.equal(await ours.sunsubscribe('gone'), 0)
    assert.equal(await ours.call('sunsubscribe'), 0, 'call hands it to the method')
  })

  test('the same smessage / smessageBuffer events as ioredis for the same spublish calls', async () => {
    const io = await ioredis()
    const ours = await open()
    const pub = await open()
    const channels = ['news', 'ünïcödé ☃', BINARY]
    assert.equal(await io.ssubscribe(...channels), 3)
    assert.equal((await callbackResult((cb) => ours.ssubscribe(...channels, cb))).result, 3, 'callback form')
    const theirs = record(io)
    const mine = record(ours)
    const publishes = [['news', 'héllo'], ['ünïcödé ☃', '☃'], [BINARY, BINARY], ['news', ''], ['nobody', 'x']]
    for (const [channel, message] of publishes) {
      assert.equal(await pub.spublish(channel, message), channel === 'nobody' ? 0 : 2, 'both subscribers counted')
    }
    await until(theirs, 8)
    await until(mine, 8)
    await sleep(50)
    assert.deepEqual(mine, theirs)
    assert.deepEqual(mine[4], ['smessage', BINARY.toString(), BINARY.toString()])
    assert.deepEqual(mine[5], ['smessageBuffer', BINARY.toString('hex'), BINARY.toString('hex')])
    // Shard messages are not 'message' events; plain publishes are not 'smessage' ones.
    const plain = []
    ours.on('message', (...a) => plain.push(a))
    assert.equal(await pub.publish('news', 'plain'), 0, 'no plain subscriber of news')
    await sleep(50)
    assert.deepEqual(plain, [])
    assert.equal(mine.length, 8)
  })

  test('a SSUBSCRIBE Redis refuses (an ACL denies one of its channels) subscribes none of them, as ioredis\'s one command', async () => {
    const admin = await open()
    assert.equal(await admin.call('acl', 'setuser', 'limited', 'on', '>pw', '~*', 'resetchannels', '&allowed:*', '+@all'), 'OK')
    const io = new Redis({ port: server.port, host: '127.0.0.1', username: 'limited', password: 'pw', lazyConnect: true })
    closers.push(() => io.disconnect())
    await io.connect()
    const ours = await open({ username: 'limited', password: 'pw' })
    const theirs = await io.ssubscribe('allowed:1', 'denied').then(() => 'subscribed', (e) => e.message)
    const mine = await ours.ssubscribe('allowed:1', 'denied').then(() => 'subscribed', (e) => e.message)
    assert.match(theirs, /^NOPERM/)
    assert.equal(mine, theirs)
    assert.deepEqual(await admin.call('pubsub', 'shardnumsub', 'allowed:1'), ['allowed:1', 0], 'allowed:1 was undone')
    assert.equal(await ours.ssubscribe('allowed:2'), 1, 'the count knows only allowed:2')
    assert.equal(await ours.ssubscribe('allowed:2', 'allowed:2'), 1, 'already subscribed: nothing sent, same count')
  })

  test('sunsubscribed channels deliver nothing more; a subscribed instance keeps running commands', async () => {
    const sub = await open()
    const seen = record(sub)
    await sub.ssubscribe('once', 'twice')
    assert.equal(await sub.set('k', 'v'), 'OK')
    assert.equal(await sub.spublish('once', '1'), 1, 'it may publish to itself')
    assert.equal(await sub.sunsubscribe('once'), 1)
    assert.equal(await sub.spublish('once', '2'), 0)
    assert.equal(await sub.spublish('twice', '3'), 1)
    await until(seen, 4)
    await sleep(50)
    assert.deepEqual(seen.filter(([e]) => e === 'smessage'), [['smessage', 'once', '1'], ['smessage', 'twice', '3']])
  })

  test('after CLIENT KILL TYPE pubsub, every shard channel, channel and pattern is subscribed again', async () => {
    const sub = await open({ retryStrategy: () => 50 })
    const admin = await open()
    sub.on('error', () => {})
    await sub.ssubscribe('s1', 's2')
    await sub.subscribe('c1')
    await sub.psubscribe('c*')
    assert.ok(await admin.client('KILL', 'TYPE', 'pubsub') >= 1)
    const heard = new Set()
    sub.on('smessage', (ch, m) => { if (m === 'back') heard.add(`s:${ch}`) })
    sub.on('message', (ch, m) => { if (m === 'back') heard.add(`c:${ch}`) })
    sub.on('pmessage', (p, ch, m) => { if (m === 'back') heard.add(`p:${ch}`) })
    const deadline = Date.now() + 10000
    while (heard.size < 4) {
      assert.ok(Date.now() < deadline, `heard only ${[...heard]}`)
      await admin.spublish('s1', 'back')
      await admin.spublish('s2', 'back')
      await admin.publish('c1', 'back')
      await sleep(50)
    }
    assert.deepEqual([...heard].sort(), ['c:c1', 'p:c1', 's:s1', 's:s2'])
    assert.equal(await sub.ssubscribe('s3'), 3, 'the count includes the resubscribed ones')
    assert.deepEqual(await admin.call('pubsub', 'shardnumsub', 's1', 's3'), ['s1', 1, 's3', 1])
  })

  test('with autoResubscribe: false the shard channels are gone after the loss', async () => {
    const sub = await open({ autoResubscribe: false, retryStrategy: () => 50 })
    const admin = await open()
    sub.on('error', () => {})
    await sub.ssubscribe('gone')
    await admin.client('KILL', 'TYPE', 'pubsub')
    const deadline = Date.now() + 5000
    while (await admin.spublish('gone', 'x') !== 0 || (await sub.ssubscribe('fresh')) !== 1) {
      assert.ok(Date.now() < deadline, 'still subscribed')
      await sub.sunsubscribe('fresh')
      await sleep(50)
    }
  })

  test('bad input is refused with a stable code; no Redis: ERR_TIERCACHE_NEEDS_REDIS; closed: ERR_TIERCACHE_CLOSED', async () => {
    const c = await open()
    await rejectsWith(c.ssubscribe(), TierCache.TierCacheError, 'ERR_TIERCACHE_INVALID_ARGUMENT', 'no channel')
    await rejectsWith(c.ssubscribe({}), TierCache.TierCacheError, 'ERR_TIERCACHE_INVALID_ARGUMENT', 'an object')
    await rejectsWith(c.sunsubscribe(null), TierCache.TierCacheError, 'ERR_TIERCACHE_INVALID_ARGUMENT', 'null')
    await rejectsWith(c.ssubscribe(Symbol('s')), TierCache.TierCacheError, 'ERR_TIERCACHE_INVALID_ARGUMENT', 'a symbol')
    const revoked = Proxy.revocable({}, {})
    revoked.revoke()
    await rejectsWith(c.ssubscribe(revoked.proxy), TierCache.TierCacheError, 'ERR_TIERCACHE_INVALID_ARGUMENT', 'a revoked Proxy')
    const hostile = new Proxy([], { get () { throw new Error('trap') } })
    await rejectsWith(c.ssubscribe(hostile), TierCache.TierCacheError, 'ERR_TIERCACHE_INVALID_ARGUMENT', 'a throwing Proxy')
    assert.equal(await c.ssubscribe('still'), 1, 'nothing was subscribed by the refused calls')
    const local = new TierCache()
    await rejectsWith(local.ssubscribe('x'), TierCache.NeedsRedisError, 'ERR_TIERCACHE_NEEDS_REDIS', 'L1 only')
    await rejectsWith(local.sunsubscribe('x'), TierCache.NeedsRedisError, 'ERR_TIERCACHE_NEEDS_REDIS', 'L1 only')
    await rejectsWith(local.spublish('x', 'y'), TierCache.NeedsRedisError, 'ERR_TIERCACHE_NEEDS_REDIS', 'L1 only')
    await local.quit()
    const closing = await open()
    await closing.ssubscribe('z')
    await closing.quit()
    await rejectsWith(closing.ssubscribe('x'), TierCache.ClosedError, 'ERR_TIERCACHE_CLOSED', 'after quit')
  })
})
