'use strict'
// The Redis side of one cache instance: its connection status (ioredis's
// statuses and events), the commands in flight, and reconnection.
//
// Commands are submitted to the addon with an id and answered in batches
// (one call from the I/O thread per burst of replies); this object maps the
// ids back to promises. The addon reports connection events through the same
// batches, in order with the replies. Reconnecting is decided here, with the
// retry strategy, as in ioredis: the addon only attempts when told.

const util = require('node:util')
const native = require('../binding.js')
const { TierCacheError, TierCacheTypeError, ReplyError, ClosedError, InternalError, CODES, fromNative } = require('./errors')
const { defaultRetryStrategy } = require('./redis-options')
const { sendCommand } = require('./send-command')
const { PubSub } = require('./pubsub')
const { parseMonitorLine } = require('./monitor-line')

const L2_UNAVAILABLE = 'ERR_TIERCACHE_L2_UNAVAILABLE'
const L2_TIMEOUT = 'ERR_TIERCACHE_L2_TIMEOUT'

/** Redis could not be used: not connected, unreachable, or the breaker is open. */
class UnavailableError extends TierCacheError {
  constructor (message, options) {
    super(message, L2_UNAVAILABLE, options)
  }
}
UnavailableError.prototype.name = 'UnavailableError'

/** Redis did not answer within commandTimeout; the command may have run. */
class TimeoutError extends TierCacheError {
  constructor (message) {
    super(message, L2_TIMEOUT)
  }
}
TimeoutError.prototype.name = 'TimeoutError'

/**
 * Why Redis went away (`what`: a connection attempt failed, or the
 * connection was lost), as an Error for `cause`: the transport's own words
 * (redis-rs never puts the password in them) and, when the OS gave an error
 * number, its name in `code` as Node's net errors have it (ECONNREFUSED, …).
 */
function connectionFailure (what, reason) {
  const why = String(reason).replace(/^Redis is unavailable: /, '')
  const err = new Error(`${what}: ${why}`)
  const os = /\(os error (\d+)\)/.exec(why)
  if (os !== null) {
    try {
      err.code = util.getSystemErrorName(-Number(os[1]))
    } catch {}
  }
  return err
}

// While Redis is unreachable the engine says only that; `failure` (the last
// connection failure, if any) tells why and what to check.
function errorFor (code, message, failure) {
  switch (code) {
    case L2_UNAVAILABLE: return failure === null
      ? new UnavailableError(message)
      : new UnavailableError(`${message} (${failure.message}${failure.code === undefined ? '' : `, ${failure.code}`}; ` +
        'check that Redis runs at the configured host and port: tiercache reconnects by itself, and L1 keeps working meanwhile)', { cause: failure })
    case L2_TIMEOUT: return new TimeoutError(message)
    case CODES.REPLY: return new ReplyError(message)
    case CODES.CLOSED: return new ClosedError(message)
    // What this topology cannot do (WATCH or SCAN on a cluster): the message names what to use.
    case CODES.UNSUPPORTED: return new TierCacheTypeError(message, CODES.UNSUPPORTED)
    default: return new InternalError(`tiercache internal error: ${message}`)
  }
}

const noop = () => {}
// A burst longer than this is written in pieces of this many commands as it
// is submitted, when the JS thread writes it itself: Redis starts on the first
// piece while JS is still submitting the rest (as with ioredis, which writes
// every command as it is called). Measured against one write at the tick's
// end, 100 at once (bench/RESULTS.md): EVALSHA 0.90× → 1.27× ioredis,
// pipelines of 100 HGETALL 0.95× → 1.30×, of 100 HSET 1.13× → 1.23×; 8 was no
// better and 32 or 64 lost most of it. Pieces handed to the I/O thread instead
// would wake it each time: then the rest waits for the tick's end.
const EARLY_WRITE_EVERY = 16
const KEEP_ALIVE_MS = 2 ** 31 - 1
const UNHANDLED_ERROR_EVERY_MS = 5000

class Remote {
  /**
   * @param {import('../index').TierCache} cache the owning instance (events are emitted on it)
   * @param {object} config from redis-options.normalizeRedis
   */
  constructor (cache, config) {
    this.cache = cache
    this.config = config
    this.pending = new Map()
    this.nextId = 1
    this.attempts = 0
    this.retryTimer = null
    this.ended = false
    // disconnect(true) asked for the loss now being reported.
    this.dropping = false
    this.readyWaiters = []
    this.lastUnhandledError = 0
    // Why the connection failed or was lost (an Error), until one succeeds.
    this.failure = null
    this.retryStrategy = typeof config.retryStrategy === 'function' ? config.retryStrategy : defaultRetryStrategy
    this.pubsub = new PubSub(this)
    // MONITOR (lib/monitor.js): whether this client monitors, and node-redis's
    // callback for the raw lines (null: ioredis's parsed 'monitor' events).
    this.monitoring = false
    this.monitorLines = null
    this.monitorAttempts = 0
    // Commands are submitted to the addon as they are called and sent when
    // the current burst of JS ends (a microtask), as ioredis's
    // auto-pipelining; a long burst also every EARLY_WRITE_EVERY commands
    // (`unsent` of this tick's), while the addon writes it from this thread
    // (once it does not, -Infinity until the tick's end).
    this.kickScheduled = false
    this.unsent = 0
    this.kick = () => {
      this.kickScheduled = false
      native.tierKick(this.handle)
    }
    // Commands in flight keep the process alive (the addon's wake-up is
    // weak): a referenced timer is the cheapest switch for that.
    this.keepAlive = setInterval(noop, KEEP_ALIVE_MS)
    this.keepAlive.unref()
    const tls = config.tls || {}
    this.deliver = (batch) => this.onBatch(batch)
    this.handle = native.tierOpen(cache._h, {
      host: config.host,
      port: config.port,
      tls: config.tls !== null,
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      rejectUnauthorized: tls.rejectUnauthorized,
      username: config.username,
      password: config.password,
      db: config.db,
      keyPrefix: config.keyPrefix,
      connectTimeout: config.connectTimeout,
      commandTimeout: config.commandTimeout,
      offlineQueue: config.offlineQueue,
      breakerThreshold: config.breaker.threshold,
      breakerCooldown: config.breaker.cooldown,
      offlineGrace: config.offlineGrace,
      healthCheckInterval: config.healthCheckInterval,
      l1Ttl: config.l1Ttl,
      sentinel: config.sentinel ?? undefined,
      cluster: config.cluster ?? undefined
    }, this.deliver)
    // The addon holds the secrets now; nothing here keeps them (not even
    // for util.inspect with customInspect: false).
    this.config = {
      ...config,
      password: undefined,
      hasPassword: config.password !== undefined,
      sentinel: config.sentinel && { ...config.sentinel, password: undefined },
      tls: config.tls === null ? null : { rejectUnauthorized: config.tls.rejectUnauthorized }
    }
  }

  setStatus (status, ...eventArgs) {
    this.cache.status = status
    this.holdOpen()
    if (status !== 'connecting' && status !== 'wait') this.cache.emit(status, ...eventArgs)
  }

  /** Starts connecting unless already connecting or connected. */
  connect () {
    const status = this.cache.status
    if (this.ended) return
    if (status === 'connecting' || status === 'connect' || status === 'ready') return
    if (this.retryTimer !== null) {
      clearTimeout(this.retryTimer)
      this.retryTimer = null
    }
    this.cache.status = 'connecting'
    this.holdOpen()
    native.tierConnect(this.handle)
  }

  /**
   * ioredis's `disconnect(true)`: drops the shared connection now and
   * reconnects by retryStrategy ('close', 'reconnecting', then 'ready'),
   * without an 'error' event. Commands in flight on it fail as on a loss.
   */
  dropConnection () {
    if (this.ended || this.cache.status !== 'ready') return
    this.dropping = true
    native.tierDropConnection(this.handle)
  }

  /** Opens the MONITOR stream (lib/monitor.js); resolves once Redis confirmed it, then 'monitoring'. */
  startMonitor () {
    this.monitoring = true
    this.holdOpen()
    return this.call((id) => native.tierMonitor(this.handle, id)).then(() => {
      this.monitorAttempts = 0
      this.cache.emit('monitoring')
    }, (err) => {
      this.monitoring = false
      this.holdOpen()
      throw err
    })
  }

  /** The MONITOR connection was lost: opened again after the retry strategy's delay, until closed. */
  monitorLost (why) {
    this.emitError(new UnavailableError(`the MONITOR connection was lost: ${why}`))
    const delay = this.retryDelay(++this.monitorAttempts)
    if (this.ended || delay === null) {
      this.monitoring = false
      this.holdOpen()
      return
    }
    const timer = setTimeout(() => {
      if (this.ended) return
      this.startMonitor().catch((err) => this.monitorLost(err.message))
    }, delay)
    timer.unref()
  }

  /** CLIENT SETNAME (ioredis's connectionName); a refusal is an 'error' event, not a failed connection. */
  setName (name) {
    sendCommand(this.cache, 'client', ['SETNAME', name], false).catch((err) => this.emitError(err))
  }

  /** Resolves when ready; rejects if the attempt under way fails. */
  whenReady () {
    if (this.cache.status === 'ready') return Promise.resolve()
    if (this.ended) return Promise.reject(new ClosedError('the connection to Redis was ended'))
    return new Promise((resolve, reject) => {
      this.readyWaiters.push({ resolve, reject })
      this.holdOpen()
      this.connect()
    })
  }

  /**
   * Keeps the process alive exactly while someone awaits Redis, a
   * connection attempt is under way (as ioredis's socket does: a script
   * that only constructs a client does not exit before the attempt ends),
   * or the client listens to channels or monitors (as an ioredis
   * subscriber's or monitor's socket).
   */
  holdOpen () {
    const listening = this.pubsub !== undefined && (this.pubsub.count > 0 || this.monitoring) && !this.ended
    if (this.pending.size > 0 || this.readyWaiters.length > 0 || this.cache.status === 'connecting' || listening) this.keepAlive.ref()
    else this.keepAlive.unref()
  }

  settleWaiters (error) {
    const waiters = this.readyWaiters
    this.readyWaiters = []
    this.holdOpen()
    for (const w of waiters) {
      if (error === undefined) w.resolve()
      else w.reject(error)
    }
  }

  /**
   * Submits a command: `submit(id)` calls the addon, `map` turns the reply
   * into the user's value, and `fallback` (offlineMode 'local') answers from
   * L1 when Redis is unavailable.
   */
  call (submit, map, fallback) {
    if (this.ended && !this.cache._closed) {
      // retryStrategy gave up: Redis is unavailable for good; L1 still works.
      if (fallback !== undefined && this.config.offlineMode === 'local') return new Promise((resolve) => resolve(fallback()))
      return Promise.reject(errorFor(L2_UNAVAILABLE, 'the connection to Redis was ended (retryStrategy gave up)', this.failure))
    }
    if (this.cache.status === 'wait') this.connect()
    const id = this.nextId
    this.nextId = id >= 0x7fffffff ? 1 : id + 1
    return new Promise((resolve, reject) => {
      try {
        submit(id)
      } catch (err) {
        reject(fromNative(err))
        return
      }
      this.pending.set(id, { resolve, reject, map, fallback })
      if (this.pending.size === 1) this.holdOpen()
      if (!this.kickScheduled) {
        this.kickScheduled = true
        this.unsent = 1
        queueMicrotask(this.kick)
      } else if (++this.unsent >= EARLY_WRITE_EVERY) {
        this.unsent = native.tierKick(this.handle) ? 0 : -Infinity
      }
    })
  }

  /**
   * GET `key` (getBuffer with `buffer`); `fill` backfills L1 with the
   * value's remaining TTL. Arguments as for `call`.
   */
  get (key, buffer, fill, map, fallback) {
    return this.call((id) => native.tierGet(this.handle, id, key, buffer, fill), map, fallback)
  }

  onBatch (batch) {
    for (let i = 0; i < batch.length; i += 3) {
      const id = batch[i]
      const code = batch[i + 1]
      const value = batch[i + 2]
      if (id === 0) {
        this.onEvent(code, value)
        continue
      }
      const p = this.pending.get(id)
      if (p === undefined) continue
      this.pending.delete(id)
      if (code === null) {
        let result
        try {
          result = p.map === undefined ? value : p.map(value)
        } catch (err) {
          p.reject(err)
          continue
        }
        p.resolve(result)
      } else if (code === L2_UNAVAILABLE && p.fallback !== undefined && this.config.offlineMode === 'local') {
        try {
          p.resolve(p.fallback())
        } catch (err) {
          p.reject(err)
        }
      } else {
        p.reject(errorFor(code, value, this.failure))
      }
    }
    if (this.pending.size === 0) this.holdOpen()
  }

  onEvent (name, value) {
    switch (name) {
      case 'connected':
        // Replies are read on this thread from now on (see tierReadHere).
        native.tierReadHere(this.handle, this.deliver)
        this.failure = null
        this.attempts = 0
        this.setStatus('connect')
        // Sent before 'ready': on the one ordered connection, it runs before
        // any command sent once ready (and again on every reconnection).
        if (this.config.connectionName !== undefined) this.setName(this.config.connectionName)
        this.setStatus('ready')
        this.settleWaiters()
        break
      case 'connect-failed':
        this.failure = connectionFailure('the last connection attempt failed', value)
        this.emitError(new UnavailableError(value))
        this.settleWaiters(new UnavailableError(value))
        this.scheduleReconnect()
        break
      case 'lost':
        if (this.dropping) {
          // disconnect(true): asked for, so no error; reconnects as after a loss (ioredis).
          this.dropping = false
        } else {
          this.failure = connectionFailure('the connection to Redis was lost', value)
          this.emitError(new UnavailableError(`connection to Redis lost: ${value}`))
        }
        this.scheduleReconnect()
        break
      case 'invalidate':
        this.cache._onInvalidate(value)
        this.cache.emit('invalidate', value)
        break
      case 'offline-flush':
        break
      case 'pubsub':
        this.pubsub.deliver(value)
        break
      case 'subscriber-lost':
        this.pubsub.lost()
        break
      case 'monitor':
        if (this.monitorLines !== null) {
          this.monitorLines(value)
        } else {
          const m = parseMonitorLine(value)
          if (m !== null) this.cache.emit('monitor', m.time, m.args, m.source, m.database)
        }
        break
      case 'monitor-lost':
        this.monitorLost(value)
        break
      default:
        break
    }
  }

  /** 'error' without a listener would throw (and crash): say it once in a while instead, as ioredis does. */
  emitError (err) {
    if (this.cache.listenerCount('error') > 0) {
      this.cache.emit('error', err)
      return
    }
    const now = Date.now()
    if (now - this.lastUnhandledError >= UNHANDLED_ERROR_EVERY_MS) {
      this.lastUnhandledError = now
      console.error(`[tiercache] Unhandled error event: ${err.message}`)
    }
  }

  /**
   * retryStrategy's delay in ms before attempt `attempt`, or null when it
   * gives up (not a finite delay ≥ 0) or throws (`thrown` gets the error).
   * The connection, the resubscription and MONITOR ask it the same way.
   */
  retryDelay (attempt, thrown) {
    let delay
    try {
      delay = this.retryStrategy(attempt)
    } catch (err) {
      if (thrown !== undefined) thrown(err)
      return null
    }
    return typeof delay === 'number' && Number.isFinite(delay) && delay >= 0 ? delay : null
  }

  scheduleReconnect () {
    if (this.ended) return
    this.setStatus('close')
    const delay = this.retryDelay(++this.attempts, (err) => this.emitError(err))
    if (delay === null) {
      // The strategy gave up: as ioredis, the status becomes 'end'. L1 keeps serving.
      this.ended = true
      native.tierClose(this.handle)
      this.setStatus('end')
      this.settleWaiters(new ClosedError('the connection to Redis was ended by retryStrategy'))
      return
    }
    this.setStatus('reconnecting', delay)
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      this.connect()
    }, delay)
    this.retryTimer.unref()
  }

  /**
   * Waits for commands in flight (subscription requests included), then
   * closes the connections. Blocking commands end at once (they reject
   * with ClosedError): they could wait forever.
   */
  async close () {
    if (this.retryTimer !== null) {
      clearTimeout(this.retryTimer)
      this.retryTimer = null
    }
    native.tierCloseBlocking(this.handle)
    if (this.pending.size > 0) {
      await Promise.allSettled([...this.pending.values()].map((p) => new Promise((resolve) => {
        const { resolve: res, reject: rej } = p
        p.resolve = (v) => { res(v); resolve() }
        p.reject = (e) => { rej(e); resolve() }
      })))
    }
    this.closeNow()
  }

  closeNow () {
    if (this.retryTimer !== null) {
      clearTimeout(this.retryTimer)
      this.retryTimer = null
    }
    this.ended = true
    native.tierClose(this.handle)
    this.settleWaiters(new ClosedError())
    this.keepAlive.unref()
  }

  watchInvalidations (on) {
    native.tierWatchInvalidations(this.handle, on)
  }

  stats () {
    return native.tierStats(this.handle)
  }

  /** What util.inspect shows: never the password. */
  describe () {
    const c = this.config
    return {
      host: c.host,
      port: c.port,
      db: c.db,
      username: c.username,
      password: c.hasPassword ? '<redacted>' : undefined,
      tls: c.tls !== null,
      keyPrefix: c.keyPrefix
    }
  }
}

module.exports = { Remote, UnavailableError, TimeoutError, L2_UNAVAILABLE, L2_TIMEOUT }
