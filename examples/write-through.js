'use strict'
// Write-through with writeThrough: the source write and the cache update
// succeed or fail together, as the caller sees them.
//
//   node examples/write-through.js
//   REDIS_URL=redis://localhost:6379 node examples/write-through.js

const { TierCache } = require('..')

/** A pretend database table that can refuse writes. */
const accounts = {
  rows: new Map([['acme', { plan: 'free', seats: 3 }]]),
  refuse: false,
  async save (id, row) {
    await new Promise((resolve) => setTimeout(resolve, 10))
    if (this.refuse) throw new Error('constraint violated: seats must be ≤ 100')
    this.rows.set(id, row)
    return { saved: id }
  },
  async load (id) {
    await new Promise((resolve) => setTimeout(resolve, 10))
    return this.rows.get(id) ?? null
  }
}

async function main () {
  const cache = new TierCache(process.env.REDIS_URL, { name: 'write-through-example' })
  cache.on('error', (err) => console.error('redis:', err.message))
  const key = 'account:acme'
  const read = () => cache.getOrSet(key, () => accounts.load('acme'), { ttl: 60_000 })

  console.log('read:', await read())

  // The write goes to the database and then to the cache: the next read is a hit with the new row.
  const result = await cache.writeThrough(key, { plan: 'pro', seats: 20 }, (row) => accounts.save('acme', row), { ttl: 60_000 })
  console.log('writeThrough →', result, '· cached:', await cache.get(key))

  // A refused write: the caller gets the error, and the cache holds neither
  // the refused value nor the old one, so the next read goes to the database.
  accounts.refuse = true
  try {
    await cache.writeThrough(key, { plan: 'pro', seats: 1000 }, (row) => accounts.save('acme', row))
  } catch (err) {
    console.log('refused:', err.message, '· cached:', await cache.get(key))
  }
  accounts.refuse = false
  console.log('read after the refused write:', await read())
  await cache.quit()
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
