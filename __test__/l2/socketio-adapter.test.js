'use strict'
// A real library on tiercache's pub/sub: @socket.io/redis-adapter (ioredis
// flavour) with `createAdapter(pub, pub.duplicate())`, two socket.io servers
// on free ports over one private redis-server, a real socket.io-client on
// each. Cross-server broadcasts, room emits, fetchSockets (PUBSUB NUMSUB,
// requests and responses over pub/sub) and serverSideEmit.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { createAdapter } = require('@socket.io/redis-adapter')

const { startRedis } = require('../support/redis-server')
const { TierCache } = require('../support/helpers')
const { nextEvent, socketioCluster } = require('../support/socketio-cluster')

describe('@socket.io/redis-adapter over tiercache (pub and pub.duplicate() as sub)', () => {
  let server
  const cluster = socketioCluster(() => new TierCache(server.url), (pub, sub) => createAdapter(pub, sub, { requestsTimeout: 3000 }))
  const { startNode, connect } = cluster

  let a, b, ca, cb
  before(async () => {
    server = await startRedis()
    a = await startNode()
    b = await startNode()
    // The adapters subscribe on start: wait until both are on the channel.
    const deadline = Date.now() + 5000
    while ((await a.pub.call('pubsub', 'numsub', 'socket.io-request#/#'))[1] < 2) {
      if (Date.now() > deadline) throw new Error('adapters did not subscribe')
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
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

  test('a room emit reaches only the room\'s members, across servers', async () => {
    cb.socket.join('room1')
    const seen = []
    ca.client.on('room-msg', (m) => seen.push(['a', m]))
    const onB = nextEvent(cb.client, 'room-msg')
    a.io.to('room1').emit('room-msg', 'for room1')
    assert.deepEqual(await onB, ['for room1'])
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.deepEqual(seen, [], 'the client outside the room heard nothing')
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
})
