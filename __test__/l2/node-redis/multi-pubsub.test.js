'use strict'
// The node-redis flavour's multi(), subscribe() and pops against node-redis itself
// (the `redis` package, v5 API, RESP2) on the same private redis-server:
// the same chains answer the same replies (a failed command: the same
// rejection, replies and errorIndexes), and the same subscriptions call
// the same listeners with the same arguments.

const { describe, it, before, after } = require('node:test')
const assert = require('node:assert/strict')
const redisPackage = require('redis')

const TierCache = require('../../..')
const { startRedis } = require('../../support/redis-server')
const { plainReply: plain } = require('../../support/helpers')

let redis
before(async () => { redis = await startRedis() })
after(async () => { await redis.stop() })

const CHAINS = [
  ['exec', (c) => c.multi().set('a', '1').get('a').incr('a').hSet('h', { f: 'v', g: 'w' }).hGetAll('h')
    .zAdd('z', [{ score: 2, value: 'y' }, { score: 1, value: 'x' }]).zRangeWithScores('z', 0, -1).exec()],
  ['execAsPipeline', (c) => c.multi().get('a').sAdd('s', ['p', 'q']).sCard('s').hGet('h', 'f').execAsPipeline()],
  ['exec(true)', (c) => c.multi().lPush('l', ['1', '2']).lRange('l', 0, -1).exec(true)],
  ['a run-time error', (c) => c.multi().set('t', 'x').hGet('t', 'f').get('t').exec()],
  ['a pipeline error', (c) => c.multi().set('t', 'y').lLen('t').get('t').execAsPipeline()],
  ['queue-time error', (c) => c.multi().set('u', '1').addCommand(['NOSUCHCOMMAND', 'x']).get('u').exec()],
  ['addCommand', (c) => c.multi().addCommand(['SET', 'r', 'raw']).addCommand(['GET', 'r']).exec()],
  ['empty', (c) => c.multi().exec()],
  ['writes seen after', (c) => c.mGet(['a', 't', 'u', 'r'])]
]

// The blocking pops (on the flavour's dedicated connections) and the multi-key pops.
const POPS = [
  ['setup', (c) => c.rPush('l', ['a', 'b', 'c', 'd'])],
  ['setup z', (c) => c.zAdd('z', [{ score: 1.5, value: 'x' }, { score: 2, value: 'y' }, { score: 3, value: 'w' }])],
  ['blPop', (c) => c.blPop('l', 1)],
  ['brPop keys', (c) => c.brPop(['none', 'l'], 1)],
  ['blPop timeout', (c) => c.blPop('none', 0.1)],
  ['bzPopMin', (c) => c.bzPopMin('z', 1)],
  ['bzPopMax timeout', (c) => c.bzPopMax('none', 0.1)],
  ['lmPop COUNT', (c) => c.lmPop(['l'], 'RIGHT', { COUNT: 5 })],
  ['blmPop empty', (c) => c.blmPop(0.1, ['l'], 'LEFT')],
  ['zmPop', (c) => c.zmPop('z', 'MIN', { COUNT: 1 })],
  ['bzmPop', (c) => c.bzmPop(1, ['z'], 'MAX')],
  ['blMove', (c) => c.blMove('none', 'l', 'LEFT', 'RIGHT', 0.1)]
]

async function run (client, cases = CHAINS) {
  const out = []
  for (const [label, fn] of cases) {
    try {
      out.push([label, plain(await fn(client))])
    } catch (err) {
      out.push([label, { rejected: plain(err) }])
    }
  }
  return out
}

async function pubsub (make) {
  const pub = await make()
  const sub = await make()
  const got = []
  const one = (m, ch) => got.push(['one', m, ch])
  await sub.subscribe(['c1', 'c2'], one)
  await sub.subscribe('c1', (m, ch) => got.push(['buffers', m.toString('hex'), Buffer.isBuffer(ch)]), true)
  await sub.pSubscribe('p*', (m, ch) => got.push(['pattern', m, ch]))
  const settle = () => new Promise((resolve) => setTimeout(resolve, 150))
  await pub.publish('c1', 'm1')
  await pub.publish('c2', 'm2')
  await pub.publish('pq', 'm3')
  await settle()
  await sub.unsubscribe('c1', one)
  await pub.publish('c1', 'm4')
  await settle()
  await sub.unsubscribe()
  await sub.pUnsubscribe()
  await pub.publish('c1', 'm5')
  await pub.publish('pq', 'm6')
  await settle()
  await pub.quit()
  await sub.quit()
  return got
}

describe('node-redis multi() and subscribe() on the flavour answer as node-redis', () => {
  it('the same chains, the same replies and rejections', async () => {
    const real = redisPackage.createClient({ url: redis.url, RESP: 2 })
    await real.connect()
    await real.flushDb()
    const expected = await run(real)
    await real.flushDb()
    await real.close()

    const ours = TierCache.createClient({ url: redis.url })
    await ours.connect()
    try {
      const got = await run(ours)
      for (let i = 0; i < CHAINS.length; i++) assert.deepEqual(got[i], expected[i], CHAINS[i][0])
    } finally {
      await ours.quit()
    }
  })

  it('the same pops, the same replies', async () => {
    const real = redisPackage.createClient({ url: redis.url, RESP: 2 })
    await real.connect()
    await real.flushDb()
    const expected = await run(real, POPS)
    await real.flushDb()
    await real.close()
    const ours = TierCache.createClient({ url: redis.url })
    await ours.connect()
    try {
      const got = await run(ours, POPS)
      for (let i = 0; i < POPS.length; i++) assert.deepEqual(got[i], expected[i], POPS[i][0])
      assert.deepEqual(expected.filter(([, r]) => r !== null && r.rejected !== undefined), [])
    } finally {
      await ours.quit()
    }
  })

  it('the same subscriptions, the same listener calls', async () => {
    const expected = await pubsub(async () => {
      const c = redisPackage.createClient({ url: redis.url, RESP: 2 })
      await c.connect()
      return c
    })
    const got = await pubsub(async () => {
      const c = TierCache.createClient({ url: redis.url })
      await c.connect()
      return c
    })
    assert.ok(expected.length >= 5, 'node-redis delivered the messages')
    assert.deepEqual(got, expected)
  })

  it('a subscribed flavour client keeps running commands, and bad listeners are refused', async () => {
    const c = TierCache.createClient({ url: redis.url })
    await c.connect()
    try {
      await c.subscribe('x', () => {})
      assert.equal(await c.set('k', 'v'), 'OK')
      await assert.rejects(c.subscribe('x'), { code: 'ERR_TIERCACHE_INVALID_ARGUMENT' })
      await assert.rejects(c.subscribe([], () => {}), { code: 'ERR_TIERCACHE_INVALID_ARGUMENT' })
      await assert.rejects(c.pSubscribe({}, () => {}), { code: 'ERR_TIERCACHE_INVALID_ARGUMENT' })
    } finally {
      await c.quit()
    }
  })
})
