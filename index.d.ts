/// <reference types="node" />
// Typings of the public API of tiercache (index.js). The native layer's own
// typings are in binding.d.ts and are not part of this API. The command
// methods generated from the command table are typed in
// lib/commands/methods.d.ts (generated too), merged into TierCache below.

/**
 * `tiercache`: a two-level cache for Node.js with ioredis's API. L1 is an
 * in-process store off the V8 heap, shared by worker threads; Redis, when
 * given, is L2 and keeps every instance's L1 coherent. The module exports the
 * {@link TierCache} class itself (as ioredis does), with every other name
 * here as its properties: `require('tiercache').createClient`, or
 * `import { createClient } from 'tiercache'`.
 *
 * Every command returns a promise and also takes a trailing Node callback.
 * Errors are {@link TierCacheError}s with a stable `code` ({@link codes}).
 *
 * In the examples, `cache` is an open {@link TierCache} with the default
 * options, `app` an Express application and `db` your source of truth.
 *
 * @example
 * ```ts
 * import TierCache = require('tiercache')   // or: import { TierCache, createClient } from 'tiercache'
 * const cache = new TierCache(process.env.REDIS_URL, { ttl: 60_000 })
 * ```
 *
 * @module tiercache
 */
import type { GeneratedCommands, CamelCaseAliases, PipelineCommands, OverloadedParameters } from './lib/commands/methods'
import type { NodeRedisCommands } from './lib/node-redis/methods'
import type { ErrorCodes as GeneratedErrorCodes } from './lib/error-codes'
import { EventEmitter } from 'node:events'
import type { Readable } from 'node:stream'

/**
 * A two-level cache with an ioredis-shaped API: every command returns a
 * promise and also accepts a trailing Node-style callback (the promise is
 * returned in both cases, as ioredis does). L1 is in-process (off the V8
 * heap, shared by worker threads); with a Redis URL or host, Redis is L2:
 * reads that miss L1 go to Redis and backfill L1, writes go through to
 * Redis, and Redis's invalidations keep every instance's L1 coherent.
 *
 * @example
 * ```ts
 * import TierCache = require('tiercache')
 * const cache = new TierCache({ maxBytes: 64 * 1024 * 1024, ttl: 60_000 })
 * await cache.set('user:1', { name: 'Ada' }, 'EX', 30)
 * const user = await cache.get<{ name: string }>('user:1')
 * ```
 */
declare class TierCache extends EventEmitter {
  /**
   * Opens a cache. With `options.name`, every instance of the process (any
   * worker thread) opened with that name shares one store.
   *
   * The forms of ioredis: `()` and `(options)` (L1 only unless the options
   * name a Redis server), `(url, options?)` and `(port, host?, options?)`.
   * A `url` of `undefined` (an unset `process.env.REDIS_URL`) means L1 only.
   *
   * @throws {TierCache.TierCacheTypeError} an unknown option, a URL that is
   *   not `redis://`/`rediss://`, a Redis behaviour option without a Redis
   *   server, or an unsupported one (`path`, code `ERR_TIERCACHE_UNSUPPORTED`).
   * @throws {TierCache.TierCacheRangeError} a bound that is not a positive
   *   integer, a port or db out of range, or (`ERR_TIERCACHE_OPTION_CONFLICT`)
   *   a `name` already open in this process with other
   *   `maxEntries`/`maxBytes`/`maxValueBytes`/`ttl`.
   *
   * @example
   * ```ts
   * import TierCache = require('tiercache')
   * const local = new TierCache({ maxEntries: 100_000, ttl: 60_000 })          // L1 only
   * const shared = new TierCache('redis://localhost:6379/0', { keyPrefix: 'app:' }) // L1 + Redis
   * const fromEnv = new TierCache(process.env.REDIS_URL)                       // L1 only while REDIS_URL is unset
   * ```
   */
  constructor(options?: TierCache.TierCacheOptions | null)
  constructor(url: string | undefined, options?: TierCache.TierCacheOptions | null)
  constructor(port: number, host?: string, options?: TierCache.TierCacheOptions | null)
  constructor(port: number, options?: TierCache.TierCacheOptions | null)

  /** The options in force: the defaults ({@link TierCache.DEFAULTS}) overlaid with the ones given. Frozen. */
  readonly options: Readonly<TierCache.ResolvedOptions>

  /**
   * ioredis's statuses. L1 only: `'ready'` from construction on. With Redis:
   * `'wait'` (lazyConnect), `'connecting'`, `'connect'`, `'ready'`, then
   * `'close'` and `'reconnecting'` while the connection is re-established.
   * `'end'` once `quit()`/`close()`/`disconnect()` was called, or when
   * `retryStrategy` gave up (L1 keeps serving then).
   */
  readonly status: TierCache.Status

  /** Synchronous access to the L1 store for hot paths (no promise, no callback). */
  readonly local: TierCache.LocalView

  /** Reads that go to Redis only, without touching L1 (diagnostics, benchmarks). Throws without a Redis tier. */
  readonly l2: TierCache.L2View

  /** Whether this cache has a Redis tier. */
  readonly hasRedis: boolean

  /** ioredis's marker: `false`, this is not a Cluster client. */
  readonly isCluster: false

  // ---- events ---------------------------------------------------------------

  /**
   * Adds a listener for `event` (see {@link TierCache.TierCacheEvents} for the
   * events and their arguments). Returns this cache.
   *
   * @example
   * ```ts
   * cache.on('error', (err) => console.error('redis:', err.message))
   * cache.on('evict', (key, reason) => console.log('evicted', key, reason))   // 'user:1' 'size'
   * ```
   */
  on<E extends keyof TierCache.TierCacheEvents>(event: E, listener: TierCache.TierCacheEvents[E]): this
  on<E extends string | symbol>(event: Exclude<E, keyof TierCache.TierCacheEvents>, listener: (...args: any[]) => void): this
  /**
   * Adds a listener for the next `event` only. Returns this cache.
   *
   * @example
   * ```ts
   * cache.once('ready', () => console.log('connected to Redis'))
   * ```
   */
  once<E extends keyof TierCache.TierCacheEvents>(event: E, listener: TierCache.TierCacheEvents[E]): this
  once<E extends string | symbol>(event: Exclude<E, keyof TierCache.TierCacheEvents>, listener: (...args: any[]) => void): this
  /**
   * Same as {@link TierCache.on}.
   *
   * @example
   * ```ts
   * cache.addListener('expire', (key) => console.log('expired', key))
   * ```
   */
  addListener<E extends keyof TierCache.TierCacheEvents>(event: E, listener: TierCache.TierCacheEvents[E]): this
  addListener<E extends string | symbol>(event: Exclude<E, keyof TierCache.TierCacheEvents>, listener: (...args: any[]) => void): this
  /**
   * Adds a listener for `event`, called before the listeners already added.
   *
   * @example
   * ```ts
   * cache.prependListener('invalidate', (key) => console.log('Redis invalidated', key ?? 'every key'))
   * ```
   */
  prependListener<E extends keyof TierCache.TierCacheEvents>(event: E, listener: TierCache.TierCacheEvents[E]): this
  prependListener<E extends string | symbol>(event: Exclude<E, keyof TierCache.TierCacheEvents>, listener: (...args: any[]) => void): this
  /**
   * Adds a listener for the next `event` only, called before the listeners already added.
   *
   * @example
   * ```ts
   * cache.prependOnceListener('end', () => console.log('cache closed'))
   * ```
   */
  prependOnceListener<E extends keyof TierCache.TierCacheEvents>(event: E, listener: TierCache.TierCacheEvents[E]): this
  prependOnceListener<E extends string | symbol>(event: Exclude<E, keyof TierCache.TierCacheEvents>, listener: (...args: any[]) => void): this
  /**
   * Removes a listener added with {@link TierCache.on}. Returns this cache.
   *
   * @example
   * ```ts
   * const onError = (err: Error) => console.error(err)
   * cache.on('error', onError)
   * cache.off('error', onError)
   * ```
   */
  off<E extends keyof TierCache.TierCacheEvents>(event: E, listener: TierCache.TierCacheEvents[E]): this
  off<E extends string | symbol>(event: Exclude<E, keyof TierCache.TierCacheEvents>, listener: (...args: any[]) => void): this
  /**
   * Same as {@link TierCache.off}.
   *
   * @example
   * ```ts
   * const onEvict = (key: string) => console.log('evicted', key)
   * cache.on('evict', onEvict)
   * cache.removeListener('evict', onEvict)
   * ```
   */
  removeListener<E extends keyof TierCache.TierCacheEvents>(event: E, listener: TierCache.TierCacheEvents[E]): this
  removeListener<E extends string | symbol>(event: Exclude<E, keyof TierCache.TierCacheEvents>, listener: (...args: any[]) => void): this

  // ---- strings: GET / SET family --------------------------------------------

  /**
   * GET: the value of `key`, or `null` when it is missing.
   *
   * Values written as strings, numbers, bigints, booleans or Buffers come
   * back as strings (as from Redis: `set('n', 1)` reads back `'1'`); objects
   * come back decoded by the codec that wrote them. `T` (default `string`)
   * names the type of the object you stored under `key`: it is an unchecked
   * assertion, like a cast, and is never checked at run time.
   *
   * @example
   * ```ts
   * await cache.set('greeting', 'hello')
   * await cache.get('greeting')                                  // 'hello'
   * await cache.get('missing')                                   // null
   * await cache.set('user:1', { name: 'Ada' })
   * const user = await cache.get<{ name: string }>('user:1')     // { name: 'Ada' }
   * cache.get('greeting', (err, value) => console.log(value))    // 'hello'
   * ```
   */
  get<T = string>(key: TierCache.KeyType, callback?: TierCache.Callback<T | null>): Promise<T | null>

  /**
   * GET as a new Buffer of the stored bytes (the codec's bytes for objects), or `null`.
   *
   * @example
   * ```ts
   * await cache.set('bytes', Buffer.from([1, 2, 3]))
   * await cache.getBuffer('bytes')    // <Buffer 01 02 03>
   * await cache.getBuffer('missing')  // null
   * ```
   */
  getBuffer(key: TierCache.KeyType, callback?: TierCache.Callback<Buffer | null>): Promise<Buffer | null>

  /**
   * SET key value: `'OK'`. The entry gets the default TTL (`options.ttl`) if
   * there is one, else none.
   *
   * Values: strings, Buffers/Uint8Arrays, numbers, bigints and booleans are
   * stored as their bytes / decimal text (as Redis stores them); any other
   * object goes through the codec. `null`, `undefined`, functions and symbols
   * are refused.
   *
   * @example
   * ```ts
   * await cache.set('k', 'v')                          // 'OK'
   * await cache.set('k', 'v', 'EX', 60)                // 'OK': expires in 60 s
   * await cache.set('k', 'w', 'NX')                    // null: 'k' exists, nothing written
   * await cache.set('k', 'w', 'GET')                   // 'v' (the previous value)
   * await cache.set('k', { id: 1 }, { PX: 500 })       // 'OK' (node-redis's options object)
   * await cache.set('n', 42)                           // 'OK': get('n') gives '42'
   * ```
   */
  set(key: TierCache.KeyType, value: TierCache.SetValue, callback?: TierCache.Callback<'OK'>): Promise<'OK'>
  /** SET key value GET: the previous value, or `null` when there was none. */
  set<T = string>(key: TierCache.KeyType, value: TierCache.SetValue, get: 'GET', callback?: TierCache.Callback<T | null>): Promise<T | null>
  /**
   * SET key value EX seconds | PX ms | EXAT unix-seconds | PXAT unix-ms.
   * `time` is an integer or its decimal string; EX/PX must be > 0; an
   * EXAT/PXAT in the past writes nothing that can be read back.
   */
  set(key: TierCache.KeyType, value: TierCache.SetValue, expiry: TierCache.ExpiryToken, time: number | string, callback?: TierCache.Callback<'OK'>): Promise<'OK'>
  /** SET key value EX|PX|EXAT|PXAT time GET: the previous value, or `null`. */
  set<T = string>(key: TierCache.KeyType, value: TierCache.SetValue, expiry: TierCache.ExpiryToken, time: number | string, get: 'GET', callback?: TierCache.Callback<T | null>): Promise<T | null>
  /** SET key value KEEPTTL: keeps the key's current expiry. */
  set(key: TierCache.KeyType, value: TierCache.SetValue, keepttl: 'KEEPTTL', callback?: TierCache.Callback<'OK'>): Promise<'OK'>
  /** SET key value KEEPTTL GET: the previous value, or `null`. */
  set<T = string>(key: TierCache.KeyType, value: TierCache.SetValue, keepttl: 'KEEPTTL', get: 'GET', callback?: TierCache.Callback<T | null>): Promise<T | null>
  /** SET key value NX|XX: `'OK'`, or `null` when the condition refused the write. */
  set(key: TierCache.KeyType, value: TierCache.SetValue, condition: TierCache.SetCondition, callback?: TierCache.Callback<'OK' | null>): Promise<'OK' | null>
  /** SET key value NX|XX GET: the previous value, or `null` (whether or not it wrote). */
  set<T = string>(key: TierCache.KeyType, value: TierCache.SetValue, condition: TierCache.SetCondition, get: 'GET', callback?: TierCache.Callback<T | null>): Promise<T | null>
  /** SET key value EX|PX|EXAT|PXAT time NX|XX: `'OK'`, or `null` when refused. */
  set(key: TierCache.KeyType, value: TierCache.SetValue, expiry: TierCache.ExpiryToken, time: number | string, condition: TierCache.SetCondition, callback?: TierCache.Callback<'OK' | null>): Promise<'OK' | null>
  /** SET key value EX|PX|EXAT|PXAT time NX|XX GET: the previous value, or `null`. */
  set<T = string>(key: TierCache.KeyType, value: TierCache.SetValue, expiry: TierCache.ExpiryToken, time: number | string, condition: TierCache.SetCondition, get: 'GET', callback?: TierCache.Callback<T | null>): Promise<T | null>
  /** SET key value KEEPTTL NX|XX: `'OK'`, or `null` when refused. */
  set(key: TierCache.KeyType, value: TierCache.SetValue, keepttl: 'KEEPTTL', condition: TierCache.SetCondition, callback?: TierCache.Callback<'OK' | null>): Promise<'OK' | null>
  /** SET key value KEEPTTL NX|XX GET: the previous value, or `null`. */
  set<T = string>(key: TierCache.KeyType, value: TierCache.SetValue, keepttl: 'KEEPTTL', condition: TierCache.SetCondition, get: 'GET', callback?: TierCache.Callback<T | null>): Promise<T | null>
  /**
   * SET with tags: stored with the generations of its tags, so that
   * {@link TierCache.invalidateTags} drops it (EX/PX/EXAT/PXAT and NX/XX
   * allowed; not GET or KEEPTTL). Resolves null when NX/XX refused.
   */
  set(key: TierCache.KeyType, value: TierCache.SetValue, options: TierCache.TaggedSetOptions, callback?: TierCache.Callback<'OK' | null>): Promise<'OK' | null>
  /** node-redis options object with `GET: true`: the previous value, or `null`. */
  set<T = string>(key: TierCache.KeyType, value: TierCache.SetValue, options: TierCache.SetOptions & { GET: true }, callback?: TierCache.Callback<T | null>): Promise<T | null>
  /** node-redis options object without a condition nor GET: `'OK'`. */
  set(key: TierCache.KeyType, value: TierCache.SetValue, options: TierCache.SetOptions & { NX?: false | undefined; XX?: false | undefined; condition?: undefined; GET?: false | undefined }, callback?: TierCache.Callback<'OK'>): Promise<'OK'>
  /** node-redis options object with NX/XX (or `condition`): `'OK'`, or `null` when refused. */
  set(key: TierCache.KeyType, value: TierCache.SetValue, options: TierCache.SetOptions & { GET?: false | undefined }, callback?: TierCache.Callback<'OK' | null>): Promise<'OK' | null>
  /** node-redis options object whose `GET` is not known statically. */
  set<T = string>(key: TierCache.KeyType, value: TierCache.SetValue, options: TierCache.SetOptions, callback?: TierCache.Callback<'OK' | T | null>): Promise<'OK' | T | null>

  /**
   * SETEX key seconds value: SET with a TTL in seconds (> 0).
   *
   * @example
   * ```ts
   * await cache.setex('session:1', 60, 'data')   // 'OK'
   * await cache.ttl('session:1')                 // 60
   * ```
   */
  setex(key: TierCache.KeyType, seconds: number | string, value: TierCache.SetValue, callback?: TierCache.Callback<'OK'>): Promise<'OK'>
  /**
   * PSETEX key ms value: SET with a TTL in ms (> 0).
   *
   * @example
   * ```ts
   * await cache.psetex('lock', 500, 'me')   // 'OK'
   * await cache.pttl('lock')                // 500 (or a little less)
   * ```
   */
  psetex(key: TierCache.KeyType, milliseconds: number | string, value: TierCache.SetValue, callback?: TierCache.Callback<'OK'>): Promise<'OK'>
  /**
   * SETNX key value: 1 when written, 0 when the key existed.
   *
   * @example
   * ```ts
   * await cache.setnx('owner', 'a')   // 1
   * await cache.setnx('owner', 'b')   // 0: 'owner' is still 'a'
   * ```
   */
  setnx(key: TierCache.KeyType, value: TierCache.SetValue, callback?: TierCache.Callback<0 | 1>): Promise<0 | 1>

  /**
   * GETDEL: the value (as {@link TierCache.get}), deleting the key; `null` when missing.
   *
   * @example
   * ```ts
   * await cache.set('token', 'abc')
   * await cache.getdel('token')   // 'abc'
   * await cache.get('token')      // null
   * ```
   */
  getdel<T = string>(key: TierCache.KeyType, callback?: TierCache.Callback<T | null>): Promise<T | null>

  /**
   * GETEX key: the value (as {@link TierCache.get}), expiry unchanged.
   *
   * @example
   * ```ts
   * await cache.set('k', 'v')
   * await cache.getex('k', 'EX', 60)    // 'v', and 'k' now expires in 60 s
   * await cache.getex('k', 'PERSIST')   // 'v', and 'k' has no expiry any more
   * await cache.getex('missing')        // null
   * ```
   */
  getex<T = string>(key: TierCache.KeyType, callback?: TierCache.Callback<T | null>): Promise<T | null>
  /** GETEX key EX|PX|EXAT|PXAT time: the value, and sets the key's expiry. */
  getex<T = string>(key: TierCache.KeyType, expiry: TierCache.ExpiryToken, time: number | string, callback?: TierCache.Callback<T | null>): Promise<T | null>
  /** GETEX key PERSIST: the value, and removes the key's expiry. */
  getex<T = string>(key: TierCache.KeyType, persist: 'PERSIST', callback?: TierCache.Callback<T | null>): Promise<T | null>

  // ---- keys -----------------------------------------------------------------

  /**
   * DEL key [key …]: how many of the keys existed.
   *
   * @example
   * ```ts
   * await cache.mset({ a: '1', b: '2' })
   * await cache.del('a', 'b', 'c')   // 2
   * await cache.del(['a'])           // 0
   * ```
   */
  del(...args: [...keys: TierCache.KeyType[], callback: TierCache.Callback<number>]): Promise<number>
  del(...args: [keys: readonly TierCache.KeyType[], callback: TierCache.Callback<number>]): Promise<number>
  del(...keys: TierCache.KeyType[]): Promise<number>
  del(keys: readonly TierCache.KeyType[]): Promise<number>

  /**
   * UNLINK key [key …]: as DEL (memory is reclaimed at once either way).
   *
   * @example
   * ```ts
   * await cache.set('a', '1')
   * await cache.unlink('a', 'b')   // 1
   * ```
   */
  unlink(...args: [...keys: TierCache.KeyType[], callback: TierCache.Callback<number>]): Promise<number>
  unlink(...args: [keys: readonly TierCache.KeyType[], callback: TierCache.Callback<number>]): Promise<number>
  unlink(...keys: TierCache.KeyType[]): Promise<number>
  unlink(keys: readonly TierCache.KeyType[]): Promise<number>

  /**
   * EXISTS key [key …]: how many of the keys exist (a key given twice counts twice).
   *
   * @example
   * ```ts
   * await cache.set('a', '1')
   * await cache.exists('a')             // 1
   * await cache.exists('a', 'b', 'a')   // 2: 'a' counts twice
   * ```
   */
  exists(...args: [...keys: TierCache.KeyType[], callback: TierCache.Callback<number>]): Promise<number>
  exists(...args: [keys: readonly TierCache.KeyType[], callback: TierCache.Callback<number>]): Promise<number>
  exists(...keys: TierCache.KeyType[]): Promise<number>
  exists(keys: readonly TierCache.KeyType[]): Promise<number>

  /**
   * EXPIRE key seconds [NX|XX|GT|LT]: 1 when the expiry was set, 0 when the
   * key is missing or the condition refused. A time <= 0 deletes the key.
   *
   * @example
   * ```ts
   * await cache.set('k', 'v')
   * await cache.expire('k', 60)         // 1
   * await cache.expire('k', 30, 'GT')   // 0: 30 s is not later than 60 s
   * await cache.expire('missing', 60)   // 0
   * ```
   */
  expire(key: TierCache.KeyType, seconds: number | string, callback?: TierCache.Callback<0 | 1>): Promise<0 | 1>
  expire(key: TierCache.KeyType, seconds: number | string, condition: TierCache.ExpireCondition, callback?: TierCache.Callback<0 | 1>): Promise<0 | 1>
  /**
   * PEXPIRE key ms [NX|XX|GT|LT]: as EXPIRE, in ms.
   *
   * @example
   * ```ts
   * await cache.set('k', 'v')
   * await cache.pexpire('k', 1500)   // 1
   * await cache.pttl('k')            // 1500 (or a little less)
   * ```
   */
  pexpire(key: TierCache.KeyType, milliseconds: number | string, callback?: TierCache.Callback<0 | 1>): Promise<0 | 1>
  pexpire(key: TierCache.KeyType, milliseconds: number | string, condition: TierCache.ExpireCondition, callback?: TierCache.Callback<0 | 1>): Promise<0 | 1>
  /**
   * EXPIREAT key unix-seconds [NX|XX|GT|LT]: as EXPIRE, at an absolute time (the past deletes the key).
   *
   * @example
   * ```ts
   * await cache.set('k', 'v')
   * await cache.expireat('k', Math.floor(Date.now() / 1000) + 3600)   // 1: expires in an hour
   * ```
   */
  expireat(key: TierCache.KeyType, unixTimeSeconds: number | string, callback?: TierCache.Callback<0 | 1>): Promise<0 | 1>
  expireat(key: TierCache.KeyType, unixTimeSeconds: number | string, condition: TierCache.ExpireCondition, callback?: TierCache.Callback<0 | 1>): Promise<0 | 1>
  /**
   * PEXPIREAT key unix-ms [NX|XX|GT|LT]: as EXPIREAT, in ms.
   *
   * @example
   * ```ts
   * await cache.set('k', 'v')
   * await cache.pexpireat('k', Date.now() + 60_000)   // 1: expires in a minute
   * ```
   */
  pexpireat(key: TierCache.KeyType, unixTimeMilliseconds: number | string, callback?: TierCache.Callback<0 | 1>): Promise<0 | 1>
  pexpireat(key: TierCache.KeyType, unixTimeMilliseconds: number | string, condition: TierCache.ExpireCondition, callback?: TierCache.Callback<0 | 1>): Promise<0 | 1>

  /**
   * TTL: seconds left, -1 when the key has no expiry, -2 when it is missing.
   *
   * @example
   * ```ts
   * await cache.set('k', 'v', 'EX', 60)
   * await cache.ttl('k')         // 60
   * await cache.set('forever', 'v')
   * await cache.ttl('forever')   // -1 (with no `ttl` option)
   * await cache.ttl('missing')   // -2
   * ```
   */
  ttl(key: TierCache.KeyType, callback?: TierCache.Callback<number>): Promise<number>
  /**
   * PTTL: ms left, -1 when the key has no expiry, -2 when it is missing.
   *
   * @example
   * ```ts
   * await cache.set('k', 'v', 'PX', 1500)
   * await cache.pttl('k')   // 1500 (or a little less)
   * ```
   */
  pttl(key: TierCache.KeyType, callback?: TierCache.Callback<number>): Promise<number>
  /**
   * PERSIST: 1 when an expiry was removed, else 0.
   *
   * @example
   * ```ts
   * await cache.set('k', 'v', 'EX', 60)
   * await cache.persist('k')   // 1
   * await cache.ttl('k')       // -1
   * await cache.persist('k')   // 0: no expiry left to remove
   * ```
   */
  persist(key: TierCache.KeyType, callback?: TierCache.Callback<0 | 1>): Promise<0 | 1>

  // ---- counters -------------------------------------------------------------

  /**
   * INCR: the new value (a missing key counts as 0). Rejects with a ReplyError when the value is not an integer.
   *
   * @example
   * ```ts
   * await cache.incr('visits')   // 1
   * await cache.incr('visits')   // 2
   * await cache.set('name', 'ada')
   * await cache.incr('name').catch((err) => err.code)   // 'ERR_TIERCACHE_REPLY' (ERR value is not an integer or out of range)
   * ```
   */
  incr(key: TierCache.KeyType, callback?: TierCache.Callback<number>): Promise<number>
  /**
   * DECR: the new value.
   *
   * @example
   * ```ts
   * await cache.set('stock', 10)
   * await cache.decr('stock')   // 9
   * ```
   */
  decr(key: TierCache.KeyType, callback?: TierCache.Callback<number>): Promise<number>
  /**
   * INCRBY: the new value. `increment` is an integer: a safe-integer number, a bigint or a decimal string (all of i64).
   *
   * @example
   * ```ts
   * await cache.incrby('bytes', 1024)     // 1024
   * await cache.incrby('bytes', '2048')   // 3072
   * await cache.incrby('bytes', -72n)     // 3000
   * ```
   */
  incrby(key: TierCache.KeyType, increment: number | bigint | string, callback?: TierCache.Callback<number>): Promise<number>
  /**
   * DECRBY: the new value.
   *
   * @example
   * ```ts
   * await cache.set('stock', 10)
   * await cache.decrby('stock', 3)   // 7
   * ```
   */
  decrby(key: TierCache.KeyType, decrement: number | bigint | string, callback?: TierCache.Callback<number>): Promise<number>
  /**
   * INCRBYFLOAT: the new value as a string, as Redis replies.
   *
   * @example
   * ```ts
   * await cache.set('price', '10.5')
   * await cache.incrbyfloat('price', 0.1)   // '10.6'
   * ```
   */
  incrbyfloat(key: TierCache.KeyType, increment: number | string, callback?: TierCache.Callback<string>): Promise<string>

  // ---- several keys ---------------------------------------------------------

  /**
   * MGET key [key …] or mget([keys]): the values in order (as {@link TierCache.get}), `null` for misses.
   *
   * @example
   * ```ts
   * await cache.mset({ a: '1', b: '2' })
   * await cache.mget('a', 'b', 'c')   // ['1', '2', null]
   * await cache.mget(['a'])           // ['1']
   * ```
   */
  mget<T = string>(...args: [...keys: TierCache.KeyType[], callback: TierCache.Callback<Array<T | null>>]): Promise<Array<T | null>>
  mget<T = string>(...args: [keys: readonly TierCache.KeyType[], callback: TierCache.Callback<Array<T | null>>]): Promise<Array<T | null>>
  mget<T = string>(...keys: TierCache.KeyType[]): Promise<Array<T | null>>
  mget<T = string>(keys: readonly TierCache.KeyType[]): Promise<Array<T | null>>

  /**
   * MSET: writes every pair (each with the default TTL, if any), or none
   * when a key or value is refused. Pairs as `mset(k1, v1, k2, v2, …)`,
   * `mset({ k1: v1 })`, `mset(new Map([[k1, v1]]))`, `mset([[k1, v1], …])`
   * or `mset([k1, v1, k2, v2])`.
   *
   * @example
   * ```ts
   * await cache.mset('a', '1', 'b', '2')                        // 'OK'
   * await cache.mset({ user: { name: 'Ada' }, visits: 1 })      // 'OK'
   * await cache.mset(new Map([['a', '1'], ['b', '2']]))         // 'OK'
   * ```
   */
  mset(map: ReadonlyMap<TierCache.KeyType, TierCache.SetValue>, callback?: TierCache.Callback<'OK'>): Promise<'OK'>
  mset(pairs: ReadonlyArray<readonly [TierCache.KeyType, TierCache.SetValue]>, callback?: TierCache.Callback<'OK'>): Promise<'OK'>
  mset(keyValues: readonly TierCache.SetValue[], callback?: TierCache.Callback<'OK'>): Promise<'OK'>
  mset(object: { readonly [key: string]: TierCache.SetValue }, callback?: TierCache.Callback<'OK'>): Promise<'OK'>
  mset(...args: [key: TierCache.KeyType, value: TierCache.SetValue, ...keyValues: TierCache.SetValue[], callback: TierCache.Callback<'OK'>]): Promise<'OK'>
  mset(key: TierCache.KeyType, value: TierCache.SetValue, ...keyValues: TierCache.SetValue[]): Promise<'OK'>
  /** A spread array of raw keys and values: `mset(...flat)` (pass an array holding objects as `mset(array)`). */
  mset(...keyValues: Array<string | Buffer | Uint8Array | number | bigint | boolean>): Promise<'OK'>

  /**
   * KEYS pattern (a Redis glob): every matching key. Walks the whole store:
   * for tooling and tests; prefer {@link TierCache.scan} while serving.
   *
   * @example
   * ```ts
   * await cache.mset({ 'user:1': 'a', 'user:2': 'b', 'post:1': 'c' })
   * await cache.keys('user:*')   // ['user:1', 'user:2'] (in no particular order)
   * ```
   */
  keys(pattern: string, callback?: TierCache.Callback<string[]>): Promise<string[]>

  /**
   * SCAN cursor [MATCH pattern] [COUNT n] [TYPE type]: `[nextCursor, keys]`;
   * iteration is complete when `nextCursor` is `'0'`. Every value is a Redis
   * string, so `TYPE string` changes nothing and any other TYPE matches no key.
   *
   * @example
   * ```ts
   * let cursor = '0'
   * do {
   *   const [next, keys] = await cache.scan(cursor, 'MATCH', 'user:*', 'COUNT', 100)
   *   console.log(keys)   // a page of matching keys, e.g. ['user:1', 'user:2']
   *   cursor = next
   * } while (cursor !== '0')
   * ```
   */
  scan(cursor: number | string, callback?: TierCache.Callback<TierCache.ScanReply>): Promise<TierCache.ScanReply>
  scan(cursor: number | string, matchToken: 'MATCH', pattern: string, callback?: TierCache.Callback<TierCache.ScanReply>): Promise<TierCache.ScanReply>
  scan(cursor: number | string, countToken: 'COUNT', count: number | string, callback?: TierCache.Callback<TierCache.ScanReply>): Promise<TierCache.ScanReply>
  scan(cursor: number | string, typeToken: 'TYPE', type: string, callback?: TierCache.Callback<TierCache.ScanReply>): Promise<TierCache.ScanReply>
  scan(cursor: number | string, matchToken: 'MATCH', pattern: string, countToken: 'COUNT', count: number | string, callback?: TierCache.Callback<TierCache.ScanReply>): Promise<TierCache.ScanReply>
  scan(cursor: number | string, matchToken: 'MATCH', pattern: string, typeToken: 'TYPE', type: string, callback?: TierCache.Callback<TierCache.ScanReply>): Promise<TierCache.ScanReply>
  scan(cursor: number | string, countToken: 'COUNT', count: number | string, typeToken: 'TYPE', type: string, callback?: TierCache.Callback<TierCache.ScanReply>): Promise<TierCache.ScanReply>
  scan(cursor: number | string, matchToken: 'MATCH', pattern: string, countToken: 'COUNT', count: number | string, typeToken: 'TYPE', type: string, callback?: TierCache.Callback<TierCache.ScanReply>): Promise<TierCache.ScanReply>
  /** node-redis style: scan(cursor, { MATCH, COUNT }). Still answers `[nextCursor, keys]`. */
  scan(cursor: number | string, options: TierCache.ScanOptions, callback?: TierCache.Callback<TierCache.ScanReply>): Promise<TierCache.ScanReply>

  /**
   * Every key matching `options.match` (all keys without it), fetched page by page with SCAN.
   *
   * @example
   * ```ts
   * for await (const key of cache.scanIterator({ match: 'user:*', count: 100 })) {
   *   console.log(key)   // 'user:1', then 'user:2', …
   * }
   * ```
   */
  scanIterator(options?: TierCache.ScanIteratorOptions): AsyncIterableIterator<string>

  /**
   * ioredis's scan stream: an object-mode Readable emitting one page (the keys of one SCAN reply) per read,
   * ending after the last. The next SCAN is sent only when the stream is read; a failed SCAN is a stream
   * error. Runs in L1 without Redis; with `keyPrefix`, only this instance's keys, without the prefix.
   *
   * @example
   * ```ts
   * for await (const keys of cache.scanStream({ match: 'user:*', count: 100 }) as AsyncIterable<string[]>) {
   *   console.log(keys)   // ['user:1', 'user:7', …]
   * }
   * ```
   */
  scanStream(options?: TierCache.ScanStreamOptions): TierCache.ScanStream

  /**
   * SSCAN as a stream of pages (members). Needs Redis.
   *
   * @example
   * ```ts
   * for await (const members of cache.sscanStream('tags', { count: 100 })) console.log(members)
   * ```
   */
  sscanStream(key: TierCache.KeyType, options?: TierCache.KeyScanStreamOptions): TierCache.ScanStream

  /**
   * HSCAN as a stream of pages (`[field, value, field, value, …]`, or fields with `noValues`, Redis 7.4+). Needs Redis.
   *
   * @example
   * ```ts
   * for await (const flat of cache.hscanStream('user:1')) console.log(flat)   // ['name', 'Ada', …]
   * ```
   */
  hscanStream(key: TierCache.KeyType, options?: TierCache.KeyScanStreamOptions & { noValues?: boolean }): TierCache.ScanStream

  /**
   * ZSCAN as a stream of pages (`[member, score, …]`). Needs Redis.
   *
   * @example
   * ```ts
   * for await (const flat of cache.zscanStream('scores')) console.log(flat)   // ['a', '1', …]
   * ```
   */
  zscanStream(key: TierCache.KeyType, options?: TierCache.KeyScanStreamOptions): TierCache.ScanStream

  // ---- server ---------------------------------------------------------------

  /**
   * FLUSHALL: removes every key of the store (shared by every instance of the same `name`). `ASYNC`/`SYNC` are accepted and ignored.
   *
   * @example
   * ```ts
   * await cache.flushall()   // 'OK'
   * await cache.dbsize()     // 0
   * ```
   */
  flushall(callback?: TierCache.Callback<'OK'>): Promise<'OK'>
  flushall(mode: 'ASYNC' | 'SYNC', callback?: TierCache.Callback<'OK'>): Promise<'OK'>
  /**
   * FLUSHDB: as FLUSHALL (the L1 store has one database).
   *
   * @example
   * ```ts
   * await cache.flushdb()   // 'OK'
   * ```
   */
  flushdb(callback?: TierCache.Callback<'OK'>): Promise<'OK'>
  flushdb(mode: 'ASYNC' | 'SYNC', callback?: TierCache.Callback<'OK'>): Promise<'OK'>
  /**
   * DBSIZE: entries held (like Redis, it may count keys that expired but were not yet reclaimed). With Redis: Redis's DBSIZE.
   *
   * @example
   * ```ts
   * await cache.flushall()
   * await cache.mset({ a: '1', b: '2' })
   * await cache.dbsize()   // 2
   * ```
   */
  dbsize(callback?: TierCache.Callback<number>): Promise<number>
  /**
   * PING: `'PONG'` (from Redis when there is a Redis tier).
   *
   * @example
   * ```ts
   * await cache.ping()   // 'PONG'
   * ```
   */
  ping(callback?: TierCache.Callback<'PONG'>): Promise<'PONG'>
  /**
   * Any Redis command by name (any case), as ioredis's `call`: arguments are
   * flattened one level (arrays spread), numbers sent as their text, Buffers
   * as they are; `keyPrefix` is added at every key position (EVAL's KEYS
   * included) and L1 drops its copies of the keys the command may write
   * (FLUSHDB and the like empty it). The reply is ioredis's: bulk strings as
   * strings, integers as numbers, arrays, null; HGETALL as an object. Redis's
   * error replies reject with {@link TierCache.ReplyError}.
   *
   * Refused for now (`ERR_TIERCACHE_UNSUPPORTED`): blocking commands
   * (BLPOP, XREAD BLOCK, WAIT, …), subscriptions and MONITOR, WATCH, MULTI/EXEC (use {@link multi}),
   * and commands that change the shared connection (SELECT, HELLO, CLIENT
   * TRACKING, …); with `keyPrefix`, a command the command table does not know.
   * Without Redis, a string command runs in L1 as its method does; any other
   * rejects with {@link TierCache.NeedsRedisError}.
   *
   * @example
   * ```ts
   * await cache.call('hset', 'user:1', 'name', 'Ada')   // 1
   * await cache.call('hgetall', 'user:1')               // { name: 'Ada' }
   * await cache.call('zadd', 'board', 10, 'ada')        // 1
   * ```
   */
  call(command: string, ...args: [...TierCache.CommandArgument[], TierCache.Callback<unknown>]): Promise<unknown>
  call(command: string, ...args: TierCache.CommandArgument[]): Promise<unknown>
  /**
   * {@link call} under its older ioredis name.
   *
   * @example
   * ```ts
   * await cache.send_command('sadd', 'tags', 'a', 'b')   // 2
   * ```
   */
  send_command(command: string, ...args: [...TierCache.CommandArgument[], TierCache.Callback<unknown>]): Promise<unknown>
  send_command(command: string, ...args: TierCache.CommandArgument[]): Promise<unknown>
  /**
   * {@link call}, with bulk and simple string replies as Buffers.
   *
   * @example
   * ```ts
   * await cache.callBuffer('lrange', 'list', 0, -1)   // [<Buffer 61>, …]
   * ```
   */
  callBuffer(command: string, ...args: [...TierCache.CommandArgument[], TierCache.Callback<unknown>]): Promise<unknown>
  callBuffer(command: string, ...args: TierCache.CommandArgument[]): Promise<unknown>
  /**
   * A pipeline, as ioredis's: every command method of the client, chained,
   * then `exec()` sends them all at once (one write) and resolves with
   * `[[err, reply], …]` in order. Each command answers as the client's own
   * method does (L1 included, in queue order: a queued `set` then `get` sees
   * the new value); an error reply sits in its slot, it does not reject.
   * Not atomic: see {@link multi}.
   *
   * @example
   * ```ts
   * const results = await cache.pipeline().set('a', '1').get('a').hgetall('h').exec()
   * // [[null, 'OK'], [null, '1'], [null, {}]]
   * await cache.pipeline([['set', 'b', '2'], ['get', 'b']]).exec()   // [[null, 'OK'], [null, '2']]
   * ```
   */
  pipeline(commands?: ReadonlyArray<TierCache.BatchCommand>): TierCache.Pipeline
  /**
   * A transaction, as ioredis's: MULTI, the queued commands and EXEC are sent
   * as one write on the shared connection, so no other command lands inside.
   * `exec()` resolves with `[[null, reply], …]` (a run-time error such as
   * WRONGTYPE sits in its slot) or rejects with the EXECABORT
   * {@link TierCache.ReplyError} (its `previousErrors` say why) when Redis
   * refused a command when queued. Every written key's L1 copy is dropped
   * first; reads inside are answered by Redis, never by L1. Values are sent
   * as ioredis sends them (strings, Buffers, numbers), not through the codec.
   * After `watch(...)` the transaction runs on the client's own connection,
   * where the keys are watched, and resolves `null` when one changed.
   * `multi({ pipeline: false })` (ioredis): the client's commands answer
   * `'QUEUED'` until {@link TierCache.exec}.
   *
   * @example
   * ```ts
   * await cache.multi().set('n', '1').incr('n').exec()   // [[null, 'OK'], [null, 2]]
   * await cache.multi([['incr', 'n'], ['get', 'n']]).exec()   // [[null, 3], [null, '3']]
   * ```
   */
  multi(commands?: ReadonlyArray<TierCache.BatchCommand>, options?: TierCache.MultiOptions): TierCache.Pipeline
  multi(options: TierCache.MultiOptions & { pipeline: false }): Promise<'OK'>
  multi(options: TierCache.MultiOptions): TierCache.Pipeline
  /**
   * Ends `multi({ pipeline: false })`: the commands queued since run as one
   * transaction; resolves `[[err, reply], …]` (null when a watched key
   * changed). Without MULTI it rejects with `ERR EXEC without MULTI`, as Redis.
   *
   * @example
   * ```ts
   * await cache.multi({ pipeline: false })
   * cache.set('foo', 'bar')                 // 'QUEUED'
   * cache.get('foo')                        // 'QUEUED'
   * await cache.exec()                      // [[null, 'OK'], [null, 'bar']]
   * ```
   */
  exec(callback?: TierCache.Callback<TierCache.PipelineResult | null>): Promise<TierCache.PipelineResult | null>
  /**
   * Drops what `multi({ pipeline: false })` queued; rejects with `ERR DISCARD without MULTI` outside one.
   *
   * @example
   * ```ts
   * await cache.multi({ pipeline: false })
   * cache.set('foo', 'never')   // 'QUEUED'
   * await cache.discard()       // 'OK': nothing ran
   * ```
   */
  discard(callback?: TierCache.Callback<'OK'>): Promise<'OK'>
  /**
   * Defines a Lua script as a method, as ioredis's: `name(...keysAndArgs)`
   * and `nameBuffer(...)` on this instance and on its pipelines. Sent as
   * EVALSHA (EVALSHA_RO with `readOnly`), as EVAL when Redis answers
   * NOSCRIPT; in a transaction always as EVAL. `keyPrefix` applies to the
   * keys, and L1 drops its copies of them. With `numberOfKeys` undefined, the
   * caller passes the number of keys first. Reach the method through an
   * index or a declared interface (it is not in the typings).
   *
   * @example
   * ```ts
   * cache.defineCommand('setIfHigher', {
   *   numberOfKeys: 1,
   *   lua: "if tonumber(redis.call('get', KEYS[1]) or '-inf') < tonumber(ARGV[1]) then return redis.call('set', KEYS[1], ARGV[1]) end return nil"
   * })
   * const custom = cache as unknown as { setIfHigher(key: string, value: number): Promise<'OK' | null> }
   * await custom.setIfHigher('best', 10)   // 'OK'
   * ```
   */
  defineCommand(name: string, definition: TierCache.CommandDefinition): void
  /**
   * Sends an ioredis-style {@link TierCache.Command} through the generic path
   * (as {@link call}: keyPrefix, refusals, L1 following its writes) and
   * returns its `promise`. Replies are Buffers unless the command has a
   * `replyEncoding`, as ioredis. A command is sent once.
   *
   * @example
   * ```ts
   * const command = new TierCache.Command('get', ['user:1'], { replyEncoding: 'utf8' })
   * await cache.sendCommand(command)   // the value as a string, or null
   * ```
   */
  sendCommand(command: TierCache.Command): Promise<unknown>

  /**
   * Counters of the (possibly shared) L1 store, and of the Redis tier. Synchronous.
   * After `quit()` / `disconnect()`: the figures as they were when the cache closed.
   *
   * @example
   * ```ts
   * const { hitRatio, entries, bytes, l2 } = cache.stats()
   * console.log(hitRatio, entries, bytes)   // e.g. 0.93 1200 514000
   * console.log(l2?.status ?? 'L1 only')    // 'ready' with Redis
   * ```
   */
  stats(): TierCache.Stats

  /**
   * node-redis style: resolves to this cache once usable (at once for L1
   * only; when Redis is ready otherwise). Rejects with an UnavailableError
   * if that connection attempt fails (reconnection goes on in the
   * background), and with a ClosedError once closed.
   *
   * @example
   * ```ts
   * import { createClient } from 'tiercache'
   * const client = createClient({ url: process.env.REDIS_URL })
   * await client.connect()   // the client, once Redis is ready (at once without a URL)
   * ```
   */
  connect(callback?: TierCache.Callback<TierCache>): Promise<this>
  /**
   * Closes the cache: detaches from the store, which is freed when no other
   * instance holds it. Idempotent. Later commands reject with a ClosedError.
   * Emits `'close'` then `'end'`.
   *
   * @example
   * ```ts
   * await cache.quit()                                // 'OK'
   * await cache.get('k').catch((err) => err.code)     // 'ERR_TIERCACHE_CLOSED'
   * ```
   */
  quit(callback?: TierCache.Callback<'OK'>): Promise<'OK'>
  /**
   * Same as {@link TierCache.quit}.
   *
   * @example
   * ```ts
   * await cache.close()   // 'OK'
   * ```
   */
  close(callback?: TierCache.Callback<'OK'>): Promise<'OK'>
  /**
   * Closes at once, without waiting for commands in flight (they settle as they can).
   * `disconnect(true)`, as ioredis: drops the Redis connection instead and reconnects
   * by `retryStrategy` (`'close'`, `'reconnecting'`, `'ready'`; no `'error'`); the
   * cache stays open and L1 keeps serving. Without Redis it does nothing.
   *
   * @example
   * ```ts
   * cache.disconnect()       // closed now; commands in flight settle as they can
   * cache.disconnect(true)   // a new connection to Redis, the cache stays open
   * ```
   */
  disconnect(reconnect?: boolean): void
  /**
   * A new instance with this one's constructor arguments, `overrides` merged
   * into its options (as ioredis), and connections of its own. A named
   * instance's duplicate shares its L1 store; an unnamed one's has its own,
   * kept coherent through Redis's invalidations (docs/redis-tier.md).
   *
   * @example
   * ```ts
   * const sub = cache.duplicate()                       // e.g. a subscriber for @socket.io/redis-adapter
   * const other = cache.duplicate({ keyPrefix: 'b:' })  // same server, another prefix
   * ```
   */
  duplicate(overrides?: TierCache.TierCacheOptions): TierCache
  /**
   * As ioredis: a new client (its own connections, as `duplicate()`) on which
   * Redis streams every command it runs, as `'monitor'` events `(time, args,
   * source, database)`. Close it with `quit()` or `disconnect()`. Refused
   * with `keyPrefix` (it shows every client's commands).
   *
   * @example
   * ```ts
   * const monitor = await cache.monitor()
   * monitor.on('monitor', (time, args, source, database) => console.log(time, args))
   * monitor.disconnect()
   * ```
   */
  monitor(callback?: TierCache.Callback<TierCache>): Promise<TierCache>

  // ---- pub/sub (docs/redis-tier.md "Pub/sub") ------------------------------------

  /**
   * Subscribes to `channels` on the instance's subscriber connection (a
   * connection of its own: every other command keeps working). Resolves
   * with the number of channels and patterns subscribed, as ioredis.
   * Messages arrive as `'message'` (strings) and `'messageBuffer'` events.
   * keyPrefix does not apply to channels.
   *
   * @example
   * ```ts
   * cache.on('message', (channel, message) => console.log(channel, message))
   * await cache.subscribe('news', 'alerts')   // 2
   * ```
   */
  subscribe(...channels: [...Array<TierCache.ChannelName | TierCache.ChannelName[]>, TierCache.Callback<number>]): Promise<number>
  subscribe(...channels: Array<TierCache.ChannelName | TierCache.ChannelName[]>): Promise<number>
  /**
   * Subscribes to the glob `patterns`; messages arrive as `'pmessage'`
   * (pattern, channel, message) and `'pmessageBuffer'` events. Resolves with
   * the number of channels and patterns subscribed.
   *
   * @example
   * ```ts
   * cache.on('pmessage', (pattern, channel, message) => console.log(pattern, channel, message))
   * await cache.psubscribe('news.*')   // 1
   * ```
   */
  psubscribe(...patterns: [...Array<TierCache.ChannelName | TierCache.ChannelName[]>, TierCache.Callback<number>]): Promise<number>
  psubscribe(...patterns: Array<TierCache.ChannelName | TierCache.ChannelName[]>): Promise<number>
  /**
   * Unsubscribes from `channels` (from every channel without any).
   * Resolves with the number of channels and patterns still subscribed.
   *
   * @example
   * ```ts
   * await cache.unsubscribe('news')   // what remains subscribed
   * ```
   */
  unsubscribe(...channels: [...Array<TierCache.ChannelName | TierCache.ChannelName[]>, TierCache.Callback<number>]): Promise<number>
  unsubscribe(...channels: Array<TierCache.ChannelName | TierCache.ChannelName[]>): Promise<number>
  /**
   * Unsubscribes from `patterns` (from every pattern without any).
   * Resolves with the number of channels and patterns still subscribed.
   *
   * @example
   * ```ts
   * await cache.punsubscribe()   // what remains subscribed
   * ```
   */
  punsubscribe(...patterns: [...Array<TierCache.ChannelName | TierCache.ChannelName[]>, TierCache.Callback<number>]): Promise<number>
  punsubscribe(...patterns: Array<TierCache.ChannelName | TierCache.ChannelName[]>): Promise<number>
  /**
   * Subscribes to the shard `channels` (Redis 7's sharded pub/sub, SSUBSCRIBE)
   * on the subscriber connection; messages sent with `spublish` arrive as
   * `'smessage'` (channel, message) and `'smessageBuffer'` events. Resolves
   * with the number of shard channels subscribed (Redis counts them apart
   * from channels and patterns), as ioredis.
   *
   * @example
   * ```ts
   * cache.on('smessage', (channel, message) => console.log(channel, message))
   * await cache.ssubscribe('orders:{eu}')   // 1
   * await cache.spublish('orders:{eu}', 'new')
   * ```
   */
  ssubscribe(...channels: [...Array<TierCache.ChannelName | TierCache.ChannelName[]>, TierCache.Callback<number>]): Promise<number>
  ssubscribe(...channels: Array<TierCache.ChannelName | TierCache.ChannelName[]>): Promise<number>
  /**
   * Unsubscribes from the shard `channels` (from every one without any).
   * Resolves with the number of shard channels still subscribed.
   *
   * @example
   * ```ts
   * await cache.sunsubscribe()   // 0
   * ```
   */
  sunsubscribe(...channels: [...Array<TierCache.ChannelName | TierCache.ChannelName[]>, TierCache.Callback<number>]): Promise<number>
  sunsubscribe(...channels: Array<TierCache.ChannelName | TierCache.ChannelName[]>): Promise<number>

  // ---- cache patterns (docs/patterns.md) ----------------------------------------

  /**
   * Cache-aside: the cached value of `key`, else `loader(ctx)`'s result,
   * stored with `options.ttl` (default: the cache's `ttl`; none: no expiry).
   * Concurrent calls for one key share one loader call (and, with `lock`,
   * one across instances). `null`/`undefined` results are cached only with
   * `cacheNull`; loader errors only with `cacheErrors`. Redis failures never
   * fail the call: the loader's value is returned.
   * @throws (as a rejection) TypeError/RangeError for bad arguments,
   * {@link TierCache.LoaderTimeoutError} past `hardTimeout`, or the loader's error.
   *
   * @example
   * ```ts
   * const user = await cache.getOrSet('user:1', (ctx) => db.findUser(1, { signal: ctx.signal }), {
   *   ttl: 60_000,        // fresh for a minute
   *   grace: 3_600_000,   // then served for an hour more if the source fails
   *   hardTimeout: 2_000  // the loader's signal aborts past 2 s
   * })
   * // the cached user, else the loader's: one loader call however many callers ask at once
   * ```
   */
  getOrSet<T>(key: TierCache.KeyType, loader: (ctx: TierCache.LoaderContext<T>) => T | PromiseLike<T>, options?: TierCache.GetOrSetOptions | number): Promise<T>
  /**
   * cache-manager's spelling of {@link TierCache.getOrSet}: `wrap(key, fn, ttl?, refreshThreshold?)`
   * (refreshThreshold: reload in the background when fewer ms than this remain).
   *
   * @example
   * ```ts
   * const user = await cache.wrap('user:1', () => db.findUser(1), 60_000)   // cached for a minute
   * ```
   */
  wrap<T>(key: TierCache.KeyType, loader: (ctx: TierCache.LoaderContext<T>) => T | PromiseLike<T>, options?: TierCache.GetOrSetOptions | number, refreshThreshold?: number): Promise<T>
  /**
   * Write-through: deletes `key` from the cache, runs `writer(value, key)`
   * (the source write), then caches `value`. A failed writer leaves nothing
   * cached for `key`. Resolves with the writer's result.
   *
   * @example
   * ```ts
   * const user = { id: 1, name: 'Ada' }
   * await cache.writeThrough('user:1', user, (value) => db.saveUser(1, value), { ttl: 60_000 })
   * await cache.get('user:1')   // { id: 1, name: 'Ada' }
   * ```
   */
  writeThrough<R>(key: TierCache.KeyType, value: TierCache.PatternValue, writer: (value: any, key: string) => R | PromiseLike<R>, options?: TierCache.WriteThroughOptions | number): Promise<Awaited<R>>
  /**
   * Write-behind: a queue whose `set` updates the cache at once and batches the source writes.
   *
   * @example
   * ```ts
   * const queue = cache.writeBehind({ writer: (batch) => db.bulkUpsert(batch), batchSize: 100, flushInterval: 1000 })
   * await queue.set('counter:home', 42)   // 'OK': cached now, with db within a second
   * await queue.close()                   // drains the queue before the process ends
   * ```
   */
  writeBehind(options: TierCache.WriteBehindOptions): TierCache.WriteBehind
  /**
   * Every entry tagged with one of `tags` is invalid from now on, in every instance. Resolves the number of tags.
   *
   * @example
   * ```ts
   * await cache.set('user:1', 'Ada', { tags: ['users'] })
   * await cache.invalidateTags(['users'])   // 1
   * await cache.get('user:1')               // null, in every instance
   * ```
   */
  invalidateTags(tags: readonly string[]): Promise<number>
  /**
   * A view of the keys under `${name}:`, with its own `clear()`.
   *
   * @example
   * ```ts
   * const users = cache.namespace('users')
   * await users.set('1', 'Ada')      // 'OK': the key 'users:1'
   * await cache.get('users:1')       // 'Ada'
   * await users.clear()              // 1
   * ```
   */
  namespace(name: string): TierCache.Namespace
  /**
   * Express response-cache middleware; see `tiercache/express`.
   *
   * @example
   * ```ts
   * app.get('/products/:id', cache.middleware({ ttl: 30_000 }), (req, res) => {
   *   res.json({ id: req.params.id })   // X-Cache: MISS, then HIT-L1 for 30 s
   * })
   * ```
   */
  middleware(options?: import('./express').MiddlewareOptions): import('./express').ResponseCacheMiddleware
}

// Every command of the table without a hand-written method (hset, lpush,
// zadd, eval, …) and node-redis's camelCase spellings of the hand-written
// ones (setEx, mGet, …): see lib/commands/methods.d.ts.
interface TierCache extends GeneratedCommands, CamelCaseAliases {}

declare namespace TierCache {
  export { TierCache, TierCache as default }

  /**
   * node-redis style factory: `createClient({ url })`, then `await client.connect()`.
   * As with node-redis, nothing connects before `connect()` (or the first command).
   *
   * @example
   * ```ts
   * import { createClient } from 'tiercache'
   * const client = createClient({ url: process.env.REDIS_URL })
   * client.on('error', (err) => console.error('Redis Client Error', err))
   * await client.connect()
   * await client.setEx('k', 10, 'v')   // 'OK'
   * ```
   */
  export function createClient(options?: NodeRedisClientOptions | null): NodeRedisClient

  /**
   * node-redis v5's `createClientPool(options, poolOptions)`: a client (its
   * commands share one multiplexed connection) whose `execute(fn)` hands
   * `fn` an isolated client of its own, for WATCH … MULTI and other
   * sequences no other caller may interleave with.
   *
   * @example
   * ```ts
   * import { createClientPool } from 'tiercache'
   * const pool = await createClientPool({ url: process.env.REDIS_URL }).connect()
   * await pool.ping()   // 'PONG'
   * const n = await pool.execute(async (client) => {
   *   await client.watch('counter')
   *   const next = Number(await client.get('counter')) + 1
   *   await client.multi().set('counter', String(next)).exec()
   *   return next
   * })
   * await pool.close()
   * ```
   */
  export function createClientPool(options?: NodeRedisClientOptions | null, poolOptions?: NodeRedisPoolOptions | null): NodeRedisClientPool

  /**
   * node-redis v5's `createSentinel`: a node-redis client on the primary that the sentinels name, following
   * failovers (docs/redis-tier.md, "Sentinel"). Replicas are not read from (`replicaPoolSize` must be 0).
   *
   * @example
   * ```ts
   * import { createSentinel } from 'tiercache'
   * const client = await createSentinel({ name: 'mymaster', sentinelRootNodes: [{ host: '127.0.0.1', port: 26379 }] }).connect()
   * await client.set('k', 'v')
   * ```
   */
  export function createSentinel(options: NodeRedisSentinelOptions): NodeRedisClient

  /**
   * ioredis's `new Redis.Cluster(startupNodes, options)`: a TierCache on a Redis Cluster. Each command goes to the
   * primary of its keys' hash slot (MOVED and ASK followed); MGET, DEL, EXISTS and MSET over several slots are split,
   * other commands and MULTI over several slots fail with Redis's CROSSSLOT. WATCH, SCAN and MONITOR are refused
   * (`ERR_TIERCACHE_UNSUPPORTED`): use {@link Cluster.nodes}. See docs/redis-tier.md, "Cluster".
   *
   * @example
   * ```ts
   * import { Cluster } from 'tiercache'
   * const cluster = new Cluster([{ host: '127.0.0.1', port: 7000 }], { redisOptions: { password: 'pw' } })
   * await cluster.set('user:{42}:name', 'Ada')
   * ```
   */
  export const Cluster: ClusterConstructor

  /** What `new Cluster(…)` is called with (see {@link Cluster}). */
  export interface ClusterConstructor {
    /**
     * Reads the slot map from the first of `startupNodes` that answers and connects to every primary.
     *
     * @example
     * ```ts
     * import { Cluster } from 'tiercache'
     * const cluster = new Cluster(['127.0.0.1:7000', '127.0.0.1:7001'], { keyPrefix: 'app:' })
     * ```
     */
    new (startupNodes: ClusterNode[], options?: ClusterOptions | null): Cluster
  }

  /** A TierCache on a Redis Cluster (see {@link Cluster}). */
  export interface Cluster extends Omit<TierCache, 'isCluster' | 'duplicate'> {
    /** ioredis's marker: this is a Cluster client. */
    readonly isCluster: true
    /**
     * A client per primary ('master' or 'all'; replicas are not read from: 'slave' gives none), each with the
     * cluster's connection options and an L1 of its own, closed with the cluster: for what runs per node (SCAN, …).
     *
     * @example
     * ```ts
     * import { Cluster } from 'tiercache'
     * const cluster = new Cluster([7000])
     * for (const node of cluster.nodes('master')) {
     *   for await (const keys of node.scanStream({ match: 'user:*' })) console.log(keys)
     * }
     * ```
     */
    nodes(role?: 'all' | 'master' | 'slave'): TierCache[]
    /**
     * A new cluster client with the same startup nodes and options (and `overrides`): its own connections.
     *
     * @example
     * ```ts
     * import { Cluster } from 'tiercache'
     * const cluster = new Cluster([7000])
     * const subscriber = cluster.duplicate()
     * await subscriber.subscribe('news')
     * ```
     */
    duplicate(overrides?: ClusterOptions): Cluster
  }

  /** A startup node: `{ host, port }`, a port, `'host:port'` or a `redis://` URL. */
  export type ClusterNode = NodeAddress | number | string

  /** A server's address. */
  export interface NodeAddress {
    /** Host name or IP address. Default: localhost (127.0.0.1 for a cluster's node). */
    host?: string | undefined
    /** Default: 26379 for a sentinel, 6379 for a data server. */
    port?: number | undefined
  }

  /** A root node of node-redis's createCluster. */
  export interface NodeRedisRootNode {
    /** A `redis://host:port` URL. */
    url?: string
    /** Or its socket's address. */
    socket?: NodeAddress
  }

  /** The sentinels' credentials of node-redis's createSentinel. */
  export interface NodeRedisSentinelCredentials {
    /** ACL user of the sentinels. */
    username?: string
    /** AUTH password of the sentinels; never shown. */
    password?: string
  }

  /** ioredis's ClusterOptions (docs/redis-tier.md, "Cluster", says what each does here) and tiercache's own. */
  export interface ClusterOptions extends Omit<TierCacheOptions, 'host' | 'port' | 'url' | 'db' | 'sentinels'> {
    /** The connection options of every node (password, username, tls, timeouts, …). */
    redisOptions?: Omit<RedisOptions, 'host' | 'port' | 'url' | 'sentinels'> | undefined
    /** The retryStrategy of the cluster's reconnections. */
    clusterRetryStrategy?: ((times: number) => number | null | undefined) | null | undefined
    /** Refused unless 'master': replica reads are not supported. */
    scaleReads?: 'master' | undefined
    /** Refused unless null: not supported on a cluster yet. */
    natMap?: null | undefined
    /** Accepted without effect: at most 16 MOVED / ASK redirections per command. */
    maxRedirections?: number | undefined
    /** Accepted without effect: a command for a failed primary waits within commandTimeout. */
    retryDelayOnFailover?: number | undefined
    /** Accepted without effect: see retryDelayOnFailover. */
    retryDelayOnClusterDown?: number | undefined
    /** Accepted without effect: see retryDelayOnFailover. */
    retryDelayOnTryAgain?: number | undefined
    /** Accepted without effect: MOVED is followed at once. */
    retryDelayOnMoved?: number | undefined
    /** Accepted without effect: the slot map is read within connectTimeout. */
    slotsRefreshTimeout?: number | undefined
    /** Accepted without effect: the slot map is read again after MOVED and when a primary is lost. */
    slotsRefreshInterval?: number | undefined
    /** Accepted without effect: sharded channels are subscribed on their slot's primary. */
    shardedSubscribers?: boolean | undefined
  }

  /**
   * node-redis v5's `createCluster({ rootNodes, defaults })`: a node-redis client on a Redis Cluster (as
   * {@link Cluster} routes). Nothing connects before `connect()`.
   *
   * @example
   * ```ts
   * import { createCluster } from 'tiercache'
   * const client = await createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:7000' }] }).connect()
   * await client.set('user:{42}:name', 'Ada')
   * ```
   */
  export function createCluster(options: NodeRedisClusterOptions): NodeRedisClient

  /** node-redis's createCluster options. */
  export interface NodeRedisClusterOptions {
    /** The nodes to read the slot map from: `{ url }` or `{ socket: { host, port } }`. */
    rootNodes: NodeRedisRootNode[]
    /** Every node's client options (password, username, tls, commandTimeout, …). */
    defaults?: NodeRedisClientOptions
    /** Refused when true: replica reads are not supported. */
    useReplicas?: false
    /** Accepted without effect. */
    minimizeConnections?: boolean
    /** Accepted without effect (at most 16 redirections). */
    maxCommandRedirections?: number
    /** node-redis's protocol version: accepted. */
    RESP?: 2 | 3
  }

  /** node-redis's createSentinel options. */
  export interface NodeRedisSentinelOptions {
    /** The primary's name in the sentinels' configuration. */
    name: string
    /** The sentinels to ask first (default port 26379). */
    sentinelRootNodes: NodeAddress[]
    /** The data servers' client options (password, username, database, socket.tls, commandTimeout, …). */
    nodeClientOptions?: NodeRedisClientOptions
    /** The sentinels' credentials. */
    sentinelClientOptions?: NodeRedisSentinelCredentials
    /** Addresses as the sentinels report them (`'ip:port'`) → as reached from here. */
    nodeAddressMap?: Record<string, NodeAddress>
    /** Must be 0: replica reads are not supported. */
    replicaPoolSize?: 0
    /** Accepted without effect: commands share one multiplexed connection. */
    masterPoolSize?: number
    /** Accepted without effect: `+switch-master` is followed as it happens. */
    scanInterval?: number
    /** Accepted without effect. */
    maxCommandRediscovers?: number
    /** Accepted without effect. */
    passthroughClientErrorEvents?: boolean
    /** Accepted without effect. */
    reserveClient?: boolean
  }

  /** node-redis's pool options. */
  export interface NodeRedisPoolOptions {
    /** Clients kept open when idle, the pool's own included (default 1). */
    minimum?: number
    /** Isolated clients at once (default 100). */
    maximum?: number
    /** How long an execute waits for a free client, in ms (default 3000): then it rejects with UnavailableError. */
    acquireTimeout?: number
    /** How long an idle client beyond `minimum` is kept, in ms (default 3000). */
    cleanupDelay?: number
  }

  /** What {@link createClientPool} returns: a node-redis client with `execute` and the pool's counts. */
  export interface NodeRedisClientPool extends NodeRedisClient {
    /**
     * `fn(client)` with an isolated client of its own, returned to the pool once `fn` settles.
     *
     * @example
     * ```ts
     * import { createClientPool } from 'tiercache'
     * const pool = await createClientPool({ url: process.env.REDIS_URL }).connect()
     * const popped = await pool.execute((client) => client.blPop('jobs', 1))
     * ```
     */
    execute<T>(fn: (client: NodeRedisClient) => T | Promise<T>): Promise<T>
    /** The pool's own client and its isolated ones. */
    readonly totalClients: number
    /** Isolated clients waiting for the next execute. */
    readonly idleClients: number
    /** Isolated clients an execute holds. */
    readonly clientsInUse: number
    /** Executes waiting for a client. */
    readonly tasksQueueLength: number
  }

  /** A channel, a pattern, or several, as node-redis takes them. */
  export type NodeRedisChannels = string | Buffer | ReadonlyArray<string | Buffer>

  /**
   * What {@link NodeRedisClient.multi} returns: every camelCase command
   * method of the node-redis flavour, queuing and chainable, then `exec`.
   */
  export type NodeRedisMulti = {
    [K in keyof NodeRedisCommands]: (...args: OverloadedParameters<NodeRedisCommands[K]>) => NodeRedisMulti
  } & {
    /**
     * Queues a raw command, `['CMD', ...args]` (its reply untransformed).
     *
     * @example
     * ```ts
     * import { createClient } from 'tiercache'
     * const client = createClient({ url: process.env.REDIS_URL })
     * await client.connect()
     * const [pong] = await client.multi().addCommand(['PING']).exec()   // ['PONG']
     * ```
     */
    addCommand(args: ReadonlyArray<string | Buffer | number>): NodeRedisMulti
    /**
     * MULTI … EXEC in one write (`exec(true)`: as execAsPipeline).
     *
     * @example
     * ```ts
     * import { createClient } from 'tiercache'
     * const client = createClient({ url: process.env.REDIS_URL })
     * await client.connect()
     * const replies = await client.multi().set('k', 'v').get('k').exec()   // ['OK', 'v']
     * ```
     */
    exec(execAsPipeline?: boolean): Promise<unknown[]>
    /**
     * As exec.
     *
     * @example
     * ```ts
     * import { createClient } from 'tiercache'
     * const client = createClient({ url: process.env.REDIS_URL })
     * await client.connect()
     * const replies = await client.multi().incr('n').EXEC()   // [1]
     * ```
     */
    EXEC(execAsPipeline?: boolean): Promise<unknown[]>
    /**
     * The queued commands without MULTI, as one pipeline.
     *
     * @example
     * ```ts
     * import { createClient } from 'tiercache'
     * const client = createClient({ url: process.env.REDIS_URL })
     * await client.connect()
     * const replies = await client.multi().get('a').get('b').execAsPipeline()   // [null, null]
     * ```
     */
    execAsPipeline(): Promise<unknown[]>
  }

  /**
   * What {@link createClient} returns: a TierCache that speaks node-redis v5
   * (docs/node-redis.md). Every node-redis method name (camelCase and UPPER
   * CASE) with node-redis's arguments and RESP2 replies; the names both
   * flavours share (`scan`, `eval`, `scanIterator`, `disconnect`) take
   * node-redis's shapes; the other ioredis methods stay.
   *
   * @example
   * ```ts
   * import { createClient } from 'tiercache'
   * const client = createClient({ url: process.env.REDIS_URL })
   * await client.connect()
   * await client.zAdd('scores', [{ score: 1, value: 'a' }, { score: 2, value: 'b' }])
   * const top = await client.zRangeWithScores('scores', 0, -1)   // [{ value: 'a', score: 1 }, …]
   * for await (const keys of client.scanIterator({ MATCH: 'user:*', COUNT: 100 })) console.log(keys.length, top.length)
   * await client.sendCommand(['PING'])
   * await client.close()
   * ```
   */
  export interface NodeRedisClient extends Omit<TierCache, keyof NodeRedisCommands | 'scanIterator' | 'disconnect' | 'connect' | 'sendCommand' | 'multi' | 'subscribe' | 'unsubscribe' | 'monitor'>, NodeRedisCommands {
    /**
     * node-redis's MONITOR: `callback` gets each of Redis's lines as it is,
     * until this client closes (the client keeps running commands).
   *
   * @example
   * ```ts
   * import { createClient } from 'tiercache'
   * const client = createClient({ url: process.env.REDIS_URL })
   * await client.connect()
   * await client.monitor((line) => console.log(line))
   * ```
     */
    monitor(callback: (line: string) => void): Promise<void>
    /** True from `connect()` until the client is closed. */
    readonly isOpen: boolean
    /** True while commands can be sent (connected to Redis, or L1 only). */
    readonly isReady: boolean
    /**
     * Resolves with the client once usable (connected to Redis, or at once for L1 only).
   *
   * @example
   * ```ts
   * import { createClient } from 'tiercache'
   * const client = createClient({ url: process.env.REDIS_URL })
   * const ready = await client.connect()   // the client
   * console.log(ready.isReady)              // true
   * ```
     */
    connect(): Promise<this>
    /**
     * Any command as node-redis sends it, `['CMD', ...args]`: Redis's RESP2 reply as it is (no
     * reply transformer: HGETALL answers the flat array).
   *
   * @example
   * ```ts
   * import { createClient } from 'tiercache'
   * const client = createClient({ url: process.env.REDIS_URL })
   * await client.connect()
   * await client.sendCommand(['SET', 'k', 'v', 'EX', '10'])   // 'OK'
   * ```
     */
    sendCommand(args: ReadonlyArray<string | Buffer | number>): Promise<unknown>
    /**
     * Closes at once; commands in flight settle as they can.
   *
   * @example
   * ```ts
   * import { createClient } from 'tiercache'
   * const client = createClient({ url: process.env.REDIS_URL })
   * await client.connect()
   * client.destroy()
   * ```
     */
    destroy(): void
    /**
     * node-redis v5's disconnect (as `destroy`), as a promise.
   *
   * @example
   * ```ts
   * import { createClient } from 'tiercache'
   * const client = createClient({ url: process.env.REDIS_URL })
   * await client.connect()
   * await client.disconnect()
   * ```
     */
    disconnect(): Promise<void>
    /**
     * Pages (arrays) of keys, one per SCAN reply, as node-redis v5 yields them.
   *
   * @example
   * ```ts
   * import { createClient } from 'tiercache'
   * const client = createClient({ url: process.env.REDIS_URL })
   * await client.connect()
   * for await (const keys of client.scanIterator({ MATCH: 'user:*', COUNT: 100 })) console.log(keys)
   * ```
     */
    scanIterator(options?: NodeRedisScanIteratorOptions): AsyncIterableIterator<string[]>
    /**
     * node-redis's transaction: chain the camelCase methods, then `exec()`
     * (MULTI … EXEC in one write) or `execAsPipeline()`. Resolves with the
     * replies alone; when a command failed, rejects with a ReplyError whose
     * `replies` and `errorIndexes` say which (`execAsPipeline`: that
     * command's own error).
   *
   * @example
   * ```ts
   * import { createClient } from 'tiercache'
   * const client = createClient({ url: process.env.REDIS_URL })
   * await client.connect()
   * const [ok, n] = await client.multi().set('visits', '0').incr('visits').exec()   // ['OK', 1]
   * console.log(ok, n)
   * ```
     */
    multi(): NodeRedisMulti
    /**
     * Subscribes to `channels`; `listener(message, channel)` gets their
     * messages (Buffers with `bufferMode`). The subscriptions have a
     * connection of their own: this client keeps running other commands.
   *
   * @example
   * ```ts
   * import { createClient } from 'tiercache'
   * const client = createClient({ url: process.env.REDIS_URL })
   * await client.connect()
   * await client.subscribe('news', (message, channel) => console.log(channel, message))
   * ```
     */
    subscribe(channels: NodeRedisChannels, listener: (message: string, channel: string) => void, bufferMode?: false): Promise<void>
    /** As above, in buffer mode: the listener gets Buffers. */
    subscribe(channels: NodeRedisChannels, listener: (message: Buffer, channel: Buffer) => void, bufferMode: true): Promise<void>
    /** `subscribe`, by node-redis's UPPER-CASE name. */
    SUBSCRIBE: NodeRedisClient['subscribe']
    /**
     * Subscribes to the channels matching `patterns`; `listener(message, channel)`.
   *
   * @example
   * ```ts
   * import { createClient } from 'tiercache'
   * const client = createClient({ url: process.env.REDIS_URL })
   * await client.connect()
   * await client.pSubscribe('news:*', (message, channel) => console.log(channel, message))
   * ```
     */
    pSubscribe(patterns: NodeRedisChannels, listener: (message: string, channel: string) => void, bufferMode?: false): Promise<void>
    /** As above, in buffer mode: the listener gets Buffers. */
    pSubscribe(patterns: NodeRedisChannels, listener: (message: Buffer, channel: Buffer) => void, bufferMode: true): Promise<void>
    /** `pSubscribe`, by node-redis's UPPER-CASE name. */
    PSUBSCRIBE: NodeRedisClient['pSubscribe']
    /**
     * Removes `listener` (every listener without one) from `channels`
     * (every channel without them); a channel left without listeners is
     * unsubscribed.
   *
   * @example
   * ```ts
   * import { createClient } from 'tiercache'
   * const client = createClient({ url: process.env.REDIS_URL })
   * await client.connect()
   * const listener = (message: string) => console.log(message)
   * await client.subscribe('news', listener)
   * await client.unsubscribe('news', listener)
   * ```
     */
    unsubscribe(channels?: NodeRedisChannels, listener?: (message: never, channel: never) => void, bufferMode?: boolean): Promise<void>
    /** `unsubscribe`, by node-redis's UPPER-CASE name. */
    UNSUBSCRIBE: NodeRedisClient['unsubscribe']
    /**
     * As `unsubscribe`, for patterns.
   *
   * @example
   * ```ts
   * import { createClient } from 'tiercache'
   * const client = createClient({ url: process.env.REDIS_URL })
   * await client.connect()
   * await client.pUnsubscribe()
   * ```
     */
    pUnsubscribe(patterns?: NodeRedisChannels, listener?: (message: never, channel: never) => void, bufferMode?: boolean): Promise<void>
    /** `pUnsubscribe`, by node-redis's UPPER-CASE name. */
    PUNSUBSCRIBE: NodeRedisClient['pUnsubscribe']
    /**
     * Subscribes to the shard `channels` (Redis 7's sharded pub/sub);
     * `listener(message, channel)` gets what `sPublish` sends them (Buffers
     * with `bufferMode`).
   *
   * @example
   * ```ts
   * import { createClient } from 'tiercache'
   * const client = createClient({ url: process.env.REDIS_URL })
   * await client.connect()
   * await client.sSubscribe('orders:{eu}', (message, channel) => console.log(channel, message))
   * await client.sPublish('orders:{eu}', 'new')
   * ```
     */
    sSubscribe(channels: NodeRedisChannels, listener: (message: string, channel: string) => void, bufferMode?: false): Promise<void>
    /** As above, in buffer mode: the listener gets Buffers. */
    sSubscribe(channels: NodeRedisChannels, listener: (message: Buffer, channel: Buffer) => void, bufferMode: true): Promise<void>
    /** `sSubscribe`, by node-redis's UPPER-CASE name. */
    SSUBSCRIBE: NodeRedisClient['sSubscribe']
    /**
     * As `unsubscribe`, for shard channels.
   *
   * @example
   * ```ts
   * import { createClient } from 'tiercache'
   * const client = createClient({ url: process.env.REDIS_URL })
   * await client.connect()
   * await client.sUnsubscribe()
   * ```
     */
    sUnsubscribe(channels?: NodeRedisChannels, listener?: (message: never, channel: never) => void, bufferMode?: boolean): Promise<void>
    /** `sUnsubscribe`, by node-redis's UPPER-CASE name. */
    SUNSUBSCRIBE: NodeRedisClient['sUnsubscribe']
    /**
     * Pages of a hash's entries, one per HSCAN reply.
   *
   * @example
   * ```ts
   * import { createClient } from 'tiercache'
   * const client = createClient({ url: process.env.REDIS_URL })
   * await client.connect()
   * for await (const entries of client.hScanIterator('user:1')) console.log(entries)   // [{ field, value }, …]
   * ```
     */
    hScanIterator(key: KeyType, options?: NodeRedisScanIteratorOptions): AsyncIterableIterator<NodeRedisHashEntry[]>
    /**
     * Pages of a set's members, one per SSCAN reply.
   *
   * @example
   * ```ts
   * import { createClient } from 'tiercache'
   * const client = createClient({ url: process.env.REDIS_URL })
   * await client.connect()
   * for await (const members of client.sScanIterator('tags')) console.log(members)
   * ```
     */
    sScanIterator(key: KeyType, options?: NodeRedisScanIteratorOptions): AsyncIterableIterator<string[]>
    /**
     * Pages of a sorted set's members, one per ZSCAN reply.
   *
   * @example
   * ```ts
   * import { createClient } from 'tiercache'
   * const client = createClient({ url: process.env.REDIS_URL })
   * await client.connect()
   * for await (const members of client.zScanIterator('scores')) console.log(members)   // [{ value, score }, …]
   * ```
     */
    zScanIterator(key: KeyType, options?: NodeRedisScanIteratorOptions): AsyncIterableIterator<NodeRedisScoredMember[]>
  }

  /** The class of {@link createClient}'s clients (a TierCache subclass). */
  export const NodeRedisClient: {
    /**
     * What `createClient(options)` makes (without its lazyConnect default).
     *
     * @example
     * ```ts
     * import { NodeRedisClient } from 'tiercache'
     * const client = new NodeRedisClient({ maxEntries: 1000 })   // L1 only
     * await client.set('k', 'v', { EX: 10 })
     * ```
     */
    new (options?: TierCacheOptions | null): NodeRedisClient
    /** The methods every client has. */
    readonly prototype: NodeRedisClient
  }

  /** Options of sscanStream / hscanStream / zscanStream (ioredis's). */
  export interface KeyScanStreamOptions {
    /** A Redis glob the members (fields) must match. */
    match?: string
    /** A hint of how many elements one SCAN reply holds. */
    count?: number
    /** The stream's buffer, in pages (default 16). */
    highWaterMark?: number
  }

  /** Options of scanStream (ioredis's). */
  export interface ScanStreamOptions extends KeyScanStreamOptions {
    /** Keys of this Redis type only ('string', 'hash', …). */
    type?: string
  }

  /**
   * A scan stream: pages (arrays of strings) in object mode. Its chunks are typed as Node's Readable
   * types them (`any`): annotate them, `for await (const keys of stream as AsyncIterable<string[]>)`.
   */
  export interface ScanStream extends Readable {
    /**
     * No SCAN after the one in flight; the stream ends after it.
     *
     * @example
     * ```ts
     * const stream = cache.scanStream({ match: 'user:*' })
     * stream.on('data', (keys: string[]) => { if (keys.length > 0) stream.close() })
     * ```
     */
    close(): void
  }

  /** node-redis's SCAN options (TYPE: SCAN only). */
  export interface NodeRedisScanOptions {
    /** A Redis glob the keys (fields, members) must match. */
    MATCH?: string
    /** A hint of how many elements a reply holds. */
    COUNT?: number
    /** SCAN only: keys of this Redis type ('string', 'hash', …). */
    TYPE?: string
  }

  /** The scan iterators' options. */
  export interface NodeRedisScanIteratorOptions extends NodeRedisScanOptions {
    /** Where to start (default '0'). */
    cursor?: string
  }

  /** SCAN's reply. */
  export interface NodeRedisScanReply {
    /** The next cursor; '0' when done. */
    cursor: string
    /** The keys of this page. */
    keys: string[]
  }

  /** A hash entry as node-redis gives it. */
  export interface NodeRedisHashEntry {
    /** The field. */
    field: string
    /** Its value. */
    value: string
  }

  /** HSCAN's reply. */
  export interface NodeRedisHScanReply {
    /** The next cursor; '0' when done. */
    cursor: string
    /** The entries of this page. */
    entries: NodeRedisHashEntry[]
  }

  /** HSCAN … NOVALUES's reply. */
  export interface NodeRedisHScanNoValuesReply {
    /** The next cursor; '0' when done. */
    cursor: string
    /** The fields of this page. */
    fields: string[]
  }

  /** SSCAN's reply. */
  export interface NodeRedisSScanReply {
    /** The next cursor; '0' when done. */
    cursor: string
    /** The members of this page. */
    members: string[]
  }

  /** ZSCAN's reply. */
  export interface NodeRedisZScanReply {
    /** The next cursor; '0' when done. */
    cursor: string
    /** The members of this page, with their scores. */
    members: NodeRedisScoredMember[]
  }

  /** A stream message as node-redis gives it (XRANGE, XREAD, XCLAIM, …). */
  export interface NodeRedisStreamMessage {
    /** The entry's id (`'1700000000000-0'`). */
    id: string
    /** Its fields and values. */
    message: Record<string, string>
  }

  /** One stream's messages in an XREAD / XREADGROUP reply. */
  export interface NodeRedisStreamMessages {
    /** The stream's key. */
    name: string
    /** Its messages. */
    messages: Array<NodeRedisStreamMessage | null>
  }

  /** A stream to read and the id to read after, as XREAD takes them. */
  export interface NodeRedisStreamRef {
    /** The stream's key. */
    key: KeyType
    /** The last id seen (`'0'`, `'$'`, `'>'` for a group). */
    id: string
  }

  /** node-redis's XREAD options. */
  export interface NodeRedisXReadOptions {
    /** At most this many messages per stream. */
    COUNT?: number
    /** Wait up to this many ms for a message (0: forever); runs on a connection of its own. */
    BLOCK?: number
  }

  /** node-redis's XREADGROUP options. */
  export interface NodeRedisXReadGroupOptions extends NodeRedisXReadOptions {
    /** Do not add the messages to the pending list. */
    NOACK?: boolean
  }

  /** node-redis's XADD options. */
  export interface NodeRedisXAddOptions {
    /** Trim the stream as the entry is added. */
    TRIM?: {
      /** By length or by smallest id. */
      strategy: 'MAXLEN' | 'MINID'
      /** Exact (`=`) or approximate (`~`). */
      strategyModifier?: '=' | '~'
      /** The length or id to trim to. */
      threshold: number | string
      /** With `~`: at most this many entries evicted. */
      limit?: number
    }
  }

  /** node-redis's XRANGE / XREVRANGE options. */
  export interface NodeRedisXRangeOptions {
    /** At most this many messages. */
    COUNT?: number
  }

  /** node-redis's XCLAIM options. */
  export interface NodeRedisXClaimOptions {
    /** Set the messages' idle time (ms). */
    IDLE?: number
    /** Set their last delivery time (Unix ms, or a Date). */
    TIME?: number | Date
    /** Set their delivery count. */
    RETRYCOUNT?: number
    /** Claim ids not in the pending list too. */
    FORCE?: boolean
    /** Move the group's last delivered id. */
    LASTID?: string
  }

  /** What XAUTOCLAIM answers in node-redis. */
  export interface NodeRedisXAutoClaimReply {
    /** The id to start the next call from. */
    nextId: string
    /** The claimed messages (null for one deleted meanwhile). */
    messages: Array<NodeRedisStreamMessage | null>
    /** The ids found deleted. */
    deletedMessages: string[]
  }

  /** node-redis's XGROUP CREATE options. */
  export interface NodeRedisXGroupCreateOptions {
    /** Create the stream if it does not exist. */
    MKSTREAM?: boolean
    /** The group's entries-read counter. */
    ENTRIESREAD?: number
  }

  /** node-redis's XTRIM options. */
  export interface NodeRedisXTrimOptions {
    /** Exact (`=`) or approximate (`~`). */
    strategyModifier?: '=' | '~'
    /** With `~`: at most this many entries evicted. */
    LIMIT?: number
  }

  /** One consumer in XPENDING's summary. */
  export interface NodeRedisXPendingConsumer {
    /** The consumer. */
    name: string
    /** Its pending messages. */
    deliveriesCounter: number
  }

  /** What XPENDING key group answers in node-redis. */
  export interface NodeRedisXPendingReply {
    /** Pending messages in the group. */
    pending: number
    /** The smallest pending id (null when none). */
    firstId: string | null
    /** The largest pending id (null when none). */
    lastId: string | null
    /** Pending messages per consumer (null when none). */
    consumers: NodeRedisXPendingConsumer[] | null
  }

  /** node-redis's options of XPENDING's extended form. */
  export interface NodeRedisXPendingRangeOptions {
    /** Only messages idle at least this long (ms). */
    IDLE?: number
    /** Only this consumer's. */
    consumer?: string
  }

  /** One message of XPENDING's extended form. */
  export interface NodeRedisXPendingEntry {
    /** The message id. */
    id: string
    /** Who holds it. */
    consumer: string
    /** Since its last delivery. */
    millisecondsSinceLastDelivery: number
    /** How many times it was delivered. */
    deliveriesCounter: number
  }

  /** A sorted-set member as node-redis gives and takes it. */
  export interface NodeRedisScoredMember {
    /** The member. */
    value: string
    /** Its score (Infinity for Redis's inf). */
    score: number
  }

  /** node-redis's zAdd options (either spelling). */
  export interface NodeRedisZAddOptions {
    /** Only add new members (NX) or only update existing ones (XX). */
    condition?: 'NX' | 'XX'
    /** Only update when the new score is lower (LT) or greater (GT). */
    comparison?: 'LT' | 'GT'
    /** As condition 'NX'. */
    NX?: boolean
    /** As condition 'XX'. */
    XX?: boolean
    /** As comparison 'LT'. */
    LT?: boolean
    /** As comparison 'GT'. */
    GT?: boolean
    /** Answer how many members changed, not only how many were added. */
    CH?: boolean
  }

  /** A LIMIT of a range. */
  export interface NodeRedisLimit {
    /** Elements to skip. */
    offset: number
    /** Elements to answer at most. */
    count: number
  }

  /** zRangeByScore's options. */
  export interface NodeRedisLimitOptions {
    /** Which part of the range. */
    LIMIT?: NodeRedisLimit
  }

  /** zRange's options. */
  export interface NodeRedisZRangeOptions extends NodeRedisLimitOptions {
    /** min and max are scores (SCORE) or lexicographic bounds (LEX); ranks by default. */
    BY?: 'SCORE' | 'LEX'
    /** From the highest to the lowest. */
    REV?: boolean
  }

  /** node-redis's getEx options: `{ type, value }` or one of the older keys. */
  export interface NodeRedisGetExOptions {
    /** The expiry kind. */
    type?: 'EX' | 'PX' | 'EXAT' | 'PXAT' | 'PERSIST'
    /** Its time (seconds, ms, a Unix time or a Date). */
    value?: number | Date
    /** Seconds from now. */
    EX?: number
    /** Milliseconds from now. */
    PX?: number
    /** A Unix time in seconds, or a Date. */
    EXAT?: number | Date
    /** A Unix time in ms, or a Date. */
    PXAT?: number | Date
    /** Remove the expiry. */
    PERSIST?: boolean
  }

  /** node-redis's eval / evalSha / fCall options. */
  export interface NodeRedisEvalOptions {
    /** The keys (KEYS in the script). */
    keys?: ReadonlyArray<string | Buffer>
    /** The other arguments (ARGV). */
    arguments?: ReadonlyArray<string | Buffer>
  }

  /** A command built by the caller, sent with {@link TierCache.sendCommand}, as ioredis's Command. */
  export class Command {
    /**
     * `args` are flattened one level; `replyEncoding` (a Buffer encoding)
     * decodes the reply's Buffers, which stay Buffers without it.
     *
     * @example
     * ```ts
     * const command = new TierCache.Command('hgetall', ['user:1'], { replyEncoding: 'utf8' })
     * await cache.sendCommand(command)
     * await command.promise   // { name: 'Ada' }
     * ```
     */
    constructor(name: string, args?: CommandArgument[], options?: { replyEncoding?: BufferEncoding | null }, callback?: Callback<unknown>)
    /** The command's name. */
    name: string
    /** Its arguments. */
    args: CommandArgument[]
    /** How the reply's Buffers are decoded (null: they stay Buffers). */
    replyEncoding: BufferEncoding | null
    /** Settles with the reply once sent. */
    promise: Promise<unknown>
    /**
     * As ioredis: from now on, command `name`'s arguments (flattened one
     * level) are `transformer(args)` when sent, on every client of the
     * process (commands of the generic path; the typed string commands
     * parse their own arguments).
     *
     * @example
     * ```ts
     * // Every item pushed is stamped with the time it was sent.
     * TierCache.Command.setArgumentTransformer('lpush', ([key, ...items]) =>
     *   [key, ...items.map((item) => `${Date.now()}:${String(item)}`)])
     * await cache.lpush('log', 'started')   // 1 (the list holds '1764921600000:started')
     * ```
     */
    static setArgumentTransformer(name: string, transformer: (args: unknown[]) => unknown[]): void
    /**
     * As ioredis: from now on, command `name`'s reply is `transformer(reply)`,
     * on every client of the process (commands of the generic path).
     *
     * @example
     * ```ts
     * TierCache.Command.setReplyTransformer('smembers', (members) =>
     *   Array.isArray(members) ? new Set(members) : members)
     * await cache.smembers('tags')   // Set { 'a', 'b' }
     * ```
     */
    static setReplyTransformer(name: string, transformer: (reply: unknown) => unknown): void
  }

  /** The connection statuses, as ioredis's. */
  export type Status = 'wait' | 'connecting' | 'connect' | 'ready' | 'close' | 'reconnecting' | 'end'

  /** TLS options (as ioredis's `tls`). Certificates are verified unless `rejectUnauthorized: false`. */
  export interface TlsOptions {
    /** PEM roots to trust instead of the system's. */
    ca?: string | Buffer | Array<string | Buffer> | undefined
    /** PEM client certificate (with `key`), for mutual TLS. */
    cert?: string | Buffer | Array<string | Buffer> | undefined
    /** PEM private key of `cert`. */
    key?: string | Buffer | Array<string | Buffer> | undefined
    /** Default true. */
    rejectUnauthorized?: boolean | undefined
    /** Accepted only when equal to the host (the certificate is checked against the host). */
    servername?: string | undefined
  }

  /** Where Redis is (every field optional; default localhost:6379, db 0). */
  export interface RedisConnectionOptions {
    /** Default 'localhost'. */
    host?: string | undefined
    /** Default 6379. */
    port?: number | undefined
    /** ACL user name (Redis 6+); with `password`. */
    username?: string | undefined
    /** AUTH password; never shown in errors, logs or `util.inspect`. */
    password?: string | undefined
    /** Database index. Default 0. */
    db?: number | undefined
    /** `true` or TLS options: connect with TLS (as a `rediss://` URL does). */
    tls?: boolean | TlsOptions | undefined
    /** A `redis://[user:password@]host[:port][/db]` or `rediss://` URL. */
    url?: string | undefined
    /**
     * Redis Sentinel, as ioredis: the sentinels to ask for the primary named `name` at every connection
     * (`host` and `port` are then unused). Default port 26379. See docs/redis-tier.md, "Sentinel".
     */
    sentinels?: NodeAddress[] | null | undefined
    /** ACL user of the sentinels. */
    sentinelUsername?: string | undefined
    /** AUTH password of the sentinels; never shown in errors, logs or `util.inspect`. */
    sentinelPassword?: string | undefined
    /** Ms to wait for one sentinel before asking the next. Default 1000 (or connectTimeout if lower). */
    sentinelCommandTimeout?: number | undefined
    /** Addresses as the sentinels report them (`'ip:port'`) → as reached from here. */
    natMap?: Record<string, NodeAddress> | null | undefined
    /** Whether the sentinels the answering one knows are asked too. Default true. */
    updateSentinels?: boolean | undefined
  }

  /** How the Redis tier behaves. Each may be given at the top level or inside `redis: {…}`. */
  /**
   * ioredis's options that tiercache accepts with no effect, and those it refuses unless at their default
   * (`ERR_TIERCACHE_UNSUPPORTED`): docs/redis-tier.md's table says why for each.
   */
  export interface IoredisCompatOptions {
    /** No effect: addresses are tried in the resolver's order. */
    family?: number | undefined
    /** No effect: the health check pings instead. */
    keepAlive?: number | undefined
    /** No effect: Nagle is always off. */
    noDelay?: boolean | undefined
    /** No effect. */
    disconnectTimeout?: number | undefined
    /** No effect: commandTimeout bounds a silent socket. */
    socketTimeout?: number | undefined
    /** No effect: no CLIENT SETINFO is sent. */
    disableClientInfo?: boolean | undefined
    /** No effect: no CLIENT SETINFO is sent. */
    clientInfoTag?: string | undefined
    /** No effect. */
    enableReadyCheck?: boolean | undefined
    /** No effect: error replies do not reconnect. */
    reconnectOnError?: ((err: Error) => boolean | 1 | 2) | null | undefined
    /** No effect: commands are always pipelined on the one connection. */
    enableAutoPipelining?: boolean | undefined
    /** No effect. */
    autoPipeliningIgnoredCommands?: string[] | undefined
    /** No effect. */
    showFriendlyErrorStack?: boolean | undefined
    /** Subscribe again to every channel and pattern after the subscriber connection was lost. Default true. */
    autoResubscribe?: boolean | undefined
    /** No effect. */
    autoResendUnfulfilledCommands?: boolean | undefined
    /** No effect. */
    maxLoadingRetryTime?: number | undefined
    /** No effect: a blocking command's deadline is its own timeout plus 1 s. */
    blockingTimeout?: number | undefined
    /** No effect: see blockingTimeout. */
    blockingTimeoutGrace?: number | undefined
    /** Scripts to define at construction, each as {@link TierCache.defineCommand} defines it. */
    scripts?: Record<string, TierCache.CommandDefinition> | undefined
    /** Refused unless false: replica reads are not supported. */
    readOnly?: false | undefined
    /** Refused unless false. */
    stringNumbers?: false | undefined
    /** Refused unless 'master': replica reads are not supported. */
    role?: 'master' | undefined
    /** No effect: the sentinels are asked at every connection attempt, paced by `retryStrategy`. */
    sentinelRetryStrategy?: ((times: number) => number | null | void) | null | undefined
    /** No effect: the `+switch-master` watcher tries the sentinels again by itself. */
    sentinelReconnectStrategy?: ((times: number) => number | null | void) | null | undefined
    /** No effect: always on (`+switch-master` drops the connection to the old primary at once). */
    failoverDetector?: boolean | undefined
    /** No effect. */
    sentinelMaxConnections?: number | undefined
    /** Refused unless false: TLS to sentinels is not supported yet. */
    enableTLSForSentinelMode?: false | undefined
    /** Refused: TLS to sentinels is not supported yet. */
    sentinelTLS?: undefined
    /** Refused: replica reads are not supported. */
    preferredSlaves?: undefined
  }

  export interface RedisBehaviourOptions extends IoredisCompatOptions {
    /** CLIENT SETNAME on every connection (printable ASCII, no spaces). */
    connectionName?: string | null | undefined
    /** Prepended to every key in Redis (SCAN/KEYS patterns included), stripped from replies. Default ''. */
    keyPrefix?: string | undefined
    /** Ms to establish a connection (TCP, TLS, HELLO, AUTH, tracking). Default 10000. */
    connectTimeout?: number | undefined
    /** Ms a command may take, waiting for a connection included. Default 1000. */
    commandTimeout?: number | undefined
    /** Connect on the first command (or `connect()`) instead of at once. Default false. */
    lazyConnect?: boolean | undefined
    /** Let commands wait (within commandTimeout) for a connection being established. Default true. */
    enableOfflineQueue?: boolean | undefined
    /** At most this many commands wait for a connection; more fail at once. Default 1000. */
    maxOfflineQueue?: number | undefined
    /** As ioredis: 0 makes commands fail at once when not connected. Other values: wait within commandTimeout. */
    maxRetriesPerRequest?: number | null | undefined
    /** Delay in ms before reconnection attempt `times` (1, 2, …), or null to stop. Default: 25–2000 ms, jittered exponential. */
    retryStrategy?: ((times: number) => number | null | undefined) | null | undefined
    /** The circuit breaker for a connected but failing Redis. Default `{ threshold: 5, cooldown: 1000 }`. */
    breaker?: {
      /** Consecutive failures that open the breaker (calls then fail at once). Default 5. */
      threshold?: number | undefined,
      /** ms the breaker stays open before one call tries Redis again. Default 1000. */
      cooldown?: number | undefined
    } | undefined
    /**
     * When Redis is unavailable: `'reject'` (default) fails reads that miss L1
     * and every write with `ERR_TIERCACHE_L2_UNAVAILABLE`; `'local'` answers
     * such reads with null and applies writes to L1 only.
     */
    offlineMode?: 'reject' | 'local' | undefined
    /** Ms L1 keeps serving what it holds after losing Redis; then it is emptied. Default 30000. */
    offlineGrace?: number | undefined
    /**
     * Ms between pings of the connection (0: never). A connection that dies
     * silently (a partition) is noticed by the first unanswered ping, within
     * this plus commandTimeout. Default 1000.
     */
    healthCheckInterval?: number | undefined
    /** Upper bound, in ms, on how long L1 keeps a copy of a Redis value. Default: the key's own TTL. */
    l1Ttl?: number | undefined
    /**
     * After the subscriber connection is lost, subscribe again to every
     * channel and pattern on a new one (as ioredis). Default true.
     */
    autoResubscribe?: boolean | undefined
  }

  /** A pub/sub channel or pattern: a string, or a Buffer for binary names. */
  export type ChannelName = string | Buffer

  /** The Redis forms of the options: `redis` (a URL or connection options), or the fields at the top level (ioredis), or `url`/`socket` (node-redis). */
  export interface RedisOptions extends RedisConnectionOptions, RedisBehaviourOptions {
    /** Redis as a URL, or as an object of the connection and behaviour options; `null`/`false`: L1 only. */
    redis?: string | (RedisConnectionOptions & RedisBehaviourOptions) | null | false | undefined
    /** node-redis's socket options. */
    socket?: {
      /** As `host`. */
      host?: string | undefined
      /** As `port`. */
      port?: number | undefined
      /** As `tls`. */
      tls?: boolean | TlsOptions | undefined
      /** As `connectTimeout`. */
      connectTimeout?: number | undefined
      /** node-redis's spelling of `retryStrategy`: ms before attempt `retries`, or `false`/an Error to stop. */
      reconnectStrategy?: ((retries: number) => number | Error | false) | undefined
    } | undefined
    /** node-redis's name for `db`. */
    database?: number | undefined
  }

  // ---- options ----------------------------------------------------------------

  /** Options of `new TierCache(options)`. Every option is optional; unknown names are refused. */
  /**
   * createClient's options: TierCache's, plus node-redis's own (docs/node-redis.md, "What it is").
   */
  export interface NodeRedisClientOptions extends TierCacheOptions {
    /** node-redis's protocol version: accepted, replies keep the flavour's shapes. */
    RESP?: 2 | 3
    /**
     * node-redis's client-side cache config: L1 is that cache. `ttl` (ms) and `maxEntries` bound L1 unless
     * `ttl` / `maxEntries` are given (0 = none); `evictPolicy` is accepted without effect (L1 is W-TinyLFU).
     */
    clientSideCache?: {
      /** ms an entry lives (0 = no expiry): L1's `ttl` unless that is given. */
      ttl?: number
      /** Bound on L1's entries (0 = unbounded): L1's `maxEntries` unless that is given. */
      maxEntries?: number
      /** Accepted without effect: L1 evicts by W-TinyLFU. */
      evictPolicy?: 'LRU' | 'FIFO'
      /** Accepted without effect: `stats()` always counts. */
      recordStats?: boolean
    }
  }

  export interface TierCacheOptions extends RedisOptions {
    /**
     * Name of a store shared by every instance of this process (every worker
     * thread included) opened with the same name: one table, one byte budget.
     * A non-empty string. All instances of one name must give the same
     * `maxEntries`, `maxBytes`, `maxValueBytes` and `ttl` (else
     * `ERR_TIERCACHE_OPTION_CONFLICT`). Default: none, a store of this
     * instance's own. With `sentinels`, the primary's name instead (as in
     * ioredis), and the store is the instance's own.
     */
    name?: string | undefined
    /** Most entries the store holds before evicting (a positive integer). Default: none, bounded by bytes only. */
    maxEntries?: number | undefined
    /** Byte budget of the store (keys and values), a positive integer. Default: 268435456 (256 MiB). */
    maxBytes?: number | undefined
    /**
     * Largest value accepted, in bytes, a positive integer; a larger value is
     * refused with `ERR_TIERCACHE_VALUE_TOO_LARGE`. Never more than
     * `maxBytes`. Default: 67108864 (64 MiB).
     */
    maxValueBytes?: number | undefined
    /**
     * Default TTL in milliseconds (a positive integer), given to entries
     * written without an expiry: SET without EX/PX/EXAT/PXAT (or with
     * KEEPTTL on a new key), MSET, and INCR-family commands creating a key.
     * Default: none, entries live until evicted or deleted.
     */
    ttl?: number | undefined
    /**
     * How objects are turned into bytes: `'json'` (default; refuses at set
     * what JSON would not give back unchanged: BigInt, Map, Set, undefined,
     * NaN, cycles…), `'v8'` (structured clone: Map, Set, Date, BigInt, typed
     * arrays, cycles), or your own {@link Codec}. Strings, Buffers, numbers,
     * bigints and booleans never go through the codec.
     */
    codec?: 'json' | 'v8' | Codec | undefined
    /**
     * Entries of the per-instance front cache, which answers repeated reads
     * of raw values without calling into the addon (kept consistent with the
     * shared store). A positive integer, or 0 to disable. Default: 1024.
     */
    frontSize?: number | undefined
    /**
     * Whether the front cache also keeps decoded objects. Faster reads, but
     * every read of a key then returns the same object instance: do not
     * mutate what `get` returns. Default: false.
     */
    frontObjects?: boolean | undefined
  }

  /** `cache.options`: every option with its value in force. */
  export interface ResolvedOptions {
    /** {@link TierCacheOptions.name}: the shared store's name, or undefined. */
    name: string | undefined
    /** {@link TierCacheOptions.maxEntries}, or undefined when bounded by bytes only. */
    maxEntries: number | undefined
    /** {@link TierCacheOptions.maxBytes}. */
    maxBytes: number
    /** {@link TierCacheOptions.maxValueBytes}. */
    maxValueBytes: number
    /** {@link TierCacheOptions.ttl}: the default TTL in ms, or undefined. */
    ttl: number | undefined
    /** {@link TierCacheOptions.codec}. */
    codec: 'json' | 'v8' | Codec
    /** {@link TierCacheOptions.frontSize}. */
    frontSize: number
    /** {@link TierCacheOptions.frontObjects}. */
    frontObjects: boolean
    /** The Redis host (ioredis's default 'localhost'). */
    host: string
    /** The Redis port (ioredis's default 6379). */
    port: number
    /** The database (0 by default). */
    db: number
    /** The key prefix ('' by default). */
    keyPrefix: string
    /** Whether the client waits for connect() or the first command. */
    lazyConnect: boolean
    /** Never the password (the addon holds it). */
    password: undefined
    /** ioredis's other options, at their defaults or as given (docs/redis-tier.md). */
    readonly [ioredisOption: string]: unknown
  }

  /** The defaults of every option (frozen). */
  export const DEFAULTS: {
    /** No name: a store of the instance's own. */
    readonly name: undefined
    /** No entry bound: bounded by bytes only. */
    readonly maxEntries: undefined
    /** 268435456 (256 MiB) */
    readonly maxBytes: number
    /** 67108864 (64 MiB) */
    readonly maxValueBytes: number
    /** No default TTL: entries live until evicted or deleted. */
    readonly ttl: undefined
    /** JSON. */
    readonly codec: 'json'
    /** 1024 */
    readonly frontSize: number
    /** Decoded objects are not kept in the front cache. */
    readonly frontObjects: false
  }

  /** Longest key, in UTF-8 bytes: 65536 (64 KiB). */
  export const MAX_KEY_BYTES: number

  // ---- codecs -----------------------------------------------------------------

  /**
   * A codec of your own (the `codec` option). It must give back unchanged
   * what it accepts, and throw on what it cannot represent.
   */
  export interface Codec {
    /** Shown by `util.inspect(cache)`. Default: `'custom'`. */
    name?: string | undefined
    /**
     * Turns an object into bytes: a string (stored as UTF-8) or a Buffer/Uint8Array.
     *
     * @example
     * ```ts
     * const codec: TierCache.Codec = { encode: (value) => JSON.stringify(value), decode: (payload) => JSON.parse(payload.toString('utf8')) }
     * codec.encode({ a: 1 })   // '{"a":1}'
     * ```
     */
    encode(value: unknown): string | Uint8Array
    /**
     * Turns the bytes `encode` produced back into the object.
     *
     * @example
     * ```ts
     * const codec: TierCache.Codec = { encode: (value) => JSON.stringify(value), decode: (payload) => JSON.parse(payload.toString('utf8')) }
     * codec.decode(Buffer.from('{"a":1}'))   // { a: 1 }
     * ```
     */
    decode(payload: Buffer): unknown
  }

  /** A built-in codec, as exported in {@link codecs}. */
  export interface BuiltinCodec<Name extends 'json' | 'v8', Encoded extends string | Buffer> {
    /** `'json'` or `'v8'`, as the `codec` option names it. */
    readonly name: Name
    /** The kind tag stored with each entry (1 json, 2 v8). */
    readonly kind: number
    /**
     * Turns an object into bytes (JSON text, or v8's serialization as a
     * Buffer). Throws a {@link TierCacheTypeError} `ERR_TIERCACHE_UNENCODABLE`
     * for what it could not give back unchanged.
     *
     * @example
     * ```ts
     * import { codecs } from 'tiercache'
     * codecs.json.encode({ a: 1 })             // '{"a":1}'
     * codecs.v8.encode(new Map([['a', 1]]))    // a Buffer
     * ```
     */
    encode(value: unknown): Encoded
    /**
     * Turns bytes `encode` produced back into the object (`"__proto__"` keys
     * dropped).
     *
     * @example
     * ```ts
     * import { codecs } from 'tiercache'
     * codecs.json.decode('{"a":1}')                                // { a: 1 }
     * codecs.v8.decode(codecs.v8.encode(new Set([1])))             // Set(1) { 1 }
     * ```
     */
    decode(payload: Encoded | Buffer): unknown
  }

  /** The built-in codecs (each frozen), for use outside a cache or as a base of your own. */
  export const codecs: {
    /** The default codec: JSON text, refusing what JSON would not give back unchanged. */
    readonly json: BuiltinCodec<'json', string>
    /** v8's structured clone: Map, Set, Date, BigInt, typed arrays, cycles. */
    readonly v8: BuiltinCodec<'v8', Buffer>
  }

  // ---- arguments and replies --------------------------------------------------

  /** A key: a non-empty string of at most 64 KiB of UTF-8, a finite number (as its decimal text) or a UTF-8 Buffer. */
  export type KeyType = string | Buffer | number

  /**
   * A value: strings, Buffers/Uint8Arrays, numbers, bigints and booleans are
   * stored raw (read back as strings); other objects go through the codec.
   * (`object` also admits functions, which are refused at run time.)
   */
  export type SetValue = string | Buffer | Uint8Array | number | bigint | boolean | object

  /** One command of a batch: `[name, ...args]` (`['set', 'k', 'v']`). */
  export type BatchCommand = readonly [string, ...unknown[]]

  /** {@link TierCache.multi}'s options: `pipeline: false` is refused (it needs a connection of its own). */
  export interface MultiOptions {
    /** `false`: the client's commands answer 'QUEUED' until its `exec()` (ioredis's MULTI without a pipeline). */
    pipeline?: boolean
  }

  /** {@link TierCache.defineCommand}'s script. */
  export interface CommandDefinition {
    /** The Lua source. */
    lua: string
    /** How many of the arguments are keys; undefined: the caller passes it first. */
    numberOfKeys?: number
    /** Sent as EVALSHA_RO / EVAL_RO (Redis refuses writes in it). */
    readOnly?: boolean
  }

  /** exec()'s result: one `[err, reply]` per command, in order (`[err]` alone for an error, as ioredis). */
  export type PipelineResult = Array<[error: Error | null, result: unknown]>

  /**
   * A pipeline or transaction ({@link TierCache.pipeline}, {@link TierCache.multi}):
   * every command method of the client, each returning the pipeline.
   */
  export interface Pipeline extends PipelineCommands {
    /** The number of commands queued. */
    readonly length: number
    /**
     * Sends the queued commands; see {@link TierCache.pipeline} and {@link TierCache.multi}.
     * A pipeline is executed once.
     *
     * @example
     * ```ts
     * const [[err, value]] = await cache.pipeline().get('a').exec()
     * ```
     */
    exec(callback?: Callback<PipelineResult>): Promise<PipelineResult>
    /**
     * Queues each `[name, ...args]` (a name of a command method).
     *
     * @example
     * ```ts
     * await cache.pipeline().addBatch([['set', 'a', '1'], ['incr', 'a']]).exec()   // [[null, 'OK'], [null, 2]]
     * ```
     */
    addBatch(commands: ReadonlyArray<BatchCommand>): this
    /**
     * Drops the queued commands; a later exec() rejects (ERR EXEC without MULTI), as Redis does.
     *
     * @example
     * ```ts
     * const tx = cache.multi().set('a', '1')
     * tx.discard()   // nothing is sent
     * ```
     */
    discard(): this
  }

  /** A Node-style callback, called with the error or `(null, result)`. The promise is returned as well. */
  export type Callback<T> = (err: Error | null, result?: T) => void

  /** An argument of {@link TierCache.call}: arrays are spread (one level), numbers sent as their text. */
  export type CommandArgument = string | Buffer | number | ReadonlyArray<string | Buffer | number>

  /** The object form of a command's field/value or key/value pairs (`hset(key, { f: 'v' })`, `msetnx({ a: '1' })`). */
  export type CommandPairs = Record<string, string | Buffer | number> | Map<string | Buffer | number, string | Buffer | number>

  /** Relative (`EX` seconds, `PX` ms) or absolute (`EXAT` Unix seconds, `PXAT` Unix ms) expiry. */
  export type ExpiryToken = 'EX' | 'PX' | 'EXAT' | 'PXAT'

  /** SET only if the key does not exist (`NX`) / already exists (`XX`). */
  export type SetCondition = 'NX' | 'XX'

  /** EXPIRE-family condition: only when the key has no expiry (`NX`), has one (`XX`), or the new one is greater (`GT`) / less (`LT`). */
  export type ExpireCondition = 'NX' | 'XX' | 'GT' | 'LT'

  /** The fields of SET's node-redis options object; see {@link SetOptions}. */
  export interface SetOptionFields {
    /** Expire after this many seconds (> 0). */
    EX?: number | undefined
    /** Expire after this many milliseconds (> 0). */
    PX?: number | undefined
    /** Expire at this Unix time, in seconds. */
    EXAT?: number | undefined
    /** Expire at this Unix time, in milliseconds. */
    PXAT?: number | undefined
    /** Keep the key's current expiry. */
    KEEPTTL?: boolean | undefined
    /** node-redis v5 spelling of the expiry: `{ type: 'EX', value: 10 }` or `'KEEPTTL'`. */
    expiration?: {
      /** Which expiry: `'EX'`, `'PX'`, `'EXAT'` or `'PXAT'`. */
      type: ExpiryToken;
      /** Its time, in the unit of `type`. */
      value: number
    } | 'KEEPTTL' | undefined
    /** Write only if the key does not exist (the reply is then `null` when it did). */
    NX?: boolean | undefined
    /** Write only if the key exists (the reply is then `null` when it did not). */
    XX?: boolean | undefined
    /** node-redis v5 spelling of NX/XX. */
    condition?: SetCondition | undefined
    /** Reply with the previous value (or `null`) instead of `'OK'`. */
    GET?: boolean | undefined
  }

  /** At most one expiry among EX, PX, EXAT, PXAT, KEEPTTL and expiration. */
  export type SetExpiryChoice =
    | { EX?: undefined; PX?: undefined; EXAT?: undefined; PXAT?: undefined; KEEPTTL?: boolean | undefined; expiration?: undefined }
    | { EX: number; PX?: undefined; EXAT?: undefined; PXAT?: undefined; KEEPTTL?: false | undefined; expiration?: undefined }
    | { EX?: undefined; PX: number; EXAT?: undefined; PXAT?: undefined; KEEPTTL?: false | undefined; expiration?: undefined }
    | { EX?: undefined; PX?: undefined; EXAT: number; PXAT?: undefined; KEEPTTL?: false | undefined; expiration?: undefined }
    | { EX?: undefined; PX?: undefined; EXAT?: undefined; PXAT: number; KEEPTTL?: false | undefined; expiration?: undefined }
    | { EX?: undefined; PX?: undefined; EXAT?: undefined; PXAT?: undefined; KEEPTTL?: false | undefined; expiration: NonNullable<SetOptionFields['expiration']> }

  /** At most one condition among NX, XX and condition. */
  export type SetConditionChoice =
    | { NX?: boolean | undefined; XX?: false | undefined; condition?: undefined }
    | { NX?: false | undefined; XX?: boolean | undefined; condition?: undefined }
    | { NX?: false | undefined; XX?: false | undefined; condition: SetCondition }

  /**
   * SET's node-redis options object, e.g. `{ EX: 10, NX: true, GET: true }`:
   * at most one expiry and at most one condition. Keys set to `undefined` or
   * `false` are ignored.
   */
  export type SetOptions = SetOptionFields & SetExpiryChoice & SetConditionChoice

  /** SCAN's reply: the next cursor (`'0'` when done) and a page of keys. */
  export type ScanReply = [cursor: string, keys: string[]]

  /** node-redis style SCAN options. */
  export interface ScanOptions {
    /** Only keys matching this Redis glob. */
    MATCH?: string | undefined
    /** How many keys to look at per call (a hint, >= 1). Default: 10. */
    COUNT?: number | undefined
  }

  /** Options of {@link TierCache.scanIterator} (either spelling). */
  export interface ScanIteratorOptions {
    /** Only keys matching this Redis glob. */
    match?: string | undefined
    /** Same as `match`. */
    MATCH?: string | undefined
    /** Keys looked at per SCAN call (>= 1). Default: 10. */
    count?: number | undefined
    /** Same as `count`. */
    COUNT?: number | undefined
  }

  /** Counters of the Redis tier of one instance. */
  export interface L2Stats {
    /** Redis reads that found the key. */
    hits: number
    /** Redis reads that did not. */
    misses: number
    /** hits / (hits + misses), 0 before any read. */
    hitRatio: number
    /** Commands that failed on the transport or with an error reply. */
    errors: number
    /** Commands with no reply within commandTimeout. */
    timeouts: number
    /** Commands refused at once: not connected, breaker open, offline queue full. */
    rejected: number
    /** Keys Redis invalidated (changed by anyone, expired, evicted). */
    invalidations: number
    /** Times L1 was emptied: a connection (re)established, FLUSHALL seen, offlineGrace passed. */
    flushes: number
    /** Connections established (the first one and every reconnection). */
    connects: number
    /** Connections lost or closed. */
    disconnects: number
    /** The circuit breaker's state: `'open'` fails calls at once; `'half-open'` lets one try. */
    breaker: 'closed' | 'open' | 'half-open'
    /** The connection status, as {@link TierCache.status}. */
    status: Status
  }

  /** Counters of the L1 store (shared by every instance of the same `name`), and of the Redis tier. */
  export interface Stats {
    /** Reads answered by either tier (front-cache hits included). */
    hits: number
    /** Reads that found nothing: in L1 without Redis, in Redis with it. */
    misses: number
    /** hits / (hits + misses), 0 before any read. */
    hitRatio: number
    /** The L1 tier's own reads. */
    l1: {
      /** L1 reads that found the key. */
      hits: number,
      /** L1 reads that did not. */
      misses: number,
      /** hits / (hits + misses), 0 before any read. */
      hitRatio: number
    }
    /** The Redis tier's counters, or null without one. */
    l2: L2Stats | null
    /** Writes that took effect (SET, MSET's keys, INCR…): in L1, or in Redis when there is a Redis tier. */
    sets: number
    /** Keys removed by commands. */
    deletes: number
    /** Entries evicted to stay within maxEntries/maxBytes. */
    evictions: number
    /** Entries removed because their TTL passed. */
    expirations: number
    /** Entries held now. */
    entries: number
    /** Bytes held now: keys, values and 150 bytes of overhead per entry (what `maxBytes` bounds). */
    bytes: number
    /** The entry bound, or `null` when bounded by bytes only. */
    maxEntries: number | null
    /** The byte budget. */
    maxBytes: number
    /** This instance's cache-pattern counters. */
    patterns: PatternStats
  }

  /** Counters of the cache patterns, per instance. */
  export interface PatternStats {
    /** Loader calls started (one per key at a time). */
    loads: number
    /** Loader calls that failed or passed hardTimeout. */
    loadErrors: number
    /** getOrSet calls that joined a read or load already in flight. */
    coalesced: number
    /** Stale values served (grace). */
    staleServed: number
    /** Background reloads started by refreshAhead. */
    refreshes: number
    /** Times a caller waited for another instance's lease (lock). */
    lockWaits: number
    /** Values loaded or written but not stored (Redis unavailable). */
    storeErrors: number
    /** Writes a write-behind writer accepted. */
    writeBehindWrites: number
    /** Write-behind writer calls that failed (each retry counts). */
    writeBehindFailures: number
  }

  /** What getOrSet and writeThrough store: anything `set` takes, and null/undefined (cacheNull). */
  export type PatternValue = SetValue | null | undefined

  /** Options of {@link TierCache.getOrSet} (a number is `{ ttl }`). */
  export interface GetOrSetOptions {
    /** ms the value is fresh. Default: the cache's `ttl`; without one, it never expires. */
    ttl?: number | undefined
    /** ms a value is kept past `ttl`, served when the loader fails or is slow. Needs `ttl`. Default 0. */
    grace?: number | undefined
    /** With a stale value: how long to wait for the loader before serving it (the reload goes on). Default 0. */
    softTimeout?: number | undefined
    /** The loader's deadline: its `ctx.signal` aborts and the call rejects with a LoaderTimeoutError. */
    hardTimeout?: number | undefined
    /**
     * One loader call across instances (Redis only): a lease for `lease` ms
     * (default hardTimeout, else 10 s), extended while the loader runs;
     * others wait up to `wait` ms (default: lease), then load themselves.
     */
    lock?: boolean | {
      /** ms the lease lasts, extended while the loader runs. Default: hardTimeout, else 10 s. */
      lease?: number | undefined,
      /** ms others wait for the value before loading themselves. Default: the lease. */
      wait?: number | undefined
    } | undefined
    /** Cache null/undefined results: true (for `ttl`) or a ttl in ms. Default false. */
    cacheNull?: boolean | number | undefined
    /** Cache loader failures for this many ms (rethrown with `cached: true`). Default: never. */
    cacheErrors?: number | undefined
    /** Tags for {@link TierCache.invalidateTags}. */
    tags?: readonly string[] | undefined
    /** Reload in the background ahead of expiry: a ratio of ttl in (0, 1) elapsed, or ms (>= 1) before expiry. */
    refreshAhead?: number | undefined
  }

  /** What a getOrSet loader receives. */
  export interface LoaderContext<T = unknown> {
    /** The key being loaded (with a namespace's prefix). */
    readonly key: string
    /** Aborted at hardTimeout (reason: the LoaderTimeoutError). */
    readonly signal: AbortSignal
    /** The ttl the value will get; the loader may change it (0: do not cache this result). */
    ttl: number | undefined
    /** The stale value being replaced (grace, refreshAhead), else undefined. */
    readonly stale: T | undefined
  }

  /** SET options with tags (see the tagged `set` overload). */
  export type TaggedSetOptions = {
    /** Tags for {@link TierCache.invalidateTags}. */
    tags: readonly string[]
    /** Expire after this many seconds (> 0). */
    EX?: number | undefined
    /** Expire after this many milliseconds (> 0). */
    PX?: number | undefined
    /** Expire at this Unix time, in seconds. */
    EXAT?: number | undefined
    /** Expire at this Unix time, in milliseconds. */
    PXAT?: number | undefined
    /** Write only if the key does not exist (else resolve `null`). */
    NX?: boolean | undefined
    /** Write only if the key exists (else resolve `null`). */
    XX?: boolean | undefined
  }

  /** Options of {@link TierCache.writeThrough} (a number is `{ ttl }`). */
  export interface WriteThroughOptions {
    /** TTL in ms of the cached value. Default: the cache's `ttl`; none: no expiry. */
    ttl?: number | undefined
    /** Tags for {@link TierCache.invalidateTags}. */
    tags?: readonly string[] | undefined
  }

  /** One queued source write, as the write-behind writer receives it. */
  export interface WriteBehindEntry {
    /** The key written (with a namespace's prefix). */
    key: string
    /** The value (undefined for a delete). */
    value: any
    /** A write (`'set'`) or a delete (`'del'`) of the key at the source. */
    op: 'set' | 'del'
  }

  /** Options of {@link TierCache.writeBehind}. */
  export interface WriteBehindOptions {
    /** Writes a batch to the source; a rejection retries the batch. */
    writer: (batch: WriteBehindEntry[]) => unknown | PromiseLike<unknown>
    /** Writes per writer call. Default 100. */
    batchSize?: number | undefined
    /** ms between flushes of a partial batch. Default 1000. */
    flushInterval?: number | undefined
    /** Keys the queue holds at most. Default 10,000. */
    maxQueue?: number | undefined
    /** Retries of a failed batch before it waits for the next flush (it is never dropped). Default 3. */
    retries?: number | undefined
    /** First retry delay in ms, doubled each time (jittered). Default 100. */
    retryDelay?: number | undefined
    /** Cap of the retry delay. Default 30,000. */
    maxRetryDelay?: number | undefined
    /** A full queue: 'wait' (set waits for room) or 'reject' (QueueFullError). Default 'wait'. */
    whenFull?: 'wait' | 'reject' | undefined
    /** TTL in ms of the cached values. Default: the cache's. */
    ttl?: number | undefined
  }

  /** A write-behind queue (see {@link TierCache.writeBehind}). */
  export interface WriteBehind extends EventEmitter {
    /**
     * Caches `value` now and queues its source write.
     *
     * @example
     * ```ts
     * const queue = cache.writeBehind({ writer: (batch) => db.bulkUpsert(batch) })
     * await queue.set('counter:home', 42)   // 'OK': get('counter:home') gives '42' now
     * ```
     */
    set(key: KeyType, value: SetValue, ttlMs?: number): Promise<'OK'>
    /**
     * Deletes from the cache now and queues the source delete.
     *
     * @example
     * ```ts
     * const queue = cache.writeBehind({ writer: (batch) => db.bulkUpsert(batch) })
     * await queue.del('counter:home')   // 'OK': gone from the cache; the writer gets { key, op: 'del' }
     * ```
     */
    del(key: KeyType): Promise<'OK'>
    /**
     * Resolves once every write queued before it is with the source.
     *
     * @example
     * ```ts
     * const queue = cache.writeBehind({ writer: (batch) => db.bulkUpsert(batch) })
     * await queue.set('a', 1)
     * await queue.flush()   // 'a' is with the source now
     * ```
     */
    flush(): Promise<void>
    /**
     * Stops taking writes and drains the queue.
     *
     * @example
     * ```ts
     * const queue = cache.writeBehind({ writer: (batch) => db.bulkUpsert(batch) })
     * process.on('SIGTERM', async () => { await queue.close(); await cache.quit(); process.exit(0) })
     * ```
     */
    close(): Promise<void>
    /** Writes not yet with the source. */
    readonly size: number
    /**
     * `'writeError'` `(error, batch, attempt)`: a writer call failed (the batch
     * is retried, never dropped). `'cacheError'` `(error)`: the cache update of
     * a `set`/`del` failed (its source write is still queued).
     *
     * @example
     * ```ts
     * const queue = cache.writeBehind({ writer: (batch) => db.bulkUpsert(batch) })
     * queue.on('writeError', (err, batch, attempt) => console.warn(`attempt ${attempt} of ${batch.length} writes failed`, err))
     * ```
     */
    on(event: 'writeError', listener: (error: unknown, batch: WriteBehindEntry[], attempt: number) => void): this
    on(event: 'cacheError', listener: (error: Error) => void): this
    on(event: string | symbol, listener: (...args: any[]) => void): this
  }

  /** A view of the keys under a prefix (see {@link TierCache.namespace}). */
  export interface Namespace {
    /** What its keys start with, e.g. `'users:'`. */
    readonly prefix: string
    /**
     * A nested namespace: its keys are under `${prefix}${name}:`.
     *
     * @example
     * ```ts
     * const admins = cache.namespace('users').namespace('admins')
     * admins.prefix   // 'users:admins:'
     * ```
     */
    namespace(name: string): Namespace
    /**
     * GET of `prefix + key` (as {@link TierCache.get}).
     *
     * @example
     * ```ts
     * const users = cache.namespace('users')
     * await users.get('1')   // what cache.get('users:1') gives
     * ```
     */
    get<T = string>(key: string | number, callback?: Callback<T | null>): Promise<T | null>
    /**
     * SET of `prefix + key`, with any of {@link TierCache.set}'s arguments.
     *
     * @example
     * ```ts
     * const users = cache.namespace('users')
     * await users.set('1', { name: 'Ada' }, 'EX', 60)   // 'OK'
     * ```
     */
    set(key: string | number, value: SetValue, ...rest: any[]): Promise<'OK' | null>
    /**
     * DEL of `prefix + key` for each key (or array of keys): how many existed.
     *
     * @example
     * ```ts
     * const users = cache.namespace('users')
     * await users.del('1', '2')   // 1 when only 'users:1' existed
     * ```
     */
    del(...keys: Array<string | number | ReadonlyArray<string | number>>): Promise<number>
    /**
     * MGET of `prefix + key` for each key (or array of keys).
     *
     * @example
     * ```ts
     * const users = cache.namespace('users')
     * await users.mget('1', '2')   // ['Ada', null]
     * ```
     */
    mget<T = string>(...keys: Array<string | number | ReadonlyArray<string | number>>): Promise<Array<T | null>>
    /**
     * {@link TierCache.getOrSet} of `prefix + key`.
     *
     * @example
     * ```ts
     * const users = cache.namespace('users')
     * const user = await users.getOrSet('1', () => db.findUser(1), { ttl: 60_000 })
     * ```
     */
    getOrSet<T>(key: string | number, loader: (ctx: LoaderContext<T>) => T | PromiseLike<T>, options?: GetOrSetOptions | number): Promise<T>
    /**
     * {@link TierCache.wrap} of `prefix + key`.
     *
     * @example
     * ```ts
     * const users = cache.namespace('users')
     * const user = await users.wrap('1', () => db.findUser(1), 60_000)
     * ```
     */
    wrap<T>(key: string | number, loader: (ctx: LoaderContext<T>) => T | PromiseLike<T>, options?: GetOrSetOptions | number, refreshThreshold?: number): Promise<T>
    /**
     * {@link TierCache.writeThrough} of `prefix + key`.
     *
     * @example
     * ```ts
     * const users = cache.namespace('users')
     * await users.writeThrough('1', { id: 1, name: 'Ada' }, (value) => db.saveUser(1, value))
     * ```
     */
    writeThrough<R>(key: string | number, value: PatternValue, writer: (value: any, key: string) => R | PromiseLike<R>, options?: WriteThroughOptions | number): Promise<Awaited<R>>
    /**
     * Deletes every key of the namespace in both tiers (every instance's L1 follows). Resolves the count.
     *
     * @example
     * ```ts
     * const users = cache.namespace('users')
     * await users.set('1', 'Ada')
     * await users.clear()   // 1
     * ```
     */
    clear(): Promise<number>
  }

  /**
   * `cache.local`: synchronous, Map-like access to the L1 store for hot
   * paths. No promise, no callback: bad input throws.
   */
  export interface LocalView {
    /**
     * The value (as {@link TierCache.get}), or `undefined` on a miss. `T` defaults to `string`.
     *
     * @example
     * ```ts
     * cache.local.set('k', 'v')
     * cache.local.get('k')         // 'v'
     * cache.local.get('missing')   // undefined
     * ```
     */
    get<T = string>(key: KeyType): T | undefined
    /**
     * Sets `key` (with an optional TTL in ms, > 0; else the default TTL). Returns true.
     *
     * @example
     * ```ts
     * cache.local.set('k', 'v', 5_000)   // true: expires in 5 s
     * ```
     */
    set(key: KeyType, value: SetValue, ttlMs?: number | undefined): true
    /**
     * Deletes `key`; true when it existed.
     *
     * @example
     * ```ts
     * cache.local.set('k', 'v')
     * cache.local.del('k')   // true
     * cache.local.del('k')   // false
     * ```
     */
    del(key: KeyType): boolean
    /**
     * Whether `key` exists.
     *
     * @example
     * ```ts
     * cache.local.set('k', 'v')
     * cache.local.has('k')   // true
     * ```
     */
    has(key: KeyType): boolean
  }

  /** `cache.l2`: reads of Redis alone (L1 neither read nor filled). */
  export interface L2View {
    /**
     * GET from Redis itself: the value, or `null`. Rejects with an
     * {@link UnavailableError} or {@link TimeoutError} when Redis cannot answer.
     *
     * @example
     * ```ts
     * await cache.l2.get('user:1')   // Redis's value, L1 neither read nor filled
     * ```
     */
    get<T = string>(key: KeyType, callback?: Callback<T | null>): Promise<T | null>
    /**
     * GET from Redis itself, as a Buffer of the stored bytes, or `null`.
     *
     * @example
     * ```ts
     * await cache.l2.getBuffer('bytes')   // <Buffer 01 02 03>
     * ```
     */
    getBuffer(key: KeyType, callback?: Callback<Buffer | null>): Promise<Buffer | null>
    /**
     * MGET from Redis itself: the values in order, `null` for misses.
     *
     * @example
     * ```ts
     * await cache.l2.mget('a', 'b')   // ['1', null]
     * ```
     */
    mget<T = string>(...keys: [...KeyType[], Callback<Array<T | null>>] | KeyType[]): Promise<Array<T | null>>
    /** MGET from Redis itself, the keys as an array. */
    mget<T = string>(keys: KeyType[], callback?: Callback<Array<T | null>>): Promise<Array<T | null>>
  }

  /** The events of a cache, with their listeners' signatures. */
  export interface TierCacheEvents {
    /**
     * An entry was evicted to stay within `maxEntries`/`maxBytes`. Listening
     * to `'evict'` or `'expire'` subscribes to the store; evictions made on
     * behalf of other instances sharing the store are heard as well.
     */
    evict: (key: string, reason: 'size') => void
    /** An entry was removed because its TTL passed. */
    expire: (key: string) => void
    /** Connected to Redis (L1 only: on the tick after construction, as ioredis does). */
    connect: () => void
    /** Ready for commands, after `'connect'`. */
    ready: () => void
    /** The connection closed (lost, or by `quit()`/`close()`/`disconnect()`). */
    close: () => void
    /** A reconnection attempt is scheduled in `delay` ms. */
    reconnecting: (delay: number) => void
    /** Closed for good: by `quit()`/`close()`/`disconnect()`, or `retryStrategy` gave up. */
    end: () => void
    /**
     * A connection attempt failed or the connection was lost (an
     * UnavailableError; never contains the password). Without a listener it
     * is printed (at most every 5 s), never thrown.
     */
    error: (error: Error) => void
    /** Redis invalidated `key` in L1 (null: every key, as after FLUSHALL). Listening costs a call per key. */
    invalidate: (key: string | null) => void
    /** A monitoring client ({@link TierCache.monitor}) started receiving Redis's commands. */
    monitoring: () => void
    /** On a monitoring client: a command Redis ran (`time` as Redis gives it, seconds with µs; `source` the client's address or `lua`). */
    monitor: (time: string, args: string[], source: string, database: string) => void
    /** A message on a channel this instance subscribed to (UTF-8 strings). */
    message: (channel: string, message: string) => void
    /** A message on a subscribed channel, as Buffers (byte for byte). */
    messageBuffer: (channel: Buffer, message: Buffer) => void
    /** A message on a channel matching a subscribed pattern (UTF-8 strings). */
    pmessage: (pattern: string, channel: string, message: string) => void
    /** A message on a channel matching a subscribed pattern: the channel and message as Buffers, the pattern as a string (as ioredis). */
    pmessageBuffer: (pattern: string, channel: Buffer, message: Buffer) => void
    /** A message on a subscribed shard channel (`ssubscribe`; UTF-8 strings). */
    smessage: (channel: string, message: string) => void
    /** A message on a subscribed shard channel, as Buffers (byte for byte). */
    smessageBuffer: (channel: Buffer, message: Buffer) => void
    /** A getOrSet loader failed (also when a stale value was served instead). */
    loaderError: (error: unknown, key: string) => void
    /** EventEmitter's own: a listener is about to be added. */
    newListener: (event: string | symbol, listener: (...args: any[]) => void) => void
    /** EventEmitter's own: a listener was removed. */
    removeListener: (event: string | symbol, listener: (...args: any[]) => void) => void
  }

  // ---- errors -----------------------------------------------------------------

  /** The stable error codes (frozen): name → `err.code`. */
  export const codes: ErrorCodes

  /** The type of {@link codes}: each code and when it is raised (generated from the engine's list). */
  export interface ErrorCodes extends GeneratedErrorCodes {}

  /** One of the values of {@link codes}. */
  export type ErrorCode = (typeof codes)[keyof typeof codes]

  /**
   * Base class of tiercache's errors. `err instanceof TierCacheError` is true
   * for every error tiercache raises, including the {@link TierCacheTypeError}
   * and {@link TierCacheRangeError} argument errors (which extend TypeError
   * and RangeError).
   */
  export class TierCacheError extends Error {
    /**
     * Creates an error of `code` (for a codec or a wrapper of your own that
     * fails as tiercache does). `code` defaults to `'ERR_TIERCACHE'`, used by
     * no error tiercache raises itself.
     *
     * @example
     * ```ts
     * try {
     *   await cache.set('k', undefined as any)
     * } catch (err) {
     *   if (err instanceof TierCache.TierCacheError) console.log(err.code)   // 'ERR_TIERCACHE_INVALID_VALUE'
     * }
     * ```
     */
    constructor(message?: string, code?: ErrorCode | 'ERR_TIERCACHE', options?: { cause?: unknown })
    /** The stable error code (see {@link codes}). */
    code: ErrorCode | 'ERR_TIERCACHE'
    /** Makes `err instanceof TierCacheError` true for every tiercache error, the TypeError and RangeError subclasses included. */
    static [Symbol.hasInstance](value: unknown): value is TierCacheError | TierCacheTypeError | TierCacheRangeError
  }

  /** A bad argument's type or shape (a TypeError): a bad key, value, option or SET syntax. */
  export class TierCacheTypeError extends TypeError {
    /**
     * `code` defaults to `'ERR_TIERCACHE_INVALID_ARGUMENT'`.
     *
     * @example
     * ```ts
     * const err = await cache.set('k', () => 1).catch((e) => e)
     * err instanceof TierCache.TierCacheTypeError   // true (and instanceof TypeError)
     * err.code                                     // 'ERR_TIERCACHE_INVALID_VALUE'
     * ```
     */
    constructor(message?: string, code?: ErrorCode, options?: { cause?: unknown })
    /** The stable error code (see {@link codes}). */
    code: ErrorCode
  }

  /** A bad argument's value (a RangeError): an empty or too long key, a too large value, a bad TTL or bound. */
  export class TierCacheRangeError extends RangeError {
    /**
     * `code` defaults to `'ERR_TIERCACHE_INVALID_ARGUMENT'`.
     *
     * @example
     * ```ts
     * const err = await cache.set('k', 'v', 'EX', 0).catch((e) => e)
     * err instanceof TierCache.TierCacheRangeError   // true (and instanceof RangeError)
     * err.code                                      // 'ERR_TIERCACHE_INVALID_TTL'
     * ```
     */
    constructor(message?: string, code?: ErrorCode)
    /** The stable error code (see {@link codes}). */
    code: ErrorCode
  }

  /** An error reply with Redis's own message (as ioredis's ReplyError), e.g. INCR on a non-integer. */
  export class ReplyError extends TierCacheError {
    /**
     * Raised by tiercache (construct one only to imitate it, in a test or a wrapper); the example recognises one.
     *
     * @example
     * ```ts
     * await cache.set('name', 'ada')
     * const err = await cache.incr('name').catch((e) => e)
     * err instanceof TierCache.ReplyError   // true
     * err.message                          // 'ERR value is not an integer or out of range'
     * ```
     */
    constructor(message?: string)
    /** On the EXECABORT error of {@link TierCache.multi}'s exec(): the errors of the commands Redis refused when queued. */
    previousErrors?: ReplyError[]
    /** The stable error code (see {@link codes}). */
    code: 'ERR_TIERCACHE_REPLY'
    /** `err instanceof` this class: the ordinary prototype check (declared so that it narrows the type). */
    static [Symbol.hasInstance](value: unknown): value is ReplyError
  }

  /** A command on a closed cache. */
  export class ClosedError extends TierCacheError {
    /**
     * Raised by tiercache (construct one only to imitate it, in a test or a wrapper); the example recognises one.
     *
     * @example
     * ```ts
     * await cache.quit()
     * const err = await cache.get('k').catch((e) => e)
     * err instanceof TierCache.ClosedError   // true: err.code is 'ERR_TIERCACHE_CLOSED'
     * ```
     */
    constructor(message?: string)
    /** The stable error code (see {@link codes}). */
    code: 'ERR_TIERCACHE_CLOSED'
    /** `err instanceof` this class: the ordinary prototype check (declared so that it narrows the type). */
    static [Symbol.hasInstance](value: unknown): value is ClosedError
  }

  /** A bug inside tiercache (a Rust panic), caught before it could abort Node. */
  export class InternalError extends TierCacheError {
    /**
     * Raised by tiercache (construct one only to imitate it, in a test or a wrapper); the example recognises one.
     *
     * @example
     * ```ts
     * cache.get('k').catch((err) => {
     *   if (err instanceof TierCache.InternalError) console.error('tiercache bug, please report:', err)
     * })
     * ```
     */
    constructor(message?: string, options?: { cause?: unknown })
    /** The stable error code (see {@link codes}). */
    code: 'ERR_TIERCACHE_INTERNAL'
    /** `err instanceof` this class: the ordinary prototype check (declared so that it narrows the type). */
    static [Symbol.hasInstance](value: unknown): value is InternalError
  }

  /** Redis could not be used: not connected, unreachable, breaker open, queue full, or the connection broke. Code `ERR_TIERCACHE_L2_UNAVAILABLE`. */
  export class UnavailableError extends TierCacheError {
    /**
     * Raised by tiercache (construct one only to imitate it, in a test or a wrapper); the example recognises one.
     *
     * @example
     * ```ts
     * const redisCache = new TierCache('redis://localhost:6390', { offlineMode: 'reject' })
     * const err = await redisCache.get('k').catch((e) => e)   // with no Redis on port 6390
     * err instanceof TierCache.UnavailableError   // true: err.code is 'ERR_TIERCACHE_L2_UNAVAILABLE'
     * ```
     */
    constructor(message?: string)
    /** The stable error code (see {@link codes}). */
    readonly code: 'ERR_TIERCACHE_L2_UNAVAILABLE'
  }

  /** Redis did not answer within commandTimeout (the command may have run). Code `ERR_TIERCACHE_L2_TIMEOUT`. */
  export class TimeoutError extends TierCacheError {
    /**
     * Raised by tiercache (construct one only to imitate it, in a test or a wrapper); the example recognises one.
     *
     * @example
     * ```ts
     * const value = await cache.get('k').catch((err) => {
     *   if (err instanceof TierCache.TimeoutError) return null   // Redis was slow: treat as a miss
     *   throw err
     * })
     * ```
     */
    constructor(message?: string)
    /** The stable error code (see {@link codes}). */
    readonly code: 'ERR_TIERCACHE_L2_TIMEOUT'
  }

  /** A getOrSet loader ran past hardTimeout. Code `ERR_TIERCACHE_LOADER_TIMEOUT`. */
  export class LoaderTimeoutError extends TierCacheError {
    /**
     * Raised by tiercache (construct one only to imitate it, in a test or a wrapper); the example recognises one.
     *
     * @example
     * ```ts
     * const err = await cache.getOrSet('slow', () => new Promise((resolve) => setTimeout(resolve, 5_000, 'v')), { hardTimeout: 100 })
     *   .catch((e) => e)
     * err instanceof TierCache.LoaderTimeoutError   // true: err.code is 'ERR_TIERCACHE_LOADER_TIMEOUT'
     * ```
     */
    constructor(message?: string)
    /** The stable error code (see {@link codes}). */
    readonly code: 'ERR_TIERCACHE_LOADER_TIMEOUT'
    /** `err instanceof` this class: the ordinary prototype check (declared so that it narrows the type). */
    static [Symbol.hasInstance](value: unknown): value is LoaderTimeoutError
  }

  /** A write-behind queue is full (whenFull 'reject'). Code `ERR_TIERCACHE_QUEUE_FULL`. */
  export class QueueFullError extends TierCacheError {
    /**
     * Raised by tiercache (construct one only to imitate it, in a test or a wrapper); the example recognises one.
     *
     * @example
     * ```ts
     * const queue = cache.writeBehind({ writer: (batch) => db.bulkUpsert(batch), maxQueue: 1, whenFull: 'reject' })
     * await queue.set('a', 1)
     * const err = await queue.set('b', 2).catch((e) => e)
     * err instanceof TierCache.QueueFullError   // true while 'a' is not yet written: err.code is 'ERR_TIERCACHE_QUEUE_FULL'
     * ```
     */
    constructor(message?: string)
    /** The stable error code (see {@link codes}). */
    readonly code: 'ERR_TIERCACHE_QUEUE_FULL'
    /** `err instanceof` this class: the ordinary prototype check (declared so that it narrows the type). */
    static [Symbol.hasInstance](value: unknown): value is QueueFullError
  }

  /**
   * A command that only Redis runs (hashes, lists, sets, sorted sets, scripts,
   * `call`, …) on an instance without a Redis tier, whose L1 holds strings
   * only. Code `ERR_TIERCACHE_NEEDS_REDIS`; the fix: pass a Redis URL.
   */
  export class NeedsRedisError extends TierCacheError {
    /**
     * Raised by tiercache (construct one only to imitate it, in a test or a wrapper); the example recognises one.
     *
     * @example
     * ```ts
     * const local = new TierCache()   // no Redis URL: L1 only
     * const err = await local.hset('h', 'f', 'v').catch((e) => e)
     * err instanceof TierCache.NeedsRedisError   // true: err.code is 'ERR_TIERCACHE_NEEDS_REDIS'
     * ```
     */
    constructor(message?: string)
    /** The stable error code (see {@link codes}). */
    readonly code: 'ERR_TIERCACHE_NEEDS_REDIS'
    /** `err instanceof` this class: the ordinary prototype check (declared so that it narrows the type). */
    static [Symbol.hasInstance](value: unknown): value is NeedsRedisError
  }

  /**
   * The node-redis flavour's `multi().exec()` when a key the client WATCHed
   * changed, so EXEC ran nothing (the ioredis flavour resolves `null`, as
   * ioredis does). Code `ERR_TIERCACHE_TRANSACTION_ABORTED`.
   */
  export class WatchError extends TierCacheError {
    /**
     * Raised by tiercache (construct one only to imitate it, in a test or a wrapper); the example recognises one.
     *
     * @example
     * ```ts
     * const client = await TierCache.createClient({ url: process.env.REDIS_URL }).connect()
     * await client.watch('balance')
     * const err: unknown = await client.multi().set('balance', '0').exec().catch((e: unknown) => e)
     * err instanceof TierCache.WatchError   // true when 'balance' changed after the watch
     * ```
     */
    constructor(message?: string)
    /** The stable error code (see {@link codes}). */
    readonly code: 'ERR_TIERCACHE_TRANSACTION_ABORTED'
    /** `err instanceof` this class: the ordinary prototype check (declared so that it narrows the type). */
    static [Symbol.hasInstance](value: unknown): value is WatchError
  }

  /** A stored object that its codec could not decode (`cause` holds the codec's error). */
  export class DecodeError extends TierCacheError {
    /**
     * Raised by tiercache (construct one only to imitate it, in a test or a wrapper); the example recognises one.
     *
     * @example
     * ```ts
     * const err = await cache.get('written-by-another-codec').catch((e) => e)
     * if (err instanceof TierCache.DecodeError) console.error(err.message, err.cause)   // the codec's own error as cause
     * ```
     */
    constructor(message?: string, options?: { cause?: unknown })
    /** The stable error code (see {@link codes}). */
    code: 'ERR_TIERCACHE_DECODE'
    /** `err instanceof` this class: the ordinary prototype check (declared so that it narrows the type). */
    static [Symbol.hasInstance](value: unknown): value is DecodeError
  }
}

export = TierCache
