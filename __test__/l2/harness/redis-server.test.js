'use strict'
// The private redis-server that the Redis-tier tests will use: it starts on
// a free port, answers, and is gone after stop or kill.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { startRedis } = require('../../support/redis-server')

test('a private redis-server starts on a free port and stops', async () => {
  const redis = await startRedis()
  assert.notEqual(redis.port, 6379)
  assert.equal(await redis.ask('SET k v'), '+OK')
  assert.equal(await redis.ask('GET k'), '$1')
  await redis.stop()
  await assert.rejects(redis.ask('PING'))
})

test('two private servers are independent, and kill stops one at once', async () => {
  const [a, b] = await Promise.all([startRedis(), startRedis()])
  assert.notEqual(a.port, b.port)
  await a.ask('SET only-in-a 1')
  assert.equal(await b.ask('EXISTS only-in-a'), ':0')
  await a.kill()
  await assert.rejects(a.ask('PING'))
  assert.equal(await b.ask('PING'), '+PONG')
  await b.stop()
})
