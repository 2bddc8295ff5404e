'use strict'
// Write-behind: `set` updates the cache at once and queues the source
// write; a writer receives the queued writes in batches.
//
// - Writes of one key coalesce: only its latest value (or delete) waits.
// - One batch is with the writer at a time, in queue order, so the source
//   sees each key's writes in order.
// - A failed batch is retried with exponential backoff (`retries` times,
//   from `retryDelay` ms, capped at `maxRetryDelay`). When the retries are
//   spent it goes back to the head of the queue (behind nothing, and
//   superseded by any newer write of its keys) and is tried again at the
//   next flush: writes are never dropped. 'writeError' reports each failure.
// - The queue holds at most `maxQueue` keys: past that, `set` waits for room
//   (whenFull 'wait', the default) or fails with ERR_TIERCACHE_QUEUE_FULL
//   (whenFull 'reject').
// - flush() resolves once everything queued before it is written (a write
//   superseded since is written when its newer write is); close() stops
//   taking writes and drains the queue. While either waits on a failing
//   writer, the retry timer holds the process open.
// - A script that just ends (its event loop empties, Node emits
//   'beforeExit') drains the queue first: the writes reach the writer
//   without a close(). A writer still failing after its `retries` gets no
//   further round at exit (the process must end): the writes still queued
//   are reported as a 'TIERCACHE_WRITE_BEHIND_LOST' process warning. Not on
//   process.exit() or a signal: there, call close() (the demo does on SIGTERM).

const { EventEmitter } = require('node:events')
const args = require('../args')
const { shown } = args
const { TierCacheTypeError, TierCacheRangeError, QueueFullError, ClosedError, CODES, fromNative } = require('../errors')
const store = require('./store')
const { ms } = require('./options')
const { stateOf } = require('./state')

const DEFAULTS = Object.freeze({
  batchSize: 100,
  flushInterval: 1000,
  maxQueue: 10_000,
  retries: 3,
  retryDelay: 100,
  maxRetryDelay: 30_000,
  whenFull: 'wait',
  ttl: undefined
})

function positive (value, name) {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new TierCacheRangeError(`writeBehind: ${name} must be a positive integer, got ${shown(value)}`, CODES.INVALID_ARGUMENT)
  }
  return value
}

function resolveOptions (options) {
  if (options === null || typeof options !== 'object') throw new TierCacheTypeError('writeBehind(options): options must be an object with a writer', CODES.INVALID_ARGUMENT)
  for (const k of Object.keys(options)) {
    if (k !== 'writer' && !(k in DEFAULTS)) throw new TierCacheTypeError(`writeBehind: unknown option ${JSON.stringify(k)}`, CODES.INVALID_ARGUMENT)
  }
  if (typeof options.writer !== 'function') throw new TierCacheTypeError('writeBehind: writer must be a function (batch) => Promise', CODES.INVALID_ARGUMENT)
  const o = { ...DEFAULTS }
  for (const k of Object.keys(options)) if (options[k] !== undefined) o[k] = options[k]
  positive(o.batchSize, 'batchSize')
  positive(o.flushInterval, 'flushInterval')
  positive(o.maxQueue, 'maxQueue')
  if (o.retries !== 0) positive(o.retries, 'retries')
  positive(o.retryDelay, 'retryDelay')
  positive(o.maxRetryDelay, 'maxRetryDelay')
  if (o.whenFull !== 'wait' && o.whenFull !== 'reject') throw new TierCacheTypeError("writeBehind: whenFull must be 'wait' or 'reject'", CODES.INVALID_ARGUMENT)
  o.ttl = ms(o.ttl, 'ttl')
  return o
}

const sleep = (msec) => new Promise((resolve) => setTimeout(resolve, msec))

// The queues holding writes not yet with their writer, drained on
// 'beforeExit'. A queue is in this set only while it has pending writes, so
// the set keeps no idle queue (nor its cache) alive.
const pending = new Set()
let exitHookInstalled = false

function drainAtExit () {
  for (const queue of pending) queue._drainAtExit()
}

class WriteBehind extends EventEmitter {
  constructor (cache, options) {
    super()
    this._cache = cache
    this._o = resolveOptions(options)
    /**
     * key → { key, value, op: 'set' | 'del', seq, first }, in queue order
     * (oldest first). `first` is the seq of the oldest write of the key that
     * the item stands for: the writes it coalesced are with the source once
     * it is, and not before (flush() waits for them).
     */
    this._queue = new Map()
    this._seq = 0
    this._running = false
    this._retryTimer = null
    this._closed = false
    this._roomWaiters = []
    this._flushWaiters = []
    this._timer = setInterval(() => this._kick(), this._o.flushInterval)
    this._timer.unref()
    this._stats = stateOf(cache).counters
    // An exit drain failed and no write has succeeded since: no more rounds
    // at exit (beforeExit comes again after every round).
    this._exitFailed = false
  }

  /** Writes queued and not yet with the source (the batch in the writer's hands included). */
  get size () {
    return this._queue.size + (this._inFlight === undefined ? 0 : this._inFlight.length)
  }

  /** SET in the cache now; the source write is queued. Resolves 'OK'. */
  async set (key, value, ttlMs) {
    key = args.toKey(key)
    const ttl = ttlMs === undefined ? this._o.ttl : ms(ttlMs, 'ttl')
    // Encoded once, before anything is queued: a value the cache cannot
    // store is refused here, and the cache write reuses the bytes.
    const [payload, kind] = this._cache._encode(value)
    await this._enqueue(key, value, 'set')
    await this._cacheWrite(() => store.write(this._cache, key, payload, kind, ttl ?? this._cache.options.ttl))
    return 'OK'
  }

  /** DEL in the cache now; the source delete is queued. */
  async del (key) {
    key = args.toKey(key)
    await this._enqueue(key, undefined, 'del')
    await this._cacheWrite(() => this._cache.del(key))
    return 'OK'
  }

  /**
   * The cache update follows the queued write: a failing cache (Redis
   * down) does not lose the write, which is queued already; the stale copy
   * is dropped where possible and the failure reported as 'cacheError'.
   */
  async _cacheWrite (write) {
    try {
      await write()
    } catch (err) {
      this._emitSafely('cacheError', fromNative(err))
    }
  }

  /**
   * Emits without letting a throwing listener stop the queue (a listener's
   * bug must not lose writes): its error becomes a process warning.
   */
  _emitSafely (event, ...rest) {
    try {
      this.emit(event, ...rest)
    } catch (err) {
      process.emitWarning(`a write-behind '${event}' listener threw: ${err && err.message}`, { code: 'TIERCACHE_LISTENER_THREW' })
    }
  }

  async _enqueue (key, value, op) {
    if (this._closed) throw new ClosedError('this write-behind queue is closed')
    while (!this._queue.has(key) && this._queue.size >= this._o.maxQueue) {
      if (this._o.whenFull === 'reject') throw new QueueFullError(`the write-behind queue is full (${this._o.maxQueue} keys)`)
      // Wait in line before kicking: the kick may take a batch (and so make
      // room) at once, and the wake-up of that batch must not be missed.
      const room = new Promise((resolve) => this._roomWaiters.push(resolve))
      this._kick()
      this._holdOpen()
      await room
      if (this._closed) throw new ClosedError('this write-behind queue is closed')
    }
    // Coalesce: the key moves to the back with its latest write, which
    // stands for the older one it replaces.
    const older = this._queue.get(key)
    this._queue.delete(key)
    const seq = ++this._seq
    this._queue.set(key, { key, value, op, seq, first: older === undefined ? seq : older.first })
    pending.add(this)
    if (!exitHookInstalled) {
      exitHookInstalled = true
      process.on('beforeExit', drainAtExit)
    }
    if (this._queue.size >= this._o.batchSize) this._kick()
  }

  /** Resolves when every write queued before this call is with the source. */
  flush () {
    const target = this._seq
    if (this._oldestPending(target) > target) return Promise.resolve()
    const p = new Promise((resolve) => this._flushWaiters.push({ target, resolve }))
    this._kick()
    this._holdOpen()
    return p
  }

  /**
   * Someone awaits the queue (flush, or a set waiting for room): a pending
   * retry must hold the process open, or it could exit with the promise
   * never settled and the writes unwritten.
   */
  _holdOpen () {
    if (this._retryTimer !== null) this._retryTimer.ref()
  }

  /** Stops taking writes and drains the queue (retrying failures as configured). */
  async close () {
    if (!this._closed) {
      this._closed = true
      clearInterval(this._timer)
      for (const wake of this._roomWaiters.splice(0)) wake()
      if (this._retryTimer !== null) {
        // Retry at closing pace, with a timer that holds the process open.
        clearTimeout(this._retryTimer)
        this._retryTimer = null
      }
    }
    await this.flush()
  }

  /**
   * The event loop is empty with writes still queued: one drain round now,
   * under timers that hold the process open (the writer's retries included).
   * When it ends, the loop empties again and Node emits 'beforeExit' anew:
   * a queue drained, or whose round failed, schedules nothing, and the
   * process exits.
   */
  _drainAtExit () {
    if (this._running) return // a batch is with a writer that holds nothing open: it cannot finish
    if (this.size === 0) {
      pending.delete(this)
      return
    }
    if (this._exitFailed) return
    if (this._retryTimer !== null) {
      clearTimeout(this._retryTimer)
      this._retryTimer = null
    }
    this._running = true
    this._drain().then((ok) => {
      this._running = false
      if (ok) return
      this._exitFailed = true
      process.emitWarning(`tiercache writeBehind: ${this.size} queued write(s) did not reach the writer before the process exited ` +
        "(it kept failing; see the 'writeError' events). Call close() before exiting to wait for them.",
      { code: 'TIERCACHE_WRITE_BEHIND_LOST' })
    })
  }

  _kick () {
    if (this._running || this._retryTimer !== null) return
    this._running = true
    this._drain().then((ok) => {
      this._running = false
      if (!ok) {
        // The writer is failing: try again after a pause, not in a loop.
        // While closing, or while anyone awaits the queue (flush, a set
        // waiting for room), the timer keeps the process alive until drained.
        this._retryTimer = setTimeout(() => {
          this._retryTimer = null
          this._kick()
        }, this._closed ? this._o.retryDelay : this._o.flushInterval)
        if (!this._closed && this._flushWaiters.length === 0 && this._roomWaiters.length === 0) this._retryTimer.unref()
        return
      }
      // Writes that came in while the last batch was out.
      if (this._queue.size >= this._o.batchSize || (this._flushWaiters.length > 0 && this._queue.size > 0)) this._kick()
    })
  }

  async _drain () {
    while (this._queue.size > 0) {
      const batch = []
      for (const item of this._queue.values()) {
        batch.push(item)
        if (batch.length === this._o.batchSize) break
      }
      for (const item of batch) this._queue.delete(item.key)
      this._inFlight = batch
      for (const wake of this._roomWaiters.splice(0)) wake()
      const ok = await this._write(batch)
      this._inFlight = undefined
      if (!ok) {
        this._requeue(batch)
        return false
      }
      this._settleFlushes()
    }
    this._settleFlushes()
    pending.delete(this)
    return true
  }

  /** Hands `batch` to the writer, retrying; false when every attempt failed. */
  async _write (batch) {
    const entries = batch.map(({ key, value, op }) => ({ key, value, op }))
    let delay = this._o.retryDelay
    for (let attempt = 0; ; attempt++) {
      try {
        await this._o.writer(entries)
        this._exitFailed = false
        this._stats.writeBehindWrites += entries.length
        return true
      } catch (err) {
        this._stats.writeBehindFailures++
        this._emitSafely('writeError', err, entries, attempt + 1)
        if (attempt >= this._o.retries) return false
      }
      // Full jitter within the current step.
      await sleep(Math.ceil(delay / 2 + Math.random() * delay / 2))
      delay = Math.min(delay * 2, this._o.maxRetryDelay)
    }
  }

  /**
   * A failed batch goes back to the head of the queue, behind any newer
   * write of its keys (which then stands for the failed one).
   */
  _requeue (batch) {
    const rest = this._queue
    this._queue = new Map()
    for (const item of batch) {
      const newer = rest.get(item.key)
      if (newer === undefined) this._queue.set(item.key, item)
      else newer.first = Math.min(newer.first, item.first)
    }
    for (const [k, item] of rest) this._queue.set(k, item)
  }

  /**
   * The seq of the oldest write not yet with the source (Infinity: none).
   * Stops at the first one found at or below `bound` (the queue's head, as
   * a rule): that answer is enough to tell that a flush must wait.
   */
  _oldestPending (bound) {
    let oldest = Infinity
    for (const items of [this._inFlight ?? [], this._queue.values()]) {
      for (const item of items) {
        if (item.first < oldest) oldest = item.first
        if (oldest <= bound) return oldest
      }
    }
    return oldest
  }

  _settleFlushes () {
    if (this._flushWaiters.length === 0) return
    let least = Infinity
    for (const w of this._flushWaiters) least = Math.min(least, w.target)
    const oldest = this._oldestPending(least)
    this._flushWaiters = this._flushWaiters.filter((w) => {
      if (oldest > w.target) {
        w.resolve()
        return false
      }
      return true
    })
  }
}

module.exports = { WriteBehind }
