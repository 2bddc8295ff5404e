'use strict'
// connect-redis 9 (which takes a node-redis ≥ 5 client) with the node-redis
// flavour, `createClient({ url })` + `await client.connect()`, under
// express-session over real HTTP, on a redis-server of this file's own.
// length(), ids(), all() and clear() read pages from `scanIterator`: when it
// yielded keys instead (before the flavour), each "page" was a string and
// these answered characters, silently.

const { describe, it, before, after } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const { once } = require('node:events')
const express = require('express')
const session = require('express-session')
const { RedisStore } = require('connect-redis')
const Redis = require('ioredis')

const { createClient } = require('../../..')
const { startRedis } = require('../../support/redis-server')

let redis
let client
let store
let server
let base
let io

before(async () => {
  redis = await startRedis()
  client = createClient({ url: redis.url })
  assert.equal(await client.connect(), client)
  store = new RedisStore({ client, prefix: 'sess:', scanCount: 2 })
  const app = express()
  app.use(session({ store, secret: 'connect-redis test', name: 'sid', resave: false, saveUninitialized: false }))
  app.post('/login/:user', (req, res) => {
    req.session.user = req.params.user
    res.json({ ok: true })
  })
  app.get('/me', (req, res) => res.json({ user: req.session.user ?? null }))
  app.post('/logout', (req, res, next) => req.session.destroy((err) => (err ? next(err) : res.json({ ok: true }))))
  server = http.createServer(app).listen(0, '127.0.0.1')
  await once(server, 'listening')
  base = `http://127.0.0.1:${server.address().port}`
  io = new Redis({ port: redis.port, lazyConnect: true })
  await io.connect()
})

after(async () => {
  server.close()
  io.disconnect()
  await client.quit()
  await redis.stop()
})

/** A browser: keeps its session cookie between requests. */
function browser () {
  let cookie = null
  return async (method, path) => {
    const res = await fetch(base + path, { method, headers: cookie === null ? {} : { cookie } })
    const set = res.headers.get('set-cookie')
    if (set !== null) cookie = set.split(';')[0]
    return res.json()
  }
}

const call = (method, ...a) => new Promise((resolve, reject) => store[method](...a, (err, v) => (err ? reject(err) : resolve(v))))

describe('connect-redis 9 with createClient()', () => {
  it('keeps a session across requests, in Redis where connect-redis puts it, and destroys it', async () => {
    const ada = browser()
    assert.deepEqual(await ada('POST', '/login/ada'), { ok: true })
    assert.deepEqual(await ada('GET', '/me'), { user: 'ada' })
    const keys = await io.keys('sess:*')
    assert.equal(keys.length, 1)
    assert.equal(JSON.parse(await io.get(keys[0])).user, 'ada')
    const ttl = await io.ttl(keys[0])
    assert.ok(ttl > 0 && ttl <= 86400, `TTL set with SET … EX (got ${ttl})`)
    assert.deepEqual(await ada('POST', '/logout'), { ok: true })
    assert.deepEqual(await ada('GET', '/me'), { user: null })
    assert.deepEqual(await io.keys('sess:*'), [])
  })

  it('length, ids, all and clear see every session, over several scan pages', async () => {
    const users = ['u1', 'u2', 'u3', 'u4', 'u5']
    for (const u of users) await browser()('POST', `/login/${u}`)
    // A key outside the prefix is not a session.
    await io.set('other', 'x')
    assert.equal(await call('length'), users.length)
    const ids = await call('ids')
    assert.equal(ids.length, users.length)
    const fromRedis = (await io.keys('sess:*')).map((k) => k.slice('sess:'.length)).sort()
    assert.deepEqual([...ids].sort(), fromRedis)
    const all = await call('all')
    assert.deepEqual(all.map((s) => s.user).sort(), users)
    for (const s of all) assert.ok(ids.includes(s.id))
    await call('clear')
    assert.equal(await call('length'), 0)
    assert.deepEqual(await io.keys('sess:*'), [])
    assert.equal(await io.get('other'), 'x')
  })

  it('get, set and touch through the store API', async () => {
    await call('set', 'abc', { cookie: { expires: new Date(Date.now() + 10_000) }, n: 1 })
    assert.deepEqual((await call('get', 'abc')).n, 1)
    const before = await io.pttl('sess:abc')
    assert.ok(before > 0 && before <= 10_000)
    await call('touch', 'abc', { cookie: { expires: new Date(Date.now() + 100_000) } })
    assert.ok(await io.pttl('sess:abc') > 10_000)
    await call('destroy', 'abc')
    assert.equal(await call('get', 'abc'), null)
  })
})
