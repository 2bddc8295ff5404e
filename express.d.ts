// Typings of `require('tiercache/express')`: the Express response cache and
// the express-session store. Express and express-session are not required
// to type-check this file: requests and responses are typed structurally.

/**
 * `tiercache/express`: a response cache for Express routes
 * ({@link middleware}) and an express-session store ({@link TierCacheStore}),
 * both on a {@link TierCache}: with L1 alone, or shared by every instance
 * through Redis. Works with Express 4 and 5.
 *
 * In the examples, `cache` is an open {@link TierCache} and `app` an Express
 * application.
 *
 * @example
 * ```ts
 * import { middleware, TierCacheStore } from 'tiercache/express'
 * ```
 *
 * @module tiercache/express
 */
import TierCache = require('./index')
import { IncomingMessage, ServerResponse } from 'node:http'

declare namespace TierCacheExpress {
  /** What a key function receives: an Express request (or any IncomingMessage with `originalUrl`). */
  type Request = IncomingMessage & {
    /** The URL as the client sent it (Express keeps it through mounted routers). */
    originalUrl?: string
  }

  /** Options of {@link middleware} and `cache.middleware(options)`. */
  interface MiddlewareOptions {
    /** ms a response is fresh. Default 60,000. */
    ttl?: number | undefined
    /** ms a stale response is kept and served (`X-Cache: STALE`) while one request refreshes it. Default 0. */
    grace?: number | undefined
    /** Tags for `cache.invalidateTags`. */
    tags?: readonly string[] | undefined
    /** A route group, purged with `purgeGroup(group)` in every instance. */
    group?: string | undefined
    /**
     * Replaces the default key (lower-cased Host + URL as routed and as sent, query as sent, scheme).
     * The forwarding headers present, the user (userKey) and the Vary headers are still added.
     */
    key?: ((req: Request) => string) | undefined
    /**
     * A per-user key part: requests with credentials (Cookie, Authorization, X-Api-Key, … and
     * `credentialHeaders`) are cached per user (without it they bypass the cache), and
     * `Cache-Control: private` responses may be stored.
     */
    userKey?: ((req: Request) => string) | undefined
    /** Statuses that may be stored. Default [200, 203, 300, 301]; 5xx, 206 and 304 are refused; 404 and 410 go by negativeTtl. */
    statuses?: readonly number[] | undefined
    /** ms to keep 404 and 410 responses (at most `ttl`). Default: not stored. */
    negativeTtl?: number | undefined
    /**
     * More request headers that carry credentials, added to Authorization, Proxy-Authorization, Cookie,
     * X-Api-Key, X-Auth-Token and X-Access-Token: such requests bypass the cache unless the route has `userKey`.
     */
    credentialHeaders?: readonly string[] | undefined
    /** Larger bodies are not stored. Default 1 MiB. */
    maxBodyBytes?: number | undefined
    /** The response header saying HIT-L1, HIT-L2, MISS or STALE. Default 'X-Cache'. */
    header?: string | undefined
    /** Let a request's `Cache-Control: no-cache` refresh the entry. Default false. */
    requestNoCache?: boolean | undefined
    /** A request header that bypasses the cache (none by default). */
    bypassHeader?: string | undefined
    /** One handler run across instances for concurrent misses (Redis). Default false. */
    lock?: boolean | {
      /** ms the lease lasts (extended while the handler runs). Default: `timeout`. */
      lease?: number | undefined,
      /** ms other instances wait for the lease holder before running the handler themselves. Default: the lease. */
      wait?: number | undefined
    } | undefined
    /** ms concurrent requests wait for the one running the handler. Default 30,000. */
    timeout?: number | undefined
    /** Prefix of the cache keys. Default 'http:'. */
    prefix?: string | undefined
  }

  /** The middleware (for Express 4 and 5), with purge helpers. */
  interface ResponseCacheMiddleware {
    /** Express calls it: answers from the cache, or runs the route and stores what it sends. */
    (req: any, res: any, next: (err?: unknown) => void): void
    /**
     * Drops the cached responses of one URL of one host (all their
     * variants: scheme, users, Vary) from both tiers; other instances follow
     * through Redis's invalidations. Add `baseUrl` for a route of a mounted
     * router. Resolves the number of entries deleted.
     *
     * @throws (as a rejection) {@link tiercache!TierCacheTypeError}
     *   `ERR_TIERCACHE_INVALID_ARGUMENT` without a `url`.
     * @example
     * ```ts
     * const products = cache.middleware({ ttl: 30_000 })
     * app.get('/products/:id', products, (req, res) => { res.json({ id: req.params.id }) })
     * // after GET /products/1 was cached and the product changed:
     * await products.purge({ url: '/products/1', headers: { host: 'shop.example' } })   // 1: its one cached variant
     * ```
     */
    purge(req: { method?: string, url: string, baseUrl?: string, originalUrl?: string, headers: Record<string, string | string[] | undefined> }): Promise<number>
    /**
     * Drops every response of a route group (the `group` option), in every
     * instance: it invalidates the group's tag, and resolves `1`.
     *
     * @throws (as a rejection) {@link tiercache!TierCacheTypeError}
     *   `ERR_TIERCACHE_INVALID_ARGUMENT` when `group` is not a non-empty string.
     * @example
     * ```ts
     * const products = cache.middleware({ ttl: 30_000, group: 'products' })
     * app.get('/products/:id', products, (req, res) => { res.json({ id: req.params.id }) })
     * await products.purgeGroup('products')   // 1: every /products/* response is gone, everywhere
     * ```
     */
    purgeGroup(group: string): Promise<number>
  }

  /** Options of {@link TierCacheStore}. */
  interface SessionStoreOptions {
    /** The cache that holds the sessions (its Redis tier, if any, shares them between instances). */
    cache: TierCache | TierCache.NodeRedisClient
    /** Key prefix. Default 'sess:'. */
    prefix?: string | undefined
    /** Seconds, when the session cookie has no expiry. Default 86,400. */
    ttl?: number | ((session: any) => number) | undefined
    /** Make touch() a no-op. Default false. */
    disableTouch?: boolean | undefined
    /** 'strong' (default): with Redis, reads go to Redis (a logout is seen everywhere at once); 'fast': L1 first. */
    consistency?: 'strong' | 'fast' | undefined
    /** SCAN page size for ids/all/length/clear. Default 100. */
    scanCount?: number | undefined
  }

  /** express-session's callback: `(err)` or `(null, result)`. */
  type SessionCallback<T = void> = (err: any, result?: T) => void

  /**
   * What a {@link TierCacheStore} does: express-session's `Store` methods,
   * typed structurally so that this file needs no express-session types (a
   * TierCacheStore is assignable to `session.Store`). Each method takes
   * express-session's callback and also returns a promise. A destroyed
   * session stays destroyed: `set` and `touch` never bring it back.
   */
  interface SessionStore extends NodeJS.EventEmitter {
    /**
     * The session of `sid`, or `null` when there is none (missing, expired
     * or destroyed). With `consistency: 'strong'` and Redis, read from Redis.
     *
     * @example
     * ```ts
     * const store = new TierCacheStore({ cache })
     * await store.get('sid-1')   // null, or the session object express-session saved
     * ```
     */
    get(sid: string, callback?: SessionCallback<any>): Promise<any>
    /**
     * Saves the session of `sid`, with its cookie's expiry as TTL (else the
     * `ttl` option). Ignored when the session was destroyed meanwhile.
     *
     * @throws (as a rejection) {@link tiercache!TierCacheTypeError}
     *   `ERR_TIERCACHE_UNENCODABLE` when the session is not JSON (a BigInt, a cycle).
     * @example
     * ```ts
     * const store = new TierCacheStore({ cache })
     * await store.set('sid-1', { cookie: { maxAge: 60_000 }, user: 'ada' })
     * await store.get('sid-1')   // { cookie: { maxAge: 60000 }, user: 'ada' }
     * ```
     */
    set(sid: string, session: any, callback?: SessionCallback): Promise<void>
    /**
     * Restarts the session's TTL (a no-op with `disableTouch`). Never
     * brings back a destroyed session.
     *
     * @example
     * ```ts
     * const store = new TierCacheStore({ cache })
     * await store.touch('sid-1', { cookie: { maxAge: 60_000 } })   // expires a minute from now
     * ```
     */
    touch(sid: string, session: any, callback?: SessionCallback): Promise<void>
    /**
     * Destroys the session of `sid` in both tiers (a logout), for good: a
     * later `set` or `touch` of it, from any instance, is ignored.
     *
     * @example
     * ```ts
     * const store = new TierCacheStore({ cache })
     * await store.destroy('sid-1')
     * await store.get('sid-1')   // null
     * ```
     */
    destroy(sid: string, callback?: SessionCallback): Promise<void>
    /**
     * Destroys every session under the prefix (found with SCAN).
     *
     * @example
     * ```ts
     * const store = new TierCacheStore({ cache })
     * await store.clear()
     * await store.length()   // 0
     * ```
     */
    clear(callback?: SessionCallback): Promise<void>
    /**
     * How many sessions there are (found with SCAN).
     *
     * @example
     * ```ts
     * const store = new TierCacheStore({ cache })
     * await store.length()   // 2
     * ```
     */
    length(callback?: SessionCallback<number>): Promise<number>
    /**
     * The ids of every session (found with SCAN).
     *
     * @example
     * ```ts
     * const store = new TierCacheStore({ cache })
     * await store.ids()   // ['sid-1', 'sid-2']
     * ```
     */
    ids(callback?: SessionCallback<string[]>): Promise<string[]>
    /**
     * Every session, as an object (without a prototype) from id to session.
     *
     * @example
     * ```ts
     * const store = new TierCacheStore({ cache })
     * await store.all()   // { 'sid-1': { cookie: {…}, user: 'ada' }, … }
     * ```
     */
    all(callback?: SessionCallback<Record<string, any>>): Promise<Record<string, any>>
    /**
     * Inherited from express-session's Store: destroys the request's session
     * and gives it a new one (express-session calls it for `req.session.regenerate`).
     *
     * @example
     * ```ts
     * const store = new TierCacheStore({ cache })
     * app.post('/login', (req, res) => store.regenerate(req, (err) => res.sendStatus(err ? 500 : 204)))
     * ```
     */
    regenerate(req: any, callback: (err?: any) => any): void
    /**
     * Inherited from express-session's Store: `get`, then
     * {@link createSession} (express-session calls it).
     *
     * @example
     * ```ts
     * const store = new TierCacheStore({ cache })
     * store.load('sid-1', (err, session) => { console.log(err ?? session) })
     * ```
     */
    load(sid: string, callback: (err: any, session?: any) => any): void
    /**
     * Inherited from express-session's Store: turns stored session data into
     * the request's `req.session` (express-session calls it).
     *
     * @example
     * ```ts
     * const store = new TierCacheStore({ cache })
     * app.use((req, res, next) => { store.createSession(req, { cookie: { maxAge: 60_000 } }); next() })
     * ```
     */
    createSession(req: any, session: any): any
  }

  /**
   * Express response-cache middleware (the same as `cache.middleware(options)`):
   * stores the status, headers and body a route sends, in both tiers, and
   * replays them on later requests (`X-Cache: HIT-L1 | HIT-L2 | MISS | STALE`,
   * `ETag`/`304`). Safe by default: requests with credentials, other methods
   * than GET/HEAD, `Set-Cookie` or `Cache-Control: private` responses pass
   * through uncached (see the options).
   *
   * @throws {@link tiercache!TierCacheTypeError} or
   *   {@link tiercache!TierCacheRangeError} (`ERR_TIERCACHE_INVALID_ARGUMENT`)
   *   for an unknown or bad option.
   * @example
   * ```ts
   * import { middleware } from 'tiercache/express'
   * app.get('/products/:id', middleware(cache, { ttl: 30_000, grace: 300_000 }), (req, res) => {
   *   res.json({ id: req.params.id })   // runs once per 30 s; other requests get X-Cache: HIT-L1
   * })
   * ```
   */
  function middleware(cache: TierCache | TierCache.NodeRedisClient, options?: MiddlewareOptions): ResponseCacheMiddleware

  /**
   * Drops every response of a route group (the middleware's `group` option),
   * in every instance. Resolves `1` (the group's tag was invalidated).
   *
   * @throws (as a rejection) {@link tiercache!TierCacheTypeError}
   *   `ERR_TIERCACHE_INVALID_ARGUMENT` when `group` is not a non-empty string.
   * @example
   * ```ts
   * import { middleware, purgeGroup } from 'tiercache/express'
   * app.get('/products/:id', middleware(cache, { group: 'products' }), (req, res) => { res.json({}) })
   * await purgeGroup(cache, 'products')   // 1
   * ```
   */
  function purgeGroup(cache: TierCache | TierCache.NodeRedisClient, group: string): Promise<number>

  /**
   * An express-session store on a {@link TierCache} (its class extends
   * express-session's Store at run time; express-session must be installed).
   * connect-redis's rules: the TTL is the cookie's expiry, else `ttl`.
   */
  interface TierCacheStore extends SessionStore {}
  class TierCacheStore {
    /**
     * A store for express-session.
     *
     * @throws {@link tiercache!TierCacheTypeError} without a `cache`, or for
     *   an unknown option (with a hint for connect-redis's `client`).
     * @example
     * ```ts
     * import session = require('express-session')
     * import { TierCacheStore } from 'tiercache/express'
     * app.use(session({
     *   store: new TierCacheStore({ cache }),   // prefix 'sess:', ttl 86400 s
     *   secret: 'a secret', resave: false, saveUninitialized: false
     * }))
     * ```
     */
    constructor(options: SessionStoreOptions)
  }
}

export = TierCacheExpress
