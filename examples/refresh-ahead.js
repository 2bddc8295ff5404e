'use strict'
// Refresh-ahead: a hot key is reloaded in the background before it expires,
// so no request ever waits for the source once the key is warm.
//
//   node examples/refresh-ahead.js
//   REDIS_URL=redis://localhost:6379 node examples/refresh-ahead.js
//
// A "price feed" takes 100 ms per query. The key lives 400 ms and is
// refreshed once 50% of that has passed. For 2 s a request arrives every
// 10 ms; the script reports how many requests waited for the feed.

const { TierCache } = require('..')

const feed = {
  queries: 0,
  async price () {
    this.queries++
    await new Promise((resolve) => setTimeout(resolve, 100))
    return { eur: 100 + this.queries, at: Date.now() }
  }
}

async function main () {
  const cache = new TierCache(process.env.REDIS_URL, { name: 'refresh-ahead-example' })
  cache.on('error', (err) => console.error('redis:', err.message))
  const options = { ttl: 400, refreshAhead: 0.5, lock: true }
  const getPrice = () => cache.getOrSet('price:eur', () => feed.price(), options)

  await getPrice() // warm up: this one waits for the feed
  let slow = 0
  let requests = 0
  const end = Date.now() + 2000
  while (Date.now() < end) {
    const started = Date.now()
    await getPrice()
    if (Date.now() - started >= 50) slow++
    requests++
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  console.log(`${requests} requests in 2 s, ${slow} waited for the feed, ${feed.queries} feed queries (${cache.stats().patterns.refreshes} background refreshes)`)
  await cache.quit()
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
