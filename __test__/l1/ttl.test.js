'use strict'
// Expiry: boundaries with the advanceable store clock, past absolute times,
// negative EXPIRE, TTL rounding, KEEPTTL, the default `ttl` option, and one
// short real wait.

const { test } = require('node:test')
const assert = require('node:assert/strict')

const { open, sleep, withinOneMillisecond, uniqueName } = require('../support/helpers')
const { advanceClock } = require('../../lib/testing')

test('a key with PX 100 is there at +99 ms', async (t) => {
  const redis = open(t)
  // The store clock is the real clock plus the advanced offset: only a run
  // within one real millisecond is exactly "+99 ms" (others are retried).
  const [value, pttl, exists] = await withinOneMillisecond(async (i) => {
    const key = `k${i}`
    await redis.set(key, 'v', 'PX', 100)
    advanceClock(redis, 99)
    return [await redis.get(key), await redis.pttl(key), await redis.exists(key)]
  })
  assert.equal(value, 'v')
  assert.equal(pttl, 1)
  assert.equal(exists, 1)
})

test('a key with PX 100 is gone at +100 ms: get null, ttl -2, exists 0', async (t) => {
  const redis = open(t)
  await redis.set('k', 'v', 'PX', 100)
  assert.equal(await redis.get('k'), 'v') // now also in the front
  advanceClock(redis, 100)
  assert.equal(await redis.get('k'), null)
  assert.equal(await redis.ttl('k'), -2)
  assert.equal(await redis.pttl('k'), -2)
  assert.equal(await redis.exists('k'), 0)
  assert.equal(redis.local.get('k'), undefined)
  assert.equal(redis.local.has('k'), false)
  assert.deepEqual(await redis.mget('k'), [null])
  assert.equal(await redis.getBuffer('k'), null)
  assert.deepEqual(await redis.keys('*'), [])
})

test('each command treats an expired key as missing', async (t) => {
  const redis = open(t)
  const expired = async (key, value = '5') => {
    await redis.set(key, value, 'PX', 50)
    advanceClock(redis, 50)
  }
  await expired('a')
  assert.equal(await redis.set('a', 'x', 'NX'), 'OK', 'NX writes over an expired key')
  await expired('b')
  assert.equal(await redis.set('b', 'x', 'XX'), null, 'XX refuses an expired key')
  assert.equal(await redis.exists('b'), 0)
  await expired('c')
  assert.equal(await redis.incr('c'), 1, 'INCR starts again from 0')
  assert.equal(await redis.ttl('c'), -1)
  await expired('d')
  assert.equal(await redis.getdel('d'), null)
  await expired('e')
  assert.equal(await redis.getex('e', 'PERSIST'), null)
  await expired('f')
  assert.equal(await redis.expire('f', 100), 0)
  await expired('g')
  assert.equal(await redis.persist('g'), 0)
  await expired('h')
  assert.equal(await redis.del('h'), 0)
  await expired('i')
  assert.equal(await redis.set('i', 'new', 'GET'), null, 'SET … GET sees no old value')
  await expired('j')
  assert.equal(await redis.setnx('j', 'x'), 1)
  await expired('k')
  assert.equal(await redis.set('k', 'x', 'KEEPTTL'), 'OK')
  assert.equal(await redis.ttl('k'), -1, 'KEEPTTL of an expired key keeps nothing')
})

test('SET EXAT / PXAT in the past deletes the key (reply OK)', async (t) => {
  const redis = open(t)
  await redis.set('a', 'old')
  assert.equal(await redis.set('a', 'new', 'EXAT', Math.floor(Date.now() / 1000) - 10), 'OK')
  assert.equal(await redis.get('a'), null)
  assert.equal(await redis.exists('a'), 0)
  await redis.set('b', 'old')
  assert.equal(await redis.get('b'), 'old')
  assert.equal(await redis.set('b', 'new', 'PXAT', Date.now() - 1), 'OK')
  assert.equal(await redis.get('b'), null)
  assert.equal(await redis.ttl('b'), -2)
  // Missing key with a past time: nothing is created.
  assert.equal(await redis.set('c', 'v', 'PXAT', 1), 'OK')
  assert.equal(await redis.exists('c'), 0)
  assert.equal(await redis.dbsize(), 0)
})

test('EXAT / PXAT in the past relative to an advanced clock delete too', async (t) => {
  const redis = open(t)
  advanceClock(redis, 60_000)
  await redis.set('k', 'v')
  assert.equal(await redis.set('k', 'w', 'PXAT', Date.now() + 30_000), 'OK')
  assert.equal(await redis.get('k'), null, 'PXAT is judged by the store clock')
})

test('EXPIRE / PEXPIRE with a negative or zero time delete the key', async (t) => {
  const redis = open(t)
  for (const [command, time] of [['expire', -1], ['pexpire', -100], ['expire', 0], ['pexpire', 0], ['expireat', 0], ['pexpireat', -5]]) {
    await redis.set('k', 'v')
    assert.equal(await redis.get('k'), 'v')
    assert.equal(await redis[command]('k', time), 1, `${command} ${time} replies 1`)
    assert.equal(await redis.get('k'), null, `${command} ${time} deletes`)
    assert.equal(await redis.exists('k'), 0)
    assert.equal(await redis.ttl('k'), -2)
  }
  assert.equal(await redis.expire('missing', -1), 0)
})

test('TTL rounds to the nearest second, as Redis does', async (t) => {
  const redis = open(t)
  await redis.set('k', 'v', 'PX', 10_000)
  advanceClock(redis, 1_200) // 8 800 ms left
  assert.equal(await redis.ttl('k'), 9)
  advanceClock(redis, 1_000) // 7 800 ms left
  assert.equal(await redis.ttl('k'), 8)
  advanceClock(redis, 7_200) // 600 ms left
  assert.equal(await redis.ttl('k'), 1)
  advanceClock(redis, 300) // 300 ms left: still there, TTL 0
  assert.equal(await redis.ttl('k'), 0)
  const left = await redis.pttl('k')
  assert.ok(left > 200 && left <= 300, `pttl ${left}`)
  assert.equal(await redis.get('k'), 'v')
  advanceClock(redis, 300)
  assert.equal(await redis.ttl('k'), -2)
})

test('PTTL counts down with the clock', async (t) => {
  const redis = open(t)
  await redis.set('k', 'v', 'EX', 10)
  advanceClock(redis, 4_000)
  const left = await redis.pttl('k')
  assert.ok(left > 5_900 && left <= 6_000, `pttl ${left}`)
})

test('KEEPTTL keeps the remaining time across overwrites', async (t) => {
  const redis = open(t)
  await redis.set('k', 'a', 'PX', 1_000)
  advanceClock(redis, 600)
  assert.equal(await redis.set('k', 'b', 'KEEPTTL'), 'OK')
  const left = await redis.pttl('k')
  assert.ok(left > 300 && left <= 400, `pttl ${left}`)
  assert.equal(await redis.get('k'), 'b')
  advanceClock(redis, 400)
  assert.equal(await redis.get('k'), null, 'expires at the original deadline')
})

test('the default ttl option applies to plain sets only', async (t) => {
  const redis = open(t, { ttl: 1_000 })
  await redis.set('plain', 'v')
  let left = await redis.pttl('plain')
  assert.ok(left > 900 && left <= 1_000, `pttl ${left}`)
  await redis.mset({ m: 'v' })
  left = await redis.pttl('m')
  assert.ok(left > 900 && left <= 1_000, `mset pttl ${left}`)
  assert.equal(await redis.incr('counter'), 1)
  left = await redis.pttl('counter')
  assert.ok(left > 900 && left <= 1_000, `incr pttl ${left}`)
  redis.local.set('local', 'v')
  left = await redis.pttl('local')
  assert.ok(left > 900 && left <= 1_000, `local.set pttl ${left}`)
  // An explicit TTL wins.
  await redis.set('explicit', 'v', 'EX', 100)
  assert.equal(await redis.ttl('explicit'), 100)
  await redis.setex('sx', 50, 'v')
  assert.equal(await redis.ttl('sx'), 50)
  // PERSIST removes it.
  await redis.set('persisted', 'v')
  assert.equal(await redis.persist('persisted'), 1)
  advanceClock(redis, 1_000)
  assert.equal(await redis.get('plain'), null)
  assert.equal(await redis.get('m'), null)
  assert.equal(await redis.get('counter'), null)
  assert.equal(redis.local.get('local'), undefined)
  assert.equal(await redis.get('explicit'), 'v')
  assert.equal(await redis.get('persisted'), 'v')
})

test('SETEX and PSETEX expire on time', async (t) => {
  const redis = open(t)
  await redis.setex('s', 2, 'v')
  await redis.psetex('p', 500, 'v')
  advanceClock(redis, 500)
  assert.equal(await redis.get('p'), null)
  assert.equal(await redis.get('s'), 'v')
  advanceClock(redis, 1_500)
  assert.equal(await redis.get('s'), null)
})

test('local.set(k, v, ttlMs) expires after ttlMs', async (t) => {
  const redis = open(t)
  assert.equal(redis.local.set('k', 'v', 100), true)
  const left = await redis.pttl('k')
  assert.ok(left > 0 && left <= 100, `pttl ${left}`)
  assert.equal(redis.local.get('k'), 'v')
  advanceClock(redis, 100)
  assert.equal(redis.local.get('k'), undefined)
  assert.equal(redis.local.has('k'), false)
  assert.equal(redis.local.del('k'), false)
})

test('GETEX EX / PERSIST change the expiry seen by later reads', async (t) => {
  const redis = open(t)
  await redis.set('k', 'v')
  assert.equal(await redis.get('k'), 'v')
  assert.equal(await redis.getex('k', 'PX', 100), 'v')
  advanceClock(redis, 100)
  assert.equal(await redis.get('k'), null)
  await redis.set('p', 'v', 'PX', 100)
  assert.equal(await redis.get('p'), 'v')
  assert.equal(await redis.getex('p', 'PERSIST'), 'v')
  advanceClock(redis, 1_000)
  assert.equal(await redis.get('p'), 'v')
})

test('EXPIRE on a key read earlier is honoured by later reads', async (t) => {
  const redis = open(t)
  await redis.set('k', 'v')
  assert.equal(await redis.get('k'), 'v') // in the front, without expiry
  assert.equal(await redis.pexpire('k', 100), 1)
  advanceClock(redis, 100)
  assert.equal(await redis.get('k'), null)
})

test('advancing one instance\'s clock expires keys for every instance of a named store', async (t) => {
  const name = uniqueName('clock')
  const a = open(t, { name })
  const b = open(t, { name })
  await a.set('k', 'v', 'PX', 1_000)
  assert.equal(await b.get('k'), 'v')
  advanceClock(a, 1_000)
  assert.equal(await b.get('k'), null)
  assert.equal(await a.get('k'), null)
})

test('the test clock of a second instance of a named store moves that store', async (t) => {
  const name = uniqueName('clock2')
  const a = open(t, { name })
  const b = open(t, { name })
  await a.set('k', 'v', 'PX', 1_000)
  advanceClock(b, 5_000)
  assert.equal(await b.pttl('k'), -2, 'advanceClock(b) must move the store b reads')
  assert.equal(await b.get('k'), null)
  assert.equal(await a.get('k'), null)
})

test('real time: PX 30 is gone after ~80 ms', async (t) => {
  const redis = open(t)
  await redis.set('k', 'v', 'PX', 30)
  await redis.set('forever', 'v')
  assert.equal(await redis.get('k'), 'v') // in the front, with its deadline
  redis.local.set('local', 'v', 30)
  assert.equal(redis.local.get('local'), 'v')
  await sleep(80)
  assert.equal(await redis.get('k'), null)
  assert.equal(await redis.pttl('k'), -2)
  assert.equal(await redis.exists('k'), 0)
  assert.equal(redis.local.get('local'), undefined)
  assert.equal(await redis.get('forever'), 'v')
})
