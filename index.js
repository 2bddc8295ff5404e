'use strict'
// The public API: an ioredis-shaped cache over the native L1 store.
// Arguments are parsed here (ioredis varargs, node-redis option objects),
// values are encoded here (codecs), and every command answers with a promise
// or a trailing Node callback. The native binding (binding.js) does the work.

const { EventEmitter } = require('node:events')
const util = require('node:util')

const native = require('./binding.js')
const errors = require('./lib/errors')
const codecs = require('./lib/codec')
const args = require('./lib/args')
const { Front, MISS } = require('./lib/front')
const { ReplyFront } = require('./lib/reply-front')
const redisOptions = require('./lib/redis-options')
const ioredisOptions = require('./lib/ioredis-options')
const { defineScripts } = require('./lib/define-command')
const { Remote, UnavailableError, TimeoutError } = require('./lib/remote')
const twoLevel = require('./lib/two-level')
const commandMethods = require('./lib/command-methods')
const patterns = require('./lib/patterns')
const { answer, settle, checkCallback, splitCallback, noop } = require('./lib/answer')
const { localKeys } = require('./lib/local-keys')
const { takeNodeRedisOptions } = require('./lib/node-redis/options')

const { TierCacheTypeError, TierCacheRangeError, ClosedError, CODES, fromNative } = errors
const { ValueKind } = codecs
const { SetTtl, WriteIf } = native

const DEFAULTS = Object.freeze({
  name: undefined,
  maxEntries: undefined,
  maxBytes: 256 * 1024 * 1024,
  maxValueBytes: 64 * 1024 * 1024,
  ttl: undefined,
  codec: 'json',
  frontSize: 1024,
  frontObjects: false
})

const OPTION_NAMES = new Set(Object.keys(DEFAULTS))

// Hits answered by the front are added to the shared statistics in batches.
const HIT_FLUSH_EVERY = 1024

function positiveInteger (options, name) {
  const v = options[name]
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    throw new TierCacheRangeError(`options.${name} must be a positive integer, got ${args.shown(v)}`, CODES.INVALID_ARGUMENT)
  }
  return v
}

/** The L1 options (Redis connection and behaviour options already split off). */
function resolveOptions (options) {
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.has(key)) throw new TierCacheTypeError(`unknown option ${JSON.stringify(key)}`, CODES.INVALID_ARGUMENT)
  }
  const o = { ...DEFAULTS }
  for (const key of Object.keys(options)) if (options[key] !== undefined) o[key] = options[key]
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name.length === 0)) {
    throw new TierCacheTypeError('options.name must be a non-empty string', CODES.INVALID_ARGUMENT)
  }
  o.maxEntries = positiveInteger(o, 'maxEntries')
  o.maxBytes = positiveInteger(o, 'maxBytes')
  o.maxValueBytes = positiveInteger(o, 'maxValueBytes')
  o.ttl = positiveInteger(o, 'ttl')
  if (o.frontSize !== 0) o.frontSize = positiveInteger(o, 'frontSize')
  if (typeof o.frontObjects !== 'boolean') {
    throw new TierCacheTypeError('options.frontObjects must be a boolean', CODES.INVALID_ARGUMENT)
  }
  return o
}

// Which reply events the native store sends: 'evict' (size) and 'expire';
// and the Redis tier: 'invalidate'.
const STORE_EVENTS = new Set(['evict', 'expire', 'invalidate'])

// Each instance's constructor arguments, for duplicate(): kept out of the
// instance (they may hold the password, which nothing on it shows).
const origins = new WeakMap()

class TierCache extends EventEmitter {
  /**
   * ioredis's forms: (), (options), (url[, options]), (port[, host][, options]).
   * Without any Redis connection option the cache is L1 only.
   * @param {...any} argList see README "Configuration"
   */
  constructor (...argList) {
    super()
    origins.set(this, argList)
    const [given, redisSource] = redisOptions.splitArguments(argList)
    // ioredis's options tiercache accepts without effect are taken out here
    // (refused ones with another value than the default throw).
    const { scripts, ...own } = ioredisOptions.takeIoredisOptions(given)
    // ioredis's `scripts` option: defineCommand for each, before anything is opened.
    if (scripts !== undefined && scripts !== null) defineScripts(this, scripts)
    const redisConfig = redisSource === null ? null : redisOptions.normalizeRedis(redisSource, own)
    // Redis behaviour options without a Redis server are ignored, so that
    // `new TierCache(process.env.REDIS_URL, { keyPrefix, … })` also runs
    // without Redis (L1 only); they are still validated. All but keyPrefix,
    // which still keeps a named store's tenants apart.
    const behaviour = redisConfig ?? redisOptions.normalizeRedis({}, own)
    const o = resolveOptions(redisOptions.stripBehaviour(own))
    // As ioredis's `options`: its defaults, merged with what was given (the
    // connection as normalized, the behaviour, L1's own). Never the
    // password: the addon holds it, nothing in JS keeps it.
    this.options = Object.freeze({
      ...ioredisOptions.ioredisDefaults(),
      ...publicConnection(redisConfig ?? behaviour),
      ...given,
      ...o,
      password: undefined
    })
    this._codec = codecs.resolveCodec(o.codec)
    // With sentinels, `name` is the primary's (as in ioredis), not a store to
    // share: every client of that primary would share one L1 unasked.
    const storeName = redisConfig?.sentinel ? undefined : o.name
    try {
      this._h = native.open({
        name: storeName,
        partition: storeName === undefined ? undefined : redisOptions.partitionOf(redisConfig, behaviour.keyPrefix),
        maxEntries: o.maxEntries,
        maxBytes: o.maxBytes,
        maxValueBytes: o.maxValueBytes,
        ttl: o.ttl
      })
    } catch (err) {
      throw fromNative(err)
    }
    // Every front over this store: `get`'s, and those of other views made
    // on first use (getOrSet's parsed entries, each Express response
    // cache). Our own writes keep them all true (_forget).
    this._fronts = []
    this._front = this._newFront()
    // The generic path's cached replies (lib/reply-front.js), with Redis only.
    this._replyFront = null
    // WATCH (lib/watch.js): this client's pinned connection, and the keys
    // it watches, which L1 does not answer until EXEC or UNWATCH.
    this._pin = null
    this._watched = null
    // multi({ pipeline: false }): the transaction the client's commands queue in (lib/pipeline.js).
    this._queuing = null
    this._frontObjects = o.frontObjects
    this._subscribed = false
    this._closed = false
    // stats() after quit(): the figures taken as the cache closed.
    this._finalStats = undefined
    // The patterns' per-instance state (lib/patterns/state.js) and their
    // front, made on first use.
    this._patterns = null
    this._patternFront = null
    this._decodeReply = twoLevel.decoder(this)
    this.local = new LocalView(this)
    this.l2 = new twoLevel.L2View(this)
    this._remote = null
    if (redisConfig === null) {
      this.status = 'ready'
      // As ioredis, announce readiness on the next tick so listeners attached
      // right after construction hear it.
      process.nextTick(() => {
        if (this.status === 'ready') {
          this.emit('connect')
          this.emit('ready')
        }
      })
      return
    }
    try {
      this._remote = new Remote(this, redisConfig)
      if (this.options.frontSize > 0) {
        this._replyFront = new ReplyFront(native.frontEpoch(this._h), native.lastTtl(this._h), this.options.frontSize)
        this._fronts.push(this._replyFront)
      }
    } catch (err) {
      native.close(this._h)
      throw fromNative(err)
    }
    this.status = 'wait'
    if (!redisConfig.lazyConnect) this._remote.connect()
  }

  /** ioredis's marker: this is not a Cluster client. */
  get isCluster () {
    return false
  }

  /** Whether this instance has a Redis tier. */
  get hasRedis () {
    return this._remote !== null
  }

  _requireRemote () {
    if (this._remote === null) {
      throw new TierCacheTypeError('this cache has no Redis tier (give a Redis URL or host)', CODES.UNSUPPORTED)
    }
  }

  /**
   * Subscribes to the store's evictions and expirations while anyone listens
   * to 'evict' or 'expire' (events cost a cross-thread call each).
   */
  _syncSubscription () {
    if (this._remote !== null && !this._closed) this._remote.watchInvalidations(this.listenerCount('invalidate') > 0 || this._patternsWatch())
    const wanted = !this._closed && this.listenerCount('evict') + this.listenerCount('expire') > 0
    if (wanted === this._subscribed) return
    if (wanted) {
      native.subscribe(this._h, (key, reason) => {
        if (reason === 'expired') this.emit('expire', key)
        else this.emit('evict', key, reason)
      })
    } else {
      native.unsubscribe(this._h)
    }
    this._subscribed = wanted
  }

  // ---- encoding ------------------------------------------------------------

  /** [payload, kind] for a value: raw bytes for strings/Buffers/numbers, codec otherwise. */
  _encode (value) {
    switch (typeof value) {
      case 'string': return [args.wellFormedValue(value), ValueKind.Raw]
      case 'number': case 'bigint': case 'boolean': return [String(value), ValueKind.Raw]
      case 'object':
        if (value === null) break
        if (value instanceof Uint8Array) return [value, ValueKind.Raw]
        return [this._codec.encode(value), this._codec.kind]
      default:
        break
    }
    throw new TierCacheTypeError(
      `value must be a string, Buffer, number, bigint, boolean or an object the codec can encode, got ${value === null ? 'null' : typeof value}`,
      CODES.INVALID_VALUE
    )
  }

  _decode (reply) {
    return typeof reply === 'string' || reply === null ? reply : codecs.decodeTagged(reply, this._codec)
  }

  /**
   * What a read of `key` answers for the addon's `reply`: as `_decode`, and
   * a pattern entry's value while it is fresh and its tags are current
   * (null otherwise; a promise when a tag must be read from Redis).
   */
  _decodeRead (key, reply) {
    if (reply === null || typeof reply === 'string') return reply
    return reply[0] >= ValueKind.MetaText ? patterns.plainGet(this, key, reply) : codecs.decodeTagged(reply, this._codec)
  }

  // ---- synchronous core of each command (throws; wrapped below) -------------

  _get (key) {
    if (typeof key !== 'string' || key.length === 0 || key.length > 21845) key = args.toKey(key)
    const front = this._front
    if (front !== null) {
      // The front holds only keys a native read accepted: checked on a miss.
      const hit = front.get(key)
      if (hit !== MISS) return hit
      args.wellFormedKey(key)
      if (front.pendingHits >= HIT_FLUSH_EVERY) native.addHits(this._h, front.takeHits())
      const before = front.seen
      const reply = native.get(this._h, key)
      if (reply === null) return null
      if (typeof reply === 'string') {
        front.fill(key, reply, before)
        return reply
      }
      if (reply[0] >= ValueKind.MetaText) return patterns.plainGet(this, key, reply)
      const value = codecs.decodeTagged(reply, this._codec)
      if (this._frontObjects) front.fill(key, value, before)
      return value
    }
    return this._decodeRead(key, native.get(this._h, args.wellFormedKey(key)))
  }

  /** A new front over this store (null with frontSize 0), kept true by _forget. */
  _newFront () {
    if (this.options.frontSize === 0) return null
    const front = new Front(native.frontEpoch(this._h), native.lastTtl(this._h), this.options.frontSize)
    this._fronts.push(front)
    return front
  }

  _clearFronts () {
    for (const f of this._fronts) f.clear()
  }

  /** Adds the hits the fronts answered to the store's statistics. */
  _flushFrontHits () {
    for (const f of this._fronts) if (f.pendingHits > 0) native.addHits(this._h, f.takeHits())
  }

  _forget (key) {
    const fronts = this._fronts
    for (let i = 0; i < fronts.length; i++) fronts[i].forget(key)
  }

  _set (key, value, rest) {
    key = args.toKey(key)
    const opts = rest.length === 0 ? null : args.parseSetOptions(rest)
    const [payload, kind] = this._encode(value)
    const reply = opts === null
      ? native.set(this._h, key, payload, kind, SetTtl.Default, 0, WriteIf.Always, false)
      : native.set(this._h, key, payload, kind, opts.mode, opts.ms, opts.condition, opts.get)
    this._forget(key)
    if (opts !== null && opts.get) return this._decode(reply)
    return reply ? 'OK' : null
  }

  _setWithTtl (key, ms, value) {
    key = args.toKey(key)
    const [payload, kind] = this._encode(value)
    native.set(this._h, key, payload, kind, SetTtl.In, ms, WriteIf.Always, false)
    this._forget(key)
    return 'OK'
  }

  _del (keys) {
    keys = args.toKeys(keys)
    for (const k of keys) this._forget(k)
    return native.del(this._h, keys)
  }

  _mset (list) {
    const { keys, values, kinds } = this._msetArguments(list)
    native.mset(this._h, keys, values, kinds)
    for (const k of keys) this._forget(k)
    return 'OK'
  }

  /** MSET's pairs, in any of its forms, as parallel arrays (validated). */
  _msetArguments (list) {
    try {
      return this._msetPairs(list)
    } catch (err) {
      // A hostile object (a throwing getter or ownKeys trap) is the caller's error.
      if (err instanceof errors.TierCacheError) throw err
      throw new TierCacheTypeError(`mset: the pairs cannot be read (${err && err.message})`, CODES.INVALID_ARGUMENT, { cause: err })
    }
  }

  _msetPairs (list) {
    let pairs
    if (list.length === 1 && list[0] instanceof Map) pairs = [...list[0]]
    else if (list.length === 1 && Array.isArray(list[0]) && list[0].every(Array.isArray)) pairs = list[0]
    else if (list.length === 1 && list[0] !== null && typeof list[0] === 'object' && !Array.isArray(list[0])) pairs = Object.entries(list[0])
    else {
      const flat = list.length === 1 && Array.isArray(list[0]) ? list[0] : list
      if (flat.length === 0 || flat.length % 2 !== 0) {
        throw new TierCacheTypeError('mset takes key/value pairs', CODES.INVALID_ARGUMENT)
      }
      pairs = []
      for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]])
    }
    if (pairs.length === 0) throw new TierCacheTypeError('mset takes at least one key/value pair', CODES.INVALID_ARGUMENT)
    const keys = []
    const values = []
    const kinds = []
    for (const [k, v] of pairs) {
      const key = args.toKey(k)
      const [payload, kind] = this._encode(v)
      keys.push(key)
      values.push(payload)
      kinds.push(kind)
    }
    return { keys, values, kinds }
  }

  _incrby (key, amount, decrement) {
    key = args.toKey(key)
    const v = native.incrby(this._h, key, amount, decrement)
    this._forget(key)
    return v
  }

  _expire (command, key, time, unit, relative, rest) {
    key = args.toKey(key)
    const [ms, condition] = args.parseExpireArgs(command, time, unit, rest)
    this._forget(key)
    return native.expire(this._h, key, ms, relative, condition)
  }

  // ---- public commands --------------------------------------------------------

  /** GET: the value, or null. */
  get (key, callback) {
    if (this._remote !== null) return twoLevel.commands.get.call(this, key, callback)
    let value, error
    try {
      value = this._get(key)
    } catch (err) {
      error = fromNative(err)
      // `get(cb)`: as ioredis, the function is the callback and gets the error.
      if (callback === undefined && typeof key === 'function') callback = key
    }
    return settle(value, error, callback)
  }

  /**
   * SET key value [EX s | PX ms | EXAT s | PXAT ms | KEEPTTL] [NX | XX] [GET]
   * Replies 'OK', null when NX/XX refused, or the old value with GET.
   */
  set (key, value, ...rest) {
    const callback = splitCallback(rest)
    let reply, error
    try {
      reply = this._set(key, value, rest)
    } catch (err) {
      error = fromNative(err)
    }
    return settle(reply, error, callback)
  }

  /** Runs `fn` synchronously and answers its result or error the ioredis way. */
  _run (callback, fn) {
    let reply, error
    try {
      checkCallback(callback)
      reply = fn()
    } catch (err) {
      error = fromNative(err)
    }
    return settle(reply, error, callback)
  }

  setex (key, seconds, value, callback) {
    return this._run(callback, () => this._setWithTtl(key, args.toTtlMs(seconds, 1000, 'setex'), value))
  }

  psetex (key, ms, value, callback) {
    return this._run(callback, () => this._setWithTtl(key, args.toTtlMs(ms, 1, 'psetex'), value))
  }

  /** SETNX: 1 when written, 0 when the key existed. */
  setnx (key, value, callback) {
    return this._run(callback, () => (this._set(key, value, ['NX']) === 'OK' ? 1 : 0))
  }

  /** GET as a Buffer of the stored bytes (a new copy each call). */
  getBuffer (key, callback) {
    return this._run(callback, () => native.getBuffer(this._h, args.toKey(key)))
  }

  getdel (key, callback) {
    return this._run(callback, () => {
      key = args.toKey(key)
      this._forget(key)
      return this._decode(native.getdel(this._h, key))
    })
  }

  /** GETEX key [EX s | PX ms | EXAT s | PXAT ms | PERSIST] */
  getex (key, ...rest) {
    const callback = splitCallback(rest)
    return this._run(callback, () => {
      key = args.toKey(key)
      const [mode, ms] = args.parseGetExOptions(rest)
      if (mode !== 0) this._forget(key)
      return this._decode(native.getex(this._h, key, mode, ms))
    })
  }

  /** DEL key [key …]: how many existed. */
  del (...keys) {
    const callback = splitCallback(keys, Infinity)
    return this._run(callback, () => this._del(keys))
  }

  unlink (...keys) {
    const callback = splitCallback(keys, Infinity)
    return this._run(callback, () => this._del(keys))
  }

  /** EXISTS key [key …]: how many of them exist (repeats count again). */
  exists (...keys) {
    const callback = splitCallback(keys, Infinity)
    return this._run(callback, () => native.exists(this._h, args.toKeys(keys)))
  }

  expire (key, seconds, ...rest) {
    const callback = splitCallback(rest)
    return this._run(callback, () => this._expire('expire', key, seconds, 1000, true, rest))
  }

  pexpire (key, ms, ...rest) {
    const callback = splitCallback(rest)
    return this._run(callback, () => this._expire('pexpire', key, ms, 1, true, rest))
  }

  expireat (key, unixSeconds, ...rest) {
    const callback = splitCallback(rest)
    return this._run(callback, () => this._expire('expireat', key, unixSeconds, 1000, false, rest))
  }

  pexpireat (key, unixMs, ...rest) {
    const callback = splitCallback(rest)
    return this._run(callback, () => this._expire('pexpireat', key, unixMs, 1, false, rest))
  }

  /** TTL: seconds left, -1 without expiry, -2 when missing. */
  ttl (key, callback) {
    return this._run(callback, () => native.ttl(this._h, args.toKey(key)))
  }

  pttl (key, callback) {
    return this._run(callback, () => native.pttl(this._h, args.toKey(key)))
  }

  persist (key, callback) {
    return this._run(callback, () => {
      key = args.toKey(key)
      this._forget(key)
      return native.persist(this._h, key)
    })
  }

  incr (key, callback) {
    return this._run(callback, () => this._incrby(key, '1', false))
  }

  decr (key, callback) {
    return this._run(callback, () => this._incrby(key, '1', true))
  }

  incrby (key, increment, callback) {
    return this._run(callback, () => this._incrby(key, args.toAmount(increment), false))
  }

  decrby (key, decrement, callback) {
    return this._run(callback, () => this._incrby(key, args.toAmount(decrement), true))
  }

  /** INCRBYFLOAT: the new value as a string, as Redis replies. */
  incrbyfloat (key, increment, callback) {
    return this._run(callback, () => {
      key = args.toKey(key)
      const v = native.incrbyfloat(this._h, key, args.toAmount(increment))
      this._forget(key)
      return v
    })
  }

  /** MGET key [key …] or mget([keys]): values in order, null for misses. */
  mget (...keys) {
    const callback = splitCallback(keys, Infinity)
    return this._run(callback, () => this._mget(args.toKeys(keys)))
  }

  /** Values of `list`: what the front holds, the rest in one native call. */
  _mget (list) {
    const front = this._front
    let values = list
    let missing = list
    let missingAt = null
    if (front !== null) {
      values = new Array(list.length)
      missing = []
      missingAt = []
      for (let i = 0; i < list.length; i++) {
        const hit = front.get(list[i])
        if (hit === MISS) {
          missing.push(list[i])
          missingAt.push(i)
        } else {
          values[i] = hit
        }
      }
      if (missing.length === 0) return values
    }
    const replies = native.mget(this._h, missing)
    for (let j = 0; j < replies.length; j++) {
      const r = replies[j]
      const v = this._decodeRead(missing[j], r)
      if (missingAt === null) replies[j] = v
      else values[missingAt[j]] = v
    }
    return missingAt === null ? replies : values
  }

  /** MSET k1 v1 k2 v2 …, mset({ k: v }), mset(new Map(…)) or mset([[k, v], …]). */
  mset (...pairs) {
    // An even count is all pairs: a trailing undefined there is a value.
    const callback = splitCallback(pairs, pairs.length % 2 === 0 ? pairs.length : 1)
    return this._run(callback, () => this._mset(pairs))
  }

  /**
   * KEYS pattern (Redis glob). Walks the whole store, in slices with the
   * event loop free between them (lib/local-keys.js): for tooling and
   * tests; use scan in code that runs while serving.
   */
  keys (pattern, callback) {
    return answer(callback, () => localKeys(this, args.toPattern(pattern, 'keys')))
  }

  /** SCAN cursor [MATCH pattern] [COUNT n]: [nextCursor, keys]; '0' when done. */
  scan (cursor, ...rest) {
    const callback = splitCallback(rest)
    return this._run(callback, () => {
      const c = typeof cursor === 'number' && Number.isSafeInteger(cursor) && cursor >= 0 ? String(cursor) : cursor
      if (typeof c !== 'string' || !/^\d+$/.test(c)) throw new TierCacheTypeError('scan cursor must be a non-negative integer or its string', CODES.INVALID_ARGUMENT)
      const { pattern, count } = args.parseScanOptions(rest)
      return native.scan(this._h, c, pattern, count)
    })
  }

  /** Every key matching `options.match`, page by page, as an async iterator. */
  async * scanIterator (options) {
    // Refused through the first next(): a string here would otherwise lend
    // its String.prototype.match to SCAN as a callback.
    if (options === undefined || options === null) options = {}
    if (typeof options !== 'object' || Array.isArray(options)) {
      throw new TierCacheTypeError('scanIterator(options): options must be an object { match, count }', CODES.INVALID_ARGUMENT)
    }
    const match = options.match ?? options.MATCH
    const count = options.count ?? options.COUNT
    if (match !== undefined && typeof match !== 'string') {
      throw new TierCacheTypeError('scanIterator: match must be a string pattern', CODES.INVALID_ARGUMENT)
    }
    if (count !== undefined && typeof count !== 'number' && typeof count !== 'string') {
      throw new TierCacheTypeError('scanIterator: count must be a number', CODES.INVALID_ARGUMENT)
    }
    const rest = []
    if (match !== undefined) rest.push('MATCH', match)
    if (count !== undefined) rest.push('COUNT', count)
    let cursor = '0'
    do {
      const [next, keys] = await this._scanPage(cursor, ...rest)
      for (const k of keys) yield k
      cursor = next
    } while (cursor !== '0')
  }

  flushall (...rest) {
    const callback = splitCallback(rest)
    return this._run(callback, () => {
      native.flush(this._h)
      this._clearFronts()
      return 'OK'
    })
  }

  flushdb (...rest) {
    return this.flushall(...rest)
  }

  dbsize (callback) {
    return this._run(callback, () => native.dbsize(this._h))
  }

  /** PING: 'PONG' (from Redis when there is a Redis tier). */
  ping (...rest) {
    const callback = splitCallback(rest)
    return this._run(callback, () => {
      if (this._closed) throw new ClosedError()
      return 'PONG'
    })
  }

  /**
   * Counters of the (possibly shared) L1 store. Synchronous. After quit():
   * the figures as they were when the cache closed.
   */
  stats () {
    if (this._finalStats !== undefined) {
      const f = this._finalStats
      return { ...f, l1: { ...f.l1 }, l2: f.l2 === null ? null : { ...f.l2, status: this.status }, patterns: { ...f.patterns } }
    }
    try {
      this._flushFrontHits()
      const s = native.stats(this._h)
      const l2 = this._remote === null ? null : this._remote.stats()
      // Overall: a read is a hit if either tier answered it.
      const hits = s.hits + (l2 === null ? 0 : l2.hits)
      const misses = l2 === null ? s.misses : l2.misses
      return {
        hits,
        misses,
        hitRatio: hits + misses === 0 ? 0 : hits / (hits + misses),
        l1: { hits: s.hits, misses: s.misses, hitRatio: s.hits + s.misses === 0 ? 0 : s.hits / (s.hits + s.misses) },
        l2: l2 === null
          ? null
          : {
              hits: l2.hits,
              misses: l2.misses,
              hitRatio: l2.hits + l2.misses === 0 ? 0 : l2.hits / (l2.hits + l2.misses),
              errors: l2.errors,
              timeouts: l2.timeouts,
              rejected: l2.rejected,
              invalidations: l2.invalidations,
              flushes: l2.flushes,
              connects: l2.connects,
              disconnects: l2.disconnects,
              breaker: l2.breaker,
              status: this.status
            },
        sets: s.sets,
        deletes: s.deletes,
        evictions: s.evictions,
        expirations: s.expirations,
        entries: s.entries,
        bytes: s.bytes,
        maxEntries: s.maxEntries ?? null,
        maxBytes: s.maxBytes,
        patterns: this._patternStats()
      }
    } catch (err) {
      throw fromNative(err)
    }
  }

  /**
   * node-redis style: resolves with the instance once usable (at once for
   * L1 only); rejects if the connection attempt fails (reconnection goes on).
   */
  connect (callback) {
    // The callback is checked before anything waits on Redis: a refused call leaves nothing behind.
    return answer(callback, () => {
      if (this._closed) throw new ClosedError()
      return this._remote === null ? this : this._remote.whenReady().then(() => this)
    })
  }

  /** Closes the cache: detaches from the store and frees it if nobody else holds it. */
  quit (callback) {
    try {
      checkCallback(callback)
    } catch (err) {
      return Promise.reject(err)
    }
    if (!this._closed && this._remote !== null) {
      const remote = this._remote
      this._closed = true
      return remote.close().then(() => {
        this._closeLocal()
        return settle('OK', undefined, callback)
      })
    }
    this._closeLocal()
    return settle('OK', undefined, callback)
  }

  /** Closes the L1 side; ends the status and says so. */
  _closeLocal () {
    if (this.status !== 'end' || this._remote !== null) {
      try { this._flushFrontHits() } catch {}
      if (this._finalStats === undefined && this._h !== null) {
        try { this._finalStats = this.stats() } catch {}
      }
      if (this._h !== null) native.close(this._h)
      this._clearFronts()
      this._subscribed = false
      this._closed = true
      const announce = this.status !== 'end'
      this.status = 'end'
      if (announce) {
        process.nextTick(() => {
          this.emit('close')
          this.emit('end')
        })
      }
    }
  }

  close (callback) {
    return this.quit(callback)
  }

  /**
   * Closes at once, without waiting for commands in flight (they settle as
   * they can). `disconnect(true)`, as ioredis: drops the Redis connection
   * and reconnects instead; the cache stays open (L1 only: nothing to do).
   */
  disconnect (reconnect = false) {
    if (reconnect === true) {
      if (this._remote !== null && !this._closed) this._remote.dropConnection()
      return
    }
    if (this._remote !== null && !this._closed) {
      this._closed = true
      this._remote.closeNow()
      this._closeLocal()
      return
    }
    this.quit()
  }

  /**
   * A new instance with this one's constructor arguments, `overrides`
   * merged into its options (as ioredis): its own connections, so that it
   * can subscribe or block while this one serves commands. A named
   * instance's duplicate shares its L1 store (same name, same partition:
   * docs/redis-tier.md "Worker threads"); an unnamed one's has a store of
   * its own, kept coherent with this one's like any other client's (CLIENT
   * TRACKING).
   */
  duplicate (overrides) {
    if (overrides !== undefined && (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides))) {
      throw new TierCacheTypeError('duplicate(overrides): overrides must be an object of options', CODES.INVALID_ARGUMENT)
    }
    const argList = [...origins.get(this)]
    if (overrides !== undefined) {
      const last = argList[argList.length - 1]
      const hasOptions = last !== null && typeof last === 'object' && !Buffer.isBuffer(last)
      if (hasOptions) argList[argList.length - 1] = { ...last, ...overrides }
      else argList.push({ ...overrides })
    }
    return new this.constructor(...argList)
  }

  [util.inspect.custom] (depth, options, inspect) {
    const shown = {
      name: this.options.name,
      status: this.status,
      maxEntries: this.options.maxEntries,
      maxBytes: this.options.maxBytes,
      codec: this._codec.name
    }
    if (this._remote !== null) shown.redis = this._remote.describe()
    return `TierCache ${inspect(shown, options)}`
  }
}

/** The normalized Redis configuration's fields ioredis's `options` shows (no secret). */
function publicConnection (config) {
  const out = {}
  for (const k of ['host', 'port', 'db', 'username', 'keyPrefix', 'connectTimeout', 'commandTimeout', 'lazyConnect',
    'enableOfflineQueue', 'connectionName']) {
    if (config[k] !== undefined) out[k] = config[k]
  }
  if (config.maxRetriesPerRequest !== undefined) out.maxRetriesPerRequest = config.maxRetriesPerRequest
  if (typeof config.retryStrategy === 'function') out.retryStrategy = config.retryStrategy
  if (config.tls !== null && config.tls !== undefined) out.tls = { rejectUnauthorized: config.tls.rejectUnauthorized }
  if (config.sentinel) {
    const { sentinels, name, username, commandTimeout, updateSentinels } = config.sentinel
    Object.assign(out, { sentinels: sentinels.map((s) => ({ ...s })), name, sentinelCommandTimeout: commandTimeout, updateSentinels })
    if (username !== undefined) out.sentinelUsername = username
  }
  return out
}

// Listener bookkeeping: the subscription follows the listener count, whatever
// method added or removed the listener (removeAllListeners included).
for (const method of ['on', 'addListener', 'prependListener', 'once', 'prependOnceListener',
  'off', 'removeListener', 'removeAllListeners']) {
  const base = EventEmitter.prototype[method]
  Object.defineProperty(TierCache.prototype, method, {
    value: function (event, ...rest) {
      const result = base.call(this, event, ...rest)
      if (event === undefined || STORE_EVENTS.has(event)) this._syncSubscription()
      return result
    },
    writable: true,
    configurable: true
  })
}
// A once-listener removes itself inside emit: keep the subscription in step.
const baseEmit = EventEmitter.prototype.emit
TierCache.prototype.emit = function (event, ...rest) {
  const result = baseEmit.call(this, event, ...rest)
  if (this._subscribed && STORE_EVENTS.has(event)) this._syncSubscription()
  return result
}

// Instances with a Redis tier run the two-level version of each command.
twoLevel.install(TierCache)
// getOrSet / wrap, writeThrough, writeBehind, tags, namespaces; set with tags.
patterns.install(TierCache)

// node-redis camelCase spellings that tutorials use.
// setEx, mGet, pExpire, …: node-redis's spellings of the methods above.
require('./lib/camel-aliases').install(TierCache)
// subscribe, psubscribe, unsubscribe, punsubscribe (lib/pubsub.js).
require('./lib/pubsub').install(TierCache)
// Every other command of the table, and call / send_command, through the
// generic path (after the hand-written methods, which keep precedence).
commandMethods.install(TierCache)
// SCAN in ioredis's shape for the library's own code (scanIterator, the
// session store, namespaces), whichever flavour it is handed: the node-redis
// flavour's `scan` answers { cursor, keys }.
Object.defineProperty(TierCache.prototype, '_scanPage', { value: TierCache.prototype.scan, writable: true, configurable: true })
// ioredis's scanStream, sscanStream, hscanStream, zscanStream.
require('./lib/scan-stream').install(TierCache)
/**
 * ioredis's `new Redis.Cluster(startupNodes, options)`: a TierCache on a Redis
 * Cluster (lib/cluster-options.js, src/core/tier/cluster.rs). Each command
 * goes to the primary of its keys' slot; L1 is one, kept coherent by every
 * primary's invalidations.
 */
class Cluster extends TierCache {
  constructor (startupNodes, options) {
    super(clusterArguments(startupNodes, options))
    origins.set(this, [startupNodes, options])
    this._nodeClients = new Map()
  }

  /** ioredis's marker: this is a Cluster client. */
  get isCluster () {
    return true
  }

  /**
   * ioredis's `nodes(role)`: a client per primary ('master' or 'all'; replicas
   * are not read from, so 'slave' gives none), each with this cluster's
   * connection options and an L1 of its own. Closed with the cluster.
   */
  nodes (role = 'all') {
    if (role !== 'all' && role !== 'master' && role !== 'slave') {
      throw new TierCacheTypeError('nodes(role): role must be \'all\', \'master\' or \'slave\'', CODES.INVALID_ARGUMENT)
    }
    if (role === 'slave' || this._remote === null) return []
    const [, options] = origins.get(this)
    const { redisOptions, ...rest } = options ?? {}
    return native.tierPrimaries(this._remote.handle).map(({ host, port }) => {
      const at = `${host}:${port}`
      let client = this._nodeClients.get(at)
      if (client === undefined) {
        client = new TierCache({ ...(redisOptions ?? {}), ...pickBehaviour(rest), host, port, lazyConnect: true })
        client.on('error', noop) // the cluster reports its own errors
        this._nodeClients.set(at, client)
      }
      return client
    })
  }

  quit (callback) {
    for (const client of this._nodeClients.values()) client.quit().catch(noop)
    return super.quit(callback)
  }

  disconnect (reconnect = false) {
    for (const client of this._nodeClients.values()) client.disconnect()
    return super.disconnect(reconnect)
  }
}

/** The options of a cluster that a node's own client takes too. */
function pickBehaviour (options) {
  const out = {}
  for (const key of ['keyPrefix', 'connectTimeout', 'commandTimeout', 'username', 'password', 'tls']) {
    if (options[key] !== undefined) out[key] = options[key]
  }
  return out
}

TierCache.Cluster = Cluster

// The node-redis flavour (createClient): TierCache with node-redis's names and shapes.
// defineCommand, then pipeline() / multi() (whose methods mirror all of the above).
require('./lib/define-command').install(TierCache)
require('./lib/command-object').install(TierCache)
require('./lib/monitor').install(TierCache)
require('./lib/pipeline').install(TierCache)
// The node-redis flavour (createClient): TierCache with node-redis's names and shapes.
const { NodeRedisClient } = require('./lib/node-redis/client').makeClient(TierCache, commandMethods.generatedMethods())

/**
 * Synchronous L1 access for hot paths: no promise, no callback. Map-like:
 * `get` returns undefined on a miss. Throws on bad input.
 */
class LocalView {
  constructor (cache) {
    this._cache = cache
  }

  get (key) {
    try {
      const v = this._cache._get(key)
      // A tagged pattern entry whose tag generations are not in L1 needs
      // Redis to be judged: not answerable synchronously, so a local miss.
      if (v instanceof Promise) {
        v.catch(noop)
        return undefined
      }
      return v === null ? undefined : v
    } catch (err) {
      throw fromNative(err)
    }
  }

  /** Sets `key`, with an optional TTL in ms. Returns true. */
  set (key, value, ttlMs) {
    try {
      const c = this._cache
      if (ttlMs === undefined) c._set(key, value, [])
      else c._setWithTtl(key, args.toTtlMs(ttlMs, 1, 'local.set'), value)
      return true
    } catch (err) {
      throw fromNative(err)
    }
  }

  /** Deletes `key`; true when it existed. */
  del (key) {
    try {
      return this._cache._del([args.toKey(key)]) === 1
    } catch (err) {
      throw fromNative(err)
    }
  }

  has (key) {
    try {
      return native.exists(this._cache._h, [args.toKey(key)]) === 1
    } catch (err) {
      throw fromNative(err)
    }
  }
}

/**
 * node-redis style factory: `createClient({ url })` then `await client.connect()`.
 * As node-redis, nothing connects before `connect()` (lazyConnect). The
 * client is a TierCache that speaks node-redis v5 (lib/node-redis): the
 * ioredis methods stay, the names both share take node-redis's shapes.
 */
function createClient (options) {
  const o = options === undefined || options === null ? {} : options
  if (typeof o !== 'object' || Array.isArray(o)) {
    throw new TierCacheTypeError('createClient(options): options must be an object', CODES.INVALID_ARGUMENT)
  }
  // node-redis's own options (RESP, clientSideCache) are mapped onto tiercache's first (lib/node-redis/options.js).
  return new NodeRedisClient({ lazyConnect: hasConnection(o) ? true : undefined, ...takeNodeRedisOptions(o) })
}

const NodeRedisClientPool = require('./lib/node-redis/pool').makePool(NodeRedisClient)
const { sentinelClientOptions } = require('./lib/node-redis/sentinel')
const { clusterArguments, nodeRedisClusterArguments } = require('./lib/cluster-options')

/**
 * node-redis v5's `createClientPool(options, poolOptions)`: a client whose
 * `execute(fn)` hands `fn` an isolated client of its own (lib/node-redis/pool.js).
 */
function createClientPool (options, poolOptions) {
  const o = options === undefined || options === null ? {} : options
  if (typeof o !== 'object' || Array.isArray(o)) {
    throw new TierCacheTypeError('createClientPool(options): options must be an object', CODES.INVALID_ARGUMENT)
  }
  const clientOptions = { lazyConnect: hasConnection(o) ? true : undefined, ...takeNodeRedisOptions(o) }
  return new NodeRedisClientPool(clientOptions, poolOptions)
}

/**
 * node-redis v5's `createSentinel({ name, sentinelRootNodes, … })`: a
 * node-redis client on the primary the sentinels name, following failovers
 * (lib/node-redis/sentinel.js). Nothing connects before `connect()`.
 */
function createSentinel (options) {
  const o = takeNodeRedisOptions(sentinelClientOptions(options))
  return new NodeRedisClient({ lazyConnect: true, ...o })
}

/**
 * node-redis v5's `createCluster({ rootNodes, defaults })`: a node-redis
 * client on a Redis Cluster. Nothing connects before `connect()`.
 */
function createCluster (options) {
  const o = takeNodeRedisOptions(nodeRedisClusterArguments(options))
  return new NodeRedisClient({ lazyConnect: true, ...o })
}

function hasConnection (o) {
  return ['url', 'socket', 'redis', 'host', 'port'].some((k) => o[k] !== undefined && o[k] !== null)
}

module.exports = TierCache
module.exports.TierCache = TierCache
module.exports.default = TierCache
module.exports.createClient = createClient
module.exports.createClientPool = createClientPool
module.exports.createSentinel = createSentinel
module.exports.createCluster = createCluster
module.exports.Cluster = Cluster
module.exports.NodeRedisClient = NodeRedisClient
module.exports.Command = TierCache.Command
module.exports.DEFAULTS = DEFAULTS
module.exports.MAX_KEY_BYTES = args.MAX_KEY_BYTES
// One `module.exports.X =` line per name, no loop: Node's ESM loader finds a
// CommonJS module's named exports by reading such lines (cjs-module-lexer),
// so that `import { ClosedError } from 'tiercache'` works.
module.exports.TierCacheError = errors.TierCacheError
module.exports.TierCacheTypeError = errors.TierCacheTypeError
module.exports.TierCacheRangeError = errors.TierCacheRangeError
module.exports.ReplyError = errors.ReplyError
module.exports.ClosedError = errors.ClosedError
module.exports.InternalError = errors.InternalError
module.exports.DecodeError = errors.DecodeError
module.exports.UnavailableError = UnavailableError
module.exports.LoaderTimeoutError = errors.LoaderTimeoutError
module.exports.QueueFullError = errors.QueueFullError
module.exports.NeedsRedisError = errors.NeedsRedisError
module.exports.WatchError = errors.WatchError
module.exports.TimeoutError = TimeoutError
module.exports.codes = CODES
module.exports.codecs = { json: codecs.json, v8: codecs.v8 }
