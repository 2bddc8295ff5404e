'use strict'
// Array replies of every length cross from the addon intact: short ones
// are filled item by item, longer ones made by one call into JS, the
// longest filled again (src/binding/array_maker.rs); the batch of replies
// itself is such an array. Compared with ioredis on the same server, each
// length on both sides of the two thresholds, nested ones (EXEC, XRANGE)
// included, from the main thread and from a worker thread (which registers
// its own maker).

const path = require('node:path')
const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const { Worker } = require('node:worker_threads')

const { useRedisWithClient, useCache } = require('../../support/redis-server')

const LENGTHS = [0, 1, 3, 4, 5, 100, 4095, 4096, 4097, 10000]

describe('array replies of every length', () => {
  const redis = useRedisWithClient()
  const box = useCache(redis)

  test('LRANGE, HGETALL, XRANGE and EXEC answer as ioredis does, each length', async () => {
    const { io } = redis
    const { cache } = box
    for (const n of LENGTHS) {
      const items = Array.from({ length: n }, (_, i) => `v${i}-é😀`.repeat(1 + (i % 3)))
      if (n > 0) await io.rpush(`list:${n}`, ...items)
      if (n > 0) await io.hset(`hash:${n}`, Object.fromEntries(items.map((v, i) => [`f${i}`, v])))
      for (let i = 0; i < Math.min(n, 50); i++) await io.xadd(`stream:${n}`, '*', 'i', String(i))
      assert.deepEqual(await cache.lrange(`list:${n}`, 0, -1), items, `lrange ${n}`)
      assert.deepEqual(await cache.lrange(`list:${n}`, 0, -1), await io.lrange(`list:${n}`, 0, -1))
      assert.deepEqual(await cache.hgetall(`hash:${n}`), await io.hgetall(`hash:${n}`), `hgetall ${n}`)
      assert.deepEqual(await cache.xrange(`stream:${n}`, '-', '+'), await io.xrange(`stream:${n}`, '-', '+'), `xrange ${n}`)
      const tx = (c) => {
        const m = c.multi()
        for (let i = 0; i < Math.min(n, 600); i++) m.lindex(`list:${n}`, i)
        return m.exec()
      }
      assert.deepEqual(await tx(cache), await tx(io), `exec of ${Math.min(n, 600)}`)
    }
  })

  test('a burst of 5,000 commands: the batch of replies is longer than a call may carry', async () => {
    const { cache } = box
    const replies = await Promise.all(Array.from({ length: 5000 }, (_, i) => cache.echo(`e${i}`)))
    assert.deepEqual(replies, Array.from({ length: 5000 }, (_, i) => `e${i}`))
  })

  test('from a worker thread', async () => {
    const { io } = redis
    await io.rpush('worker:list', ...Array.from({ length: 5000 }, (_, i) => `w${i}`))
    const got = await new Promise((resolve, reject) => {
      const w = new Worker(`
        const { workerData, parentPort } = require('node:worker_threads')
        const { TierCache } = require(workerData.tiercache)
        ;(async () => {
          const cache = new TierCache({ redis: workerData.url })
          await cache.connect()
          const out = [await cache.lrange('worker:list', 0, -1), await cache.lrange('worker:list', 0, 9)]
          await cache.quit()
          parentPort.postMessage(out)
        })().catch((e) => parentPort.postMessage({ error: String(e) }))
      `, { eval: true, workerData: { tiercache: path.join(__dirname, '../../..'), url: redis.server.url } })
      w.once('message', resolve)
      w.once('error', reject)
    })
    assert.deepEqual(got, [Array.from({ length: 5000 }, (_, i) => `w${i}`), Array.from({ length: 10 }, (_, i) => `w${i}`)])
  })
})
