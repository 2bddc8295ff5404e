'use strict'
// A logout must stay a logout. Two Express apps (real express-session, over
// real HTTP) each with their own TierCache — on one redis-server started
// here (consistency 'strong' and 'fast'), or two L1-only caches sharing one
// store name — serve the same browser. The race: the browser's request to
// B loads the session, changes it (or only touches it) and awaits
// something; meanwhile A destroys the session (logout); then B's handler
// ends and express-session saves (or touches) the session it loaded. The
// interleavings vary, from "B saves strictly after the destroy returned" to
// "both at once". Whatever the order, once both are done the session must
// be gone everywhere: a resurrection is any instance (or the store)
// answering the session afterwards. SESSION_RACES sets the races per mode.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const { once } = require('node:events')
const express = require('express')
const session = require('express-session')

const { TierCache } = require('../../..')
const { TierCacheStore } = require('../../../lib/express/session-store')
const { startRedis } = require('../../support/redis-server')
const { uniqueName } = require('../../support/helpers')

const RACES = Number(process.env.SESSION_RACES ?? 1000)
const PARALLEL = 16
const SECRET = 'session race secret'
const SEAL = 'tiercache:destroyed-session'
const noop = () => {}

/** Deferreds by race id: `arrived` when B's handler holds the loaded session, `release` to let it end. */
class Gates {
  constructor () { this.byId = new Map() }
  open (id) {
    const gate = {}
    gate.arrived = new Promise((resolve) => { gate.arrive = resolve })
    gate.released = new Promise((resolve) => { gate.release = resolve })
    this.byId.set(id, gate)
    return gate
  }

  async pass (id) {
    const gate = this.byId.get(id)
    if (gate === undefined) return
    gate.arrive()
    await gate.released
    this.byId.delete(id)
  }
}

async function startApp (store, gates) {
  const app = express()
  app.use(session({ store, secret: SECRET, name: 'sid', resave: false, saveUninitialized: false, cookie: { maxAge: 60_000 } }))
  app.post('/login', (req, res) => {
    req.session.user = 'ada'
    res.json({ ok: true })
  })
  // Session-changing: express-session saves (store.set) when it ends.
  app.post('/change', async (req, res) => {
    if (req.session.user === undefined) return res.status(401).json({ user: null })
    req.session.views = (req.session.views ?? 0) + 1
    await gates.pass(req.get('x-race'))
    res.json({ views: req.session.views })
  })
  // Not changing: express-session touches (store.touch) when it ends.
  app.post('/read', async (req, res) => {
    if (req.session.user === undefined) return res.status(401).json({ user: null })
    await gates.pass(req.get('x-race'))
    res.json({ user: req.session.user })
  })
  app.post('/logout', (req, res, next) => {
    req.session.destroy((err) => err ? next(err) : res.json({ out: true }))
  })
  app.post('/regenerate', (req, res, next) => {
    req.session.regenerate((err) => {
      if (err) return next(err)
      req.session.user = 'ada, again'
      res.json({ ok: true })
    })
  })
  app.get('/me', (req, res) => res.json({ user: req.session.user ?? null, sid: req.sessionID }))
  const server = http.createServer(app)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
  return {
    port: server.address().port,
    agent,
    close: () => new Promise((resolve) => { agent.destroy(); server.closeAllConnections(); server.close(resolve) })
  }
}

/** One HTTP request: { status, body, cookie } (cookie: the `sid=` pair set, if any). */
function request (app, method, path, { cookie, race } = {}) {
  return new Promise((resolve, reject) => {
    const headers = {}
    if (cookie) headers.cookie = cookie
    if (race !== undefined) headers['x-race'] = race
    const req = http.request({ host: '127.0.0.1', port: app.port, method, path, headers, agent: app.agent }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => {
        const set = (res.headers['set-cookie'] ?? []).map((l) => l.split(';')[0]).find((p) => p.startsWith('sid='))
        let body = Buffer.concat(chunks).toString()
        try { body = JSON.parse(body) } catch {}
        resolve({ status: res.statusCode, body, cookie: set })
      })
    })
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${path} timed out`)))
    req.on('error', reject)
    req.end()
  })
}

const sidOf = (cookie) => {
  const value = decodeURIComponent(cookie.slice('sid='.length))
  return value.slice(2, value.lastIndexOf('.'))
}
const pause = (ms) => new Promise((resolve) => ms === 0 ? setImmediate(resolve) : setTimeout(resolve, ms))

/**
 * One race (see the top of the file); `variant` picks the interleaving and
 * whether B changes or only touches. Resolves true on a resurrection.
 */
async function race (a, b, storeA, storeB, gates, id, variant) {
  const login = await request(a, 'POST', '/login')
  const cookie = login.cookie
  const gate = gates.open(id)
  const path = variant % 2 === 0 ? '/change' : '/read'
  const inFlight = request(b, 'POST', path, { cookie, race: id })
  await gate.arrived // B holds the session it loaded
  switch (variant >> 1) {
    case 0: // B saves strictly after the destroy returned
      await request(a, 'POST', '/logout', { cookie })
      gate.release()
      break
    case 1: { // destroy sent, B released on the next turn
      const out = request(a, 'POST', '/logout', { cookie })
      await pause(0)
      gate.release()
      await out
      break
    }
    case 2: { // B released first, the destroy 0–2 ms later
      gate.release()
      await pause(id % 3)
      await request(a, 'POST', '/logout', { cookie })
      break
    }
    default: { // both at once
      const out = request(a, 'POST', '/logout', { cookie })
      gate.release()
      await out
    }
  }
  await inFlight
  const [meA, meB, sA, sB] = await Promise.all([
    request(a, 'GET', '/me', { cookie }),
    request(b, 'GET', '/me', { cookie }),
    storeA.get(sidOf(cookie)),
    storeB.get(sidOf(cookie))
  ])
  return meA.body.user !== null || meB.body.user !== null || sA !== null || sB !== null
}

async function runRaces (a, b, storeA, storeB, gates, label) {
  let next = 0
  // Resurrections by variant: [tries, resurrections] each.
  const byVariant = Array.from({ length: 8 }, () => [0, 0])
  const worker = async () => {
    while (next < RACES) {
      const i = next++
      byVariant[i % 8][0]++
      if (await race(a, b, storeA, storeB, gates, `${label}-${i}`, i % 8)) byVariant[i % 8][1]++
    }
  }
  await Promise.all(Array.from({ length: PARALLEL }, worker))
  return byVariant
}

const VARIANTS = ['set after destroy', 'touch after destroy', 'set, destroy sent first', 'touch, destroy sent first',
  'set first', 'touch first', 'set and destroy at once', 'touch and destroy at once']

const results = []
after(() => {
  for (const r of results) {
    const detail = r.byVariant.map(([n, bad], v) => `${VARIANTS[v]} ${bad}/${n}`).join(', ')
    console.log(`# session races · ${r.label}: ${r.tries} tries, ${r.resurrections} resurrections (${detail})`)
  }
})

describe('a logout is never undone by a request in flight', { timeout: 120_000 }, () => {
  let srv
  const closers = []
  before(async () => { srv = await startRedis() })
  after(async () => {
    for (const close of closers.reverse()) await close().catch(noop)
    await srv?.stop()
  })

  async function pair (cacheOptions, storeOptions) {
    const caches = cacheOptions.map((o) => new TierCache(o))
    for (const c of caches) {
      c.on('error', noop)
      closers.push(() => c.quit())
      if (c.hasRedis && c.status !== 'ready') await once(c, 'ready')
    }
    const gates = new Gates()
    const stores = caches.map((cache) => new TierCacheStore({ cache, ...storeOptions }))
    const apps = []
    for (const s of stores) {
      const app = await startApp(s, gates)
      closers.push(app.close)
      apps.push(app)
    }
    return { caches, stores, apps, gates }
  }

  // Two caches (private L1s) on one Redis, a key prefix of their own per test.
  let pairs = 0
  const twoOnRedis = () => {
    const keyPrefix = `race${++pairs}:`
    return [{ redis: srv.url, keyPrefix }, { redis: srv.url, keyPrefix }]
  }

  const modes = [
    ['Redis, consistency strong', () => twoOnRedis(), { consistency: 'strong' }],
    ['Redis, consistency fast', () => twoOnRedis(), { consistency: 'fast' }],
    ['L1 only, one store name', () => { const name = uniqueName('sess-race'); return [{ name }, { name }] }, {}]
  ]

  for (const [label, cacheOptions, storeOptions] of modes) {
    test(`${label}: ${RACES} races, 0 resurrections`, async () => {
      const { stores: [sA, sB], apps: [a, b], gates } = await pair(cacheOptions(), storeOptions)
      const byVariant = await runRaces(a, b, sA, sB, gates, label)
      const resurrections = byVariant.reduce((sum, [, bad]) => sum + bad, 0)
      results.push({ label, tries: RACES, resurrections, byVariant })
      assert.equal(resurrections, 0, `${resurrections} of ${RACES} logouts undone`)
    })

    test(`${label}: the seal is no session, expires with the session, and regenerate works`, async () => {
      const { caches: [cA], stores: [sA, sB], apps: [a, b] } = await pair(cacheOptions(), storeOptions)
      const login = await request(a, 'POST', '/login')
      const sid = sidOf(login.cookie)
      const before = await cA.pttl('sess:' + sid)
      assert.ok(before > 0 && before <= 60_000)
      await request(b, 'POST', '/logout', { cookie: login.cookie })
      // Gone on both instances at once, in every read path.
      assert.equal((await request(a, 'GET', '/me', { cookie: login.cookie })).body.user, null)
      assert.equal(await sA.get(sid), null)
      assert.equal(await sB.get(sid), null)
      assert.deepEqual(await sA.ids(), [])
      assert.equal(await sA.length(), 0)
      assert.deepEqual(Object.keys(await sB.all()), [])
      // The seal lives no longer than the session would have.
      assert.equal(await cA.get('sess:' + sid), SEAL)
      const sealTtl = await cA.pttl('sess:' + sid)
      assert.ok(sealTtl > 0 && sealTtl <= before, `seal pttl ${sealTtl}, session had ${before}`)
      // touch and set cannot bring it back.
      const sess = { cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000).toISOString(), httpOnly: true, path: '/' }, user: 'ada' }
      await sB.touch(sid, sess)
      await sB.set(sid, sess)
      assert.equal(await sA.get(sid), null)
      assert.ok(await cA.pttl('sess:' + sid) <= sealTtl)
      // regenerate: the old id is destroyed, the new one works on both instances.
      const second = await request(a, 'POST', '/login')
      const regen = await request(b, 'POST', '/regenerate', { cookie: second.cookie })
      assert.ok(regen.cookie && regen.cookie !== second.cookie)
      assert.equal((await request(a, 'GET', '/me', { cookie: second.cookie })).body.user, null)
      assert.equal((await request(a, 'GET', '/me', { cookie: regen.cookie })).body.user, 'ada, again')
      assert.equal((await request(b, 'GET', '/me', { cookie: regen.cookie })).body.user, 'ada, again')
    })
  }
})
