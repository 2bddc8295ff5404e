'use strict'
// `npm start`: the Redis tutorial's "cache a slow query" Express app, with
// tiercache as the cache, and what tiercache adds: the response-cache
// middleware, getOrSet, sessions, write-behind and per-tier stats. L1 only
// by default (no Redis needed); REDIS_URL adds Redis as L2 (shared by every
// instance of the app). PORT picks the port.
//
//   GET  /data/:id          the tutorial's cache-aside (get / setex)
//   GET  /items/:id         the same query through getOrSet
//   GET  /products/:id      the response-cache middleware (X-Cache, ETag, Age)
//   POST /products/purge    purges the 'products' route group in every instance
//   POST /login?user=ada    a session (express-session + TierCacheStore)
//   GET  /me                who is logged in
//   POST /logout            ends the session (in every instance at once)
//   POST /views/:page       page views, written behind to a file
//   GET  /stats             hit ratios per tier, and every counter

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const express = require('express')
const session = require('express-session')
const { TierCache, UnavailableError, TimeoutError } = require('..')
const { TierCacheStore } = require('../lib/express') // in an app: require('tiercache/express')

const PORT = process.env.PORT === undefined ? 3000 : Number(process.env.PORT)
const TTL_SECONDS = 30

// An unset (or empty) REDIS_URL: L1 only. With Redis, the app starts even
// if Redis is down (lazyConnect). While Redis is down, reads are served from
// L1 or from the source; what needs Redis to be right answers 503 (see the
// error handler at the end).
const cache = new TierCache(process.env.REDIS_URL, { name: 'demo', maxEntries: 100_000, lazyConnect: true })
cache.on('error', (err) => console.error(`redis: ${err.message}`))
if (cache.hasRedis) cache.connect().catch(() => {})
const app = express()

// The "database": a query that takes a while.
function slowQuery (id) {
  return new Promise((resolve) => {
    setTimeout(() => resolve({ id, name: `Item ${id}`, fetchedAt: new Date().toISOString() }), 100)
  })
}

// The cache is an optimisation: when it cannot answer (Redis down, slow),
// the query answers, and the failed cache write is only logged.
function cacheFailed (err) {
  if (!isRedisDown(err)) throw err
  console.error(`cache: ${err.message}`)
  return null
}

app.get('/data/:id', async (req, res, next) => {
  try {
    const started = process.hrtime.bigint()
    const key = `data:${req.params.id}`
    let data = await cache.get(key).catch(cacheFailed)
    const hit = data !== null
    if (!hit) {
      data = await slowQuery(req.params.id)
      await cache.setex(key, TTL_SECONDS, data).catch(cacheFailed)
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    console.log(`${hit ? 'HIT ' : 'MISS'} ${key} ${ms.toFixed(2)} ms`)
    res.set('X-Cache', hit ? 'HIT' : 'MISS').json(data)
  } catch (err) {
    next(err)
  }
})

// The response cache: the route runs once per 30 s per product (and once
// for concurrent misses); hits are replayed with X-Cache, ETag and Age.
const products = cache.middleware({ ttl: TTL_SECONDS * 1000, group: 'products' })
app.get('/products/:id', products, async (req, res) => {
  res.json(await slowQuery(req.params.id))
})
app.post('/products/purge', async (req, res, next) => {
  try {
    await products.purgeGroup('products')
    res.json({ purged: 'products' })
  } catch (err) {
    next(err)
  }
})

// Sessions in the cache: with Redis, a logout on one instance is a logout on all.
app.use(['/login', '/me', '/logout'], session({
  store: new TierCacheStore({ cache }),
  secret: process.env.SESSION_SECRET || 'tiercache demo secret (set SESSION_SECRET)',
  resave: false,
  saveUninitialized: false,
  cookie: { httpOnly: true, sameSite: 'lax', maxAge: 3_600_000 }
}))
app.post('/login', (req, res, next) => {
  const user = String(req.query.user ?? '').slice(0, 64)
  if (!/^\w+$/.test(user)) return res.status(400).json({ error: 'give ?user=name' })
  req.session.regenerate((err) => {
    if (err) return next(err)
    req.session.user = user
    req.session.save((err2) => (err2 ? next(err2) : res.json({ user })))
  })
})
app.get('/me', (req, res) => res.json({ user: req.session.user ?? null }))
app.post('/logout', (req, res, next) => req.session.destroy((err) => (err ? next(err) : res.json({ user: null }))))

// The same query through getOrSet: concurrent misses share one query, and
// for 5 minutes past its ttl a stale copy is served if the query fails.
app.get('/items/:id', async (req, res, next) => {
  try {
    res.json(await cache.getOrSet(`item:${req.params.id}`, () => slowQuery(req.params.id), { ttl: TTL_SECONDS * 1000, grace: 300_000 }))
  } catch (err) {
    next(err)
  }
})

// Page views, counted in the cache at once and written to the "database" (a
// JSON-lines file) behind the requests, in batches: write-behind. A SIGTERM
// drains the queue before the process exits, so no counted view is lost.
const viewsFile = process.env.DEMO_VIEWS_FILE || path.join(os.tmpdir(), 'tiercache-demo-views.jsonl')
const views = cache.writeBehind({
  writer: (batch) => fs.promises.appendFile(viewsFile, batch.map((e) => JSON.stringify({ page: e.key, views: e.value }) + '\n').join('')),
  batchSize: 100,
  flushInterval: 1000
})
// The count is read from the cache: while Redis cannot be read, the view is
// not counted (503) rather than a wrong count written to the file.
app.post('/views/:page', async (req, res, next) => {
  try {
    const key = `views:${req.params.page}`
    const count = Number(await cache.get(key) ?? 0) + 1
    await views.set(key, count)
    res.json({ page: req.params.page, views: count })
  } catch (err) {
    next(err)
  }
})

app.get('/stats', (req, res) => {
  const s = cache.stats()
  res.json({
    tiers: cache.hasRedis ? 'L1 + Redis' : 'L1 only',
    hitRatios: { overall: s.hitRatio, l1: s.l1.hitRatio, l2: s.l2 === null ? null : s.l2.hitRatio },
    ...s
  })
})

// Redis down or slow: 503 with Retry-After, for what needs Redis to be right
// (a session must not be accepted when its logout elsewhere cannot be
// checked; a purge must reach every instance). Anything else is a bug: 500.
function isRedisDown (err) {
  return err instanceof UnavailableError || err instanceof TimeoutError
}
app.use((err, req, res, next) => {
  if (res.headersSent) return next(err)
  if (isRedisDown(err)) {
    res.status(503).set('Retry-After', '1').json({ error: `Redis is unavailable, try again shortly (${err.code})` })
    return
  }
  console.error(err)
  res.status(500).json({ error: 'internal error' })
})

const server = app.listen(PORT, () => {
  const tiers = cache.hasRedis ? 'L1 + Redis' : 'L1 only'
  console.log(`tiercache demo on http://localhost:${server.address().port}/data/42 (${tiers})`)
})

function shutdown () {
  server.close(async () => {
    await views.close() // the queued view counts reach the file first
    await cache.quit()
    process.exit(0)
  })
}
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
