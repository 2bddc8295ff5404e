'use strict'
// `npm start`: the Redis tutorial's "cache a slow query" Express app, with
// tiercache as the cache. L1 only by default (no Redis needed); REDIS_URL
// adds Redis as L2 (shared by every instance of the app). PORT picks the port.

const express = require('express')
const { TierCache } = require('..')

const PORT = process.env.PORT === undefined ? 3000 : Number(process.env.PORT)
const TTL_SECONDS = 30

// An unset REDIS_URL is undefined: L1 only. With Redis, the app starts even
// if Redis is down (lazyConnect) and keeps answering from L1 while it is.
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

app.get('/data/:id', async (req, res, next) => {
  try {
    const started = process.hrtime.bigint()
    const key = `data:${req.params.id}`
    let data = await cache.get(key)
    const hit = data !== null
    if (!hit) {
      data = await slowQuery(req.params.id)
      await cache.setex(key, TTL_SECONDS, data)
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    console.log(`${hit ? 'HIT ' : 'MISS'} ${key} ${ms.toFixed(2)} ms`)
    res.set('X-Cache', hit ? 'HIT' : 'MISS').json(data)
  } catch (err) {
    next(err)
  }
})

app.get('/stats', (req, res) => {
  res.json(cache.stats())
})

const server = app.listen(PORT, () => {
  const tiers = cache.hasRedis ? 'L1 + Redis' : 'L1 only'
  console.log(`tiercache demo on http://localhost:${server.address().port}/data/42 (${tiers})`)
})

function shutdown () {
  server.close(() => cache.quit().then(() => process.exit(0)))
}
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
