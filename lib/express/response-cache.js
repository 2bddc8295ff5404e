'use strict'
// The Express response cache: `cache.middleware(options)`.
//
// Safe by default, against cache poisoning first (shared/ANCHORS.md,
// "Response caching"; the attacker-first suite is
// __test__/express/poisoning.test.js):
// - only GET and HEAD (HEAD is answered from GET's entry, never stored);
//   not a GET with a body, a Range, or a method-override header;
// - requests with credentials (Authorization, Cookie, X-Api-Key, … and
//   `credentialHeaders`) pass through untouched unless the route gives a
//   per-user key (`userKey(req)`), which then joins the key;
// - the key (cache-key.js) is an unambiguous encoding of the validated,
//   lower-cased Host, the URL as routed (and as sent when it differs),
//   the scheme, the forwarding headers present and the user, plus the
//   request headers the response names in Vary; a request without a valid
//   Host passes through;
// - a response is stored only with an allowed status (200 203 300 301 by
//   default; 404 and 410 only with `negativeTtl`; never 5xx, 206, 304),
//   when the head actually written (writeHead hooks included) has no
//   Set-Cookie, no Cache-Control no-store / no-cache (or private, unless
//   per user), no `Vary: *`, with a body within maxBodyBytes, and when the
//   route handled the URL and method that were keyed;
// - no client header bypasses the cache or refreshes it unless configured.
//
// A hit is replayed with one writeHead and one end (status, headers and
// body as stored, ETag precomputed, `If-None-Match` answered with 304), with
// `X-Cache: HIT-L1 | HIT-L2 | MISS | STALE` and `Age`. L1 hits are answered
// from a front of decoded responses (kept true to the store by the same
// epoch as `get`'s), so a hit does less work than the handler's res.json.
//
// Misses go through getOrSet: concurrent misses of one key run the handler
// once (and once across instances with `lock`); the others are answered
// with its response, or run the handler themselves when it was not
// storable. With `grace`, a stale entry is served (`STALE`) to requests
// that arrive while one request refreshes it.

const { shown } = require('../args')
const native = require('../../binding.js')
const { MISS } = require('../front')
const envelope = require('../patterns/envelope')
const store = require('../patterns/store')
const tags = require('../patterns/tags')
const { stateOf } = require('../patterns/state')
const { getOrSet } = require('../patterns/get-or-set')
const { RedisBudget } = require('../patterns/budget')
const { clearPrefix } = require('../patterns/namespace')
const { TierCacheTypeError, TierCacheRangeError, CODES } = require('../errors')
const { CREDENTIAL_HEADERS, mayUseCache, requestKey, purgePrefix, routedUrl, varyNames, variantKey } = require('./cache-key')
const stored = require('./stored-response')
const { record } = require('./recorder')

const DEFAULTS = Object.freeze({
  ttl: 60_000,
  grace: 0,
  tags: undefined,
  group: undefined,
  key: undefined,
  userKey: undefined,
  statuses: [200, 203, 300, 301],
  negativeTtl: undefined,
  credentialHeaders: [],
  maxBodyBytes: 1024 * 1024,
  header: 'X-Cache',
  requestNoCache: false,
  bypassHeader: undefined,
  lock: false,
  timeout: 30_000,
  prefix: 'http:'
})

/** What a handler's response was when it could not be stored: its waiters run the handler themselves. */
const NOT_STORED = 'tiercache:not-stored'
const VARY_PREFIX = 'vary:'
/** Never stored: partial content and Not Modified answer one request only. */
const NEVER_STORED = new Set([206, 304])
/** Stored only with negativeTtl. */
const NEGATIVE = new Set([404, 410])
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/i
/** On a request being cached: { method, routed } as keyed. */
const KEYED = Symbol('tiercache.keyed')
/** The request's Redis time (commandTimeout in all), shared by its lookup and its getOrSet. */
const BUDGET = Symbol('tiercache.redisBudget')

function positiveMs (v, name, zero = false) {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < (zero ? 0 : 1)) {
    throw new TierCacheRangeError(`middleware: ${name} must be a ${zero ? 'non-negative' : 'positive'} integer of ms, got ${shown(v)}`, CODES.INVALID_ARGUMENT)
  }
  return v
}

function resolveOptions (options) {
  if (options === undefined || options === null) options = {}
  if (typeof options !== 'object') throw new TierCacheTypeError('middleware(options): options must be an object', CODES.INVALID_ARGUMENT)
  for (const k of Object.keys(options)) {
    if (!(k in DEFAULTS)) throw new TierCacheTypeError(`middleware: unknown option ${JSON.stringify(k)}`, CODES.INVALID_ARGUMENT)
  }
  const o = { ...DEFAULTS }
  for (const k of Object.keys(options)) if (options[k] !== undefined) o[k] = options[k]
  positiveMs(o.ttl, 'ttl')
  positiveMs(o.grace, 'grace', true)
  positiveMs(o.timeout, 'timeout')
  positiveMs(o.maxBodyBytes, 'maxBodyBytes')
  for (const fn of ['key', 'userKey']) {
    if (o[fn] !== undefined && typeof o[fn] !== 'function') throw new TierCacheTypeError(`middleware: ${fn} must be a function (req) => string`, CODES.INVALID_ARGUMENT)
  }
  if (!Array.isArray(o.statuses) || o.statuses.some((s) => !Number.isInteger(s) || s < 100 || s > 599)) {
    throw new TierCacheTypeError('middleware: statuses must be an array of HTTP status codes', CODES.INVALID_ARGUMENT)
  }
  if (o.statuses.some((s) => s >= 500)) throw new TierCacheRangeError('middleware: 5xx responses are never cached', CODES.INVALID_ARGUMENT)
  if (o.statuses.some((s) => NEVER_STORED.has(s))) {
    throw new TierCacheRangeError(`middleware: statuses ${[...NEVER_STORED].join(', ')} are never cached`, CODES.INVALID_ARGUMENT)
  }
  if (o.statuses.some((s) => NEGATIVE.has(s))) {
    throw new TierCacheRangeError('middleware: 404 and 410 are cached only with negativeTtl (their own, shorter ttl)', CODES.INVALID_ARGUMENT)
  }
  o.statusSet = new Set(o.statuses)
  if (o.negativeTtl !== undefined) {
    positiveMs(o.negativeTtl, 'negativeTtl')
    if (o.negativeTtl > o.ttl) throw new TierCacheRangeError('middleware: negativeTtl must not be longer than ttl', CODES.INVALID_ARGUMENT)
    for (const s of NEGATIVE) o.statusSet.add(s)
  }
  if (!Array.isArray(o.credentialHeaders) || o.credentialHeaders.some((h) => typeof h !== 'string' || !HEADER_NAME.test(h))) {
    throw new TierCacheTypeError('middleware: credentialHeaders must be an array of header names', CODES.INVALID_ARGUMENT)
  }
  // null: the route keys per user, credentials do not bypass.
  o.credentials = o.userKey !== undefined ? null : [...new Set([...CREDENTIAL_HEADERS, ...o.credentialHeaders.map((h) => h.toLowerCase())])]
  // A header name Node would refuse at setHeader time (inside a request) is refused here.
  if (typeof o.header !== 'string' || !HEADER_NAME.test(o.header)) throw new TierCacheTypeError('middleware: header must be an HTTP header name', CODES.INVALID_ARGUMENT)
  if (o.bypassHeader !== undefined && (typeof o.bypassHeader !== 'string' || !HEADER_NAME.test(o.bypassHeader))) {
    throw new TierCacheTypeError('middleware: bypassHeader must be a header name', CODES.INVALID_ARGUMENT)
  }
  o.bypassHeader = o.bypassHeader === undefined ? undefined : o.bypassHeader.toLowerCase()
  if (typeof o.requestNoCache !== 'boolean') throw new TierCacheTypeError('middleware: requestNoCache must be a boolean', CODES.INVALID_ARGUMENT)
  if (o.group !== undefined && (typeof o.group !== 'string' || o.group.length === 0)) throw new TierCacheTypeError('middleware: group must be a non-empty string', CODES.INVALID_ARGUMENT)
  if (typeof o.prefix !== 'string') throw new TierCacheTypeError('middleware: prefix must be a string', CODES.INVALID_ARGUMENT)
  o.tags = tags.checkTags(o.tags, 'middleware') ?? []
  if (o.group !== undefined) o.tags.push(groupTag(o.group))
  return o
}

const groupTag = (group) => `http-group:${group}`

function requestSaysNoCache (req) {
  const cc = req.headers['cache-control']
  return cc !== undefined && /(?:^|,)\s*(?:no-cache|no-store|max-age=0)\s*(?:,|$)/i.test(cc)
}

/** Why a response with this status and these headers must not be stored, or null when it may be. */
function refusalOf (status, h, o) {
  if (!o.statusSet.has(status)) return 'status'
  if (h['set-cookie'] !== undefined) return 'set-cookie'
  const cc = h['cache-control'] === undefined ? '' : String(h['cache-control']).toLowerCase()
  // no-cache: a cache must revalidate each use with the origin, which a replay cannot.
  if (/(?:^|,)\s*(?:no-store|no-cache)\b/.test(cc)) return 'no-store'
  if (o.userKey === undefined && /(?:^|,)\s*private\b/.test(cc)) return 'private'
  if (varyNames(h.vary) === '*') return 'vary-*'
  return null
}

/**
 * Why a recorded response must not be stored, or null: as the route sent
 * it and as it was written (after writeHead hooks), and only when the
 * route handled what was keyed (no rewrite of the URL or the method after
 * the middleware).
 */
function refusal (recorded, req, keyed, o) {
  if (req.method !== keyed.method || !sameRoute(routedUrl(req), keyed.routed)) return 'rewritten'
  return refusalOf(recorded.status, recorded.headers, o) ?? refusalOf(recorded.sent.status, recorded.sent.headers, o)
}

/**
 * Whether the URL routed when the response ends is the one keyed. Express
 * strips a mount path into req.baseUrl and writes an empty remainder as
 * '/', so `/blog` and `/blog/` may be the same route on the two sides (the
 * key itself keeps them apart: it holds the URL as sent).
 */
function sameRoute (now, keyed) {
  if (now === keyed) return true
  if (now === null || keyed === null) return false
  return withoutTrailingSlash(now) === withoutTrailingSlash(keyed)
}

function withoutTrailingSlash (url) {
  const q = url.indexOf('?')
  const path = q < 0 ? url : url.slice(0, q)
  if (path.length < 2 || !path.endsWith('/')) return url
  return path.slice(0, -1) + (q < 0 ? '' : url.slice(q))
}

/** Whether `If-None-Match` matches `etag` (weak comparison, as for GET). */
function notModified (req, etag) {
  const inm = req.headers['if-none-match']
  if (inm === undefined) return false
  if (inm.trim() === '*') return true
  const strip = (t) => t.trim().replace(/^W\//, '')
  const target = strip(etag)
  return inm.split(',').some((t) => strip(t) === target)
}

class ResponseCache {
  constructor (cache, options) {
    this.cache = cache
    this.o = resolveOptions(options)
    // Kept true to the store like the cache's own fronts (index.js _newFront).
    this.front = cache._newFront()
    this.handle = this.handle.bind(this)
  }

  /** The base key of a request (before Vary), or null when it passes through uncached. May throw (key / userKey). */
  baseKey (req) {
    const o = this.o
    if (!mayUseCache(req, o.credentials, o.bypassHeader)) return null
    return requestKey(req, o.prefix, o.key, o.userKey)
  }

  /**
   * What L1 holds for `key`: a StoredResponse, a vary index (array of header
   * names), null, or undefined when L1 cannot vouch for its tags (Redis must
   * be asked). Stale entries are returned too (the caller decides).
   */
  readL1 (key) {
    const front = this.front
    if (front !== null) {
      const hit = front.get(key)
      if (hit !== MISS) return tags.validLocal(this.cache, hit.tags) === true ? hit.item : undefined
    }
    const before = front === null ? 0 : front.seen
    const reply = native.get(this.cache._h, key)
    if (reply === null || typeof reply === 'string' || !envelope.isMeta(reply[0])) return null
    const entry = this.toEntry(reply)
    if (entry === null) return null
    if (front !== null) front.fill(key, entry, before)
    const valid = tags.validLocal(this.cache, entry.tags)
    return valid === true ? entry.item : valid === false ? null : undefined
  }

  /** { item, tags } of a pattern entry holding a response or a vary index; null for anything else. */
  toEntry (reply) {
    let head
    try {
      head = envelope.parse(reply[0], reply[1])
    } catch {
      return null
    }
    let item = null
    if (head.type === 'b') {
      item = stored.decode(head.body)
    } else if (head.type === 's' && head.body.startsWith(VARY_PREFIX)) {
      item = head.body.slice(VARY_PREFIX.length).split(',')
    }
    if (item === null) return null
    if (item instanceof stored.StoredResponse) {
      item.createdAt = head.createdAt
      item.staleAt = head.staleAt
    }
    return { item, tags: head.tags }
  }

  /** The entry from Redis (backfilling L1), tags checked. */
  async readL2 (key, budget) {
    const cache = this.cache
    const entry = await budget.race(cache._remote.get(
      key,
      false,
      true,
      (reply) => (reply === null || typeof reply === 'string' || !envelope.isMeta(reply[0]) ? null : this.toEntry(reply)),
      () => null
    ), () => null)
    if (entry === null) return null
    return (await budget.race(tags.valid(cache, entry.tags), () => false)) ? entry.item : null
  }

  /**
   * Looks `key` up (L1, then Redis) and goes on with what it holds: found()
   * for the base key, serve() for a variant. An L1 hit goes on at once,
   * without a promise. `hit` is the X-Cache value a fresh entry will get.
   */
  lookup (req, res, next, base, key) {
    const local = this.readL1(key)
    if ((local === null || local === undefined) && this.cache._remote !== null) {
      if (req[BUDGET] === undefined) req[BUDGET] = new RedisBudget(this.cache._remote)
      this.readL2(key, req[BUDGET])
        .then((item) => this.step(req, res, next, base, key, item, 'HIT-L2'), () => this.miss(req, res, next, base, key, null))
        .catch(next)
      return
    }
    this.step(req, res, next, base, key, local ?? null, 'HIT-L1')
  }

  step (req, res, next, base, key, item, hit) {
    if (key === base) this.found(req, res, next, base, item, hit)
    else this.serve(req, res, next, base, key, item, hit)
  }

  handle (req, res, next) {
    if (res.headersSent) return next()
    let base
    try {
      base = this.baseKey(req)
    } catch (err) {
      return next(err)
    }
    if (base === null) return next()
    // What the route must still be handling when its response is stored.
    req[KEYED] = { method: req.method, routed: routedUrl(req) }
    if (this.o.requestNoCache && requestSaysNoCache(req)) return this.refresh(req, res, next, base)
    this.lookup(req, res, next, base, base)
  }

  found (req, res, next, base, item, hit) {
    // The response varies: look up this request's variant.
    if (Array.isArray(item)) return this.lookup(req, res, next, base, variantKey(base, item, req))
    this.serve(req, res, next, base, base, item, hit)
  }

  serve (req, res, next, base, key, item, hit) {
    if (item === null || item === undefined) {
      // A HEAD miss runs the route without storing: its body is not GET's.
      if (req.method === 'HEAD') return next()
      return this.miss(req, res, next, base, key, null)
    }
    const now = Date.now()
    if (item.staleAt === 0 || item.staleAt > now) return this.replay(req, res, item, hit, now)
    // Stale (grace): served as such while one request refreshes it.
    if (stateOf(this.cache).loads.has(key)) return this.replay(req, res, item, 'STALE', now)
    return this.miss(req, res, next, base, key, item)
  }

  replay (req, res, item, how, now) {
    const age = Math.max(0, Math.floor((now - item.createdAt) / 1000))
    // Headers are set before writeHead (not passed to it), so that middleware
    // before the cache that hooks writeHead (compression, sessions) sees the
    // whole response, as it does on a miss.
    if (notModified(req, item.etag)) {
      res.setHeader('ETag', item.etag)
      res.setHeader(this.o.header, how)
      res.setHeader('Age', String(age))
      res.writeHead(304)
      res.end()
      return
    }
    const h = item.headers
    for (let i = 0; i < h.length; i += 2) res.setHeader(h[i], h[i + 1])
    res.setHeader('Content-Length', String(item.body.length))
    res.setHeader(this.o.header, how)
    res.setHeader('Age', String(age))
    res.writeHead(item.status)
    if (req.method === 'HEAD') res.end()
    else res.end(item.body)
  }

  /**
   * A miss (or a stale entry to refresh): the handler runs once for all
   * concurrent requests of `key` (getOrSet's single flight, and its lease
   * with `lock`); the others replay its response, or run the handler
   * themselves when it could not be stored.
   */
  miss (req, res, next, base, key, stale) {
    const o = this.o
    const storeKey = key ?? base
    let ranHere = false
    const loader = (ctx) => {
      ranHere = true
      return this.runHandler(req, res, next, base, ctx)
    }
    const options = { ttl: o.ttl, grace: o.grace, lock: o.lock, hardTimeout: o.timeout, tags: o.tags.length === 0 ? undefined : o.tags }
    // With a stale entry, the refreshing request waits for its own handler (its client gets the fresh response).
    if (stale !== null) options.softTimeout = o.timeout
    if (o.grace === 0) delete options.grace
    new Promise((resolve) => resolve(getOrSet(this.cache, storeKey, loader, options, req[BUDGET]))).then((value) => {
      if (ranHere) return
      const item = typeof value === 'string' ? (value.startsWith(VARY_PREFIX) ? value.slice(VARY_PREFIX.length).split(',') : null) : stored.decode(value)
      if (Array.isArray(item)) return this.found(req, res, next, base, item, 'HIT-L1')
      if (item === null) return next()
      item.createdAt = Date.now()
      item.staleAt = 0
      this.replay(req, res, item, 'HIT-L1', item.createdAt)
    }, () => {
      if (!ranHere) next()
    }).catch((err) => {
      if (!res.headersSent) next(err)
    })
  }

  /**
   * `Cache-Control: no-cache` from the client, where `requestNoCache` allows
   * it: the route runs and its response replaces the stored one.
   */
  refresh (req, res, next, base) {
    if (req.method === 'HEAD') return next()
    const ctx = { key: base, ttl: this.o.ttl }
    this.runHandler(req, res, next, base, ctx).then(async (value) => {
      if (ctx.ttl === 0) return
      const gens = this.o.tags.length === 0 ? null : await tags.snapshot(this.cache, this.o.tags)
      await store.writeEntry(this.cache, base, value, { ttl: ctx.ttl, grace: this.o.grace, gens })
    }).catch(() => {})
  }

  /** The loader of a miss: runs the route and resolves with what to store (or NOT_STORED). */
  async runHandler (req, res, next, base, ctx) {
    const o = this.o
    // Headers that middleware before the cache set for this request: theirs to set again on a hit.
    const outer = res.getHeaders()
    res.setHeader(o.header, 'MISS')
    const recording = record(res, o.maxBodyBytes)
    next()
    const sent = await recording
    if (sent === null || refusal(sent, req, req[KEYED], o) !== null) {
      ctx.ttl = 0
      return NOT_STORED
    }
    if (NEGATIVE.has(sent.status)) ctx.ttl = o.negativeTtl
    const response = stored.fromSent(sent.status, sent.headers, sent.body, o.header, outer)
    const names = varyNames(sent.headers.vary)
    if (names === null) return stored.encode(response)
    // Varies: the response goes to its variant's key, the base key gets the index.
    const variant = variantKey(base, names, req)
    if (variant !== ctx.key) {
      const gens = o.tags.length === 0 ? null : await tags.snapshot(this.cache, o.tags)
      try {
        await store.writeEntry(this.cache, variant, stored.encode(response), { ttl: ctx.ttl, grace: o.grace, gens })
      } catch {}
    }
    return ctx.key === base ? VARY_PREFIX + names.join(',') : stored.encode(response)
  }

  /**
   * Drops the cached responses of a URL of a host (pass { url, headers:
   * { host } }, with baseUrl where the route is mounted; with a `key`
   * option, what key(req) reads): all their variants (scheme, forwarding
   * headers, users, Vary) from both tiers; other instances follow through
   * Redis's invalidations. Resolves the number of entries deleted.
   */
  async purge (reqLike) {
    if (reqLike === null || typeof reqLike !== 'object' || (typeof reqLike.url !== 'string' && typeof reqLike.originalUrl !== 'string')) {
      throw new TierCacheTypeError('purge(req): pass { url, headers: { host } }', CODES.INVALID_ARGUMENT)
    }
    return clearPrefix(this.cache, purgePrefix({ method: 'GET', ...reqLike, headers: reqLike.headers ?? {} }, this.o.prefix, this.o.key))
  }
}

/** Drops every response cached under `group`, in every instance. */
function purgeGroup (cache, group) {
  if (typeof group !== 'string' || group.length === 0) {
    return Promise.reject(new TierCacheTypeError('purgeGroup(group): group must be a non-empty string', CODES.INVALID_ARGUMENT))
  }
  return cache.invalidateTags([groupTag(group)])
}

/**
 * `cache.middleware(options)`: Express middleware (4 and 5), with
 * `.purge(req)` for one URL and `.cache` the ResponseCache behind it.
 */
function middleware (cache, options) {
  const rc = new ResponseCache(cache, options)
  const fn = rc.handle
  fn.purge = (reqLike) => rc.purge(reqLike)
  fn.purgeGroup = (group) => purgeGroup(cache, group)
  fn.responseCache = rc
  return fn
}

module.exports = { middleware, purgeGroup }
