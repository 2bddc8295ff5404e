'use strict'
// bullmq, unchanged, handed a tiercache instance (ioredis flavour) on a
// private redis-server: a Queue and a Worker complete jobs, and no socket is
// opened from JS (tiercache's connections are native: a JS socket would be
// bullmq falling back to an ioredis connection of its own, to localhost:6379
// by default).
const { describe, it, before, after } = require('node:test')
const assert = require('node:assert/strict')
const net = require('node:net')
const { Queue, Worker } = require('bullmq')

const TierCache = require('../../..')
const { startRedis } = require('../../support/redis-server')

describe('bullmq with a tiercache connection', () => {
  let server
  const jsSockets = []
  const realConnect = net.Socket.prototype.connect
  before(async () => {
    server = await startRedis()
    net.Socket.prototype.connect = function (...args) {
      jsSockets.push(args[0])
      return realConnect.apply(this, args)
    }
  })
  after(async () => {
    net.Socket.prototype.connect = realConnect
    await server.stop()
  })

  it('a Queue and a Worker complete jobs through the given client only', async () => {
    const connection = new TierCache(server.url, { maxRetriesPerRequest: null })
    // Without duplicate(), bullmq takes the client for options and connects
    // to localhost:6379 itself: refuse to hand it over at all.
    for (const m of ['connect', 'disconnect', 'duplicate']) assert.equal(typeof connection[m], 'function', m)
    const queue = new Queue('mail', { connection })
    const done = []
    const worker = new Worker('mail', async (job) => ({ sent: job.data.to }), { connection })
    const completed = new Promise((resolve, reject) => {
      worker.on('completed', (job, result) => { done.push(result.sent); if (done.length === 3) resolve() })
      worker.on('failed', (job, err) => reject(err))
      worker.on('error', reject)
    })
    await queue.add('send', { to: 'a@example.com' })
    await queue.add('send', { to: 'b@example.com' }, { delay: 50 })
    await queue.addBulk([{ name: 'send', data: { to: 'c@example.com' } }])
    await completed
    assert.deepEqual(done.sort(), ['a@example.com', 'b@example.com', 'c@example.com'])
    const counts = await queue.getJobCounts('completed', 'failed', 'waiting', 'delayed')
    assert.equal(counts.completed, 3); assert.equal(counts.failed, 0); assert.equal(counts.waiting, 0); assert.equal(counts.delayed, 0)
    await worker.close()
    await queue.close()
    await connection.quit()
    assert.deepEqual(jsSockets, [], 'bullmq opened a connection of its own')
  })
})
