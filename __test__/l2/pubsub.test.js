'use strict'
// Pub/sub against a private redis-server, compared with ioredis where the
// replies are ioredis's: subscribe / psubscribe / unsubscribe / punsubscribe
// resolve with the count, messages arrive as message / messageBuffer /
// pmessage / pmessageBuffer events, keyPrefix does not apply to channels,
// the subscriber connection is separate (other commands keep working), and
// after the server restarts the subscriptions come back (autoResubscribe).

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const Redis = require('ioredis')

const { startRedis } = require('../support/redis-server')
const { TierCache, rejectsWith, sleep, callbackResult } = require('../support/helpers')

/** Resolves with the next `event` emitted by `emitter` (its arguments), or rejects after `ms`. */
function next (emitter, event, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, on)
      reject(new Error(`no ${event} within ${ms} ms`))
    }, ms)
    const on = (...args) => {
      clearTimeout(timer)
      resolve(args)
    }
    emitter.once(event, on)
  })
}

describe('pub/sub', () => {
  let server
  const caches = []
  const open = async (options = {}) => {
    const c = new TierCache(server.url, options)
    caches.push(c)
    await c.connect()
    return c
  }
  before(async () => { server = await startRedis() })
  after(async () => {
    for (const c of caches) c.disconnect()
    await server.stop()
  })

  test('counts as ioredis gives them, for the same calls on the same server', async () => {
    // Connected (its ready check done) before it enters subscriber mode.
    const io = new Redis(server.port, '127.0.0.1', { lazyConnect: true })
    await io.connect()
    const ours = await open()
    try {
      const steps = [['subscribe', 'a', 'b'], ['psubscribe', 'p*'], ['subscribe', 'c'], ['unsubscribe', 'a']]
      for (const [method, ...args] of steps) {
        assert.equal(await ours[method](...args), await io[method](...args), `${method} ${args}`)
      }
      // Redis's count of this connection's channels and patterns.
      assert.equal(await ours.subscribe(['b', 'd']), 4, 'b again, d new')
      assert.equal(await ours.unsubscribe('b', 'nope'), 3)
      assert.equal(await ours.punsubscribe(), 2, 'every pattern')
      assert.equal(await ours.unsubscribe(), 0, 'every channel')
      assert.equal(await ours.punsubscribe('x*'), 0)
    } finally {
      io.disconnect()
    }
  })

  test('message, messageBuffer, pmessage, pmessageBuffer; binary payloads byte for byte; callback form', async () => {
    const sub = await open()
    const pub = await open()
    assert.equal((await callbackResult((cb) => sub.subscribe('news', cb))).result, 1)
    assert.equal(await sub.psubscribe('new*'), 2)
    const message = next(sub, 'message')
    const messageBuffer = next(sub, 'messageBuffer')
    const pmessage = next(sub, 'pmessage')
    const pmessageBuffer = next(sub, 'pmessageBuffer')
    assert.equal(await pub.publish('news', 'héllo'), 2, 'one channel and one pattern subscriber')
    assert.deepEqual(await message, ['news', 'héllo'])
    assert.deepEqual(await messageBuffer, [Buffer.from('news'), Buffer.from('héllo')])
    assert.deepEqual(await pmessage, ['new*', 'news', 'héllo'])
    // As ioredis: the pattern as a string, the channel and message as Buffers.
    assert.deepEqual(await pmessageBuffer, ['new*', Buffer.from('news'), Buffer.from('héllo')])
    const binary = Buffer.from([0, 0xff, 0xfe, 10, 13])
    const got = next(sub, 'messageBuffer')
    await pub.publish('news', binary)
    assert.deepEqual((await got)[1], binary)
  })

  test('the message events carry what ioredis\'s carry, argument for argument', async () => {
    const io = new Redis(server.port, '127.0.0.1', { lazyConnect: true })
    await io.connect()
    const ours = await open()
    const pub = await open()
    try {
      for (const c of [ours, io]) {
        await c.subscribe('events')
        await c.psubscribe('ev*')
      }
      const kinds = ['message', 'messageBuffer', 'pmessage', 'pmessageBuffer']
      const got = kinds.map((k) => next(ours, k))
      const expected = kinds.map((k) => next(io, k))
      await pub.publish('events', Buffer.from([0x68, 0xc3, 0xa9, 0xff]))
      assert.deepEqual(await Promise.all(got), await Promise.all(expected))
    } finally {
      io.disconnect()
    }
  })

  test('a subscribed instance keeps running every other command (its subscriber connection is separate)', async () => {
    const c = await open()
    await c.subscribe('busy')
    await c.set('k', 'v')
    assert.equal(await c.get('k'), 'v')
    assert.equal(await c.hset('h', 'f', '1'), 1)
    const heard = next(c, 'message')
    assert.equal(await c.publish('busy', 'self'), 1, 'it may even publish to itself')
    assert.deepEqual(await heard, ['busy', 'self'])
    // call hands subscriptions to the methods.
    assert.equal(await c.call('unsubscribe', 'busy'), 0)
  })

  test('keyPrefix does not apply to channels or patterns (as ioredis)', async () => {
    const prefixed = await open({ keyPrefix: 'app:' })
    const plain = await open()
    await prefixed.subscribe('chan')
    const heard = next(prefixed, 'message')
    assert.equal(await plain.publish('chan', 'x'), 1)
    assert.deepEqual(await heard, ['chan', 'x'])
    const back = next(plain, 'message')
    await plain.subscribe('other')
    assert.equal(await prefixed.publish('other', 'y'), 1)
    assert.deepEqual(await back, ['other', 'y'])
  })

  test('unsubscribed channels deliver nothing more', async () => {
    const sub = await open()
    const pub = await open()
    const seen = []
    sub.on('message', (ch, m) => seen.push([ch, m]))
    await sub.subscribe('once', 'twice')
    await pub.publish('once', '1')
    await sub.unsubscribe('once')
    await pub.publish('once', '2')
    await pub.publish('twice', '3')
    await sleep(100)
    assert.deepEqual(seen, [['once', '1'], ['twice', '3']])
  })

  test('bad input is refused with a stable code; no Redis: ERR_TIERCACHE_NEEDS_REDIS; closed: ERR_TIERCACHE_CLOSED', async () => {
    const c = await open()
    await rejectsWith(c.subscribe(), TierCache.TierCacheError, 'ERR_TIERCACHE_INVALID_ARGUMENT', 'no channel')
    await rejectsWith(c.subscribe({}), TierCache.TierCacheError, 'ERR_TIERCACHE_INVALID_ARGUMENT', 'an object')
    await rejectsWith(c.psubscribe(null), TierCache.TierCacheError, 'ERR_TIERCACHE_INVALID_ARGUMENT', 'null')
    const local = new TierCache()
    await rejectsWith(local.subscribe('x'), TierCache.NeedsRedisError, 'ERR_TIERCACHE_NEEDS_REDIS', 'L1 only')
    await local.quit()
    const closing = await open()
    await closing.subscribe('z')
    await closing.quit()
    await rejectsWith(closing.subscribe('x'), TierCache.ClosedError, 'ERR_TIERCACHE_CLOSED', 'after quit')
  })
})

describe('pub/sub across a restart of the redis-server on the same port', () => {
  test('after the restart every channel and pattern is subscribed again (autoResubscribe), and messages arrive', async () => {
    let server = await startRedis()
    const port = server.port
    const sub = new TierCache(server.url, { retryStrategy: () => 50 })
    const pub = new TierCache(server.url, { retryStrategy: () => 50 })
    sub.on('error', () => {})
    pub.on('error', () => {})
    try {
      await sub.connect()
      await pub.connect()
      await sub.subscribe('events')
      await sub.psubscribe('ev*')
      await server.kill()
      server = await startRedis({ port })
      // Publish until both subscriptions hear it (the resubscription takes a moment).
      const heard = new Set()
      sub.on('message', (ch, m) => { if (m === 'back') heard.add('message') })
      sub.on('pmessage', (p, ch, m) => { if (m === 'back') heard.add('pmessage') })
      const deadline = Date.now() + 10000
      while (heard.size < 2) {
        assert.ok(Date.now() < deadline, `heard only ${[...heard]}`)
        try { await pub.publish('events', 'back') } catch {}
        await sleep(50)
      }
      assert.equal(await sub.subscribe('more'), 3, 'the count includes the resubscribed ones')
    } finally {
      sub.disconnect()
      pub.disconnect()
      await server.stop()
    }
  })

  test('with autoResubscribe: false the subscriptions are gone after the subscriber connection is lost', async () => {
    const server = await startRedis()
    const sub = new TierCache(server.url, { autoResubscribe: false, retryStrategy: () => 50 })
    const admin = new TierCache(server.url)
    sub.on('error', () => {})
    try {
      await sub.connect()
      await sub.subscribe('gone')
      const list = await admin.client('LIST')
      const line = list.split('\n').find((l) => / sub=1 /.test(l))
      assert.ok(line, list)
      await admin.client('KILL', 'ID', /\bid=(\d+)/.exec(line)[1])
      const deadline = Date.now() + 5000
      while (await admin.publish('gone', 'x') !== 0 || (await sub.subscribe('fresh')) !== 1) {
        assert.ok(Date.now() < deadline, 'still subscribed')
        await sub.unsubscribe('fresh')
        await sleep(50)
      }
    } finally {
      sub.disconnect()
      admin.disconnect()
      await server.stop()
    }
  })
})
