'use strict'
// The node-redis flavour's sharded pub/sub (sSubscribe / sUnsubscribe /
// sPublish and their UPPER-CASE names) against node-redis itself (the
// `redis` package) on the same private redis-server: the same calls, the
// same listener calls with the same arguments (buffer mode, unicode
// channels, binary payloads), and bad arguments refused with a stable code.
// (node-redis keys its listeners by the channel as given, so a Buffer
// channel never hears its messages there; the flavour keys them by their
// bytes and does: tested on its own.)

const { describe, it, before, after } = require('node:test')
const assert = require('node:assert/strict')
const redisPackage = require('redis')

const TierCache = require('../../..')
const { startRedis } = require('../../support/redis-server')

let redis
before(async () => { redis = await startRedis() })
after(async () => { await redis.stop() })

const BINARY = Buffer.from([0, 0xff, 0xfe, 0x0a, 0x80])
const settle = () => new Promise((resolve) => setTimeout(resolve, 150))
const show = (v) => Buffer.isBuffer(v) ? `<${v.toString('hex')}>` : v

/**
 * One scenario of sharded subscriptions: every listener call, in order, and
 * apart (messages may arrive before or after the reply to their publish)
 * what each sPublish answered.
 */
async function scenario (make) {
  const pub = await make()
  const sub = await make()
  const got = []
  const counts = []
  const one = (m, ch) => got.push(['one', show(m), show(ch)])
  const raw = (m, ch) => got.push(['buffers', show(m), show(ch)])
  await sub.sSubscribe(['s1', 's2'], one)
  await sub.SSUBSCRIBE('s1', raw, true)
  await sub.sSubscribe(['ünï ☃'], (m, ch) => got.push(['unicode', show(m), show(ch)]), true)
  await sub.sSubscribe('ünï ☃', (m, ch) => got.push(['unicode strings', m, ch]))
  counts.push(['sPublish', await pub.sPublish('s1', 'm1')])
  counts.push(['SPUBLISH', await pub.SPUBLISH('s2', 'm2')])
  counts.push(['unicode', await pub.sPublish('ünï ☃', 'é')])
  counts.push(['binary', await pub.sPublish('s2', BINARY)])
  await settle()
  await sub.sUnsubscribe('s1', raw, false) // not a string-mode listener of s1: nothing changes
  await pub.sPublish('s1', 'm3')
  await settle()
  await sub.sUnsubscribe('s1', raw, true)
  await pub.sPublish('s1', 'm4')
  await settle()
  await sub.SUNSUBSCRIBE('s1')
  counts.push(['after sUnsubscribe s1', await pub.sPublish('s1', 'm5')])
  await sub.sUnsubscribe()
  counts.push(['after sUnsubscribe()', await pub.sPublish('s2', 'm6'), await pub.sPublish('ünï ☃', 'x')])
  await settle()
  await pub.quit()
  await sub.quit()
  return { got, counts }
}

describe('node-redis sSubscribe() on the flavour answers as node-redis', () => {
  it('the same sharded subscriptions, the same listener calls and sPublish counts', async () => {
    const expected = await scenario(async () => {
      const c = redisPackage.createClient({ url: redis.url, RESP: 2 })
      await c.connect()
      return c
    })
    const got = await scenario(async () => {
      const c = TierCache.createClient({ url: redis.url })
      await c.connect()
      return c
    })
    assert.ok(expected.got.filter(([who]) => who === 'one').length >= 3, 'node-redis delivered the messages')
    assert.deepEqual(got, expected)
  })

  it('a binary (non-UTF-8) shard channel hears its messages, byte for byte', async () => {
    const c = TierCache.createClient({ url: redis.url })
    await c.connect()
    try {
      let hear
      const heard = new Promise((resolve) => { hear = resolve })
      await c.sSubscribe(BINARY, (m, ch) => hear([m, ch]), true)
      assert.equal(await c.sPublish(BINARY, BINARY), 1)
      assert.deepEqual(await heard, [BINARY, BINARY])
      await c.sUnsubscribe(BINARY)
      assert.equal(await c.sPublish(BINARY, 'x'), 0)
    } finally {
      await c.quit()
    }
  })

  it('after CLIENT KILL TYPE pubsub the sSubscribe listeners hear again (autoResubscribe underneath)', async () => {
    const sub = TierCache.createClient({ url: redis.url, retryStrategy: () => 50 })
    const admin = TierCache.createClient({ url: redis.url })
    sub.on('error', () => {})
    await sub.connect()
    await admin.connect()
    try {
      const heard = []
      await sub.sSubscribe('again', (m) => heard.push(m))
      assert.ok(await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']) >= 1)
      const deadline = Date.now() + 10000
      while (!heard.includes('back')) {
        assert.ok(Date.now() < deadline, 'not resubscribed')
        await admin.sPublish('again', 'back')
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    } finally {
      await sub.quit()
      await admin.quit()
    }
  })

  it('a sharded subscriber keeps running commands; bad arguments are refused', async () => {
    const c = TierCache.createClient({ url: redis.url })
    await c.connect()
    try {
      await c.sSubscribe('x', () => {})
      assert.equal(await c.set('k', 'v'), 'OK')
      assert.equal(await c.sPublish('x', 'self'), 1)
      await assert.rejects(c.sSubscribe('x'), { code: 'ERR_TIERCACHE_INVALID_ARGUMENT' })
      await assert.rejects(c.sSubscribe([], () => {}), { code: 'ERR_TIERCACHE_INVALID_ARGUMENT' })
      await assert.rejects(c.sSubscribe({}, () => {}), { code: 'ERR_TIERCACHE_INVALID_ARGUMENT' })
      await assert.rejects(c.sSubscribe([1], () => {}), { code: 'ERR_TIERCACHE_INVALID_ARGUMENT' })
      const revoked = Proxy.revocable([], {})
      revoked.revoke()
      await assert.rejects(c.sSubscribe(revoked.proxy, () => {}), { code: 'ERR_TIERCACHE_INVALID_ARGUMENT' })
      await assert.rejects(c.sUnsubscribe(revoked.proxy), { code: 'ERR_TIERCACHE_INVALID_ARGUMENT' })
    } finally {
      await c.quit()
    }
    const local = TierCache.createClient()
    await local.connect()
    await assert.rejects(local.sSubscribe('x', () => {}), { code: 'ERR_TIERCACHE_NEEDS_REDIS' })
    await assert.rejects(local.sPublish('x', 'y'), { code: 'ERR_TIERCACHE_NEEDS_REDIS' })
    await local.quit()
  })
})
