'use strict'
// The classic node-redis + Express cache-aside tutorial, run against
// tiercache: GET /data/:id answers from the cache when it can, otherwise runs
// the slow query and caches its JSON for an hour. The code is the
// tutorial's; what differs is marked "tiercache:".
// REDIS_URL unset: L1 only. PORT=0 picks a free port (printed).

const express = require('express')
const { createClient } = require('..') // tiercache: was require('redis')

const app = express()
const PORT = process.env.PORT || 3000

// tiercache: the tutorial hard-codes { url: 'redis://localhost:6379' }
const client = createClient({ url: process.env.REDIS_URL })
client.on('error', err => console.error('Redis Client Error', err))

// The "database": a slow query.
function fetchFromDb (id) {
  return new Promise((resolve) => {
    setTimeout(() => resolve({ id, name: `Item ${id}`, fetchedAt: Date.now() }), 50)
  })
}

app.get('/data/:id', async (req, res) => {
  const { id } = req.params
  const key = `data:${id}`
  try {
    const cached = await client.get(key)
    if (cached) {
      res.set('X-Cache', 'HIT')
      return res.json(JSON.parse(cached))
    }
    const data = await fetchFromDb(id)
    await client.setEx(key, 3600, JSON.stringify(data))
    res.set('X-Cache', 'MISS')
    res.json(data)
  } catch (err) {
    console.error(err)
    res.status(500).json({ error: 'Internal Server Error' })
  }
})

async function start () {
  await client.connect()
  const server = app.listen(PORT, (err) => {
    if (err) throw err
    // tiercache: prints the actual port (PORT=0 asks for a free one)
    console.log(`listening on ${server.address().port}`)
  })

  // tiercache: not in the tutorial. Stops cleanly so the process ends by itself.
  function shutdown () {
    server.close(() => client.quit())
  }
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
}

start().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
