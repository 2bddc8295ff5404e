'use strict'
// rate-limiter-flexible's RateLimiterRedis, unchanged, over a tiercache
// client on a private redis-server: it uses defineCommand (its rlflxIncr
// script), multi().set().pttl().exec(true) and get/del. Then the Express
// middleware of its wiki (linked from its README) over real HTTP, and two
// limiters on clients with different keyPrefixes (no crossing).

const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const express = require('express')
const { RateLimiterRedis } = require('rate-limiter-flexible')

const { useRedisWithClient, useCache } = require('../../support/redis-server')
const { sleep } = require('../../support/helpers')

describe('RateLimiterRedis over tiercache', () => {
  const redis = useRedisWithClient()
  const box = useCache(redis)
  const prefixed = useCache(redis, { keyPrefix: 'tenant-a:' })

  test('consume, reward, penalty, get, delete', async () => {
    const limiter = new RateLimiterRedis({ storeClient: box.cache, keyPrefix: 'rl1', points: 5, duration: 1 })
    const first = await limiter.consume('user')
    assert.equal(first.consumedPoints, 1)
    assert.equal(first.remainingPoints, 4)
    assert.ok(first.msBeforeNext > 0 && first.msBeforeNext <= 1000)
    await limiter.consume('user', 2)
    assert.equal((await limiter.get('user')).consumedPoints, 3)
    assert.equal(await redis.io.get('rl1:user'), '3')
    await limiter.reward('user', 2)
    assert.equal((await limiter.get('user')).consumedPoints, 1)
    await limiter.penalty('user', 3)
    assert.equal((await limiter.get('user')).consumedPoints, 4)
    await limiter.consume('user')
    const refused = await limiter.consume('user').then(() => null, (res) => res)
    assert.ok(refused !== null, 'the 6th point is refused')
    assert.equal(refused.remainingPoints, 0)
    assert.equal(await limiter.delete('user'), true)
    assert.equal(await limiter.get('user'), null)
    assert.equal(await redis.io.exists('rl1:user'), 0)
    // block() goes through multi().set(…, 'EX', …).pttl().exec(true).
    const blocked = await limiter.block('user', 2)
    assert.ok(blocked.msBeforeNext > 1000 && blocked.msBeforeNext <= 2000)
    assert.ok((await redis.io.pttl('rl1:user')) > 1000)
  })

  test('the Express middleware: 5 requests pass, the 6th is 429, and pass again after the window', async () => {
    const rateLimiter = new RateLimiterRedis({ storeClient: box.cache, keyPrefix: 'middleware', points: 5, duration: 1 })
    const rateLimiterMiddleware = (req, res, next) => {
      rateLimiter.consume(req.ip)
        .then(() => { next() })
        .catch(() => { res.status(429).send('Too Many Requests') })
    }
    const app = express()
    app.use(rateLimiterMiddleware)
    app.get('/', (req, res) => res.send('hello'))
    const server = http.createServer(app)
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${server.address().port}/`
    try {
      const statuses = []
      for (let i = 0; i < 6; i++) statuses.push((await fetch(url)).status)
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429])
      const body = await (await fetch(url)).text()
      assert.equal(body, 'Too Many Requests')
      await sleep(1100)
      assert.equal((await fetch(url)).status, 200)
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  test('keyPrefix on the tiercache client: the limiter\'s keys are the tenant\'s, no crossing', async () => {
    const a = new RateLimiterRedis({ storeClient: prefixed.cache, keyPrefix: 'rl2', points: 5, duration: 1 })
    const b = new RateLimiterRedis({ storeClient: box.cache, keyPrefix: 'rl2', points: 5, duration: 1 })
    for (let i = 0; i < 5; i++) await a.consume('ip')
    await assert.rejects(a.consume('ip'))
    assert.equal(await redis.io.get('tenant-a:rl2:ip'), '6')
    assert.equal(await redis.io.exists('rl2:ip'), 0)
    const res = await b.consume('ip')
    assert.equal(res.consumedPoints, 1)
    assert.equal((await a.get('ip')).consumedPoints, 6)
  })
})
