'use strict'
// The Express response cache: `cache.middleware(options)`.
//
// Safe by default, against cache poisoning first:
// - only GET and HEAD (HEAD is answered from GET's entry, without a body);
// - requests with Authorization or Cookie pass through untouched unless the
//   route gives a per-user key (`userKey(req)`), which then joins the key;
// - a response is stored only with an allowed status (200 203 300 301 404
//   410 by default: never 5xx), without Set-Cookie, without Cache-Control
//   no-store (or private, unless per user), without `Vary: *`, and with a
//   body within maxBodyBytes;
// - the key is method + host + path + sorted query, plus the request
//   headers the response names in Vary: any other header cannot change what
//   a request gets; no client header bypasses the cache unless configured.
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
const { clearPrefix } = require('../patterns/namespace')
const { TierCacheTypeError, TierCacheRangeError, CODES } = require('../errors')
const { defaultKey, varyNames, variantKey } = require('./cache-key')
const stored = require('./stored-response')
const { record } = require('./recorder')

const DEFAULTS = Object.freeze({
  ttl: 60_000,
  grace: 0,
  tags: undefined,
  group: undefined,
  key: undefined,
  userKey: undefined,
  statuses: [200, 203, 300, 301, 404, 410],
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

/**
 * What a `key` / `userKey` function returned, as key text: a string (or a
 * primitive, as before), synchronously. A promise (an async function) would make every
 * request share '[object Promise]' (every user one entry): refused, and
 * marked handled so that its rejection cannot end the process.
 */
function keyPart (value, name) {
  if (typeof value === 'string') return value
  if (value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol')) return String(value)
  if (typeof value === 'object' && typeof value.then === 'function') Promise.resolve(value).catch(() => {})
  throw new TierCacheTypeError(`middleware: ${name}(req) must return a string synchronously, got ${shown(value)}`, CODES.INVALID_ARGUMENT)
}

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

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
  o.statusSet = new Set(o.statuses)
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

/** Whether the stored response of this request may exist (and may be stored). */
function cacheable (req, o) {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false
  const h = req.headers
  if (o.userKey === undefined && (h.authorization !== undefined || h.cookie !== undefined)) return false
  if (o.bypassHeader !== undefined && h[o.bypassHeader] !== undefined) return false
  return true
}

function requestSaysNoCache (req) {
  const cc = req.headers['cache-control']
  return cc !== undefined && /(?:^|,)\s*(?:no-cache|no-store|max-age=0)\s*(?:,|$)/i.test(cc)
}

/** Why a response must not be stored, or null when it may be. */
function refusal (sent, o) {
  if (!o.statusSet.has(sent.status)) return 'status'
  const h = sent.headers
  if (h['set-cookie'] !== undefined) return 'set-cookie'
  const cc = h['cache-control'] === undefined ? '' : String(h['cache-control']).toLowerCase()
  if (/(?:^|,)\s*no-store\s*(?:,|$)/.test(cc)) return 'no-store'
  if (o.userKey === undefined && /(?:^|,)\s*private\s*(?:,|$)/.test(cc)) return 'private'
  if (varyNames(h.vary) === '*') return 'vary-*'
  return null
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

  /** The base key of a request (before Vary). */
  baseKey (req) {
    const o = this.o
    let k = o.key !== undefined ? keyPart(o.key(req), 'key') : defaultKey(req)
    if (o.userKey !== undefined) k += `|user:${keyPart(o.userKey(req), 'userKey')}`
    return o.prefix + k
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
  async readL2 (key) {
    const cache = this.cache
    const entry = await cache._remote.get(
      key,
      false,
      true,
      (reply) => (reply === null || typeof reply === 'string' || !envelope.isMeta(reply[0]) ? null : this.toEntry(reply)),
      () => null
    )
    if (entry === null) return null
    return (await tags.valid(cache, entry.tags)) ? entry.item : null
  }

  /**
   * Looks `key` up (L1, then Redis) and goes on with what it holds: found()
   * for the base key, serve() for a variant. An L1 hit goes on at once,
   * without a promise. `hit` is the X-Cache value a fresh entry will get.
   */
  lookup (req, res, next, base, key) {
    const local = this.readL1(key)
    if ((local === null || local === undefined) && this.cache._remote !== null) {
      this.readL2(key)
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
    if (!cacheable(req, this.o)) return next()
    let base
    try {
      base = this.baseKey(req)
    } catch (err) {
      return next(err)
    }
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
    if (notModified(req, item.etag)) {
      res.writeHead(304, ['ETag', item.etag, this.o.header, how, 'Age', String(age)])
      res.end()
      return
    }
    // The header list is built once per stored response; a hit fills in the
    // two values that change (X-Cache and Age) and hands it to writeHead.
    let out = item.replayHeaders
    if (out === undefined) {
      out = item.headers.concat('Content-Length', String(item.body.length), this.o.header, '', 'Age', '')
      item.replayHeaders = out
    }
    out[out.length - 3] = how
    out[out.length - 1] = String(age)
    res.writeHead(item.status, out)
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
    this.cache.getOrSet(storeKey, loader, options).then((value) => {
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
      await store.writeEntry(this.cache, base, value, { ttl: this.o.ttl, grace: this.o.grace, gens })
    }).catch(() => {})
  }

  /** The loader of a miss: runs the route and resolves with what to store (or NOT_STORED). */
  async runHandler (req, res, next, base, ctx) {
    const o = this.o
    res.setHeader(o.header, 'MISS')
    const recording = record(res, o.maxBodyBytes)
    next()
    const sent = await recording
    if (sent === null || refusal(sent, o) !== null) {
      ctx.ttl = 0
      return NOT_STORED
    }
    const response = stored.fromSent(sent.status, sent.headers, sent.body, o.header)
    const names = varyNames(sent.headers.vary)
    if (names === null) return stored.encode(response)
    // Varies: the response goes to its variant's key, the base key gets the index.
    const variant = variantKey(base, names, req)
    if (variant !== ctx.key) {
      const gens = o.tags.length === 0 ? null : await tags.snapshot(this.cache, o.tags)
      try {
        await store.writeEntry(this.cache, variant, stored.encode(response), { ttl: o.ttl, grace: o.grace, gens })
      } catch {}
    }
    return ctx.key === base ? VARY_PREFIX + names.join(',') : stored.encode(response)
  }

  /**
   * Drops the cached responses of a URL (as the key reads it: pass
   * { url, headers: { host } }), its Vary variants included, from both
   * tiers; other instances follow through Redis's invalidations. Resolves
   * the number of entries deleted.
   */
  async purge (reqLike) {
    const base = this.baseKey({ method: 'GET', ...reqLike, headers: reqLike.headers ?? {} })
    const variants = await clearPrefix(this.cache, `${base}|vary:`)
    return variants + await store.del(this.cache, [base])
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
