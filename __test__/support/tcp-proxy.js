'use strict'
// A fault-injecting TCP proxy for tests: sits between a Redis client and a
// real redis-server on loopback and, on demand, delays, swallows, resets or
// refuses traffic. Test support only: no dependencies beyond node core.
//
//   const proxy = await startProxy({ targetPort: redis.port })
//   new Redis(proxy.url)            // talks to redis through the proxy
//   await proxy.mode('delay', { ms: 100 })
//   await proxy.mode('blackhole')
//   await proxy.mode('reset')
//   await proxy.mode('refuse')      // port closed: ECONNREFUSED
//   await proxy.mode('pass')        // listening again on the same port
//   await proxy.close()
//
// Modes apply to existing connections and to new ones:
//   pass      bytes are forwarded both ways.
//   delay     every chunk, in both directions, is delivered `ms` after it
//             arrived (order kept per direction; never earlier).
//   blackhole connections are accepted and client bytes read, but nothing is
//             forwarded either way and nothing is answered: chunks are
//             dropped, including delayed chunks still in flight. A connection
//             accepted in this mode opens no upstream connection, so the
//             server sees nothing. If the server closes a connection while
//             blackholed, the client learns of it only when the mode changes.
//   reset     current connections are reset (TCP RST) on both sides, and new
//             connections are reset as soon as they are accepted.
//   refuse    the listening socket is closed and current connections are
//             destroyed, so connects fail with ECONNREFUSED; switching to any
//             other mode listens again on the same port.
//
// `mode()` returns a promise, resolved once the mode is in force (for
// 'refuse' and for leaving it, once the port is closed / listening again);
// calls are applied in order. Socket errors (EPIPE, ECONNRESET, ...) are
// swallowed: a fault proxy must not crash the test that uses it.

const net = require('node:net')

const MODES = new Set(['pass', 'delay', 'blackhole', 'reset', 'refuse'])

function noop () {}

/** Resets a socket with a TCP RST when it can, else destroys it. */
function rst (socket) {
  if (!socket || socket.destroyed) return
  if (socket.connecting || !socket._handle) {
    socket.destroy()
    return
  }
  try {
    socket.resetAndDestroy()
  } catch {
    socket.destroy()
  }
}

/**
 * Starts a proxy on a free 127.0.0.1 port forwarding to targetHost:targetPort.
 * Returns { port, url, mode(name, options), connections(), resetAll(), close() }.
 */
async function startProxy ({ targetPort, targetHost = '127.0.0.1' } = {}) {
  if (!Number.isInteger(targetPort) || targetPort <= 0 || targetPort > 65535) {
    throw new TypeError(`startProxy: targetPort must be a TCP port, got ${targetPort}`)
  }

  const state = { mode: 'pass', ms: 0 }
  const conns = new Set() // every connection not yet torn down
  let server = null
  let port = 0
  let closed = false
  let chain = Promise.resolve()

  // ---- one proxied connection -------------------------------------------

  function createConn (client) {
    const conn = {
      client,
      upstream: null,
      upstreamStarted: false,
      // Set when the upstream closed while blackholed: what to do to the
      // client once the mode changes.
      pendingUpstreamClose: null,
      dirs: {
        up: { items: [], lastAt: 0, timer: null, ended: false },
        down: { items: [], lastAt: 0, timer: null, ended: false }
      },
      gone: false
    }
    conns.add(conn)

    client.setNoDelay(true)
    client.on('error', noop)
    client.on('data', (chunk) => forward(conn, 'up', chunk))
    client.on('close', (hadError) => onClientClose(conn, hadError))

    if (state.mode !== 'blackhole') ensureUpstream(conn)
    return conn
  }

  function ensureUpstream (conn) {
    if (conn.upstreamStarted || conn.gone) return conn.upstream
    conn.upstreamStarted = true
    const upstream = net.connect({ port: targetPort, host: targetHost })
    conn.upstream = upstream
    upstream.setNoDelay(true)
    upstream.on('error', noop)
    upstream.on('data', (chunk) => forward(conn, 'down', chunk))
    upstream.on('close', (hadError) => onUpstreamClose(conn, hadError))
    return upstream
  }

  function destOf (conn, dir) {
    return dir === 'up' ? ensureUpstream(conn) : conn.client
  }

  function sourceOf (conn, dir) {
    return dir === 'up' ? conn.client : conn.upstream
  }

  function forward (conn, dir, chunk) {
    if (conn.gone || state.mode === 'blackhole') return // dropped
    const d = conn.dirs[dir]
    if (d.ended) return
    const ms = state.mode === 'delay' ? state.ms : 0
    if (ms === 0 && d.items.length === 0) {
      write(conn, dir, chunk)
      return
    }
    const at = Math.max(performance.now() + ms, d.lastAt)
    d.lastAt = at
    d.items.push({ chunk, at })
    schedule(conn, dir)
  }

  function write (conn, dir, chunk) {
    const dest = destOf(conn, dir)
    if (!dest || dest.destroyed || !dest.writable) return
    if (!dest.write(chunk)) {
      // Backpressure: stop reading the source until the destination drains
      // (except when blackholed: client bytes must keep being read).
      const source = sourceOf(conn, dir)
      if (source && !source.destroyed) {
        source.pause()
        dest.once('drain', () => { if (!source.destroyed) source.resume() })
      }
    }
  }

  function schedule (conn, dir) {
    const d = conn.dirs[dir]
    if (d.timer || d.items.length === 0 || conn.gone) return
    const wait = Math.max(0, Math.ceil(d.items[0].at - performance.now()))
    d.timer = setTimeout(() => flush(conn, dir), wait)
    d.timer.unref()
  }

  function flush (conn, dir) {
    const d = conn.dirs[dir]
    d.timer = null
    if (conn.gone) return
    const now = performance.now()
    while (d.items.length > 0 && d.items[0].at <= now) {
      write(conn, dir, d.items.shift().chunk)
    }
    if (d.items.length > 0) schedule(conn, dir)
    else if (d.ended) finishDir(conn, dir)
  }

  function dropQueues (conn) {
    for (const d of Object.values(conn.dirs)) {
      if (d.timer) clearTimeout(d.timer)
      d.timer = null
      d.items.length = 0
      d.lastAt = 0
    }
  }

  // Graceful end of one direction: the destination gets a FIN once every
  // chunk queued for it has been delivered.
  function endDir (conn, dir) {
    const d = conn.dirs[dir]
    d.ended = true
    if (d.items.length === 0) finishDir(conn, dir)
  }

  function finishDir (conn, dir) {
    const dest = dir === 'up' ? conn.upstream : conn.client
    if (dest && !dest.destroyed) dest.end()
    maybeForget(conn)
  }

  function onClientClose (conn, hadError) {
    if (conn.gone) return
    if (hadError || state.mode === 'blackhole' || !conn.upstream) {
      teardown(conn, hadError ? rst : (s) => s && s.destroy())
      return
    }
    endDir(conn, 'up')
  }

  function onUpstreamClose (conn, hadError) {
    if (conn.gone) return
    if (state.mode === 'blackhole') {
      conn.pendingUpstreamClose = { hadError }
      return
    }
    propagateUpstreamClose(conn, hadError)
  }

  function propagateUpstreamClose (conn, hadError) {
    if (hadError) teardown(conn, rst)
    else endDir(conn, 'down')
  }

  function maybeForget (conn) {
    if (conn.client.destroyed && (!conn.upstream || conn.upstream.destroyed)) teardown(conn, noop)
  }

  /** Drops everything queued for `conn` and applies `kill` to both sockets. */
  function teardown (conn, kill) {
    conn.gone = true
    conns.delete(conn)
    dropQueues(conn)
    kill(conn.client)
    if (conn.upstream) kill(conn.upstream)
  }

  // ---- the listening socket ---------------------------------------------

  function onConnection (client) {
    client.on('error', noop)
    if (closed || state.mode === 'refuse') {
      client.destroy()
      return
    }
    if (state.mode === 'reset') {
      rst(client)
      return
    }
    createConn(client)
  }

  function listen () {
    return new Promise((resolve, reject) => {
      const srv = net.createServer(onConnection)
      const onError = (err) => {
        srv.close()
        reject(err)
      }
      srv.once('error', onError)
      srv.listen(port, '127.0.0.1', () => {
        srv.off('error', onError)
        srv.on('error', noop)
        srv.unref()
        server = srv
        port = srv.address().port
        resolve()
      })
    })
  }

  function closeServer () {
    const srv = server
    server = null
    if (!srv) return Promise.resolve()
    return new Promise((resolve) => srv.close(() => resolve()))
  }

  // Brings the listening socket in line with the current mode.
  async function syncListening () {
    const wantListening = !closed && state.mode !== 'refuse'
    if (wantListening && !server) await listen()
    else if (!wantListening && server) await closeServer()
  }

  function enqueue (fn) {
    const run = chain.then(fn)
    chain = run.catch(noop)
    return run
  }

  // ---- public API -------------------------------------------------------

  function mode (name, options = {}) {
    if (!MODES.has(name)) {
      throw new TypeError(`proxy.mode: unknown mode ${JSON.stringify(name)} (one of ${[...MODES].join(', ')})`)
    }
    let ms = 0
    if (name === 'delay') {
      ms = options && options.ms
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
        throw new TypeError(`proxy.mode('delay'): options.ms must be a number >= 0, got ${ms}`)
      }
    }
    if (closed) return Promise.reject(new Error('proxy is closed'))

    const previous = state.mode
    state.mode = name
    state.ms = ms

    if (name === 'blackhole') {
      for (const conn of conns) {
        dropQueues(conn)
        if (!conn.client.destroyed) conn.client.resume()
      }
    } else if (name === 'reset') {
      resetAll()
    } else if (name === 'refuse') {
      for (const conn of [...conns]) teardown(conn, (s) => s && s.destroy())
    } else if (previous === 'blackhole') {
      for (const conn of [...conns]) {
        if (conn.pendingUpstreamClose) propagateUpstreamClose(conn, conn.pendingUpstreamClose.hadError)
      }
    }
    return enqueue(syncListening)
  }

  function resetAll () {
    for (const conn of [...conns]) teardown(conn, rst)
  }

  async function close () {
    if (!closed) {
      closed = true
      for (const conn of [...conns]) teardown(conn, (s) => s && s.destroy())
    }
    await enqueue(syncListening)
  }

  await enqueue(syncListening)

  return {
    get port () { return port },
    get url () { return `redis://127.0.0.1:${port}` },
    mode,
    currentMode: () => state.mode,
    connections: () => [...conns].filter((c) => !c.client.destroyed).length,
    resetAll,
    close
  }
}

module.exports = { startProxy }
