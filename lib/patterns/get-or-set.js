'use strict'
// Cache-aside in one call: getOrSet(key, loader, options) (alias wrap).
//
// - A fresh entry in L1 answers at once (no microtask beyond the returned
//   promise), from a per-instance front of parsed entries when it holds
//   the key (readFast). Otherwise one read (L1, then Redis) runs per key at a time in
//   this instance, and one loader call: concurrent callers share both.
// - `lock`: instances share one loader call through a Redis lease; the
//   others are woken by Redis's invalidation message when the value lands
//   (or the lease goes), with the lease's remaining time as a backstop, and
//   load themselves if the holder takes longer than `lock.wait`.
// - `grace`: an entry is kept `grace` ms past its ttl. A stale entry is
//   served when the loader fails, or at once / after `softTimeout` while
//   the reload goes on in the background.
// - `hardTimeout` aborts the loader's AbortSignal and fails the call.
// - `refreshAhead`: a hit close to the end of its ttl starts one background
//   reload, so that hot keys do not expire under traffic.
// - Redis failures never fail a getOrSet: a failed read is a miss, a failed
//   store is counted and the loaded value is returned.
// - Redis time is bounded: the call's Redis steps share one commandTimeout
//   (budget.js), past which a read is a miss, the lock is skipped and the
//   loader runs; the store and the lease release are never waited for.

const crypto = require('node:crypto')
const native = require('../../binding.js')
const { LeaseStep } = native
const { MISS: FRONT_MISS } = require('../front')
const args = require('../args')
const { TierCacheTypeError, LoaderTimeoutError, ClosedError, CODES, fromNative } = require('../errors')
const envelope = require('./envelope')
const store = require('./store')
const tags = require('./tags')
const { resolve } = require('./options')
const { stateOf } = require('./state')
const { RedisBudget } = require('./budget')

const LOCK_PREFIX = '__tc:lock:'
/** Sentinel: no usable value in the entry. */
const MISS = Symbol('miss')
/** Sentinel: the tag generations could not be read in time (the value is then not stored). */
const NO_GENS = Symbol('no generations')
const noop = () => {}

/** What the loader gets: the key, an AbortSignal, the stale value if any, and a ttl it may change. */
class LoaderContext {
  constructor (key, signal, ttl, stale) {
    this.key = key
    this.signal = signal
    /** ms; the loader may set it from its result (0: do not cache this one). */
    this.ttl = ttl
    /** The previous value, when a stale one is held (grace), else undefined. */
    this.stale = stale
  }
}

/** An Error rebuilt from a cached loader failure (cacheErrors). */
function cachedError (info) {
  const err = new Error(info && typeof info.message === 'string' ? info.message : 'cached loader error')
  if (info && typeof info.name === 'string') err.name = info.name
  if (info && info.code !== undefined) err.code = info.code
  err.cached = true
  return err
}

/** ms from `now` at which `env` should be reloaded ahead of its expiry, or Infinity. */
function refreshAt (env, ahead) {
  if (ahead === undefined || env.staleAt === 0) return Infinity
  if (ahead < 1) return env.createdAt + (env.staleAt - env.createdAt) * ahead
  return env.staleAt - ahead
}

/**
 * The value a fresh entry gives, or MISS. Throws a cached loader error.
 * (Tags are checked by the caller.)
 */
function freshValue (entry, now) {
  if (entry instanceof store.Plain) return entry.value
  if (entry.isStale(now)) return MISS
  if (entry.type === 'e') throw cachedError(entry.value)
  return entry.value
}

class GetOrSet {
  /** `budget`: the Redis time left to the caller (a new commandTimeout when undefined). */
  constructor (cache, key, loader, o, budget) {
    this.cache = cache
    this.key = key
    this.loader = loader
    this.o = o
    this.state = stateOf(cache)
    this.budget = budget ?? new RedisBudget(cache._remote)
  }

  /** The whole slow path of one key: read, then use, wait for or run a load. */
  async run () {
    const { cache, key, o, state } = this
    let entry = null
    try {
      entry = await this.budget.race(store.read(cache, key), () => null)
    } catch {
      // Redis unavailable (or a value that cannot be decoded): load it.
      entry = null
    }
    let stale = MISS
    if (entry !== null) {
      const ok = entry instanceof store.Plain || await this.tagsValid(entry)
      const now = Date.now()
      if (ok) {
        const v = freshValue(entry, now)
        if (v !== MISS) {
          this.maybeRefresh(entry, now)
          return v
        }
        if (entry.type !== 'e') stale = entry.value
      } else {
        this.dropInvalid()
      }
    }
    const load = this.startLoad(stale)
    if (stale === MISS) return load.promise
    // Grace: the stale value now (or after softTimeout), unless the loader is quicker.
    return new Promise((resolve) => {
      let done = false
      const serveStale = () => {
        if (done) return
        done = true
        state.counters.staleServed++
        resolve(stale)
      }
      const timer = o.softTimeout > 0 ? setTimeout(serveStale, o.softTimeout) : null
      if (timer === null) serveStale()
      load.promise.then((v) => {
        if (timer !== null) clearTimeout(timer)
        if (!done) {
          done = true
          resolve(v)
        }
      }, () => {
        if (timer !== null) clearTimeout(timer)
        serveStale()
      })
    })
  }

  tagsValid (entry) {
    if (entry.tags === null) return true
    return Promise.resolve(this.budget.race(tags.valid(this.cache, entry.tags), () => false)).catch(() => false)
  }

  /** An entry whose tags were invalidated: gone now, from both tiers. */
  dropInvalid () {
    try {
      const r = store.del(this.cache, [this.key])
      if (r instanceof Promise) r.catch(noop)
    } catch {}
  }

  /** Starts a background reload if `entry` is near its end (refreshAhead). */
  maybeRefresh (entry, now) {
    if (!(entry instanceof envelope.Envelope) || now < refreshAt(entry, this.o.refreshAhead)) return
    if (this.state.loads.has(this.key)) return
    this.state.counters.refreshes++
    const load = this.startLoad(entry.value, { refresh: true })
    load.promise.catch(noop)
  }

  /**
   * The load of this key in flight in this instance, or a new one:
   * { promise } settling with the loaded value.
   */
  startLoad (stale, { refresh = false } = {}) {
    const { state, key } = this
    const current = state.loads.get(key)
    if (current !== undefined) {
      state.counters.coalesced++
      return current
    }
    const load = { promise: null }
    state.loads.set(key, load)
    const startSeq = state.writeSeq
    const useLease = this.o.lock !== null && this.cache._remote !== null && !this.cache._remote.ended
    const body = useLease ? this.leasedLoad(stale, startSeq, refresh) : this.load(stale, startSeq)
    load.promise = body.finally(() => state.loadEnded(key))
    return load
  }

  /** Calls the loader and stores its result. */
  async load (stale, startSeq) {
    const { cache, key, o, state } = this
    // Generations first: an invalidation during the load makes its result stale at once.
    let gens = null
    if (o.tags !== null) gens = await this.budget.race(tags.snapshot(cache, o.tags), () => NO_GENS).catch(() => NO_GENS)
    state.counters.loads++
    const ctx = new LoaderContext(key, null, o.ttl, stale === MISS ? undefined : stale)
    let value
    try {
      value = await callLoader(this.loader, ctx, o.hardTimeout)
    } catch (err) {
      state.counters.loadErrors++
      if (o.cacheErrors !== undefined && !(err instanceof LoaderTimeoutError) && state.mayStore(key, startSeq)) {
        const info = { name: err && err.name, message: err && err.message, code: err && err.code }
        if (gens !== NO_GENS) this.store(info, o.cacheErrors, gens, 'e')
      }
      cache.emit('loaderError', err, key)
      throw err
    }
    if (!state.mayStore(key, startSeq)) return value
    let ttl = ctx.ttl
    if (ttl !== undefined && ttl !== o.ttl) ttl = checkLoaderTtl(ttl)
    if (value === null || value === undefined) {
      if (o.cacheNull === false) return value
      if (typeof o.cacheNull === 'number') ttl = o.cacheNull
    }
    if (ttl === 0 || gens === NO_GENS) return value
    // Not waited for: the value is known; a failed store is counted.
    this.store(value, ttl, gens)
    return value
  }

  /**
   * Stores `value` with its metadata. Encoding errors (a value the codec
   * cannot represent) are thrown to the caller; Redis errors are counted
   * only: the value was loaded, and the cache is an optimisation. Returns
   * the write in flight (never rejecting).
   */
  store (value, ttl, gens, type) {
    const { cache, key, o, state } = this
    let written
    try {
      written = store.writeEntry(cache, key, value, { ttl, grace: type === 'e' ? 0 : o.grace, gens, type })
    } catch (err) {
      throw fromNative(err)
    }
    return Promise.resolve(written).then(noop, () => { state.counters.storeErrors++ })
  }

  /**
   * With `lock`: one instance among all runs the loader. The others wait
   * for its value: woken when Redis reports the key (or the lease) changed,
   * or when the lease should have run out; past `lock.wait` they load.
   */
  async leasedLoad (stale, startSeq, refresh) {
    const { key, o, state } = this
    const leaseKey = LOCK_PREFIX + key
    const token = crypto.randomBytes(12).toString('base64url')
    const giveUpAt = Date.now() + o.lock.wait
    let waited = false
    for (;;) {
      let reply
      try {
        reply = await this.budget.race(this.acquire(leaseKey, token), () => { throw new Error('no lease in time') })
      } catch {
        // Redis unavailable or out of time: no one can coordinate; load here.
        return this.load(stale, startSeq)
      }
      if (reply === -3) return this.loadHoldingLease(leaseKey, token, stale, startSeq, waited, refresh)
      // A refresh that finds someone else refreshing leaves it to them.
      if (refresh) return stale
      const now = Date.now()
      if (now >= giveUpAt) return this.load(stale, startSeq)
      if (!waited) {
        waited = true
        state.counters.lockWaits++
      }
      // -2: the lease just went; -1: a lease without expiry (not ours): wait until giving up.
      const backstop = reply === -2 ? 0 : reply > 0 ? reply + 5 : giveUpAt - now
      await this.waitFor([key, leaseKey], Math.min(backstop, giveUpAt - now))
      const v = await this.readFresh()
      if (v !== MISS) return v
    }
  }

  /**
   * The lease acquire; taken too late (the caller had gone on without it),
   * it is released at once rather than left to block other instances.
   */
  acquire (leaseKey, token) {
    const { cache, o } = this
    const taking = store.lease(cache, LeaseStep.Acquire, leaseKey, token, o.lock.lease)
    taking.then((reply) => {
      if (reply === -3 && this.budget.spent) store.lease(cache, LeaseStep.Release, leaseKey, token, 1).catch(noop)
    }, noop)
    return taking
  }

  async loadHoldingLease (leaseKey, token, stale, startSeq, waited, refresh) {
    const { cache, o } = this
    // The lease is held until the loader ends: extended while it runs long.
    const every = Math.max(1, Math.floor(o.lock.lease / 2))
    const keepAlive = setInterval(() => {
      store.lease(cache, LeaseStep.Extend, leaseKey, token, o.lock.lease).catch(noop)
    }, every)
    try {
      // Someone may have stored it between our read and taking the lease
      // (their store and lease release landing just after our read): read
      // again before loading, or two instances load it. Not for a refresh:
      // the value it would read back is the one it is there to replace.
      if (waited || !refresh) {
        const v = await this.readFresh()
        if (v !== MISS) return v
      }
      return await this.load(stale, startSeq)
    } finally {
      clearInterval(keepAlive)
      store.lease(cache, LeaseStep.Release, leaseKey, token, 1).catch(noop)
    }
  }

  /** The key's fresh value from L1 or Redis, or MISS. */
  async readFresh () {
    let entry
    try {
      entry = await this.budget.race(store.read(this.cache, this.key), () => null)
    } catch {
      return MISS
    }
    if (entry === null) return MISS
    if (!(entry instanceof store.Plain) && !(await this.tagsValid(entry))) return MISS
    return freshValue(entry, Date.now())
  }

  /** Resolves when one of `keys` changes in Redis, or after `ms`. */
  waitFor (keys, ms) {
    const { state, cache } = this
    return new Promise((resolve) => {
      let timer = null
      const wake = () => {
        if (timer === null) return
        clearTimeout(timer)
        timer = null
        for (const k of keys) {
          const set = state.waiters.get(k)
          if (set !== undefined) {
            set.delete(wake)
            if (set.size === 0) state.waiters.delete(k)
          }
        }
        state.waiterCount--
        cache._syncSubscription()
        resolve()
      }
      timer = setTimeout(wake, Math.max(0, ms))
      for (const k of keys) {
        let set = state.waiters.get(k)
        if (set === undefined) state.waiters.set(k, (set = new Set()))
        set.add(wake)
      }
      state.waiterCount++
      cache._syncSubscription()
    })
  }
}

function checkLoaderTtl (ttl) {
  if (ttl === undefined || ttl === 0) return ttl
  if (typeof ttl !== 'number' || !Number.isSafeInteger(ttl) || ttl < 0) {
    throw new TierCacheTypeError(`the loader set ctx.ttl to ${String(ttl)}: use a non-negative integer of ms`, CODES.INVALID_TTL)
  }
  return ttl
}

/** Runs the loader; past `hardTimeout` its signal aborts and the call fails. */
function callLoader (loader, ctx, hardTimeout) {
  const controller = new AbortController()
  ctx.signal = controller.signal
  let result
  try {
    result = Promise.resolve(loader(ctx))
  } catch (err) {
    return Promise.reject(err)
  }
  if (hardTimeout === undefined) return result
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      const err = new LoaderTimeoutError(`the loader of ${JSON.stringify(ctx.key)} did not finish within hardTimeout (${hardTimeout} ms)`)
      controller.abort(err)
      reject(err)
    }, hardTimeout)
    result.then((v) => {
      clearTimeout(timer)
      resolve(v)
    }, (err) => {
      clearTimeout(timer)
      reject(err)
    })
  })
}

/**
 * The parsed entry of `key` for the fast path: from this instance's pattern
 * front (parsed headers of recently read pattern entries, kept true to the
 * store by the same epoch as the `get` front), else from L1. Returns a
 * parsed head ({ type, staleAt, createdAt, tags, body }), a store.Plain, or
 * null. Only text entries (strings, JSON, null) are kept in the front: a hit
 * then costs one decode of the body (a fresh copy per caller) and no call
 * into the addon.
 */
function readFast (cache, key) {
  const front = patternFront(cache)
  if (front !== null) {
    const hit = front.get(key)
    if (hit !== FRONT_MISS) return hit
    if (front.pendingHits >= HIT_FLUSH_EVERY) native.addHits(cache._h, front.takeHits())
  }
  const before = front === null ? 0 : front.seen
  const reply = native.get(cache._h, key)
  if (reply === null) return null
  if (typeof reply === 'string' || !envelope.isMeta(reply[0])) return store.fromReply(reply, cache._codec)
  const head = envelope.parse(reply[0], reply[1])
  if (front !== null && typeof head.body === 'string' && (head.type === 's' || head.type === 'j' || head.type === 'n')) {
    front.fill(key, head, before)
  }
  return head
}

const HIT_FLUSH_EVERY = 1024

/** This instance's front for pattern entries (made on first use), or null with frontSize 0. */
function patternFront (cache) {
  if (cache._patternFront === null && cache.options.frontSize > 0) cache._patternFront = cache._newFront()
  return cache._patternFront
}

/**
 * getOrSet: the fast path (a fresh entry in L1 whose tags L1 can vouch for)
 * inline, the rest through the per-key flight. `budget` (internal: the
 * response cache's) is the Redis time its caller has left.
 */
function getOrSet (cache, key, loader, options, budget) {
  key = args.toKey(key)
  if (typeof loader !== 'function') throw new TierCacheTypeError('getOrSet(key, loader, options): loader must be a function', CODES.INVALID_ARGUMENT)
  const o = resolve(cache, options)
  if (cache._closed) return Promise.reject(new ClosedError())
  const local = readFast(cache, key)
  if (local !== null) {
    if (local instanceof store.Plain) return Promise.resolve(local.value)
    const now = Date.now()
    if ((local.staleAt === 0 || local.staleAt > now) && tags.validLocal(cache, local.tags) === true) {
      if (local.type === 'e') throw cachedError(envelope.bodyValue('e', local.body, cache._codec))
      const value = envelope.bodyValue(local.type, local.body, cache._codec)
      if (o.refreshAhead !== undefined && now >= refreshAt(local, o.refreshAhead)) {
        new GetOrSet(cache, key, loader, o).maybeRefresh(new envelope.Envelope(local.type, value, local.staleAt, local.createdAt, local.tags), now)
      }
      return Promise.resolve(value)
    }
  }
  const state = stateOf(cache)
  let flight = state.flights.get(key)
  if (flight !== undefined) {
    state.counters.coalesced++
    return flight
  }
  flight = new GetOrSet(cache, key, loader, o, budget).run()
  state.flights.set(key, flight)
  const forget = () => {
    if (state.flights.get(key) === flight) state.flights.delete(key)
  }
  flight.then(forget, forget)
  return flight
}

module.exports = { getOrSet }
