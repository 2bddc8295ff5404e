'use strict'
// The node-redis flavour (createClient) against node-redis itself (the
// `redis` package, v5 API, RESP2 replies): the same calls on the same private redis-server,
// one client after the other on an emptied database, must answer the same
// replies (plain objects compared by content: node-redis makes some with a
// null prototype). Covers the overrides (lib/node-redis/overrides) and the
// generic methods whose shapes node-redis shares with ioredis.

const { describe, it, before, after } = require('node:test')
const assert = require('node:assert/strict')
const redisPackage = require('redis')

const TierCache = require('../../..')
const { startRedis } = require('../../support/redis-server')
const { plainReply: plain } = require('../../support/helpers')

let redis

before(async () => { redis = await startRedis() })
after(async () => { await redis.stop() })

// [label, (client) => promise]; each runs after the ones before it.
const CASES = [
  ['set', (c) => c.set('s', 'v')],
  ['set EX NX GET', (c) => c.set('s', 'w', { EX: 100, GET: true })],
  ['set expiration condition', (c) => c.set('s2', 'x', { expiration: { type: 'PX', value: 100000 }, condition: 'NX' })],
  ['set NX refused', (c) => c.set('s2', 'y', { NX: true })],
  ['get', (c) => c.get('s')],
  ['ttl', (c) => c.ttl('s')],
  ['setEx', (c) => c.setEx('e', 50, 'v')],
  ['getEx type', (c) => c.getEx('e', { type: 'PERSIST' })],
  ['getEx EX', (c) => c.getEx('e', { EX: 30 })],
  ['mSet object', (c) => c.mSet({ m1: 'a', m2: 'b' })],
  ['mSet pairs', (c) => c.mSet([['m3', 'c'], ['m4', 'd']])],
  ['mGet', (c) => c.mGet(['m1', 'm2', 'm3', 'm4', 'none'])],
  ['exists array', (c) => c.exists(['m1', 'm2', 'none'])],
  ['expire NX', (c) => c.expire('m1', 100, 'NX')],
  ['expire NX again', (c) => c.expire('m1', 100, 'NX')],
  ['del array', (c) => c.del(['m3', 'm4'])],
  ['incrBy', (c) => c.incrBy('n', 5)],
  ['incrByFloat', (c) => c.incrByFloat('n', 1.5)],
  ['append', (c) => c.append('s', '!')],
  ['strLen', (c) => c.strLen('s')],
  ['hSet object', (c) => c.hSet('h', { a: '1', b: '2' })],
  ['hSet field', (c) => c.hSet('h', 'c', '3')],
  ['hGetAll', (c) => c.hGetAll('h')],
  ['hGet', (c) => c.hGet('h', 'a')],
  ['hExists', (c) => c.hExists('h', 'a')],
  ['hIncrBy', (c) => c.hIncrBy('h', 'a', 2)],
  ['hmGet', (c) => c.hmGet('h', ['a', 'zz'])],
  ['hLen', (c) => c.hLen('h')],
  ['hScan', (c) => c.hScan('h', '0', { COUNT: 100 })],
  ['lPush array', (c) => c.lPush('l', ['a', 'b', 'c'])],
  ['rPush one', (c) => c.rPush('l', 'z')],
  ['lRange', (c) => c.lRange('l', 0, -1)],
  ['lPopCount', (c) => c.lPopCount('l', 2)],
  ['lLen', (c) => c.lLen('l')],
  ['sAdd array', (c) => c.sAdd('st', ['x', 'y'])],
  ['sIsMember', (c) => c.sIsMember('st', 'x')],
  ['sCard', (c) => c.sCard('st')],
  ['sScan', async (c) => { const r = await c.sScan('st', '0'); r.members.sort(); return r }],
  ['zAdd members', (c) => c.zAdd('z', [{ score: 1, value: 'one' }, { score: 2.5, value: 'two' }, { score: 3, value: 'three' }])],
  ['zAdd one, options', (c) => c.zAdd('z', { score: 0.5, value: 'one' }, { condition: 'XX', CH: true })],
  ['zAdd infinity', (c) => c.zAdd('z', { score: Infinity, value: 'top' })],
  ['zScore', (c) => c.zScore('z', 'two')],
  ['zScore inf', (c) => c.zScore('z', 'top')],
  ['zScore missing', (c) => c.zScore('z', 'nope')],
  ['zIncrBy', (c) => c.zIncrBy('z', 2, 'one')],
  ['zmScore', (c) => c.zmScore('z', ['one', 'nope'])],
  ['zRange', (c) => c.zRange('z', 0, -1)],
  ['zRange BY SCORE REV LIMIT', (c) => c.zRange('z', 10, 0, { BY: 'SCORE', REV: true, LIMIT: { offset: 0, count: 2 } })],
  ['zRangeWithScores', (c) => c.zRangeWithScores('z', 0, -1)],
  ['zRangeByScore', (c) => c.zRangeByScore('z', 1, 3)],
  ['zRangeByScoreWithScores LIMIT', (c) => c.zRangeByScoreWithScores('z', '-inf', '+inf', { LIMIT: { offset: 1, count: 2 } })],
  ['zScan', (c) => c.zScan('z', '0')],
  ['zPopMax', (c) => c.zPopMax('z')],
  ['zPopMinCount', (c) => c.zPopMinCount('z', 2)],
  ['zPopMax empty', (c) => c.zPopMax('nozset')],
  ['zCard', (c) => c.zCard('z')],
  ['eval', (c) => c.eval("return {KEYS[1], ARGV[1], redis.call('GET', KEYS[1])}", { keys: ['s'], arguments: ['arg'] })],
  ['scriptLoad + evalSha', async (c) => c.evalSha(await c.scriptLoad('return ARGV[1]'), { arguments: ['x'] })],
  ['configGet', (c) => c.configGet('maxmemory-policy')],
  ['type', (c) => c.type('h')],
  ['scan one page', async (c) => { const r = await c.scan('0', { MATCH: 'm*', COUNT: 1000 }); r.keys.sort(); return r }],
  ['scan TYPE', async (c) => { const r = await c.scan('0', { TYPE: 'hash', COUNT: 1000 }); r.keys.sort(); return r }],
  ['xAdd', (c) => c.xAdd('xs', '1-1', { a: '1', b: '2' })],
  ['xAdd TRIM', (c) => c.xAdd('xs', '2-1', { a: '3' }, { TRIM: { strategy: 'MAXLEN', threshold: 10 } })],
  ['xAddNoMkStream missing', (c) => c.xAddNoMkStream('nostream', '*', { a: '1' })],
  ['xLen', (c) => c.xLen('xs')],
  ['xRange', (c) => c.xRange('xs', '-', '+')],
  ['xRange COUNT', (c) => c.xRange('xs', '-', '+', { COUNT: 1 })],
  ['xRevRange', (c) => c.xRevRange('xs', '+', '-')],
  ['xRead', (c) => c.xRead([{ key: 'xs', id: '0' }], { COUNT: 5 })],
  ['xRead one stream', (c) => c.xRead({ key: 'xs', id: '1-1' })],
  ['xRead nothing', (c) => c.xRead({ key: 'xs', id: '$' })],
  ['xGroupCreate', (c) => c.xGroupCreate('xs', 'g', '0', { MKSTREAM: true })],
  ['xGroupCreate MKSTREAM', (c) => c.xGroupCreate('xs2', 'g', '$', { MKSTREAM: true })],
  ['xReadGroup', (c) => c.xReadGroup('g', 'alice', { key: 'xs', id: '>' }, { COUNT: 1 })],
  ['xPending', (c) => c.xPending('xs', 'g')],
  ['xPendingRange', async (c) => (await c.xPendingRange('xs', 'g', '-', '+', 10)).map((p) => ({ ...p, millisecondsSinceLastDelivery: 'n' }))],
  ['xClaim', (c) => c.xClaim('xs', 'g', 'bob', 0, ['1-1'])],
  ['xClaimJustId', (c) => c.xClaimJustId('xs', 'g', 'alice', 0, ['1-1'])],
  ['xAutoClaim', (c) => c.xAutoClaim('xs', 'g', 'bob', 0, '0-0', { COUNT: 10 })],
  ['xAutoClaimJustId', (c) => c.xAutoClaimJustId('xs', 'g', 'alice', 0, '0-0')],
  ['xInfoStream', async (c) => { const i = await c.xInfoStream('xs'); return { length: i.length, groups: i.groups, first: i['first-entry'], last: i['last-entry'] } }],
  ['xInfoGroups', (c) => c.xInfoGroups('xs')],
  ['xInfoConsumers', async (c) => (await c.xInfoConsumers('xs', 'g')).map((x) => ({ ...x, idle: 'n', inactive: 'n' }))],
  ['xAck', (c) => c.xAck('xs', 'g', ['1-1'])],
  ['xTrim', (c) => c.xTrim('xs', 'MAXLEN', 1)],
  ['xSetId', (c) => c.xSetId('xs', '9-9')],
  // Coordinates compared to 1e-9: Redis < 7.2 writes 17 digits over RESP2, which a RESP3 double cannot keep (docs/commands.md).
  ['geoAdd + geoPos', async (c) => {
    await c.sendCommand(['GEOADD', 'geo', '13.361389', '38.115556', 'Palermo'])
    return (await c.geoPos('geo', ['Palermo', 'nowhere'])).map((p) => p && { longitude: Number(p.longitude).toFixed(9), latitude: Number(p.latitude).toFixed(9), types: typeof p.longitude + typeof p.latitude })
  }],
  ['pubSubNumSub', (c) => c.pubSubNumSub(['news', 'sport'])],
  ['sendCommand raw HGETALL', (c) => c.sendCommand(['HGETALL', 'h'])],
  ['sendCommand PING', (c) => c.sendCommand(['PING'])],
  ['ping', (c) => c.ping()],
  ['dbSize', (c) => c.dbSize()]
]

async function run (client) {
  const out = []
  for (const [label, fn] of CASES) {
    try {
      out.push([label, plain(await fn(client))])
    } catch (err) {
      out.push([label, `error: ${err.message}`])
    }
  }
  return out
}

describe('the node-redis flavour answers as node-redis', () => {
  it('every case, same replies', async () => {
    // RESP 2: node-redis v5's default, whose replies the flavour gives
    // (the installed v6 defaults to RESP3; the command API is the same).
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
      for (let i = 0; i < CASES.length; i++) assert.deepEqual(got[i], expected[i], CASES[i][0])
      // node-redis answered every case (none is an error on both sides by accident).
      assert.deepEqual(expected.filter(([, r]) => typeof r === 'string' && r.startsWith('error:')), [])
    } finally {
      await ours.quit()
    }
  })
})
