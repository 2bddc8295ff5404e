'use strict'
// The express-session store: `new TierCacheStore({ cache })`.
//
//   const session = require('express-session')
//   const { TierCacheStore } = require('tiercache/express')
//   app.use(session({ store: new TierCacheStore({ cache }), secret, resave: false, saveUninitialized: false }))
//
// connect-redis's semantics: a session is the key `prefix + sid`, stored
// with a TTL taken from its cookie's expiry (else from the `ttl` option),
// refreshed by `touch`; `ids`, `all`, `length` and `clear` walk the prefix
// with SCAN (never KEYS), its glob characters escaped so that a prefix such
// as `se*ss:` matches only itself.
//
// Sessions are stored as objects, through the cache's codec, in both tiers
// (a sealed write of `sess` for its TTL, below). A session is first reduced to what
// JSON keeps (as express-session's MemoryStore does): its cookie serializes
// to fields that are `undefined`, which the JSON codec refuses rather than
// drops. What is read back is untrusted (another process may have written
// it): the codec drops `"__proto__"` keys, and anything that is not an
// object with a `cookie` object is treated as no session.
//
// Reads, `consistency`:
// - 'strong' (default): with a Redis tier, `get` (and `all`) read Redis
//   itself (`cache.l2.get`), never L1. A logout (`destroy`) on any instance
//   takes effect on every instance at once: the next request anywhere finds
//   no session. While Redis is unreachable, session reads fail (the request
//   gets express-session's error) rather than accept a session that may
//   have been destroyed elsewhere. Without Redis (L1 only, shared by the
//   process's worker threads) reads go to the L1 store, which is then the
//   single source of truth.
// - 'fast': `get` reads through L1 (`cache.get`): repeated reads of a
//   session cost no Redis round trip. A destroy on another instance reaches
//   this one's L1 through Redis's invalidation message, normally within
//   milliseconds; until it arrives the old session is still accepted here.
//   While this instance has lost Redis, L1 keeps serving what it holds for
//   the cache's `offlineGrace` (30 s by default): a logout made elsewhere
//   meanwhile is not seen here until L1 is dropped.
// Writes (set, touch, destroy, clear) always go to Redis when there is one.
//
// A destroyed session stays destroyed: `destroy` replaces it by a seal (a
// string that is never read as a session) that lives as long as the
// session would have (its remaining TTL; `ttl` if it had none), and `set`
// and `touch` write only where there is no seal, checked and written
// atomically (sealed-writes.js). So a request that loaded the session
// before a logout elsewhere and saves it after cannot bring it back, on
// any instance, in either consistency mode, with Redis or L1 alone.
// `clear` seals every session. `ids`, `length` and `all` skip seals.
//
// Errors (Redis down, a timeout, a refused value) reach the callback, and
// reject the promise each method also returns; nothing throws synchronously
// into express-session. A TierCache emits 'error' events for its connection;
// the store does not re-emit them, nor express-session's
// 'connect'/'disconnect' (which would make express-session silently run
// requests without any session while Redis is down).

const { TierCacheError, TierCacheTypeError, TierCacheRangeError, CODES } = require('../errors')
const { escapeGlob } = require('../patterns/namespace')
const { answer } = require('../answer')
const { SealedStep } = require('../../binding.js')
const { sealedWrite } = require('./sealed-writes')

const noop = () => {}

// What a destroyed session's key holds until it would have expired. Stored
// as a string: a session is an object, so never equal to it.
const SEAL = 'tiercache:destroyed-session'

const DEFAULTS = Object.freeze({
  cache: undefined,
  prefix: 'sess:',
  ttl: 86400,
  disableTouch: false,
  consistency: 'strong',
  scanCount: 100
})

const CONSISTENCY = new Set(['strong', 'fast'])
const HINTS = {
  client: ' (TierCacheStore takes the TierCache as `cache`)',
  disableTTL: ' (sessions always have a TTL)',
  serializer: " (sessions go through the cache's codec)"
}
// The last two: the sealed writes (sealed-writes.js) run on a TierCache's internals.
const CACHE_METHODS = ['get', 'set', 'del', 'pexpire', 'scan', 'mget', '_encode', '_forget']


function invalid (message, Class = TierCacheTypeError) {
  return new Class(`TierCacheStore: ${message}`, CODES.INVALID_ARGUMENT)
}

// express-session is an optional peer: loaded by the first constructor call,
// which then makes TierCacheStore a subclass of its Store.
let Store = null
function loadStore () {
  if (Store !== null) return Store
  let session
  try {
    session = require('express-session')
  } catch (err) {
    if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes("'express-session'")) {
      throw new TierCacheError('TierCacheStore needs the express-session package: npm install express-session',
        'MODULE_NOT_FOUND', { cause: err })
    }
    throw err
  }
  if (session == null || typeof session.Store !== 'function') {
    throw new TierCacheError('TierCacheStore: express-session does not export a Store class', CODES.UNSUPPORTED)
  }
  Store = session.Store
  Object.setPrototypeOf(TierCacheStore.prototype, Store.prototype)
  Object.setPrototypeOf(TierCacheStore, Store)
  return Store
}

function resolveOptions (options) {
  if (options === undefined || options === null) throw invalid('options with a `cache` are required')
  if (typeof options !== 'object' || Array.isArray(options)) throw invalid('options must be an object')
  for (const k of Object.keys(options)) {
    if (!(k in DEFAULTS)) throw invalid(`unknown option ${JSON.stringify(k)}${HINTS[k] ?? ''}`)
  }
  const o = { ...DEFAULTS }
  for (const k of Object.keys(options)) if (options[k] !== undefined) o[k] = options[k]
  const c = o.cache
  if (c === undefined || c === null || typeof c !== 'object' || !CACHE_METHODS.every((m) => typeof c[m] === 'function')) {
    throw invalid('options.cache must be a TierCache')
  }
  if (typeof o.prefix !== 'string') throw invalid('options.prefix must be a string')
  if (typeof o.ttl === 'number') {
    if (!Number.isFinite(o.ttl) || o.ttl <= 0) throw invalid(`options.ttl must be a positive number of seconds, got ${o.ttl}`, TierCacheRangeError)
  } else if (typeof o.ttl !== 'function') {
    throw invalid('options.ttl must be a number of seconds or a function (sess) => seconds')
  }
  if (typeof o.disableTouch !== 'boolean') throw invalid('options.disableTouch must be a boolean')
  if (typeof o.consistency !== 'string') throw invalid("options.consistency must be 'strong' or 'fast'")
  if (!CONSISTENCY.has(o.consistency)) throw invalid(`options.consistency must be 'strong' or 'fast', got ${JSON.stringify(o.consistency)}`, TierCacheRangeError)
  if (typeof o.scanCount !== 'number') throw invalid('options.scanCount must be a positive integer')
  if (!Number.isSafeInteger(o.scanCount) || o.scanCount < 1) throw invalid(`options.scanCount must be a positive integer, got ${o.scanCount}`, TierCacheRangeError)
  return o
}

function checkSid (sid) {
  if (typeof sid !== 'string' || sid.length === 0) throw invalid('a session id must be a non-empty string')
}

/** Whether a value read back can be handed to express-session as a session. */
function isSession (value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value) &&
    value.cookie !== null && typeof value.cookie === 'object' && !Array.isArray(value.cookie)
}

class TierCacheStore {
  /**
   * @param {object} options
   * @param {import('../..').TierCache} options.cache the cache (L1 only, or with Redis)
   * @param {string} [options.prefix='sess:'] prepended to session ids (after the cache's keyPrefix in Redis)
   * @param {number | ((sess: object) => number)} [options.ttl=86400] seconds, for sessions whose cookie has no expiry
   * @param {boolean} [options.disableTouch=false] touch does nothing (sessions expire at their last save)
   * @param {'strong' | 'fast'} [options.consistency='strong'] where `get` reads (see the top of this file)
   * @param {number} [options.scanCount=100] SCAN's COUNT for ids / all / length / clear
   */
  constructor (options) {
    const Base = loadStore()
    Base.call(this)
    const o = resolveOptions(options)
    this.cache = o.cache
    this.prefix = o.prefix
    this.ttl = o.ttl
    this.disableTouch = o.disableTouch
    this.consistency = o.consistency
    this.scanCount = o.scanCount
    this._pattern = escapeGlob(o.prefix) + '*'
    // How long a seal lives when the session had no TTL (never, normally).
    this._sealMs = typeof o.ttl === 'number' ? Math.ceil(o.ttl * 1000) : DEFAULTS.ttl * 1000
  }

  /** Destroys the session at `key`: seals it if it exists. */
  _seal (key) {
    return sealedWrite(this.cache, SealedStep.Seal, key, undefined, SEAL, this._sealMs)
  }

  /** Where reads go: Redis itself ('strong' with a Redis tier) or through L1. */
  get _readsRedis () {
    return this.consistency === 'strong' && this.cache.hasRedis === true
  }

  /** A value read back, as a session express-session may mutate, or null. */
  _session (value) {
    if (!isSession(value)) return null
    // With frontObjects, cache.get hands out one shared instance per key;
    // express-session mutates what it gets (sess.cookie = new Cookie(…)).
    if (!this._readsRedis && this.cache.options != null && this.cache.options.frontObjects === true) {
      return structuredClone(value)
    }
    return value
  }

  /**
   * The TTL in ms for `sess`: until its cookie expires, else the `ttl`
   * option. Zero or less: the session must not be stored.
   */
  _ttlMs (sess) {
    const expires = sess.cookie != null ? sess.cookie.expires : undefined
    if (expires != null) {
      // A Date, or its JSON text / ms; anything else (a BigInt, an object) is no date.
      const at = expires instanceof Date ? expires.getTime() : typeof expires === 'string' || typeof expires === 'number' ? new Date(expires).getTime() : NaN
      if (Number.isFinite(at)) return at - Date.now()
    }
    const seconds = typeof this.ttl === 'function' ? this.ttl(sess) : this.ttl
    if (typeof seconds !== 'number' || Number.isNaN(seconds) || seconds === Infinity) {
      // An async ttl function: refused, its promise marked handled (its rejection must not end the process).
      if (seconds !== null && typeof seconds === 'object' && typeof seconds.then === 'function') Promise.resolve(seconds).catch(noop)
      throw invalid(`options.ttl(sess) must return a finite number of seconds, got ${typeof seconds === 'number' ? seconds : typeof seconds}`)
    }
    return seconds <= 0 ? 0 : Math.ceil(seconds * 1000)
  }

  get (sid, callback) {
    return answer(callback, async () => {
      checkSid(sid)
      const key = this.prefix + sid
      const value = this._readsRedis ? await this.cache.l2.get(key) : await this.cache.get(key)
      return this._session(value)
    })
  }

  set (sid, sess, callback) {
    return answer(callback, async () => {
      checkSid(sid)
      if (sess === null || typeof sess !== 'object') throw invalid('a session must be an object')
      const ms = this._ttlMs(sess)
      if (ms <= 0) {
        await this._seal(this.prefix + sid)
        return undefined
      }
      // What JSON keeps: toJSON applied (the cookie, Dates), undefined dropped.
      let plain
      try {
        plain = JSON.parse(JSON.stringify(sess))
      } catch (err) {
        // A BigInt, a cycle, a throwing toJSON or getter: refused, the reason kept.
        throw new TierCacheTypeError('TierCacheStore: the session cannot be stored as JSON', CODES.UNENCODABLE, { cause: err })
      }
      // Refused (silently) when the session was destroyed meanwhile.
      await sealedWrite(this.cache, SealedStep.Put, this.prefix + sid, plain, SEAL, ms)
      return undefined
    })
  }

  touch (sid, sess, callback) {
    return answer(callback, async () => {
      if (this.disableTouch) return undefined
      checkSid(sid)
      if (sess === null || typeof sess !== 'object') throw invalid('a session must be an object')
      const ms = this._ttlMs(sess)
      if (ms <= 0) await this._seal(this.prefix + sid)
      else await sealedWrite(this.cache, SealedStep.Retime, this.prefix + sid, undefined, SEAL, ms)
      return undefined
    })
  }

  destroy (sid, callback) {
    return answer(callback, async () => {
      checkSid(sid)
      await this._seal(this.prefix + sid)
      return undefined
    })
  }

  /** Destroys every session (every key under the prefix), in both tiers. */
  clear (callback) {
    return answer(callback, async () => {
      await this._eachPage((keys) => Promise.all(keys.map((key) => this._seal(key))))
      return undefined
    })
  }

  /** How many sessions there are (keys under the prefix, seals skipped). */
  length (callback) {
    return answer(callback, async () => Object.keys(await this.all()).length)
  }

  /** The ids of every session (seals skipped). */
  ids (callback) {
    return answer(callback, async () => Object.keys(await this.all()))
  }

  /**
   * Every session, as express-session's MemoryStore answers `all`: an object
   * (without a prototype) mapping each id to its session.
   */
  all (callback) {
    return answer(callback, async () => {
      const n = this.prefix.length
      const sessions = Object.create(null)
      await this._eachPage(async (keys) => {
        const values = this._readsRedis ? await this.cache.l2.mget(keys) : await this.cache.mget(keys)
        for (let i = 0; i < keys.length; i++) {
          const sess = this._session(values[i])
          if (sess !== null) sessions[keys[i].slice(n)] = sess
        }
      })
      return sessions
    })
  }

  /**
   * Walks the keys under the prefix with SCAN (in Redis when there is a
   * Redis tier, else in L1), calling `fn(keys)` for each page of keys not
   * seen before (SCAN may return a key twice). Resolves with every key seen.
   */
  async _eachPage (fn) {
    const seen = new Set()
    let cursor = '0'
    do {
      const [next, keys] = await this.cache._scanPage(cursor, 'MATCH', this._pattern, 'COUNT', this.scanCount)
      cursor = next
      const fresh = []
      for (const key of keys) {
        if (!seen.has(key) && key.startsWith(this.prefix)) {
          seen.add(key)
          fresh.push(key)
        }
      }
      if (fresh.length > 0) await fn(fresh)
    } while (cursor !== '0')
    return seen
  }
}

module.exports = { TierCacheStore }
