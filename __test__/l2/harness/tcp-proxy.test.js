'use strict'
// The fault-injecting TCP proxy used by the Redis-tier tests: a real
// redis-server behind it, ioredis in front, every mode exercised.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const net = require('node:net')
const Redis = require('ioredis')

const { startRedis } = require('../../support/redis-server')
const { startProxy } = require('../../support/tcp-proxy')

let redis
let admin // talks to redis directly, never through a proxy

before(async () => {
  redis = await startRedis()
  admin = new Redis({ port: redis.port, host: '127.0.0.1', lazyConnect: true })
  await admin.connect()
})

after(async () => {
  if (admin) admin.disconnect()
  if (redis) await redis.stop()
})

/** A proxy in front of the suite's redis, closed when the test ends. */
async function proxyFor (t) {
  const proxy = await startProxy({ targetPort: redis.port })
  t.after(() => proxy.close())
  return proxy
}

/**
 * An ioredis client through `proxy`, not yet connected, failing fast: no
 * retries, no offline queue. Its 'error' events are collected in `errors`.
 */
function clientFor (t, proxy, options = {}) {
  const client = new Redis({
    port: proxy.port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    ...options
  })
  client.errors = []
  client.on('error', (err) => client.errors.push(err))
  // (ioredis arms a 2 s timer when disconnecting an already closed client.)
  t.after(() => { if (client.status !== 'end') client.disconnect() })
  return client
}

/** Opens a raw TCP connection; resolves with the socket or rejects with the error. */
function rawConnect (t, port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    t.after(() => socket.destroy())
    socket.once('connect', () => resolve(socket))
    socket.once('error', reject)
  })
}

/** Number of clients connected to the suite's redis (the admin one included). */
async function redisClients () {
  const info = await admin.info('clients')
  return Number(/connected_clients:(\d+)/.exec(info)[1])
}

/** Resolves on the client's next 'close' ('error' events do not reject it). */
const closing = (client) => new Promise((resolve) => client.once('close', resolve))

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `fn` until it returns true (fails after `ms`). */
async function eventually (fn, ms = 1000) {
  const deadline = Date.now() + ms
  while (!(await fn())) {
    if (Date.now() > deadline) assert.fail('condition not met in time')
    await sleep(5)
  }
}

describe('tcp proxy', () => {
  test('starts on a free loopback port and rejects bad arguments', async (t) => {
    const proxy = await proxyFor(t)
    assert.ok(proxy.port > 0 && proxy.port !== redis.port)
    assert.equal(proxy.url, `redis://127.0.0.1:${proxy.port}`)
    assert.equal(proxy.connections(), 0)
    assert.throws(() => proxy.mode('nope'), TypeError)
    assert.throws(() => proxy.mode('delay'), TypeError)
    assert.throws(() => proxy.mode('delay', { ms: -1 }), TypeError)
    await assert.rejects(startProxy({}), TypeError)
  })

  test('pass: commands go through both ways', async (t) => {
    const proxy = await proxyFor(t)
    const client = clientFor(t, proxy)
    await client.connect()
    assert.equal(await client.ping(), 'PONG')
    assert.equal(await client.set('proxy:pass', 'hello'), 'OK')
    assert.equal(await client.get('proxy:pass'), 'hello')
    assert.equal(await admin.get('proxy:pass'), 'hello') // it really reached redis
    assert.equal(proxy.connections(), 1)
    // A large value survives intact, in many chunks each way. (The reply is
    // read off a raw socket: ioredis' parser would arm a 2 s interval for
    // a bulk this size and keep the test process alive.)
    const big = 'xyz'.repeat(400_000)
    await client.set('proxy:big', big)
    assert.equal(await admin.strlen('proxy:big'), big.length)
    const socket = await rawConnect(t, proxy.port)
    socket.write('GET proxy:big\r\n')
    const expected = `$${big.length}\r\n${big}\r\n`
    let reply = ''
    for await (const chunk of socket) {
      reply += chunk
      if (reply.length >= expected.length) break
    }
    assert.ok(reply === expected, 'the big reply came back intact')
    const ended = new Promise((resolve) => client.once('end', resolve))
    client.disconnect()
    await ended
    await eventually(() => proxy.connections() === 0)
  })

  test('delay: each direction is held back by the delay, order kept', async (t) => {
    const ms = 80
    const proxy = await proxyFor(t)
    const client = clientFor(t, proxy)
    await client.connect()
    await client.set('proxy:delay', 'slow')

    await proxy.mode('delay', { ms })
    let start = performance.now()
    assert.equal(await client.get('proxy:delay'), 'slow')
    let elapsed = performance.now() - start
    // Request and reply are each delayed: at least two delays per round trip.
    assert.ok(elapsed >= 2 * ms - 2, `GET took ${elapsed.toFixed(1)} ms, expected >= ${2 * ms} ms`)

    // Pipelined commands come back complete and in order.
    const replies = await Promise.all([1, 2, 3, 4, 5].map((i) => client.incr('proxy:delay:n').then((n) => [i, n])))
    assert.deepEqual(replies.map(([, n]) => n), [1, 2, 3, 4, 5])

    // New connections are delayed too.
    const other = clientFor(t, proxy, { enableReadyCheck: false })
    await other.connect()
    start = performance.now()
    assert.equal(await other.ping(), 'PONG')
    elapsed = performance.now() - start
    assert.ok(elapsed >= 2 * ms - 2, `PING took ${elapsed.toFixed(1)} ms`)

    // Back to pass.
    await proxy.mode('pass')
    assert.equal(await client.get('proxy:delay'), 'slow')
  })

  test('blackhole: commands time out, connections are still accepted, redis sees nothing', async (t) => {
    const proxy = await proxyFor(t)
    const client = clientFor(t, proxy, { commandTimeout: 200 })
    await client.connect()
    assert.equal(await client.ping(), 'PONG')

    await proxy.mode('blackhole')
    await assert.rejects(client.get('proxy:blackhole'), /Command timed out/)
    assert.equal(client.status, 'ready') // silence, not a closed connection

    // New connections are accepted and read, but never answered nor forwarded.
    const before = await redisClients()
    const socket = await rawConnect(t, proxy.port)
    await eventually(() => proxy.connections() === 2)
    let answered = false
    socket.on('data', () => { answered = true })
    socket.write('PING\r\n')
    await sleep(100)
    assert.equal(answered, false)
    assert.equal(socket.destroyed, false)
    assert.equal(await redisClients(), before)
  })

  test('reset: current connections get an RST, new ones are reset on accept', async (t) => {
    const proxy = await proxyFor(t)
    const client = clientFor(t, proxy)
    await client.connect()
    assert.equal(await client.ping(), 'PONG')

    const closed = closing(client)
    await proxy.mode('reset')
    await closed
    assert.ok(client.errors.some((err) => err.code === 'ECONNRESET'),
      `expected ECONNRESET, got ${client.errors.map((e) => e.code || e.message)}`)
    await assert.rejects(client.ping())

    // A new client is reset straight away.
    const late = clientFor(t, proxy)
    await assert.rejects(late.connect())
    assert.ok(late.errors.some((err) => err.code === 'ECONNRESET'),
      `expected ECONNRESET, got ${late.errors.map((e) => e.code || e.message)}`)
    assert.equal(proxy.connections(), 0)

    // Back to pass: clients work again.
    await proxy.mode('pass')
    const fresh = clientFor(t, proxy)
    await fresh.connect()
    assert.equal(await fresh.ping(), 'PONG')
  })

  test('resetAll: resets current connections and keeps the mode', async (t) => {
    const proxy = await proxyFor(t)
    const client = clientFor(t, proxy)
    await client.connect()
    const closed = closing(client)
    proxy.resetAll()
    await closed
    assert.ok(client.errors.some((err) => err.code === 'ECONNRESET'))
    assert.equal(proxy.currentMode(), 'pass')
    const fresh = clientFor(t, proxy)
    await fresh.connect()
    assert.equal(await fresh.ping(), 'PONG')
  })

  test('refuse: connects fail with ECONNREFUSED, then the same port listens again', async (t) => {
    const proxy = await proxyFor(t)
    const { port } = proxy
    const client = clientFor(t, proxy)
    await client.connect()
    assert.equal(await client.ping(), 'PONG')

    const closed = closing(client)
    await proxy.mode('refuse')
    await closed // current connections are dropped
    assert.equal(proxy.connections(), 0)

    await assert.rejects(rawConnect(t, port), { code: 'ECONNREFUSED' })
    const refused = clientFor(t, proxy)
    await assert.rejects(refused.connect())
    assert.ok(refused.errors.some((err) => err.code === 'ECONNREFUSED'),
      `expected ECONNREFUSED, got ${refused.errors.map((e) => e.code || e.message)}`)

    await proxy.mode('pass')
    assert.equal(proxy.port, port)
    const fresh = clientFor(t, proxy)
    await fresh.connect()
    assert.equal(await fresh.ping(), 'PONG')
  })

  test('close: drops connections and pending delayed data, and stops listening', async (t) => {
    const proxy = await startProxy({ targetPort: redis.port })
    const client = clientFor(t, proxy)
    await client.connect()
    await proxy.mode('delay', { ms: 10_000 })
    const pending = client.ping() // stuck in the proxy's delay queue
    const closed = closing(client)
    await proxy.close()
    await closed
    await assert.rejects(pending)
    assert.equal(proxy.connections(), 0)
    await assert.rejects(rawConnect(t, proxy.port), { code: 'ECONNREFUSED' })
    await assert.rejects(proxy.mode('pass'), /closed/)
    await proxy.close() // idempotent
  })

  test('the upstream going away closes the client side', async (t) => {
    const proxy = await proxyFor(t)
    const client = clientFor(t, proxy)
    await client.connect()
    const id = await client.client('ID') // the proxy's upstream connection, as redis sees it
    const closed = closing(client)
    assert.equal(await admin.client('KILL', 'ID', String(id)), 1)
    await closed
    await eventually(() => proxy.connections() === 0)
  })
})
