'use strict'
// Libraries that support a cluster client, unchanged, handed tiercache's
// Cluster client on a private Redis Cluster (three primaries): issue 13's
// "the real libraries … run against the cluster". rate-limiter-flexible's
// RateLimiterRedis counts and limits; bullmq, with a hash-tagged prefix (its
// scripts touch several keys of one queue: the tag keeps them in one slot, as
// bullmq's docs require on a cluster), completes a job, and no socket is
// opened from JS (bullmq falling back to an ioredis connection of its own);
// @socket.io/redis-adapter, classic and sharded (SSUBSCRIBE to each channel's
// slot's primary), carries cross-server emits, fetchSockets and
// serverSideEmit between two socket.io servers.

const { describe, it, before, after } = require('node:test')
const assert = require('node:assert/strict')
const net = require('node:net')
const { RateLimiterRedis } = require('rate-limiter-flexible')
const { Queue, Worker } = require('bullmq')
const { createAdapter, createShardedAdapter } = require('@socket.io/redis-adapter')
const TierCache = require('../../..')
const { startCluster } = require('../../support/cluster')
const { nextEvent, socketioCluster } = require('../../support/socketio-cluster')

describe('libraries on a Redis Cluster, through tiercache\'s Cluster client', { timeout: 120000 }, () => {
  let cluster
  const clients = []
  const open = (options) => {
    const c = new TierCache.Cluster(cluster.seeds, options)
    c.on('error', () => {})
    clients.push(c)
    return c
  }

  before(async () => {
    cluster = await startCluster({ replicasPerMaster: 0 })
  })

  after(async () => {
    for (const c of clients) await c.quit().catch(() => {})
    await cluster?.stop()
  })

  it('rate-limiter-flexible: RateLimiterRedis allows `points`, then limits, per key', async () => {
    const limiter = new RateLimiterRedis({ storeClient: open(), points: 3, duration: 10, keyPrefix: 'rl' })
    const outcomes = []
    for (let i = 0; i < 5; i++) {
      outcomes.push(await limiter.consume('user-1').then((r) => r.remainingPoints, (r) => (r instanceof Error ? r : 'limited')))
    }
    assert.deepEqual(outcomes, [2, 1, 0, 'limited', 'limited'])
    // Another key, most likely on another primary, has its own count.
    assert.equal((await limiter.consume('user-2')).remainingPoints, 2)
  })

  it('bullmq: a Queue and a Worker with a hash-tagged prefix complete a job; no socket opened from JS', async () => {
    const jsSockets = []
    const realConnect = net.Socket.prototype.connect
    net.Socket.prototype.connect = function (...args) {
      jsSockets.push(args[0])
      return realConnect.apply(this, args)
    }
    let worker
    let queue
    try {
      const connection = open({ maxRetriesPerRequest: null })
      queue = new Queue('jobs', { connection, prefix: '{bull}' })
      const completed = new Promise((resolve, reject) => {
        worker = new Worker('jobs', async (job) => job.data.x * 2, { connection, prefix: '{bull}' })
        worker.on('completed', (job, result) => resolve(result))
        worker.on('failed', (job, err) => reject(err))
        worker.on('error', reject)
      })
      await queue.add('double', { x: 21 })
      assert.equal(await completed, 42)
      assert.deepEqual(jsSockets, [], 'bullmq used the given client, no connection of its own')
    } finally {
      net.Socket.prototype.connect = realConnect
      await worker?.close()
      await queue?.close()
    }
  })

  for (const [name, makeAdapter] of [
    ['createAdapter (classic pub/sub)', (pub, sub) => createAdapter(pub, sub, { requestsTimeout: 3000 })],
    ['createShardedAdapter (sharded pub/sub)', (pub, sub) => createShardedAdapter(pub, sub, { requestsTimeout: 3000 })]
  ]) {
    it(`@socket.io/redis-adapter ${name}: two servers share emits, fetchSockets, serverSideEmit`, async () => {
      const servers = socketioCluster(() => open(), makeAdapter)
      try {
        const a = await servers.startNode()
        const b = await servers.startNode()
        const ca = await servers.connect(a)
        const cb = await servers.connect(b)
        // The adapters subscribe on start without waiting: retry the first emit until it arrives.
        let seen = null
        for (let i = 0; i < 50 && seen === null; i++) {
          const onB = nextEvent(cb.client, 'hello', 100).catch(() => null)
          a.io.emit('hello', { n: i })
          seen = await onB
        }
        assert.ok(seen !== null, 'the cross-server emit arrived')
        const onA = nextEvent(ca.client, 'bye')
        b.io.emit('bye', 'from b')
        assert.deepEqual(await onA, ['from b'])
        assert.equal((await a.io.fetchSockets()).length, 2)
        const got = nextEvent(b.io, 'ping-servers')
        a.io.serverSideEmit('ping-servers', 42)
        assert.deepEqual(await got, [42])
      } finally {
        await servers.close()
      }
    })
  }
})
