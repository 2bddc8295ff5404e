'use strict'
// express-rate-limit + rate-limit-redis over real HTTP, on a redis-server of
// this file's own, with both recipes rate-limit-redis documents:
//   node-redis: sendCommand: (...args) => client.sendCommand(args)   (createClient)
//   ioredis:    sendCommand: (command, ...args) => client.call(command, ...args)
// rate-limit-redis loads its scripts with SCRIPT LOAD and runs them with
// EVALSHA (reloading on NOSCRIPT): N requests pass, the next is 429, the
// RateLimit headers count down, and resetKey lets the client in again.

const { describe, it, before, after } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const { once } = require('node:events')
const express = require('express')
const { rateLimit } = require('express-rate-limit')
const { RedisStore } = require('rate-limit-redis')
const Redis = require('ioredis')

const TierCache = require('../../..')
const { startRedis } = require('../../support/redis-server')

const LIMIT = 3

let redis
let io

before(async () => {
  redis = await startRedis()
  io = new Redis({ port: redis.port, lazyConnect: true })
  await io.connect()
})

after(async () => {
  io.disconnect()
  await redis.stop()
})

const RECIPES = {
  'node-redis flavour, sendCommand(args)': async () => {
    const client = TierCache.createClient({ url: redis.url })
    await client.connect()
    return { client, sendCommand: (...args) => client.sendCommand(args) }
  },
  'ioredis flavour, call(command, ...args)': async () => {
    const client = new TierCache(redis.url)
    await client.connect()
    return { client, sendCommand: (command, ...args) => client.call(command, ...args) }
  }
}

async function serve (t, sendCommand, prefix) {
  const limiter = rateLimit({
    windowMs: 60_000,
    limit: LIMIT,
    standardHeaders: 'draft-6',
    legacyHeaders: false,
    keyGenerator: (req) => String(req.headers['x-user']),
    store: new RedisStore({ sendCommand, prefix })
  })
  const app = express()
  app.use(limiter)
  app.get('/', (req, res) => res.json({ ok: true }))
  const server = http.createServer(app).listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.after(() => server.close())
  const base = `http://127.0.0.1:${server.address().port}`
  const get = (user) => fetch(base, { headers: { 'x-user': user } }).then(async (res) => ({ status: res.status, headers: res.headers, body: await res.text() }))
  return { limiter, get }
}

describe('rate-limit-redis', () => {
  for (const [name, open] of Object.entries(RECIPES)) {
    it(name, async (t) => {
      const { client, sendCommand } = await open()
      t.after(() => client.quit())
      const prefix = `rl:${name.split(' ')[0]}:`
      const { limiter, get } = await serve(t, sendCommand, prefix)
      for (let i = 1; i <= LIMIT; i++) {
        const r = await get('ada')
        assert.equal(r.status, 200, `request ${i}`)
        assert.equal(r.headers.get('ratelimit-limit'), String(LIMIT))
        assert.equal(r.headers.get('ratelimit-remaining'), String(LIMIT - i))
        assert.match(r.headers.get('ratelimit-reset'), /^\d+$/)
      }
      const refused = await get('ada')
      assert.equal(refused.status, 429)
      assert.equal(refused.headers.get('ratelimit-remaining'), '0')
      // Another client has its own count.
      assert.equal((await get('bob')).status, 200)
      // The counter is in Redis, under rate-limit-redis's key.
      assert.equal(await io.get(`${prefix}ada`), String(LIMIT + 1))
      assert.ok(await io.pttl(`${prefix}ada`) > 0)
      await limiter.resetKey('ada')
      assert.equal(await io.exists(`${prefix}ada`), 0)
      assert.equal((await get('ada')).status, 200)
      // A script flush makes EVALSHA answer NOSCRIPT: the store reloads it.
      await io.script('FLUSH')
      assert.equal((await get('ada')).status, 200)
      assert.equal(await io.get(`${prefix}ada`), '2')
    })
  }
})
