'use strict'
// ioredis options with a real redis-server: connectionName is the name of
// the connection (CLIENT SETNAME, again after a reconnection), and a
// process whose client is still connecting stays alive until the attempt
// ends, as with ioredis (a child process; a server that accepts the TCP
// connection and never answers keeps the attempt under way).
// The option table itself: __test__/l1/ioredis-options.test.js.

const { describe, it, before, after } = require('node:test')
const assert = require('node:assert/strict')
const net = require('node:net')
const path = require('node:path')
const { once } = require('node:events')
const Redis = require('ioredis')

const TierCache = require('../..')
const { startRedis } = require('../support/redis-server')
const { startScript } = require('../support/child')

let redis
let io

before(async () => {
  redis = await startRedis()
  io = new Redis({ port: redis.port, lazyConnect: true })
  await io.connect()
})

after(async () => {
  io.disconnect()
  await redis.stop()
})

/** The names of the server's client connections. */
async function clientNames () {
  const list = await io.client('LIST')
  return list.split('\n').map((line) => /name=(\S*)/.exec(line)?.[1]).filter((n) => n)
}

describe('ioredis options with Redis', () => {
  it('connectionName names the connection, and again after a reconnection', async (t) => {
    const cache = new TierCache(redis.url, { connectionName: 'orders-api' })
    t.after(() => cache.quit())
    await cache.connect()
    // Sent before 'ready' on the one ordered connection: in place for the first command.
    assert.equal(await cache.call('client', 'getname'), 'orders-api')
    assert.ok((await clientNames()).includes('orders-api'))
    cache.on('error', () => {})
    const readyAgain = new Promise((resolve) => cache.once('ready', resolve))
    await io.client('KILL', 'SKIPME', 'yes', 'TYPE', 'normal')
    // Commands queued while reconnecting may run before the name is set:
    // the name is in place from 'ready' on.
    await readyAgain
    assert.equal(await cache.call('client', 'getname'), 'orders-api')
  })

  it('a client still connecting keeps the process alive until the attempt ends', async (t) => {
    // Accepts TCP and never answers: the handshake waits for connectTimeout.
    const silent = net.createServer((socket) => socket.on('error', () => {}))
    silent.listen(0, '127.0.0.1')
    await once(silent, 'listening')
    const sockets = []
    silent.on('connection', (s) => sockets.push(s))
    t.after(() => {
      for (const s of sockets) s.destroy()
      silent.close()
    })
    const url = `redis://127.0.0.1:${silent.address().port}`
    const script = startScript(t, path.join(__dirname, '..', 'support', 'fixtures', 'connecting-client.js'),
      { ...process.env, REDIS_URL: url, CONNECT_TIMEOUT: '800' })
    const { code } = await script.exited
    assert.equal(code, 0, script.describeOutput())
    // It lived until the attempt ended (timed out): not cut short while connecting.
    assert.match(script.out.stdout, /exit status=reconnecting/, script.describeOutput())
    assert.ok(sockets.length >= 1, 'the child reached the server')
  })
})
