'use strict'
// A real library on tiercache's sharded pub/sub: @socket.io/redis-adapter's
// createShardedAdapter(pub, sub) (SSUBSCRIBE, SPUBLISH, PUBSUB SHARDNUMSUB;
// Redis 7), once with node-redis flavour clients (the adapter sees
// `sSubscribe` and takes them for the `redis` package) and once with
// ioredis flavour ones (it then uses `ssubscribe` and 'smessageBuffer').
// Two socket.io servers on free ports over one private redis-server, a real
// socket.io-client on each: cross-server broadcasts, room emits (dynamic
// subscription mode: a channel per room, subscribed when the room appears),
// fetchSockets and serverSideEmit.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { createShardedAdapter } = require('@socket.io/redis-adapter')

const { startRedis } = require('../support/redis-server')
const { TierCache } = require('../support/helpers')
const { nextEvent, socketioCluster } = require('../support/socketio-cluster')

const FLAVOURS = [
  ['node-redis flavour (createClient)', (url) => TierCache.createClient({ url })],
  ['ioredis flavour (new TierCache)', (url) => new TierCache(url)]
]

for (const [flavour, makeClient] of FLAVOURS) {
  describe(`@socket.io/redis-adapter createShardedAdapter over tiercache, ${flavour}`, () => {
    let server
    const cluster = socketioCluster(() => makeClient(server.url), (pub, sub) => createShardedAdapter(pub, sub, { requestsTimeout: 3000 }))
    const { startNode, connect } = cluster

    /** Waits until `n` subscribers listen on shard channel `channel`. */
    async function shardSubscribers (channel, n) {
      const deadline = Date.now() + 5000
      while ((await a.pub.call('PUBSUB', 'SHARDNUMSUB', channel))[1] < n) {
        if (Date.now() > deadline) throw new Error(`fewer than ${n} subscribers on ${channel}`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }

    let a, b, ca, cb
    before(async () => {
      server = await startRedis()
      a = await startNode()
      b = await startNode()
      // The adapters subscribe on start, without waiting: wait for them.
      await shardSubscribers('socket.io#/#', 2)
      ca = await connect(a)
      cb = await connect(b)
    })
    after(async () => {
      await cluster.close()
      await server.stop()
    })

    test('io.emit on one server reaches the client of the other', async () => {
      const onB = nextEvent(cb.client, 'hello')
      const onA = nextEvent(ca.client, 'hello')
      a.io.emit('hello', { from: 'a', n: 1 })
      assert.deepEqual(await onB, [{ from: 'a', n: 1 }])
      assert.deepEqual(await onA, [{ from: 'a', n: 1 }])
    })

    test('a room emit reaches only the room\'s members, across servers (the room\'s own shard channel)', async () => {
      cb.socket.join('room1')
      await shardSubscribers('socket.io#/#room1#', 1)
      const seen = []
      ca.client.on('room-msg', (m) => seen.push(['a', m]))
      const onB = nextEvent(cb.client, 'room-msg')
      a.io.to('room1').emit('room-msg', 'for room1')
      assert.deepEqual(await onB, ['for room1'])
      await new Promise((resolve) => setTimeout(resolve, 100))
      assert.deepEqual(seen, [], 'the client outside the room heard nothing')
    })

    test('binary payloads cross servers (msgpack-encoded messages)', async () => {
      const onB = nextEvent(cb.client, 'bytes')
      a.io.emit('bytes', Buffer.from([0, 0xff, 0x80, 1]))
      const [got] = await onB
      assert.deepEqual(Buffer.from(got), Buffer.from([0, 0xff, 0x80, 1]))
    })

    test('fetchSockets() sees the sockets of both servers', async () => {
      const sockets = await a.io.fetchSockets()
      assert.deepEqual(sockets.map((s) => s.id).sort(), [ca.socket.id, cb.socket.id].sort())
      const inRoom = await a.io.in('room1').fetchSockets()
      assert.deepEqual(inRoom.map((s) => s.id), [cb.socket.id])
    })

    test('serverSideEmit reaches the other server (and its acknowledgement comes back)', async () => {
      b.io.on('ping-server', (payload, ack) => ack(`pong:${payload}`))
      const heard = nextEvent(b.io, 'plain-event')
      a.io.serverSideEmit('plain-event', { n: 2 })
      assert.deepEqual(await heard, [{ n: 2 }])
      const replies = await new Promise((resolve, reject) => {
        a.io.serverSideEmit('ping-server', 'x', (err, r) => err ? reject(err) : resolve(r))
      })
      assert.deepEqual(replies, ['pong:x'])
    })

    test('a room that empties is unsubscribed (delete-room → SUNSUBSCRIBE)', async () => {
      cb.socket.leave('room1')
      const deadline = Date.now() + 5000
      while ((await a.pub.call('PUBSUB', 'SHARDNUMSUB', 'socket.io#/#room1#'))[1] !== 0) {
        assert.ok(Date.now() < deadline, 'still subscribed to the room\'s channel')
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    })
  })
}
