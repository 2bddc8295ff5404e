'use strict'
// Cache-aside with getOrSet: read through the cache, load from the source on
// a miss, and keep serving when the source is slow or down.
//
//   node examples/cache-aside.js                 (L1 only)
//   REDIS_URL=redis://localhost:6379 node examples/cache-aside.js
//
// The "database" is simulated: every query takes QUERY_MS and is counted.
// The script prints what happened at each step and exits.

const { TierCache } = require('..')

const QUERY_MS = 50

/** A pretend database: a Map behind a slow, sometimes failing query. */
const db = {
  rows: new Map([['1', { id: '1', name: 'Ada' }], ['2', { id: '2', name: 'Grace' }]]),
  queries: 0,
  down: false,
  async findUser (id, signal) {
    this.queries++
    await new Promise((resolve) => setTimeout(resolve, QUERY_MS))
    if (signal.aborted) throw signal.reason
    if (this.down) throw new Error('database unreachable')
    return this.rows.get(id) ?? null
  }
}

async function main () {
  const cache = new TierCache(process.env.REDIS_URL, { name: 'cache-aside-example' })
  cache.on('error', (err) => console.error('redis:', err.message))

  // The one function the app calls: cached for 10 s, kept 60 s more as a
  // fallback (grace), tagged so that an update can drop it everywhere.
  const getUser = (id) => cache.getOrSet(`user:${id}`, (ctx) => db.findUser(id, ctx.signal), {
    ttl: 10_000,
    grace: 60_000,
    hardTimeout: 2_000, // never wait on the database for longer than this
    tags: [`user:${id}`, 'users'],
    lock: true // with Redis: one query for all instances of the app, not one each
  })

  // 1. A burst of 100 concurrent requests for a cold key: one query.
  const burst = await Promise.all(Array.from({ length: 100 }, () => getUser('1')))
  console.log(`100 concurrent requests → ${db.queries} database query; name: ${burst[0].name}`)

  // 2. Later requests are cache hits.
  await getUser('1')
  console.log(`another request → still ${db.queries} query`)

  // 3. An update: write the database, then invalidate the tag (every instance drops it).
  db.rows.set('1', { id: '1', name: 'Ada Lovelace' })
  await cache.invalidateTags(['user:1'])
  console.log(`after the update → ${(await getUser('1')).name} (${db.queries} queries)`)

  // 4. The database goes down after the entry went stale: the stale value is served.
  await cache.getOrSet('user:2', (ctx) => db.findUser('2', ctx.signal), { ttl: 100, grace: 60_000 })
  await new Promise((resolve) => setTimeout(resolve, 150))
  db.down = true
  const stale = await cache.getOrSet('user:2', (ctx) => db.findUser('2', ctx.signal), { ttl: 100, grace: 60_000 })
  console.log(`database down, entry stale → served ${stale.name} from the grace period`)
  db.down = false

  // 5. A missing row is cached briefly too (negative caching), so a flood of
  // lookups for it does not reach the database.
  const before = db.queries
  for (let i = 0; i < 5; i++) await cache.getOrSet('user:404', (ctx) => db.findUser('404', ctx.signal), { ttl: 10_000, cacheNull: 1_000 })
  console.log(`5 lookups of a missing user → ${db.queries - before} query`)

  const s = cache.stats()
  console.log(`stats: loads ${s.patterns.loads}, coalesced ${s.patterns.coalesced}, stale served ${s.patterns.staleServed}`)
  await cache.quit()
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
