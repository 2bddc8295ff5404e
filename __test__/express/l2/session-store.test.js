'use strict'
// The express-session store (lib/express/session-store.js): every store
// method, L1 only and over a private redis-server (both consistency modes);
// then the real express-session + Express 5 over real HTTP, with the test
// carrying the cookie between requests: one app, two app instances behind
// "a load balancer" sharing Redis, and Redis stopped mid-run.
//
// Timing: TTLs are asserted within wide margins; the only upper bounds on
// time are the ones the store promises (a logout seen within 2 s in 'fast'
// mode; a request settled within 3 s with Redis gone).

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const express = require('express')
const session = require('express-session')

const { TierCache } = require('../../..')
const { TierCacheStore } = require('../../../lib/express/session-store')
const { startRedis } = require('../../support/redis-server')

const TEST_TIMEOUT_MS = 30_000
const SECRET = 'a test secret, shared by every instance'
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const noop = () => {}
// What a destroyed session's key holds until it would have expired: never a session.
const SEAL = 'tiercache:destroyed-session'

/** Whether `key` holds no session: gone, or sealed by a destroy. */
async function holdsNoSession (cache, key) {
  const v = await cache.get(key)
  return v === null || v === SEAL
}

/** Calls `store[method](...args, cb)` and resolves with what the callback got (rejects with its error). */
function call (store, method, ...args) {
  return new Promise((resolve, reject) => {
    let calls = 0
    const timer = setTimeout(() => reject(new Error(`${method}: the callback was never called`)), 5000)
    const returned = store[method](...args, (err, value) => {
      clearTimeout(timer)
      if (++calls > 1) reject(new Error(`${method}: the callback was called twice`))
      else if (err) reject(err)
      else resolve(value)
    })
    assert.ok(returned instanceof Promise, `${method} returns a promise too`)
  })
}

/** An express-session-shaped session: a real Cookie, plus data. */
function makeSession (data = {}, cookieOptions = { maxAge: 60_000 }) {
  return { cookie: new session.Cookie(cookieOptions), ...data }
}

function invalidArgument (Class) {
  return (err) => err instanceof Class && err.code === 'ERR_TIERCACHE_INVALID_ARGUMENT'
}

// ---- unit level: every store method ------------------------------------------

const MODES = [
  { name: 'L1 only', redis: false, consistency: 'strong' },
  { name: 'L1 + Redis, strong', redis: true, consistency: 'strong' },
  { name: 'L1 + Redis, fast', redis: true, consistency: 'fast' }
]

for (const mode of MODES) {
  describe(`TierCacheStore · ${mode.name}`, { timeout: TEST_TIMEOUT_MS }, () => {
    let srv = null
    const opened = []
    let n = 0

    before(async () => {
      if (mode.redis) srv = await startRedis()
    })
    after(async () => {
      for (const c of opened) await c.quit().catch(noop)
      if (srv !== null) await srv.stop()
    })

    const keyPrefixes = new WeakMap()
    /** A fresh cache of this mode; with Redis, each gets a keyPrefix of its own (the server is shared). */
    function openCache (options = {}) {
      const keyPrefix = `t${++n}:`
      const c = mode.redis ? new TierCache({ redis: srv.url, keyPrefix, ...options }) : new TierCache({ ...options })
      c.on('error', noop)
      opened.push(c)
      keyPrefixes.set(c, keyPrefix)
      return c
    }
    /** Another client of the same data: with Redis, another instance (its own L1); L1 only, the same cache. */
    function peerOf (cache) {
      return mode.redis ? openCache({ keyPrefix: keyPrefixes.get(cache) }) : cache
    }
    function open (storeOptions = {}, cacheOptions = {}) {
      const cache = openCache(cacheOptions)
      const store = new TierCacheStore({ cache, consistency: mode.consistency, ...storeOptions })
      return { cache, store }
    }

    test('is an express-session Store', () => {
      const { store } = open()
      assert.ok(store instanceof session.Store)
      assert.ok(store instanceof TierCacheStore)
      for (const m of ['load', 'createSession', 'regenerate', 'on', 'emit']) assert.equal(typeof store[m], 'function', m)
      assert.equal(store.prefix, 'sess:')
      assert.equal(store.ttl, 86400)
      assert.equal(store.consistency, mode.consistency)
    })

    test('set then get round-trips the session; an unknown id is null', async () => {
      const { cache, store } = open()
      const sess = makeSession({ user: 'ada', cart: [1, 2], nested: { a: { b: true } } })
      assert.equal(await call(store, 'set', 'abc', sess), undefined)
      const got = await call(store, 'get', 'abc')
      assert.equal(got.user, 'ada')
      assert.deepEqual(got.cart, [1, 2])
      assert.deepEqual(got.nested, { a: { b: true } })
      // express-session may derive it from `expires` at serialisation: a millisecond can tick.
      assert.ok(got.cookie.originalMaxAge > 59_000 && got.cookie.originalMaxAge <= 60_000, String(got.cookie.originalMaxAge))
      assert.equal(got.cookie.expires, sess.cookie.expires.toISOString())
      assert.equal(got.cookie.httpOnly, true)
      assert.equal(await call(store, 'get', 'nope'), null)
      // Stored under the prefix, as an object (through the codec), in the cache.
      assert.deepEqual((await cache.get('sess:abc')).cart, [1, 2])
      // The promise forms.
      await store.set('p', makeSession({ user: 'bob' }))
      assert.equal((await store.get('p')).user, 'bob')
      await store.destroy('p')
      assert.equal(await store.get('p'), null)
    })

    test('a real Session is stored although the JSON codec refuses its cookie as is', async () => {
      const { cache, store } = open()
      const req = { sessionID: 'real', sessionStore: store }
      const sess = new session.Session(req, { cookie: new session.Cookie({ maxAge: 60_000 }), user: 'ada' })
      // Cookie#toJSON has undefined fields (partitioned, priority, secure, domain, sameSite).
      await assert.rejects(cache.set('raw', sess), (err) => err.code === 'ERR_TIERCACHE_UNENCODABLE')
      await call(store, 'set', 'real', sess)
      const got = await call(store, 'get', 'real')
      assert.equal(got.user, 'ada')
      assert.deepEqual(Object.keys(got.cookie).sort(), ['expires', 'httpOnly', 'originalMaxAge', 'path'])
    })

    test('express-session can load what the store returns (Store#load)', async () => {
      const { store } = open()
      await call(store, 'set', 'loadme', makeSession({ user: 'ada' }))
      const loaded = await new Promise((resolve, reject) => store.load('loadme', (err, sess) => (err ? reject(err) : resolve(sess))))
      assert.ok(loaded instanceof session.Session)
      assert.equal(loaded.user, 'ada')
      assert.ok(loaded.cookie.expires instanceof Date)
      assert.ok(loaded.cookie.expires.getTime() > Date.now())
    })

    test('the TTL comes from cookie.expires', async () => {
      const { cache, store } = open({ ttl: 5 })
      await call(store, 'set', 'c', makeSession({}, { maxAge: 60_000 }))
      const pttl = await cache.pttl('sess:c')
      assert.ok(pttl > 50_000 && pttl <= 60_000, `pttl ${pttl}`)
      // A plain object with an ISO string expiry (as read back) works too.
      await call(store, 'set', 'd', { cookie: { expires: new Date(Date.now() + 30_000).toISOString() } })
      const d = await cache.pttl('sess:d')
      assert.ok(d > 25_000 && d <= 30_000, `pttl ${d}`)
    })

    test('without a cookie expiry, the TTL is the ttl option (seconds, or a function of the session)', async () => {
      const { cache, store } = open({ ttl: 120 })
      await call(store, 'set', 'browser-session', makeSession({}, {}))
      const pttl = await cache.pttl('sess:browser-session')
      assert.ok(pttl > 110_000 && pttl <= 120_000, `pttl ${pttl}`)

      const seen = []
      const { cache: c2, store: s2 } = open({ ttl: (sess) => { seen.push(sess.role); return sess.role === 'admin' ? 30 : 600 } })
      await call(s2, 'set', 'admin', makeSession({ role: 'admin' }, {}))
      await call(s2, 'set', 'user', makeSession({ role: 'user' }, {}))
      assert.deepEqual(seen, ['admin', 'user'])
      const a = await c2.pttl('sess:admin')
      const u = await c2.pttl('sess:user')
      assert.ok(a > 25_000 && a <= 30_000, `admin pttl ${a}`)
      assert.ok(u > 590_000 && u <= 600_000, `user pttl ${u}`)
      // Fractions of a second are kept (rounded up to whole ms).
      const { cache: c3, store: s3 } = open({ ttl: 1.5 })
      await call(s3, 'set', 'f', makeSession({}, {}))
      const f = await c3.pttl('sess:f')
      assert.ok(f > 1000 && f <= 1500, `pttl ${f}`)
    })

    test('the default TTL is one day', async () => {
      const { cache, store } = open()
      await call(store, 'set', 'day', makeSession({}, {}))
      const pttl = await cache.pttl('sess:day')
      assert.ok(pttl > 86_390_000 && pttl <= 86_400_000, `pttl ${pttl}`)
    })

    test('an expired cookie is not stored, and deletes what was stored', async () => {
      const { cache, store } = open()
      const sess = makeSession({ user: 'ada' })
      await call(store, 'set', 'old', sess)
      assert.equal(await cache.exists('sess:old'), 1)
      sess.cookie.expires = new Date(Date.now() - 1000)
      await call(store, 'set', 'old', sess)
      assert.ok(await holdsNoSession(cache, 'sess:old'))
      assert.equal(await call(store, 'get', 'old'), null)
      await call(store, 'set', 'never', { cookie: { expires: new Date(Date.now() - 1).toISOString() } })
      assert.equal(await cache.exists('sess:never'), 0)
      // A ttl function answering 0 or less: not stored either.
      const { cache: c2, store: s2 } = open({ ttl: () => 0 })
      await call(s2, 'set', 'zero', makeSession({}, {}))
      assert.equal(await c2.exists('sess:zero'), 0)
    })

    test('a ttl function that throws or answers no number fails the call, through the callback', async () => {
      const boom = new Error('boom')
      const { store } = open({ ttl: () => { throw boom } })
      await assert.rejects(call(store, 'set', 'x', makeSession({}, {})), (err) => err === boom)
      await assert.rejects(call(store, 'touch', 'x', makeSession({}, {})), (err) => err === boom)
      for (const bad of [NaN, Infinity, '60', undefined]) {
        const { store: s } = open({ ttl: () => bad })
        await assert.rejects(call(s, 'set', 'x', makeSession({}, {})), invalidArgument(TypeError), String(bad))
      }
    })

    test('touch extends the TTL without changing the data', async () => {
      const { cache, store } = open()
      const sess = makeSession({ user: 'ada' }, { maxAge: 3_000 })
      await call(store, 'set', 't', sess)
      assert.ok(await cache.pttl('sess:t') <= 3_000)
      // The request's copy moves on (express-session: req.session.touch()); the stored data does not.
      sess.cookie.maxAge = 60_000
      sess.user = 'changed in memory only'
      await call(store, 'touch', 't', sess)
      const pttl = await cache.pttl('sess:t')
      assert.ok(pttl > 50_000 && pttl <= 60_000, `pttl ${pttl}`)
      assert.equal((await call(store, 'get', 't')).user, 'ada')
      // Touching a session that is gone creates nothing.
      await call(store, 'touch', 'gone', makeSession())
      assert.equal(await cache.exists('sess:gone'), 0)
      // Touching with an expired cookie ends the session.
      sess.cookie.expires = new Date(Date.now() - 1)
      await call(store, 'touch', 't', sess)
      assert.ok(await holdsNoSession(cache, 'sess:t'))
    })

    test('touch keeps a session alive past its first TTL', async () => {
      const { store } = open()
      const sess = makeSession({ user: 'ada' }, { maxAge: 1_000 })
      await call(store, 'set', 'alive', sess)
      sess.cookie.maxAge = 60_000
      await call(store, 'touch', 'alive', sess)
      await sleep(1_300)
      assert.equal((await call(store, 'get', 'alive')).user, 'ada')
    })

    test('with disableTouch, touch does nothing and calls back', async () => {
      const { cache, store } = open({ disableTouch: true })
      const sess = makeSession({ user: 'ada' }, { maxAge: 3_000 })
      await call(store, 'set', 'nt', sess)
      sess.cookie.maxAge = 60_000
      assert.equal(await call(store, 'touch', 'nt', sess), undefined)
      assert.ok(await cache.pttl('sess:nt') <= 3_000)
      // Even with arguments touch would refuse.
      assert.equal(await call(store, 'touch', '', null), undefined)
    })

    test('destroy removes the session (and a missing one is fine)', async () => {
      const { cache, store } = open()
      await call(store, 'set', 'gone', makeSession())
      assert.equal(await call(store, 'destroy', 'gone'), undefined)
      assert.equal(await cache.get('sess:gone'), SEAL)
      assert.equal(await call(store, 'get', 'gone'), null)
      assert.equal(await call(store, 'destroy', 'never-was'), undefined)
    })

    test('length, ids, all and clear see only their prefix (glob characters in a prefix match only themselves)', async () => {
      const { cache, store } = open()
      const star = new TierCacheStore({ cache, prefix: 'se*ss:', consistency: mode.consistency })
      const odd = new TierCacheStore({ cache, prefix: 'q?[x]\\:', consistency: mode.consistency })
      await call(store, 'set', 'a', makeSession({ user: 'a' }))
      await call(store, 'set', 'b', makeSession({ user: 'b' }))
      await call(star, 'set', 'c', makeSession({ user: 'c' }))
      await call(odd, 'set', 'd', makeSession({ user: 'd' }))
      // Keys the unescaped patterns would match: 'se*ss:*' matches 'sess:a' and 'sexss:z';
      // 'q?[x]\:*' matches 'qqx:…'.
      await cache.set('sexss:z', { cookie: {}, user: 'z' })
      await cache.set('qqx:y', { cookie: {}, user: 'y' })
      await cache.set('other:1', 'not a session')
      await cache.set('sess', 'no colon')

      assert.equal(await call(store, 'length'), 2)
      assert.deepEqual((await call(store, 'ids')).sort(), ['a', 'b'])
      assert.equal(await call(star, 'length'), 1)
      assert.deepEqual(await call(star, 'ids'), ['c'])
      assert.deepEqual(await call(odd, 'ids'), ['d'])

      // all: as express-session's MemoryStore answers it, an object of id → session.
      const all = await call(store, 'all')
      assert.equal(Object.getPrototypeOf(all), null)
      assert.deepEqual(Object.keys(all).sort(), ['a', 'b'])
      assert.equal(all.a.user, 'a')
      assert.equal(all.b.user, 'b')
      assert.equal(all.a.cookie.originalMaxAge, 60_000)
      assert.deepEqual(Object.keys(await call(star, 'all')), ['c'])

      await call(star, 'clear')
      assert.equal(await call(star, 'length'), 0)
      assert.equal(await cache.exists('sess:a', 'sess:b', 'sexss:z', 'q?[x]\\:d', 'qqx:y', 'other:1', 'sess'), 7)
      await call(odd, 'clear')
      assert.equal(await cache.exists('sess:a', 'sess:b', 'sexss:z', 'qqx:y', 'other:1', 'sess'), 6)
      assert.ok(await holdsNoSession(cache, 'q?[x]\\:d'))
      await call(store, 'clear')
      assert.equal(await call(store, 'length'), 0)
      assert.deepEqual(await call(store, 'ids'), [])
      assert.deepEqual(Object.keys(await call(store, 'all')), [])
      assert.equal(await cache.exists('sexss:z', 'qqx:y', 'other:1', 'sess'), 4)
      // clear on an empty prefix is fine.
      assert.equal(await call(store, 'clear'), undefined)
    })

    test('ids / all / length / clear over many SCAN pages', async () => {
      const { cache, store } = open({ scanCount: 7 })
      const ids = Array.from({ length: 230 }, (_, i) => `id${i}`)
      for (const id of ids) await store.set(id, makeSession({ i: id }))
      await cache.set('elsewhere:1', 'x')
      assert.equal(await call(store, 'length'), 230)
      assert.deepEqual((await call(store, 'ids')).sort(), [...ids].sort())
      const all = await call(store, 'all')
      assert.equal(Object.keys(all).length, 230)
      for (const id of ids) assert.equal(all[id].i, id)
      await call(store, 'clear')
      assert.equal(await call(store, 'length'), 0)
      assert.equal(await cache.exists('elsewhere:1'), 1)
    })

    test('a value that is not a session reads as no session', async () => {
      const { cache, store } = open()
      await cache.set('sess:str', 'just a string')
      await cache.set('sess:num', 42)
      await cache.set('sess:arr', [1, 2])
      await cache.set('sess:nocookie', { user: 'x' })
      await cache.set('sess:badcookie', { user: 'x', cookie: 'yes' })
      for (const id of ['str', 'num', 'arr', 'nocookie', 'badcookie']) {
        assert.equal(await call(store, 'get', id), null, id)
      }
      assert.deepEqual(Object.keys(await call(store, 'all')), [])
    })

    test('a "__proto__" key written by another client does not reach the session', async () => {
      const { cache, store } = open()
      const writer = peerOf(cache)
      const hostile = JSON.parse('{"cookie":{"originalMaxAge":null},"user":"eve","__proto__":{"isAdmin":true}}')
      assert.ok(Object.prototype.hasOwnProperty.call(hostile, '__proto__'))
      await writer.set('sess:evil', hostile, 'PX', 60_000)
      const got = await call(store, 'get', 'evil')
      assert.equal(got.user, 'eve')
      assert.equal(Object.getPrototypeOf(got), Object.prototype)
      assert.equal(got.isAdmin, undefined)
      assert.equal(Object.prototype.hasOwnProperty.call(got, '__proto__'), false)
      const merged = Object.assign({}, got)
      assert.equal(merged.isAdmin, undefined)
      assert.equal((await call(store, 'all')).evil.isAdmin, undefined)
    })

    test('each get returns a copy the caller may mutate (frontObjects too)', async () => {
      const { store } = open({}, { frontObjects: true })
      await call(store, 'set', 'm', makeSession({ user: 'ada', list: [1] }))
      const first = await call(store, 'get', 'm')
      first.user = 'mutated'
      first.list.push(2)
      first.cookie = 'replaced'
      const second = await call(store, 'get', 'm')
      assert.equal(second.user, 'ada')
      assert.deepEqual(second.list, [1])
      assert.equal(typeof second.cookie, 'object')
    })

    test('a bad session id or session reaches the callback, never a throw', async () => {
      const { store } = open()
      for (const sid of [undefined, null, '', 42, {}]) {
        await assert.rejects(call(store, 'get', sid), invalidArgument(TypeError))
        await assert.rejects(call(store, 'destroy', sid), invalidArgument(TypeError))
        await assert.rejects(call(store, 'set', sid, makeSession()), invalidArgument(TypeError))
      }
      await assert.rejects(call(store, 'set', 'x', null), invalidArgument(TypeError))
      await assert.rejects(call(store, 'touch', 'x', 'nope'), invalidArgument(TypeError))
      // An unencodable session (BigInt): JSON's own TypeError, through the callback.
      await assert.rejects(call(store, 'set', 'x', makeSession({ n: 1n })), TypeError)
      // And through the promise, without a callback.
      await assert.rejects(store.get(''), invalidArgument(TypeError))
    })

    test('errors of the cache reach the callback (a closed cache)', async () => {
      const { cache, store } = open()
      await call(store, 'set', 'a', makeSession())
      await cache.quit()
      const closed = (err) => err.code === 'ERR_TIERCACHE_CLOSED'
      await assert.rejects(call(store, 'get', 'a'), closed)
      await assert.rejects(call(store, 'set', 'a', makeSession()), closed)
      await assert.rejects(call(store, 'touch', 'a', makeSession()), closed)
      await assert.rejects(call(store, 'destroy', 'a'), closed)
      for (const m of ['clear', 'length', 'ids', 'all']) await assert.rejects(call(store, m), closed, m)
    })
  })
}

// ---- options ---------------------------------------------------------------------

describe('TierCacheStore options', () => {
  let cache
  before(() => { cache = new TierCache() })
  after(() => cache.quit())

  test('defaults', () => {
    const store = new TierCacheStore({ cache })
    assert.equal(store.cache, cache)
    assert.equal(store.prefix, 'sess:')
    assert.equal(store.ttl, 86400)
    assert.equal(store.disableTouch, false)
    assert.equal(store.consistency, 'strong')
    assert.equal(store.scanCount, 100)
    // Undefined means the default; an empty prefix is allowed (a cache of its own).
    assert.equal(new TierCacheStore({ cache, ttl: undefined }).ttl, 86400)
    assert.equal(new TierCacheStore({ cache, prefix: '' }).prefix, '')
  })

  test('bad options are refused with ERR_TIERCACHE_INVALID_ARGUMENT', () => {
    const type = invalidArgument(TypeError)
    const range = invalidArgument(RangeError)
    assert.throws(() => new TierCacheStore(), type)
    assert.throws(() => new TierCacheStore(null), type)
    assert.throws(() => new TierCacheStore('redis://x'), type)
    assert.throws(() => new TierCacheStore([]), type)
    assert.throws(() => new TierCacheStore({}), type)
    assert.throws(() => new TierCacheStore({ cache: {} }), type)
    assert.throws(() => new TierCacheStore({ cache: new Map() }), type)
    assert.throws(() => new TierCacheStore({ cache, prefix: 1 }), type)
    assert.throws(() => new TierCacheStore({ cache, prefix: null }), type)
    for (const ttl of [0, -1, NaN, Infinity]) assert.throws(() => new TierCacheStore({ cache, ttl }), range, String(ttl))
    for (const ttl of ['60', null, {}]) assert.throws(() => new TierCacheStore({ cache, ttl }), type, String(ttl))
    assert.throws(() => new TierCacheStore({ cache, disableTouch: 'yes' }), type)
    assert.throws(() => new TierCacheStore({ cache, consistency: 'eventual' }), range)
    assert.throws(() => new TierCacheStore({ cache, consistency: 1 }), type)
    for (const scanCount of [0, -5, 1.5, 2 ** 60]) assert.throws(() => new TierCacheStore({ cache, scanCount }), range, String(scanCount))
    assert.throws(() => new TierCacheStore({ cache, scanCount: '10' }), type)
    assert.throws(() => new TierCacheStore({ cache, tll: 5 }), (err) => type(err) && /unknown option "tll"/.test(err.message))
    // connect-redis's options say what to do instead.
    assert.throws(() => new TierCacheStore({ client: cache }), (err) => type(err) && /as `cache`/.test(err.message))
    assert.throws(() => new TierCacheStore({ cache, disableTTL: true }), type)
    assert.throws(() => new TierCacheStore({ cache, serializer: JSON }), type)
  })

  test('express-session is loaded by the constructor, not by requiring tiercache; missing, the error says so', () => {
    // A child process in which express-session cannot be resolved.
    const root = path.join(__dirname, '..', '..', '..')
    const script = `
      const Module = require('node:module')
      const resolve = Module._resolveFilename
      Module._resolveFilename = function (request, ...rest) {
        if (request === 'express-session') {
          const err = new Error("Cannot find module 'express-session'")
          err.code = 'MODULE_NOT_FOUND'
          throw err
        }
        return resolve.call(this, request, ...rest)
      }
      const { TierCache } = require(${JSON.stringify(root)})
      const { TierCacheStore } = require(${JSON.stringify(path.join(root, 'lib/express/session-store'))})
      const loaded = Object.keys(require.cache).some((f) => f.includes('express-session'))
      const cache = new TierCache()
      let error = null
      try { new TierCacheStore({ cache }) } catch (err) { error = { name: err.name, code: err.code, message: err.message, cause: err.cause && err.cause.code } }
      cache.quit()
      console.log(JSON.stringify({ loaded, error }))
    `
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 })
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout)
    assert.equal(out.loaded, false, 'requiring tiercache and the store module does not load express-session')
    assert.equal(out.error.code, 'MODULE_NOT_FOUND')
    assert.equal(out.error.cause, 'MODULE_NOT_FOUND')
    assert.match(out.error.message, /npm install express-session/)
  })
})

// ---- HTTP: the real express-session and Express over real HTTP ------------------

/** An Express app with express-session on `store`, listening on a free port. */
async function startApp (store, { cookie = { maxAge: 60_000 } } = {}) {
  const app = express()
  app.set('env', 'test') // Express's final handler does not print the errors the tests provoke
  app.use(session({ store, secret: SECRET, name: 'sid', resave: false, saveUninitialized: false, cookie }))
  // Saved before answering, so that a failed save is the response (as apps should log in).
  app.post('/login', (req, res, next) => {
    req.session.user = req.query.user ?? 'ada'
    req.session.views = 0
    req.session.save((err) => (err ? next(err) : res.json({ user: req.session.user })))
  })
  // Saved by express-session when the response ends (its default).
  app.post('/login-implicit', (req, res) => {
    req.session.user = req.query.user ?? 'ada'
    req.session.views = 0
    res.json({ user: req.session.user })
  })
  app.post('/view', (req, res) => {
    if (req.session.user === undefined) return res.status(401).json({ user: null })
    req.session.views++
    res.json({ user: req.session.user, views: req.session.views })
  })
  app.get('/me', (req, res) => res.json({ user: req.session.user ?? null, views: req.session.views ?? null, sid: req.sessionID }))
  app.post('/logout', (req, res, next) => {
    req.session.destroy((err) => (err ? next(err) : res.json({ loggedOut: true })))
  })
  app.use((err, req, res, next) => {
    // A save that failed after the response was written: Express ends the connection.
    if (res.headersSent) return next(err)
    res.status(500).json({ error: err.code ?? err.message })
  })
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  const { port } = server.address()
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  }
}

/** A browser: keeps the session cookie between requests, whichever server it talks to. */
class Browser {
  constructor () {
    this.cookie = null
  }

  // One connection per request (agent: false), not fetch's keep-alive pool: when a
  // session save fails after the response was written, Express destroys that
  // socket, and a pooled connection would hand the next request a socket the
  // server is closing (an error that is the test's, not the app's).
  request (base, method, pathname, { timeoutMs = 10_000 } = {}) {
    const headers = this.cookie === null ? {} : { cookie: this.cookie }
    return new Promise((resolve, reject) => {
      const req = http.request(new URL(base + pathname), { method, headers, agent: false }, (res) => {
        for (const line of res.headers['set-cookie'] || []) {
          const [pair] = line.split(';')
          if (pair.startsWith('sid=')) this.cookie = pair
        }
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => { text += chunk })
        res.on('error', reject)
        res.on('end', () => {
          let body = text
          try { body = JSON.parse(text) } catch {}
          resolve({ status: res.statusCode, body })
        })
      })
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${pathname}: no answer within ${timeoutMs} ms`)))
      req.on('error', reject)
      req.end()
    })
  }

  get (base, pathname, options) { return this.request(base, 'GET', pathname, options) }
  post (base, pathname, options) { return this.request(base, 'POST', pathname, options) }

  /** The session id the cookie carries (unsigned). */
  get sid () {
    const value = decodeURIComponent(this.cookie.slice('sid='.length))
    return value.slice(2, value.lastIndexOf('.'))
  }
}

describe('express-session over HTTP', { timeout: TEST_TIMEOUT_MS }, () => {
  let srv
  const closers = []
  before(async () => { srv = await startRedis() })
  after(async () => {
    for (const close of closers.reverse()) await close().catch(noop)
    await srv.stop()
  })

  async function app (store, options) {
    const a = await startApp(store, options)
    closers.push(a.close)
    return a
  }
  function cacheOf (options) {
    const c = new TierCache(options)
    c.on('error', noop)
    closers.push(() => c.quit())
    return c
  }

  for (const m of [{ name: 'L1 only', redis: false }, { name: 'L1 + Redis', redis: true }]) {
    test(`login, requests with the cookie, logout · ${m.name}`, async () => {
      const cache = cacheOf(m.redis ? { redis: srv.url, keyPrefix: 'http:' } : {})
      const store = new TierCacheStore({ cache })
      const { url } = await app(store)
      const browser = new Browser()

      // No session before logging in (saveUninitialized: false stores nothing).
      assert.deepEqual((await browser.get(url, '/me')).body.user, null)
      assert.equal(browser.cookie, null)
      assert.equal(await call(store, 'length'), 0)

      const login = await browser.post(url, '/login?user=ada')
      assert.equal(login.status, 200)
      assert.ok(browser.cookie !== null, 'the login set the session cookie')
      const key = `sess:${browser.sid}`
      assert.equal((await cache.get(key)).user, 'ada')
      const pttl = await cache.pttl(key)
      assert.ok(pttl > 50_000 && pttl <= 60_000, `the session's TTL follows the cookie's maxAge: ${pttl}`)

      for (let i = 1; i <= 3; i++) {
        const r = await browser.post(url, '/view')
        assert.deepEqual([r.status, r.body.views], [200, i])
      }
      const me = await browser.get(url, '/me')
      assert.deepEqual([me.body.user, me.body.views, me.body.sid], ['ada', 3, browser.sid])
      assert.deepEqual(await call(store, 'ids'), [browser.sid])

      const out = await browser.post(url, '/logout')
      assert.deepEqual(out.body, { loggedOut: true })
      assert.ok(await holdsNoSession(cache, key))
      assert.equal((await browser.get(url, '/me')).body.user, null)
      assert.equal((await browser.post(url, '/view')).status, 401)
      assert.equal(await call(store, 'length'), 0)
    })
  }

  test('a request that is not modified touches the session (resave: false)', async () => {
    const cache = cacheOf({ redis: srv.url, keyPrefix: 'touch:' })
    const store = new TierCacheStore({ cache })
    const { url } = await app(store, { cookie: { maxAge: 10_000 } })
    const browser = new Browser()
    await browser.post(url, '/login')
    const key = `sess:${browser.sid}`
    // Shorten the stored TTL behind express-session's back, then read: the touch puts it back.
    await cache.pexpire(key, 2_000)
    assert.equal((await browser.get(url, '/me')).body.user, 'ada')
    const pttl = await cache.pttl(key)
    assert.ok(pttl > 8_000 && pttl <= 10_000, `touched: ${pttl}`)
  })

  test('two instances behind a load balancer, consistency strong: a login is seen everywhere, a logout takes effect at once', async () => {
    const cacheA = cacheOf({ redis: srv.url, keyPrefix: 'lb-strong:' })
    const cacheB = cacheOf({ redis: srv.url, keyPrefix: 'lb-strong:' })
    const a = await app(new TierCacheStore({ cache: cacheA }))
    const b = await app(new TierCacheStore({ cache: cacheB }))
    const nodes = [a.url, b.url]

    for (let round = 0; round < 5; round++) {
      const browser = new Browser()
      assert.equal((await browser.post(a.url, '/login?user=ada')).status, 200)
      assert.equal((await browser.get(b.url, '/me')).body.user, 'ada', 'the login on A is seen on B')
      // Alternating requests: every write is read by the other instance next.
      for (let i = 1; i <= 6; i++) {
        const r = await browser.post(nodes[i % 2], '/view')
        assert.deepEqual([r.status, r.body.views], [200, i], `view ${i} on ${i % 2 === 0 ? 'A' : 'B'}`)
      }
      // A's L1 holds the session (read through it), so a stale copy is at hand…
      const key = `sess:${browser.sid}`
      assert.equal((await cacheA.get(key)).user, 'ada')
      assert.equal((await browser.post(b.url, '/logout')).status, 200)
      // …and even put back deliberately, A does not use it: the very next request is logged out.
      cacheA.local.set(key, { cookie: { originalMaxAge: 60_000 }, user: 'ada', views: 6 })
      const next = await browser.get(a.url, '/me')
      assert.equal(next.body.user, null, 'the logout on B takes effect on A immediately')
      assert.equal((await browser.post(a.url, '/view')).status, 401)
      assert.equal((await browser.get(b.url, '/me')).body.user, null)
    }
  })

  for (const disableTouch of [true, false]) {
    test(`two instances, consistency fast${disableTouch ? ', disableTouch' : ''}: a logout on B reaches A within a bounded time`, async () => {
      const keyPrefix = `lb-fast-${disableTouch}:`
      const cacheA = cacheOf({ redis: srv.url, keyPrefix })
      const cacheB = cacheOf({ redis: srv.url, keyPrefix })
      const a = await app(new TierCacheStore({ cache: cacheA, consistency: 'fast', disableTouch }))
      const b = await app(new TierCacheStore({ cache: cacheB, consistency: 'fast', disableTouch }))

      for (let round = 0; round < 3; round++) {
        const browser = new Browser()
        await browser.post(a.url, '/login?user=ada')
        assert.equal((await browser.get(b.url, '/me')).body.user, 'ada', 'the login on A is seen on B')
        const key = `sess:${browser.sid}`
        assert.equal((await browser.get(a.url, '/me')).body.user, 'ada')
        if (disableTouch) {
          // A read its session through L1 and nothing dropped it since: A holds a copy.
          assert.equal(cacheA.local.get(key).user, 'ada', "A's L1 holds the session")
        }

        assert.equal((await browser.post(b.url, '/logout')).status, 200)
        const started = Date.now()
        for (;;) {
          const r = await browser.get(a.url, '/me')
          if (r.body.user === null) break
          if (Date.now() - started > 2_000) assert.fail('A still accepts the session 2 s after the logout on B')
          await sleep(10)
        }
        const held = cacheA.local.get(key)
        assert.ok(held === undefined || held === SEAL, "A's L1 no longer holds the session")
      }
    })
  }

  /** Sends one request and asserts it settles within `boundMs`: { status, body } or { failed }. */
  async function settled (browser, base, method, pathname, boundMs = 3_000) {
    const t0 = Date.now()
    let outcome
    try {
      outcome = await browser.request(base, method, pathname, { timeoutMs: boundMs + 2_000 })
    } catch (err) {
      outcome = { failed: err.name }
    }
    const ms = Date.now() - t0
    assert.ok(ms < boundMs, `${method} ${pathname} settled in ${ms} ms (bound ${boundMs} ms)`)
    return outcome
  }
  const L2_ERROR = /^ERR_TIERCACHE_L2_(UNAVAILABLE|TIMEOUT)$/

  /** An app over a dedicated redis-server, logged in, then that server stopped. */
  async function appLosingRedis (storeOptions) {
    const dedicated = await startRedis()
    let stopped = false
    closers.push(() => (stopped ? Promise.resolve() : dedicated.stop()))
    const cache = cacheOf({ redis: dedicated.url, commandTimeout: 300, connectTimeout: 300 })
    const store = new TierCacheStore({ cache, ...storeOptions })
    const { url } = await app(store)
    const browser = new Browser()
    assert.equal((await browser.post(url, '/login')).status, 200)
    assert.equal((await browser.get(url, '/me')).body.user, 'ada')
    await dedicated.stop()
    stopped = true
    return { cache, store, url, browser }
  }

  test('Redis stopped mid-run, consistency strong: every session request gets an error response, none hangs', async () => {
    const { store, url, browser } = await appLosingRedis({ consistency: 'strong' })
    for (let i = 0; i < 3; i++) {
      // The session cannot be read: express-session passes the store's error to next → 500.
      for (const [method, pathname] of [['GET', '/me'], ['POST', '/view'], ['POST', '/logout']]) {
        const r = await settled(browser, url, method, pathname)
        assert.equal(r.status, 500, `${method} ${pathname}: ${JSON.stringify(r)}`)
        assert.match(r.body.error, L2_ERROR)
      }
      // A login that saves before answering gets the error.
      const login = await settled(new Browser(), url, 'POST', '/login')
      assert.equal(login.status, 500, JSON.stringify(login))
      assert.match(login.body.error, L2_ERROR)
      // Left to express-session's save at the end of the response, the request still
      // settles (express-session has written the response before the save fails).
      await settled(new Browser(), url, 'POST', '/login-implicit')
      // A request without a session cookie that does not touch the session is served.
      assert.equal((await settled(new Browser(), url, 'GET', '/me')).status, 200)
    }
    // The SCAN-based methods fail the same way.
    for (const m of ['length', 'ids', 'all', 'clear']) await assert.rejects(call(store, m), (err) => L2_ERROR.test(err.code), m)
  })

  test('Redis stopped mid-run, consistency fast: L1 keeps answering reads of a session it holds; writes fail; none hangs', async () => {
    const { url, browser } = await appLosingRedis({ consistency: 'fast', disableTouch: true })
    // A's L1 holds the session (read at login's /me): served from there (the cache's offlineGrace).
    for (let i = 0; i < 3; i++) {
      const r = await settled(browser, url, 'GET', '/me')
      assert.deepEqual([r.status, r.body.user], [200, 'ada'])
    }
    const login = await settled(new Browser(), url, 'POST', '/login')
    assert.equal(login.status, 500, JSON.stringify(login))
    assert.match(login.body.error, L2_ERROR)
    const logout = await settled(browser, url, 'POST', '/logout')
    assert.equal(logout.status, 500, JSON.stringify(logout))
    assert.match(logout.body.error, L2_ERROR)
    // The failed logout dropped the L1 copy: the session now needs Redis, and fails.
    const after = await settled(browser, url, 'GET', '/me')
    assert.equal(after.status, 500, JSON.stringify(after))
    assert.match(after.body.error, L2_ERROR)
  })
})
