'use strict'
// A private redis-server for a test suite: started on a free loopback port
// with nothing persisted, stopped when the suite ends. Tests never touch a
// Redis they did not start (port 6379 may belong to someone else).

const { spawn } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const net = require('node:net')

/** A free TCP port on 127.0.0.1, as the kernel hands one out. */
function freePort () {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

/** Sends one inline command and resolves with the first reply line. */
function ask (port, command, timeoutMs = 1000) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    let reply = ''
    const timer = setTimeout(() => socket.destroy(new Error(`redis on ${port}: no reply to ${command}`)), timeoutMs)
    socket.on('connect', () => socket.write(`${command}\r\n`))
    socket.on('data', (chunk) => {
      reply += chunk
      if (reply.includes('\r\n')) {
        clearTimeout(timer)
        socket.end()
        resolve(reply.slice(0, reply.indexOf('\r\n')))
      }
    })
    socket.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
  })
}

/**
 * Starts redis-server (from PATH) on a free port (or `port`: to bring a
 * stopped server back where its clients connect) and waits until it answers
 * PING. Returns { port, url, stop(), kill() }: `stop` shuts it down cleanly,
 * `kill` sends SIGKILL (for crash tests). Extra `args` are passed through.
 */
async function startRedis ({ args = [], startTimeoutMs = 5000, port: wanted } = {}) {
  const port = wanted ?? await freePort()
  // Its own working directory: a SAVE, BGSAVE or CONFIG SET appendonly sent by
  // a test (the fuzzer sends every command) writes there, never into the
  // repository, where the next server would load it at start.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiercache-redis-'))
  const child = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--daemonize', 'no', '--logfile', '', '--dir', dir, ...args
  ], { stdio: ['ignore', 'ignore', 'pipe'] })
  child.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }))
  let exited = null
  child.on('exit', (code, signal) => { exited = { code, signal } })
  const deadline = Date.now() + startTimeoutMs
  for (;;) {
    if (exited) throw new Error(`redis-server exited at start (${JSON.stringify(exited)})`)
    try {
      // With --requirepass, an unauthenticated PING answers NOAUTH: alive too.
      const reply = await ask(port, 'PING', 200)
      if (reply === '+PONG' || reply.startsWith('-NOAUTH')) break
    } catch {}
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`redis-server did not answer PING on port ${port} within ${startTimeoutMs} ms`)
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const gone = new Promise((resolve) => child.once('exit', resolve))
  const finish = async (signal) => {
    if (exited === null) child.kill(signal)
    await gone
  }
  return {
    port,
    pid: child.pid,
    url: `redis://127.0.0.1:${port}`,
    ask: (command) => ask(port, command),
    stop: () => finish('SIGTERM'),
    kill: () => finish('SIGKILL')
  }
}

/**
 * Inside a describe block: a private redis-server and an ioredis client on
 * it, started before the block's tests and stopped after them. Returns
 * `{ server, io }`, filled in once the block's `before` has run.
 */
function useRedisWithClient () {
  const { before, after } = require('node:test')
  const Redis = require('ioredis')
  // `caches`: what useCache opened on this server, closed before it stops
  // (node:test runs `after` hooks in the order they were added, this one
  // first: a cache still open would see its connection lost).
  const redis = { server: null, io: null, caches: [] }
  before(async () => {
    redis.server = await startRedis()
    redis.io = new Redis({ port: redis.server.port, lazyConnect: true })
    await redis.io.connect()
  })
  after(async () => {
    for (const cache of redis.caches) await cache.quit()
    await redis.io.quit()
    await redis.server.stop()
  })
  return redis
}

/**
 * Inside a describe block, after useRedisWithClient: a connected two-level
 * cache on that block's server, with `options`, closed after the block
 * (before the server stops).
 * Returns `{ cache }`, filled in once the block's `before` has run.
 */
function useCache (redis, options = {}) {
  const { before } = require('node:test')
  const TierCache = require('../..')
  const box = { cache: null }
  before(async () => {
    box.cache = new TierCache({ redis: redis.server.url, ...options })
    redis.caches.push(box.cache)
    await box.cache.connect()
  })
  return box
}

module.exports = { startRedis, freePort, useRedisWithClient, useCache }
