'use strict'
// One Express 5 app per variant of the "express" scenario (bench/express.js),
// run in a child process of its own: `fork(this file, [variant, redisUrl])`.
// The harness process drives it with autocannon, so the load generator and
// the server do not share one event loop.
//
// Every variant serves `GET /data/:id` (ids 1…100) with the same body: the
// ~1 KB user record of bench/lib/fixtures.js, as `res.json` writes it. On a
// cache miss the route runs the simulated query: 5 ms (setTimeout), then the
// record (pre-built: the cost measured is the wait, not building objects).
//
// IPC with the parent:
//   child → parent  { type: 'ready', port, addon }        once listening
//   parent → child  { type: 'mark' }                      → { type: 'mark', cpu, queries, stats, redis }
//   parent → child  { type: 'exit' }                      closes everything and exits 0
//                                                          (so that --cpu-prof writes its profile)

const http = require('node:http')
const path = require('node:path')

const fx = require('./fixtures')

const ROOT = path.join(__dirname, '..', '..')

const IDS = 100
const QUERY_MS = 5
const TTL_S = 30

/** The records, by id (1…IDS), built once: what the "database" answers. */
const RECORDS = Array.from({ length: IDS + 1 }, (_, id) => fx.makeUser(id))

let queries = 0

/** The simulated query: 5 ms, then the record. */
function query (id) {
  queries++
  return new Promise((resolve) => setTimeout(() => resolve(RECORDS[id]), QUERY_MS))
}

/** 1…IDS from `req.params.id`, or null (answered 404 by the routes). */
function idOf (req) {
  const id = Number(req.params.id)
  return Number.isInteger(id) && id >= 1 && id <= IDS ? id : null
}

/** The handler behind every cache: query, then `res.json`. */
async function queryHandler (req, res) {
  const id = idOf(req)
  if (id === null) return res.sendStatus(404)
  res.json(await query(id))
}

/**
 * `cache.stats()` (L1 and L2 hits) plus the hits the middleware's own front
 * answered and has not handed to the store's counters (read, not taken).
 */
function tcStats (cache, mw) {
  const s = cache.stats()
  const front = mw.responseCache.front
  return { l1Hits: s.l1.hits, l2Hits: s.l2 === null ? 0 : s.l2.hits, frontPending: front === null ? 0 : front.pendingHits }
}

// ---- the variants -----------------------------------------------------------------
// Each returns { app, close(), stats?() }; written as the libraries' READMEs
// and the Redis tutorials write them.

const VARIANTS = {
  /** 1. No cache: the query on every request. */
  uncached (express) {
    const app = express()
    app.get('/data/:id', queryHandler)
    return { app, close () {} }
  },

  /** 2. The Redis tutorials' cache-aside middleware with ioredis: GET, else query + SETEX. */
  ioredis (express, url) {
    const Redis = require('ioredis')
    const redis = new Redis(url)
    const app = express()
    async function cacheMiddleware (req, res, next) {
      const key = `data:${req.params.id}`
      const v = await redis.get(key)
      if (v) return res.json(JSON.parse(v))
      next()
    }
    app.get('/data/:id', cacheMiddleware, async (req, res) => {
      const id = idOf(req)
      if (id === null) return res.sendStatus(404)
      const obj = await query(id)
      await redis.setex(`data:${req.params.id}`, TTL_S, JSON.stringify(obj))
      res.json(obj)
    })
    return { app, close: () => redis.quit() }
  },

  /** 3. apicache's memory store. */
  apicache (express) {
    const apicache = require('apicache')
    const app = express()
    app.get('/data/:id', apicache.middleware(`${TTL_S} seconds`), queryHandler)
    return { app, close: () => apicache.clear() }
  },

  /** 4. lru-cache holding the JSON text, sent with `res.type('json').send(str)`. */
  lru (express) {
    const { LRUCache } = require('lru-cache')
    const lru = new LRUCache({ max: 1000, ttl: TTL_S * 1000 })
    const app = express()
    function cacheMiddleware (req, res, next) {
      const str = lru.get(req.originalUrl)
      if (str !== undefined) return res.type('json').send(str)
      next()
    }
    app.get('/data/:id', cacheMiddleware, async (req, res) => {
      const id = idOf(req)
      if (id === null) return res.sendStatus(404)
      const str = JSON.stringify(await query(id))
      lru.set(req.originalUrl, str)
      res.type('json').send(str)
    })
    return { app, close () {} }
  },

  /** 5. tiercache, L1 only: `cache.middleware({ ttl })` in front of the handler. */
  async tc (express) {
    const TierCache = require(ROOT)
    const cache = new TierCache()
    const app = express()
    const mw = cache.middleware({ ttl: TTL_S * 1000 })
    app.get('/data/:id', mw, queryHandler)
    return { app, close: () => cache.quit(), stats: () => tcStats(cache, mw) }
  },

  /** 6. tiercache with Redis and an L1 of one entry (no front): nearly every hit comes from Redis. */
  async tc2 (express, url) {
    const TierCache = require(ROOT)
    const cache = new TierCache({ redis: url, maxEntries: 1, frontSize: 0 })
    cache.on('error', (err) => process.stderr.write(`  · express tc2: cache error: ${err.message}\n`))
    await cache.connect()
    const app = express()
    const mw = cache.middleware({ ttl: TTL_S * 1000 })
    app.get('/data/:id', mw, queryHandler)
    return { app, close: () => cache.quit(), stats: () => tcStats(cache, mw) }
  },

  /** 7. The ceiling: `res.json` of the pre-built record, no cache, no query. */
  ceiling (express) {
    const app = express()
    app.get('/data/:id', (req, res) => {
      const id = idOf(req)
      if (id === null) return res.sendStatus(404)
      res.json(RECORDS[id])
    })
    return { app, close () {} }
  }
}

// ---- the process ------------------------------------------------------------------

async function main () {
  const [variant, url = ''] = process.argv.slice(2)
  const make = VARIANTS[variant]
  if (make === undefined) throw new Error(`unknown variant ${JSON.stringify(variant)}; choose from: ${Object.keys(VARIANTS).join(', ')}`)
  const express = require('express')
  const built = await make(express, url)
  const server = http.createServer(built.app)
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  // Only the tiercache variants load the addon: they report which build they measured.
  const addon = built.stats === undefined ? undefined : require('./caches').LOADED_ADDON

  process.on('message', async (message) => {
    if (message.type === 'mark') {
      process.send({ type: 'mark', cpu: process.cpuUsage(), queries, stats: built.stats === undefined ? null : built.stats() })
    } else if (message.type === 'exit') {
      server.closeAllConnections()
      server.close()
      try {
        await built.close()
      } catch {}
      process.exit(0)
    }
  })
  // The parent went away without saying so: do not outlive it.
  process.on('disconnect', () => process.exit(0))
  process.send({ type: 'ready', port: server.address().port, addon })
}

module.exports = { VARIANTS, RECORDS, IDS, QUERY_MS, TTL_S }

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`express-server ${process.argv.slice(2).join(' ')}: ${err && err.stack ? err.stack : err}\n`)
    process.exit(1)
  })
}
