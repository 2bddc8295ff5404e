'use strict'
// The response cache's keys: one key per request identity, whatever the
// separators in its parts (property-based, fast-check); purge by URL with
// glob characters in the URL drops that URL's entries only, in L1 and in
// Redis; the requests that pass through the cache untouched.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const fc = require('fast-check')

const { TierCache } = require('../../..')
const { requestKey, KEYED_HEADERS } = require('../../../lib/express/cache-key')
const { startRedis } = require('../../support/redis-server')
const { send } = require('../raw-http')

// Small alphabets with every separator, so that equal and colliding parts come up often.
const part = fc.string({ unit: fc.constantFrom('a', '1', ':', '|', '-', '/', '?', '='), maxLength: 5 })
const hostPart = fc.string({ unit: fc.constantFrom('a', 'A', '1', '.', ':', '-'), minLength: 1, maxLength: 5 })
const request = fc.record({
  host: hostPart,
  baseUrl: fc.constantFrom('', '/m', '/m/'),
  url: part.map((p) => '/' + p),
  original: fc.option(part.map((p) => '/' + p), { nil: undefined }),
  encrypted: fc.boolean(),
  keyed: fc.dictionary(fc.constantFrom(...KEYED_HEADERS.slice(0, 4)), part, { maxKeys: 2 }),
  user: fc.option(part, { nil: undefined })
})

function fakeReq (r) {
  return {
    method: 'GET',
    url: r.url,
    baseUrl: r.baseUrl,
    originalUrl: r.original ?? r.baseUrl + r.url,
    headers: { host: r.host, ...r.keyed },
    rawHeaders: ['Host', r.host],
    socket: { encrypted: r.encrypted }
  }
}

/** What the key must tell apart: the request as the route sees it. */
function identity (r) {
  const routed = r.baseUrl + r.url
  const original = r.original ?? routed
  const keyed = Object.keys(r.keyed).sort().map((k) => [k, r.keyed[k]])
  return JSON.stringify([r.host.toLowerCase(), routed, original, r.encrypted, keyed, r.user ?? null])
}

describe('response cache keys', () => {
  test('two requests share a key exactly when host, routed and sent URL, scheme, forwarding headers and user are equal (20,000 pairs)', () => {
    fc.assert(fc.property(request, request, fc.boolean(), (a, b, userRoute) => {
      const userKey = userRoute ? (req) => req.user : undefined
      const ka = requestKey(Object.assign(fakeReq(a), { user: a.user ?? '' }), 'http:', undefined, userKey)
      const kb = requestKey(Object.assign(fakeReq(b), { user: b.user ?? '' }), 'http:', undefined, userKey)
      const ia = identity({ ...a, user: userRoute ? a.user ?? '' : null })
      const ib = identity({ ...b, user: userRoute ? b.user ?? '' : null })
      const validA = /^[a-z0-9._-]+(?::[0-9]{1,5})?$/i.test(a.host)
      const validB = /^[a-z0-9._-]+(?::[0-9]{1,5})?$/i.test(b.host)
      assert.equal(ka !== null, validA, `host ${a.host}`)
      assert.equal(kb !== null, validB, `host ${b.host}`)
      if (validA && validB) assert.equal(ka === kb, ia === ib, `${ka}\n${kb}`)
    }), { numRuns: 20_000 })
  })

  test('a custom key and the default key never meet; a key with a lone surrogate passes through', () => {
    const req = fakeReq({ host: 'a', baseUrl: '', url: '/x', encrypted: false, keyed: {} })
    const custom = requestKey(req, 'http:', () => 'u1:a2:/x4:http-0:-', undefined)
    assert.notEqual(custom, requestKey(req, 'http:', undefined, undefined))
    assert.equal(requestKey(req, 'http:', () => '\uD800', undefined), null)
    assert.equal(requestKey(req, 'http:', undefined, () => 'bob\uDC00'), null)
  })

  test('requests that pass through: body, Range, method override, credentials, bad Host, absolute-form target', async (t) => {
    const express = require('express')
    const cache = new TierCache()
    t.after(() => cache.quit())
    const app = express()
    app.get('/p', cache.middleware({ credentialHeaders: ['X-Tenant'] }), (req, res) => res.send('p'))
    app.get('/u', cache.middleware({ userKey: (req) => req.headers.cookie ?? '-' }), (req, res) => res.send('u'))
    const server = http.createServer(app)
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
    t.after(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve) }))
    const port = server.address().port
    const get = (target, headers = [['Host', 'shop.example']], extra = {}) => send(port, { target, headers, ...extra })
    const through = [
      get('/p', [['Host', 'shop.example'], ['Content-Length', '1']], { body: 'x' }),
      get('/p', [['Host', 'shop.example'], ['Transfer-Encoding', 'chunked']], { body: '0\r\n\r\n' }),
      get('/p', [['Host', 'shop.example'], ['Range', 'bytes=0-0']]),
      get('/p', [['Host', 'shop.example'], ['X-HTTP-Method-Override', 'GET']]),
      ...['Authorization', 'Proxy-Authorization', 'Cookie', 'X-Api-Key', 'X-Auth-Token', 'X-Access-Token', 'X-Tenant'].map((h) => get('/p', [['Host', 'shop.example'], [h, 'secret']])),
      get('/p', [['Host', 'shop.example/p']]),
      get('/p', [['Host', 'shop.example'], ['Host', 'evil.example']]),
      get('/p', [['Host', 'evil.example@shop.example']]),
      get('/p', [], { version: '1.0' }),
      get('http://shop.example/p')
    ]
    for (const [i, r] of (await Promise.all(through)).entries()) {
      assert.equal(r.status, 200, `case ${i}`)
      assert.equal(r.headers['x-cache'], undefined, `case ${i} passes through`)
    }
    // A per-user route serves requests with credentials, keyed per user.
    assert.equal((await get('/u', [['Host', 'shop.example'], ['Cookie', 'a']])).headers['x-cache'], 'MISS')
    assert.equal((await get('/u', [['Host', 'shop.example'], ['Cookie', 'a']])).headers['x-cache'], 'HIT-L1')
    assert.equal((await get('/u', [['Host', 'shop.example'], ['Cookie', 'b']])).headers['x-cache'], 'MISS')
    // A cache mounted on a path, the route on the app: /x and /x/ are stored (the rewrite guard allows Express's own '/').
    app.use('/m', cache.middleware({ prefix: 'm:' }))
    app.get(['/m', '/m/'], (req, res) => res.send(`m ${req.originalUrl}`))
    for (const target of ['/m', '/m/', '/m?q=1', '/m/?q=1']) {
      assert.equal((await get(target)).headers['x-cache'], 'MISS', target)
      const hit = await get(target)
      assert.equal(hit.headers['x-cache'], 'HIT-L1', target)
      assert.equal(hit.body.toString(), `m ${target}`)
    }
    // Host is compared without case.
    assert.equal((await get('/p', [['Host', 'SHOP.example']])).headers['x-cache'], 'MISS')
    assert.equal((await get('/p', [['Host', 'shop.EXAMPLE']])).headers['x-cache'], 'HIT-L1')
  })
})

describe('response cache purge by URL, glob characters in the URL', { timeout: 60_000 }, () => {
  let srv
  before(async () => { srv = await startRedis() })
  after(async () => { if (srv) await srv.stop() })

  for (const withRedis of [false, true]) {
    test(`drops that URL's entries (variants included) and no other ${withRedis ? '(L1 + Redis, seen from another instance)' : '(L1 only)'}`, async (t) => {
      const express = require('express')
      const instances = []
      for (let i = 0; i < (withRedis ? 2 : 1); i++) {
        const cache = new TierCache(withRedis ? { redis: srv.url } : undefined)
        cache.on('error', () => {})
        t.after(() => cache.quit())
        const mw = cache.middleware()
        const app = express()
        app.get(/.*/, mw, (req, res) => res.set('Vary', 'Accept-Language').send(`${req.originalUrl} ${req.headers['accept-language']}`))
        const server = http.createServer(app)
        await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
        t.after(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve) }))
        instances.push({ mw, port: server.address().port })
      }
      const urls = ['/a*', '/a?x=1', '/a[1]', '/ab', '/a', '/a\\']
      const fetchOn = (inst, url, lang) => send(inst.port, { target: url, headers: [['Host', 'shop.example'], ['Accept-Language', lang]] })
      const last = instances[instances.length - 1]
      for (const url of urls) {
        for (const lang of ['en', 'fr']) {
          await fetchOn(instances[0], url, lang)
          // Stored (and, with Redis, visible to the other instance).
          const deadline = Date.now() + 2000
          let x
          while (!/^HIT/.test(x = (await fetchOn(last, url, lang)).headers['x-cache']) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
          assert.match(x, /^HIT/, `${url} ${lang}`)
        }
      }
      assert.ok(await instances[0].mw.purge({ url: '/a*', headers: { host: 'SHOP.example' } }) >= 3, 'the index and both variants')
      for (const lang of ['en', 'fr']) {
        const deadline = Date.now() + 2000
        let x
        while ((x = (await fetchOn(last, '/a*', lang)).headers['x-cache']) !== 'MISS' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
        assert.equal(x, 'MISS', `/a* ${lang} purged`)
      }
      for (const url of urls.slice(1)) {
        for (const lang of ['en', 'fr']) assert.match((await fetchOn(last, url, lang)).headers['x-cache'], /^HIT/, `${url} ${lang} kept`)
      }
    })
  }
})
