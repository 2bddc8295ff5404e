'use strict'
// The Express response cache over real HTTP (node's fetch against listening
// servers), on Express 5 and Express 4: what is stored and replayed, the
// safe defaults against cache poisoning (the cases of shared/ANCHORS.md),
// coalescing, grace, purge across instances, and Redis failures.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')

const { TierCache } = require('../../..')
const { middleware, purgeGroup } = require('../../../lib/express')
const { startRedis } = require('../../support/redis-server')

const EXPRESSES = [['Express 5', require('express')]]
try {
  EXPRESSES.push(['Express 4', require('express4')])
} catch {}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const TEST_TIMEOUT_MS = 60_000

/** Starts `app` on a free port; closed when the test ends. Returns its base URL. */
async function listen (t, app) {
  const server = http.createServer(app)
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise((resolve) => {
    server.closeAllConnections()
    server.close(resolve)
  }))
  return `http://127.0.0.1:${server.address().port}`
}

async function get (url, init = {}) {
  const r = await fetch(url, init)
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()), xcache: r.headers.get('x-cache') }
}

function counter () {
  const c = { n: 0 }
  c.inc = () => ++c.n
  return c
}

for (const [flavour, express] of EXPRESSES) {
  describe(`response cache · ${flavour}`, { timeout: TEST_TIMEOUT_MS }, () => {
    const caches = []
    const open = (options) => {
      const c = new TierCache(options)
      c.on('error', () => {})
      caches.push(c)
      return c
    }
    after(async () => {
      for (const c of caches) await c.quit().catch(() => {})
    })

    test('a miss, then hits replayed exactly: status, headers, body, ETag, Age; If-None-Match → 304', async (t) => {
      const cache = open()
      const app = express()
      const calls = counter()
      app.get('/data/:id', cache.middleware({ ttl: 10_000 }), (req, res) => {
        res.status(203).set('X-Custom', `v${calls.inc()}`).json({ id: req.params.id, n: calls.n })
      })
      const base = await listen(t, app)
      const first = await get(`${base}/data/7`)
      assert.equal(first.status, 203)
      assert.equal(first.xcache, 'MISS')
      const second = await get(`${base}/data/7`)
      assert.equal(second.xcache, 'HIT-L1')
      assert.equal(second.status, 203)
      assert.deepEqual(second.body, first.body)
      assert.equal(second.headers.get('content-type'), first.headers.get('content-type'))
      assert.equal(second.headers.get('x-custom'), 'v1')
      assert.equal(second.headers.get('etag'), first.headers.get('etag'))
      assert.equal(second.headers.get('content-length'), String(first.body.length))
      assert.match(second.headers.get('age'), /^\d+$/)
      assert.equal(calls.n, 1)
      const cond = await get(`${base}/data/7`, { headers: { 'if-none-match': first.headers.get('etag') } })
      assert.equal(cond.status, 304)
      assert.equal(cond.body.length, 0)
      const other = await get(`${base}/data/8`)
      assert.equal(other.xcache, 'MISS')
      // Hits answered by the middleware's front are counted in stats() too (1 + the 304).
      assert.ok(cache.stats().l1.hits >= 2, JSON.stringify(cache.stats().l1))
    })

    test('streamed res.write bodies, Buffers and strings are stored byte for byte', async (t) => {
      const cache = open()
      const app = express()
      const binary = Buffer.from([0, 255, 0xF5, 10, 13, 0, 128])
      app.get('/stream', cache.middleware(), (req, res) => {
        res.type('text/plain')
        res.write('héllo ')
        res.write(Buffer.from('wörld '))
        res.end('!')
      })
      app.get('/bin', cache.middleware(), (req, res) => res.type('application/octet-stream').send(binary))
      app.get('/text', cache.middleware(), (req, res) => res.send('<p>ok</p>'))
      const base = await listen(t, app)
      for (const [path, expected] of [['/stream', Buffer.from('héllo wörld !')], ['/bin', binary], ['/text', Buffer.from('<p>ok</p>')]]) {
        const a = await get(base + path)
        const b = await get(base + path)
        assert.equal(a.xcache, 'MISS', path)
        assert.equal(b.xcache, 'HIT-L1', path)
        assert.deepEqual(a.body, expected, path)
        assert.deepEqual(b.body, expected, path)
        assert.equal(b.headers.get('content-type'), a.headers.get('content-type'))
      }
    })

    test('HEAD is answered from a cached GET; a HEAD miss stores nothing', async (t) => {
      const cache = open()
      const app = express()
      app.get('/h', cache.middleware(), (req, res) => res.send('the body'))
      const base = await listen(t, app)
      const head1 = await get(`${base}/h`, { method: 'HEAD' })
      assert.equal(head1.body.length, 0)
      const g = await get(`${base}/h`)
      assert.equal(g.xcache, 'MISS', 'the HEAD did not store an empty body for GET')
      assert.equal(g.body.toString(), 'the body')
      const head2 = await get(`${base}/h`, { method: 'HEAD' })
      assert.equal(head2.xcache, 'HIT-L1')
      assert.equal(head2.headers.get('content-length'), '8')
      assert.equal(head2.body.length, 0)
    })

    test('the query is keyed as sent: reordered or duplicate parameters are other entries (the route may echo them in order)', async (t) => {
      const cache = open()
      const app = express()
      const calls = counter()
      app.get('/q', cache.middleware(), (req, res) => res.json({ q: req.query, n: calls.inc() }))
      const base = await listen(t, app)
      // The attacker's order first: the victim's order is not answered with it.
      assert.deepEqual(JSON.parse((await get(`${base}/q?lang=fr&lang=en`)).body).q, { lang: ['fr', 'en'] })
      const victim = await get(`${base}/q?lang=en&lang=fr`)
      assert.equal(victim.xcache, 'MISS')
      assert.deepEqual(JSON.parse(victim.body).q, { lang: ['en', 'fr'] })
      await get(`${base}/q?b=2&a=1`)
      const reordered = await get(`${base}/q?a=1&b=2`)
      assert.equal(reordered.xcache, 'MISS')
      assert.deepEqual(Object.keys(JSON.parse(reordered.body).q), ['a', 'b'])
      assert.equal((await get(`${base}/q?a=1&b=2`)).xcache, 'HIT-L1')
      assert.equal(calls.n, 4)
    })

    test('Vary: each variant is its own entry; Vary: * is never stored', async (t) => {
      const cache = open()
      const app = express()
      app.get('/lang', cache.middleware(), (req, res) => res.set('Vary', 'Accept-Language').send(`lang=${req.headers['accept-language']}`))
      app.get('/star', cache.middleware(), (req, res) => res.set('Vary', '*').send('star'))
      const base = await listen(t, app)
      const en = await get(`${base}/lang`, { headers: { 'accept-language': 'en' } })
      const fr = await get(`${base}/lang`, { headers: { 'accept-language': 'fr' } })
      assert.equal(en.body.toString(), 'lang=en')
      assert.equal(fr.body.toString(), 'lang=fr')
      const en2 = await get(`${base}/lang`, { headers: { 'accept-language': 'en' } })
      const fr2 = await get(`${base}/lang`, { headers: { 'accept-language': 'fr' } })
      assert.equal(en2.xcache, 'HIT-L1')
      assert.equal(en2.body.toString(), 'lang=en')
      assert.equal(fr2.xcache, 'HIT-L1')
      assert.equal(fr2.body.toString(), 'lang=fr')
      await get(`${base}/star`)
      assert.equal((await get(`${base}/star`)).xcache, 'MISS')
    })

    test('never stored: POST, Set-Cookie, no-store, no-cache, private, 5xx, 404 by default, a status off the list, a body over the limit', async (t) => {
      const cache = open()
      const app = express()
      const calls = counter()
      const mw = cache.middleware({ maxBodyBytes: 1000 })
      const negative = cache.middleware({ ttl: 60_000, negativeTtl: 300, prefix: 'neg:' })
      app.get('/nocache', mw, (req, res) => res.set('Cache-Control', 'no-cache').send('revalidate'))
      app.get('/gone/:id', negative, (req, res) => res.status(req.params.id === '1' ? 404 : 410).send(`missing ${calls.inc()}`))
      app.all('/any', mw, (req, res) => res.send(`${req.method} ${calls.inc()}`))
      app.get('/cookie', mw, (req, res) => res.cookie('sid', 'secret').send('with a cookie'))
      app.get('/nostore', mw, (req, res) => res.set('Cache-Control', 'no-store').send('no'))
      app.get('/private', mw, (req, res) => res.set('Cache-Control', 'private, max-age=60').send('mine'))
      app.get('/error', mw, (req, res) => res.status(500).send('boom'))
      app.get('/created', mw, (req, res) => res.status(201).send('created'))
      app.get('/missing', mw, (req, res) => res.status(404).send('not here'))
      app.get('/big', mw, (req, res) => res.send('x'.repeat(2000)))
      const base = await listen(t, app)
      await get(`${base}/any`)
      const post = await get(`${base}/any`, { method: 'POST' })
      assert.equal(post.body.toString(), 'POST 2', 'POST runs the route even when GET is cached')
      assert.equal(post.xcache, null)
      for (const path of ['/cookie', '/nostore', '/nocache', '/private', '/error', '/created', '/missing', '/big']) {
        await get(base + path)
        assert.equal((await get(base + path)).xcache, 'MISS', path)
      }
      // 404 and 410 only with negativeTtl, and for that long.
      for (const path of ['/gone/1', '/gone/2']) {
        const first = await get(base + path)
        const again = await get(base + path)
        assert.equal(again.xcache, 'HIT-L1', path)
        assert.deepEqual(again.body, first.body)
        await sleep(400)
        assert.equal((await get(base + path)).xcache, 'MISS', `${path} after negativeTtl`)
      }
      assert.throws(() => cache.middleware({ statuses: [200, 404] }), { code: 'ERR_TIERCACHE_INVALID_ARGUMENT' })
      assert.throws(() => cache.middleware({ statuses: [206] }), { code: 'ERR_TIERCACHE_INVALID_ARGUMENT' })
      assert.throws(() => cache.middleware({ ttl: 1000, negativeTtl: 2000 }), { code: 'ERR_TIERCACHE_INVALID_ARGUMENT' })
    })

    test('poisoning, attacker first: forwarding and rewrite headers are keyed or bypass; no client bypass by default', async (t) => {
      // A route that (carelessly) reflects request headers into its body.
      const reflect = (req, res) => res.send(`host=${req.headers['x-forwarded-host'] ?? 'none'} proto=${req.headers['x-forwarded-proto'] ?? 'none'} url=${req.headers['x-original-url'] ?? 'none'} method=${req.headers['x-http-method-override'] ?? 'GET'}`)
      const clean = 'host=none proto=none url=none method=GET'
      const attacks = [
        { 'x-forwarded-host': 'evil.example' },
        { 'x-forwarded-proto': 'javascript' },
        { 'x-original-url': '/admin' },
        { 'x-http-method-override': 'POST' },
        { 'cache-control': 'no-cache' },
        { pragma: 'no-cache' },
        { 'x-cache-bypass': '1' },
        { 'accept-language': 'xx' }
      ]
      for (const headers of attacks) {
        const cache = open()
        const app = express()
        app.get('/page', cache.middleware(), reflect)
        const base = await listen(t, app)
        await get(`${base}/page`, { headers })
        const victim = await get(`${base}/page`)
        assert.equal(victim.body.toString(), clean, JSON.stringify(headers))
        // The victim's entry is not skipped or flushed by the attacker's headers either.
        assert.equal((await get(`${base}/page`)).xcache, 'HIT-L1', JSON.stringify(headers))
        const again = await get(`${base}/page`, { headers })
        if (!('x-forwarded-host' in headers || 'x-forwarded-proto' in headers || 'x-original-url' in headers || 'x-http-method-override' in headers)) {
          assert.equal(again.xcache, 'HIT-L1', `${JSON.stringify(headers)} does not bypass the cache`)
        }
      }
      // A different Host is a different entry: it cannot reach other hosts' clients.
      const cache = open()
      const app = express()
      app.get('/page', cache.middleware(), (req, res) => res.send(`host=${req.hostname}`))
      const base = await listen(t, app)
      const viaHost = (host) => new Promise((resolve, reject) => {
        http.get(`${base}/page`, { headers: { host } }, (res) => {
          const chunks = []
          res.on('data', (c) => chunks.push(c))
          res.on('end', () => resolve({ xcache: res.headers['x-cache'], body: Buffer.concat(chunks).toString() }))
        }).on('error', reject)
      })
      assert.equal((await viaHost('evil.example')).body, 'host=evil.example')
      assert.equal((await get(`${base}/page`)).body.toString(), 'host=127.0.0.1')
    })

    test('poisoning: with a per-user key, 1,000 user pairs never see each other\'s response; without one, Cookie/Authorization bypass', async (t) => {
      const cache = open()
      const app = express()
      const userOf = (req) => /user=(\w+)/.exec(req.headers.cookie ?? '')?.[1] ?? 'anonymous'
      app.get('/me', cache.middleware({ userKey: userOf }), (req, res) => res.set('Cache-Control', 'private').send(`profile of ${userOf(req)}`))
      const calls = counter()
      app.get('/shared', cache.middleware(), (req, res) => res.send(`shared ${calls.inc()} auth=${req.headers.authorization ?? ''}`))
      const base = await listen(t, app)
      for (let i = 0; i < 1000; i++) {
        const a = `a${i}`
        const b = `b${i}`
        const ra = await get(`${base}/me`, { headers: { cookie: `user=${a}` } })
        const rb = await get(`${base}/me`, { headers: { cookie: `user=${b}` } })
        assert.equal(ra.body.toString(), `profile of ${a}`)
        assert.equal(rb.body.toString(), `profile of ${b}`)
        if (i % 100 === 0) {
          const again = await get(`${base}/me`, { headers: { cookie: `user=${a}` } })
          assert.equal(again.xcache, 'HIT-L1')
          assert.equal(again.body.toString(), `profile of ${a}`)
        }
      }
      await get(`${base}/shared`, { headers: { authorization: 'Bearer alice' } })
      const anon = await get(`${base}/shared`)
      assert.equal(anon.body.toString(), 'shared 2 auth=', 'the authorized response was not stored')
      const bob = await get(`${base}/shared`, { headers: { authorization: 'Bearer bob' } })
      assert.equal(bob.xcache, null, 'an authorized request bypasses the cache')
      assert.match(bob.body.toString(), /auth=Bearer bob/)
    })

    test('configured only: a bypass header and request no-cache', async (t) => {
      const cache = open()
      const app = express()
      const calls = counter()
      app.get('/b', cache.middleware({ bypassHeader: 'X-Skip-Cache', requestNoCache: true }), (req, res) => res.send(`n=${calls.inc()}`))
      const base = await listen(t, app)
      await get(`${base}/b`)
      assert.equal((await get(`${base}/b`, { headers: { 'x-skip-cache': '1' } })).body.toString(), 'n=2')
      assert.equal((await get(`${base}/b`)).body.toString(), 'n=1', 'a bypass does not store')
      assert.equal((await get(`${base}/b`, { headers: { 'cache-control': 'no-cache' } })).body.toString(), 'n=3')
      const after = await get(`${base}/b`)
      assert.equal(after.xcache, 'HIT-L1')
      assert.equal(after.body.toString(), 'n=3', 'no-cache refreshed the entry')
    })

    test('coalescing: 50 concurrent cold requests run the handler once', async (t) => {
      const cache = open()
      const app = express()
      const calls = counter()
      app.get('/slow', cache.middleware(), async (req, res) => {
        calls.inc()
        await sleep(50)
        res.json({ n: calls.n })
      })
      const base = await listen(t, app)
      const all = await Promise.all(Array.from({ length: 50 }, () => get(`${base}/slow`)))
      assert.equal(calls.n, 1)
      for (const r of all) assert.deepEqual(JSON.parse(r.body), { n: 1 })
      assert.equal(all.filter((r) => r.xcache === 'MISS').length, 1)
    })

    test('coalescing: when the leader\'s response cannot be stored, the others run the handler themselves', async (t) => {
      const cache = open()
      const app = express()
      const calls = counter()
      app.get('/err', cache.middleware(), async (req, res) => {
        const n = calls.inc()
        await sleep(30)
        res.status(n === 1 ? 500 : 200).send(`n=${n}`)
      })
      const base = await listen(t, app)
      const all = await Promise.all(Array.from({ length: 5 }, () => get(`${base}/err`)))
      assert.equal(all.filter((r) => r.status === 500).length, 1)
      assert.ok(calls.n >= 2)
    })

    test('grace: a stale response is served (STALE) while one request refreshes it', async (t) => {
      const cache = open()
      const app = express()
      const calls = counter()
      app.get('/g', cache.middleware({ ttl: 100, grace: 60_000 }), async (req, res) => {
        const n = calls.inc()
        if (n > 1) await sleep(300)
        res.send(`v${n}`)
      })
      const base = await listen(t, app)
      await get(`${base}/g`)
      await sleep(150)
      const refreshing = get(`${base}/g`)
      await sleep(50)
      const stale = await get(`${base}/g`)
      assert.equal(stale.xcache, 'STALE')
      assert.equal(stale.body.toString(), 'v1')
      const fresh = await refreshing
      assert.equal(fresh.body.toString(), 'v2')
      const hit = await get(`${base}/g`)
      assert.equal(hit.xcache, 'HIT-L1')
      assert.equal(hit.body.toString(), 'v2')
    })

    test('purge by URL and by group; the header name is configurable; bad options', async (t) => {
      const cache = open()
      const app = express()
      const calls = counter()
      const products = cache.middleware({ group: 'products', header: 'X-Tier' })
      app.get('/products/:id', products, (req, res) => res.send(`p${req.params.id} n=${calls.inc()}`))
      const base = await listen(t, app)
      await get(`${base}/products/1`)
      await get(`${base}/products/2`)
      const hit = await fetch(`${base}/products/1`)
      assert.equal(hit.headers.get('x-tier'), 'HIT-L1')
      const host = new URL(base).host
      await products.purge({ method: 'GET', url: '/products/1', headers: { host } })
      assert.equal((await fetch(`${base}/products/1`)).headers.get('x-tier'), 'MISS')
      assert.equal((await fetch(`${base}/products/2`)).headers.get('x-tier'), 'HIT-L1')
      await products.purgeGroup('products')
      assert.equal((await fetch(`${base}/products/2`)).headers.get('x-tier'), 'MISS')
      // Purge by tag: the route's tags, through cache.invalidateTags.
      const tagged = cache.middleware({ tags: ['catalog'] })
      app.get('/catalog', tagged, (req, res) => res.send(`catalog n=${calls.inc()}`))
      await fetch(`${base}/catalog`)
      assert.equal((await fetch(`${base}/catalog`)).headers.get('x-cache'), 'HIT-L1')
      await cache.invalidateTags(['catalog'])
      assert.equal((await fetch(`${base}/catalog`)).headers.get('x-cache'), 'MISS')
      assert.throws(() => cache.middleware({ ttl: 0 }), { code: 'ERR_TIERCACHE_INVALID_ARGUMENT' })
      assert.throws(() => cache.middleware({ statuses: [200, 503] }), RangeError)
      assert.throws(() => cache.middleware({ nope: 1 }), TypeError)
      assert.throws(() => middleware(cache, { key: 'x' }), TypeError)
    })
  })
}

describe('response cache · with Redis, two instances', { timeout: TEST_TIMEOUT_MS }, () => {
  const express = require('express')
  let srv
  const caches = []
  before(async () => { srv = await startRedis() })
  after(async () => {
    for (const c of caches) await c.quit().catch(() => {})
    if (srv) await srv.stop()
  })
  const open = (extra = {}) => {
    const c = new TierCache({ redis: srv.url, ...extra })
    c.on('error', () => {})
    caches.push(c)
    return c
  }

  async function twoApps (t, options = {}) {
    const calls = counter()
    const apps = []
    for (const name of ['A', 'B']) {
      const cache = open()
      const app = express()
      const mw = cache.middleware({ ttl: 30_000, ...options })
      app.get('/item/:id', mw, async (req, res) => {
        calls.inc()
        await sleep(20)
        res.json({ id: req.params.id, by: name })
      })
      apps.push({ cache, mw, base: await listen(t, app) })
    }
    return { calls, apps }
  }

  // Both servers answer on 127.0.0.1 with different ports: the Host header
  // (part of the key) would differ, so requests name one host, as behind a
  // load balancer.
  const lb = { headers: { host: 'shop.example' } }
  const fetchVia = (base, path) => new Promise((resolve, reject) => {
    http.get(base + path, lb, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ xcache: res.headers['x-cache'], body: Buffer.concat(chunks).toString() }))
    }).on('error', reject)
  })

  test('B answers from Redis (HIT-L2) what A stored, then from its L1; a purge on A reaches B', async (t) => {
    const { calls, apps: [a, b] } = await twoApps(t, { group: 'items' })
    assert.equal((await fetchVia(a.base, '/item/1')).xcache, 'MISS')
    // Stored in Redis once A's own L1 has it (L1 follows Redis's acknowledgement).
    while ((await fetchVia(a.base, '/item/1')).xcache !== 'HIT-L1') await sleep(5)
    const fromB = await fetchVia(b.base, '/item/1')
    assert.equal(fromB.xcache, 'HIT-L2')
    assert.deepEqual(JSON.parse(fromB.body), { id: '1', by: 'A' })
    assert.equal((await fetchVia(b.base, '/item/1')).xcache, 'HIT-L1')
    assert.equal(calls.n, 1)
    await a.mw.purgeGroup('items')
    const deadline = Date.now() + 2000
    let after
    do {
      after = await fetchVia(b.base, '/item/1')
    } while (after.xcache !== 'MISS' && Date.now() < deadline && (await sleep(10), true))
    assert.equal(after.xcache, 'MISS')
    assert.equal(await purgeGroup(a.cache, 'items'), 1)
  })

  test('a purge of one URL on A (its Vary variants included) reaches B', async (t) => {
    const apps = []
    for (let i = 0; i < 2; i++) {
      const cache = open()
      const app = express()
      const mw = cache.middleware({ ttl: 30_000 })
      app.get('/v', mw, (req, res) => res.set('Vary', 'Accept-Language').send(`lang=${req.headers['accept-language']}`))
      app.get('/other', mw, (req, res) => res.send('other'))
      apps.push({ mw, base: await listen(t, app) })
    }
    const [a, b] = apps
    const via = (base, path, lang) => new Promise((resolve, reject) => {
      http.get(base + path, { headers: { host: 'shop.example', 'accept-language': lang } }, (res) => {
        res.resume()
        res.on('end', () => resolve(res.headers['x-cache']))
      }).on('error', reject)
    })
    for (const lang of ['en', 'fr']) {
      await via(a.base, '/v', lang)
      while ((await via(b.base, '/v', lang)) !== 'HIT-L1') await sleep(5)
    }
    await via(a.base, '/other', 'en')
    while ((await via(b.base, '/other', 'en')) !== 'HIT-L1') await sleep(5)
    assert.ok(await a.mw.purge({ url: '/v', headers: { host: 'shop.example' } }) >= 3, 'the index and both variants')
    for (const lang of ['en', 'fr']) {
      const deadline = Date.now() + 2000
      let x
      while ((x = await via(b.base, '/v', lang)) !== 'MISS' && Date.now() < deadline) await sleep(10)
      assert.equal(x, 'MISS', lang)
    }
    assert.equal(await via(b.base, '/other', 'en'), 'HIT-L1', 'other URLs stay cached')
  })

  test('with lock, concurrent cold requests to both instances run the handler once', async (t) => {
    const { calls, apps: [a, b] } = await twoApps(t, { lock: true })
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => fetchVia(i % 2 ? b.base : a.base, '/item/locked')))
    assert.equal(calls.n, 1)
    assert.equal(new Set(all.map((r) => r.body)).size, 1)
  })

  test('Redis down: the middleware serves L1 hits and runs the route on misses, never hangs', async (t) => {
    const own = await startRedis()
    const cache = new TierCache({ redis: own.url, commandTimeout: 200, connectTimeout: 200 })
    cache.on('error', () => {})
    caches.push(cache)
    const app = express()
    const calls = counter()
    app.get('/r/:id', cache.middleware(), (req, res) => res.send(`r${req.params.id} n=${calls.inc()}`))
    const base = await listen(t, app)
    await get(`${base}/r/1`)
    // The response is sent before it is stored: the next request may find it in Redis first.
    assert.match((await get(`${base}/r/1`)).xcache, /^HIT-L[12]$/)
    assert.equal((await get(`${base}/r/1`)).xcache, 'HIT-L1')
    await own.kill()
    const started = Date.now()
    const hit = await get(`${base}/r/1`)
    const miss = await get(`${base}/r/2`)
    assert.equal(hit.body.toString(), 'r1 n=1')
    assert.equal(miss.body.toString(), 'r2 n=2')
    assert.ok(Date.now() - started < 3000)
  })
})
