// Typings of `require('tiercache/express')`: the Express response cache and
// the express-session store. Express and express-session are not required
// to type-check this file: requests and responses are typed structurally.
import TierCache = require('./index')
import { IncomingMessage, ServerResponse } from 'node:http'

declare namespace TierCacheExpress {
  /** What a key function receives: an Express request (or any IncomingMessage with `originalUrl`). */
  type Request = IncomingMessage & { originalUrl?: string }

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
    lock?: boolean | { lease?: number | undefined, wait?: number | undefined } | undefined
    /** ms concurrent requests wait for the one running the handler. Default 30,000. */
    timeout?: number | undefined
    /** Prefix of the cache keys. Default 'http:'. */
    prefix?: string | undefined
  }

  /** The middleware, with purge helpers. */
  interface ResponseCacheMiddleware {
    (req: any, res: any, next: (err?: unknown) => void): void
    /** Drops the cached responses of one URL of one host (all their variants), in every instance. */
    purge(req: { method?: string, url: string, baseUrl?: string, originalUrl?: string, headers: Record<string, string | string[] | undefined> }): Promise<number>
    /** Drops every response of a route group, in every instance. */
    purgeGroup(group: string): Promise<number>
  }

  interface SessionStoreOptions {
    cache: TierCache
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

  type SessionCallback<T = void> = (err: any, result?: T) => void

  /**
   * A TierCacheStore: an express-session `Store` (its class extends it at
   * run time), typed structurally so that this file needs no
   * express-session types; it is assignable to `session.Store`. A destroyed
   * session stays destroyed: `set` and `touch` never bring it back.
   */
  interface SessionStore extends NodeJS.EventEmitter {
    get(sid: string, callback?: SessionCallback<any>): Promise<any>
    set(sid: string, session: any, callback?: SessionCallback): Promise<void>
    touch(sid: string, session: any, callback?: SessionCallback): Promise<void>
    destroy(sid: string, callback?: SessionCallback): Promise<void>
    clear(callback?: SessionCallback): Promise<void>
    length(callback?: SessionCallback<number>): Promise<number>
    ids(callback?: SessionCallback<string[]>): Promise<string[]>
    all(callback?: SessionCallback<Record<string, any>>): Promise<Record<string, any>>
    /** Inherited from express-session's Store. */
    regenerate(req: any, callback: (err?: any) => any): void
    /** Inherited from express-session's Store. */
    load(sid: string, callback: (err: any, session?: any) => any): void
    /** Inherited from express-session's Store. */
    createSession(req: any, session: any): any
  }
}

declare const TierCacheExpress: {
  /** Express response-cache middleware (same as `cache.middleware(options)`). */
  middleware(cache: TierCache, options?: TierCacheExpress.MiddlewareOptions): TierCacheExpress.ResponseCacheMiddleware
  /** Drops every response of a route group, in every instance. */
  purgeGroup(cache: TierCache, group: string): Promise<number>
  /** An express-session store (extends express-session's Store; express-session must be installed). */
  TierCacheStore: {
    new (options: TierCacheExpress.SessionStoreOptions): TierCacheExpress.SessionStore
  }
}

export = TierCacheExpress
