'use strict'
// Two (or more) socket.io servers over one private redis-server, each with a
// Redis adapter on tiercache clients, and real socket.io-clients: what the
// adapter tests (socketio-adapter, socketio-sharded-adapter) share.

const http = require('node:http')
const { Server } = require('socket.io')
const { io: connectClient } = require('socket.io-client')

/** The arguments of the next `event` of `emitter`, or a rejection after `ms`. */
function nextEvent (emitter, event, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms)
    emitter.once(event, (...args) => {
      clearTimeout(timer)
      resolve(args)
    })
  })
}

/**
 * A cluster whose nodes get `makeAdapter(pub, sub)` over `makeClient()`
 * clients (sub: pub.duplicate()). `startNode()` adds a listening node,
 * `connect(node)` a client of it (resolves { client, socket }), `close()`
 * ends everything.
 */
function socketioCluster (makeClient, makeAdapter) {
  const nodes = []
  const clients = []
  return {
    async startNode () {
      const pub = makeClient()
      const sub = pub.duplicate()
      await pub.connect()
      await sub.connect()
      const httpServer = http.createServer()
      const io = new Server(httpServer, { adapter: makeAdapter(pub, sub) })
      await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve))
      const node = { pub, sub, io, httpServer, port: httpServer.address().port }
      nodes.push(node)
      return node
    },
    async connect (node) {
      const client = connectClient(`http://127.0.0.1:${node.port}`, { transports: ['websocket'], forceNew: true })
      clients.push(client)
      const [socket] = await Promise.all([nextEvent(node.io, 'connection').then(([s]) => s), nextEvent(client, 'connect')])
      return { client, socket }
    },
    async close () {
      for (const c of clients) c.close()
      for (const n of nodes) {
        n.io.close()
        await n.pub.quit()
        await n.sub.quit()
      }
    }
  }
}

module.exports = { nextEvent, socketioCluster }
