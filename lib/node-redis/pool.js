'use strict'
// node-redis v5's createClientPool(): a pool is first of all a client, the
// pool's own: its commands share one multiplexed connection, so concurrent
// commands do not wait for each other, and blocking commands get
// connections of their own (docs/node-redis.md). What a pool adds is
// isolation: `execute(fn)` hands `fn` a client of its own for a sequence no
// other caller may interleave with (WATCH … MULTI, SELECT-free sessions),
// kept for the next execute once `fn` settles; at most `maximum` at once,
// further executes waiting up to `acquireTimeout`; an idle one beyond
// `minimum` is closed after `cleanupDelay`.

const { TierCacheTypeError, ClosedError, CODES } = require('../errors')
const { UnavailableError } = require('../remote')

const POOL_DEFAULTS = Object.freeze({ minimum: 1, maximum: 100, acquireTimeout: 3000, cleanupDelay: 3000 })

function poolOptions (given) {
  if (given === undefined || given === null) return { ...POOL_DEFAULTS }
  if (typeof given !== 'object' || Array.isArray(given)) {
    throw new TierCacheTypeError('createClientPool(options, poolOptions): poolOptions must be an object', CODES.INVALID_ARGUMENT)
  }
  const out = { ...POOL_DEFAULTS }
  for (const [name, value] of Object.entries(given)) {
    if (!Object.hasOwn(POOL_DEFAULTS, name)) {
      // node-redis's client-side-cache options of a pool are the client's here (clientSideCache).
      if (name === 'clientSideCache' || name === 'unstableResp3ClientSideCache') continue
      throw new TierCacheTypeError(`createClientPool: unknown pool option ${name}`, CODES.INVALID_ARGUMENT)
    }
    if (value === undefined) continue
    if (typeof value !== 'number' || !Number.isInteger(value) || value < (name === 'maximum' ? 1 : 0)) {
      throw new TierCacheTypeError(`createClientPool: poolOptions.${name} must be a whole number${name === 'maximum' ? ' ≥ 1' : ' ≥ 0'}`, CODES.INVALID_ARGUMENT)
    }
    out[name] = value
  }
  if (out.minimum > out.maximum) throw new TierCacheTypeError('createClientPool: poolOptions.minimum is above maximum', CODES.INVALID_ARGUMENT)
  return out
}

/** Makes the pool class over the node-redis client class. */
function makePool (NodeRedisClient) {
  class NodeRedisClientPool extends NodeRedisClient {
    /**
     * @param {object} clientOptions what each client is made with (createClient's, mapped)
     * @param {object} [options] node-redis's pool options
     */
    constructor (clientOptions, options) {
      super(clientOptions)
      this._pool = {
        options: poolOptions(options),
        clientOptions,
        idle: [],
        busy: new Set(),
        opening: 0,
        waiters: [],
        closing: false
      }
    }

    /** Clients the pool holds: its own, and the isolated ones (idle, in use, opening). */
    get totalClients () {
      const p = this._pool
      return 1 + p.idle.length + p.busy.size + p.opening
    }

    /** Isolated clients waiting for the next execute. */
    get idleClients () {
      return this._pool.idle.length
    }

    /** Isolated clients an execute holds. */
    get clientsInUse () {
      return this._pool.busy.size
    }

    /** Executes waiting for a client (all `maximum` in use). */
    get tasksQueueLength () {
      return this._pool.waiters.length
    }

    /**
     * node-redis's execute: `fn(client)` with a client of its own (isolated:
     * its WATCH, MULTI and blocking commands are its own); resolves with
     * what `fn` resolves with. The client goes back to the pool after.
     */
    async execute (fn) {
      if (typeof fn !== 'function') throw new TierCacheTypeError('execute(fn): fn must be a function', CODES.INVALID_ARGUMENT)
      // Without Redis there is nothing to isolate, and another client would
      // have an L1 of its own: fn gets the pool's client.
      if (this._remote === null) {
        if (this._closed) throw new ClosedError('the pool is closed')
        return fn(this)
      }
      const client = await this._acquire()
      try {
        return await fn(client)
      } finally {
        this._release(client)
      }
    }

    _acquire () {
      const p = this._pool
      if (p.closing || this._closed) return Promise.reject(new ClosedError('the pool is closed'))
      const idle = p.idle.pop()
      if (idle !== undefined) {
        clearTimeout(idle.timer)
        p.busy.add(idle.client)
        return Promise.resolve(idle.client)
      }
      if (p.busy.size + p.opening < p.options.maximum) return this._open()
      return new Promise((resolve, reject) => {
        const waiter = { resolve, reject, timer: null }
        waiter.timer = setTimeout(() => {
          p.waiters.splice(p.waiters.indexOf(waiter), 1)
          reject(new UnavailableError(`no client of the pool was free within acquireTimeout (${p.options.acquireTimeout} ms; maximum ${p.options.maximum})`))
        }, p.options.acquireTimeout)
        p.waiters.push(waiter)
      })
    }

    async _open () {
      const p = this._pool
      p.opening++
      const client = new NodeRedisClient(p.clientOptions)
      client.on('error', (err) => this.emit('error', err))
      try {
        await client.connect()
      } catch (err) {
        client.destroy()
        throw err
      } finally {
        p.opening--
      }
      if (p.closing) {
        client.destroy()
        throw new ClosedError('the pool is closed')
      }
      p.busy.add(client)
      return client
    }

    _release (client) {
      const p = this._pool
      p.busy.delete(client)
      if (p.closing || !client.isOpen) {
        client.close().catch(() => {})
        return
      }
      const waiter = p.waiters.shift()
      if (waiter !== undefined) {
        clearTimeout(waiter.timer)
        p.busy.add(client)
        waiter.resolve(client)
        return
      }
      const entry = { client, timer: null }
      // The pool's own client counts toward minimum.
      if (1 + p.idle.length + p.busy.size >= p.options.minimum) {
        entry.timer = setTimeout(() => {
          const at = p.idle.indexOf(entry)
          if (at !== -1) p.idle.splice(at, 1)
          client.close().catch(() => {})
        }, p.options.cleanupDelay)
        entry.timer.unref()
      }
      p.idle.push(entry)
    }

    /** Ends the isolated clients (quit: once their execute settles) and rejects the waiting executes. */
    _closePool (now) {
      const p = this._pool
      p.closing = true
      for (const w of p.waiters.splice(0)) {
        clearTimeout(w.timer)
        w.reject(new ClosedError('the pool is closed'))
      }
      const idle = p.idle.splice(0)
      for (const { timer } of idle) clearTimeout(timer)
      const clients = [...idle.map((e) => e.client), ...(now ? p.busy : [])]
      return Promise.all(clients.map((c) => (now ? c.destroy() : c.close().catch(() => {}))))
    }

    /** node-redis: closes the pool's clients, then its own (commands in flight finish). */
    quit (callback) {
      return this._closePool(false).then(() => super.quit(callback))
    }

    /** node-redis: closes every client at once. */
    destroy () {
      this._closePool(true)
      super.destroy()
    }
  }
  return NodeRedisClientPool
}

module.exports = { makePool, POOL_DEFAULTS }
