'use strict'
// Cache keys of HTTP responses, and the requests that get none (bypass).
//
// A key is a sequence of fields, each written `<length>:<text>` (`-` when
// absent), after the middleware's prefix. No path, query, Host or header
// value can imitate another key: every field says where it ends, and the
// number of fields is fixed by the first one ('u': the default key, 'k':
// the route's own `key(req)`). Variants (Vary) add `|vary:` and a SHA-256
// of the varying request headers, each length-prefixed too.
//
//   u | host | routed URL | scheme | original URL or - | keyed headers | user or -
//   k | key(req)                  | keyed headers | user or -
//
// Host and routed URL come first so that one URL of one host, whatever its
// other fields, is one key prefix (purge deletes it with one SCAN).
//
// The URL is kept byte for byte as sent: no decoding, no sorting, no
// normalisation, so two requests share an entry only when the route sees
// the same target (the route may echo `req.query` or `req.originalUrl`).
// The routed URL is `req.baseUrl + req.url` where the middleware runs
// (what the router matches, after any rewriting middleware before it);
// the original URL joins when it differs.

const crypto = require('node:crypto')
const { MAX_KEY_BYTES, shown } = require('../args')
const { TierCacheTypeError, CODES } = require('../errors')

/**
 * Request headers that proxies and frameworks use to change the host, the
 * scheme or the URL a request is handled as (Express's req.hostname and
 * req.protocol read the first two with `trust proxy`): part of every key
 * when present, so that a request carrying them never shares an entry
 * with one that does not.
 */
const KEYED_HEADERS = Object.freeze([
  'forwarded', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-scheme', 'x-forwarded-port',
  'x-forwarded-prefix', 'x-forwarded-server', 'x-forwarded-ssl', 'front-end-https', 'x-url-scheme',
  'x-host', 'x-original-host', 'x-original-url', 'x-rewrite-url'
])

/** Request headers that carry credentials: such a request is served only with a per-user key. */
const CREDENTIAL_HEADERS = Object.freeze([
  'authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'x-auth-token', 'x-access-token'
])

/** Request headers that turn a GET into another method (method-override and its kin): never cached. */
const METHOD_OVERRIDE_HEADERS = Object.freeze(['x-http-method-override', 'x-http-method', 'x-method-override'])

/** `host` or `host:port`: a DNS name or IPv4 address (letters, digits, `-`, `_`, `.`) or a bracketed IPv6. */
const VALID_HOST = /^(?:[a-z0-9._-]{1,253}|\[[0-9a-f:.]{2,45}\])(?::[0-9]{1,5})?$/i

/** Keys longer than this (UTF-8 bytes) are not cached (the store refuses keys over MAX_KEY_BYTES). */
const MAX_REQUEST_KEY_BYTES = MAX_KEY_BYTES - 256

const field = (text) => text === null ? '-' : `${text.length}:${text}`

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
/** Whether `s` has no lone surrogate (two such strings could become the same UTF-8 bytes). */
const wellFormed = typeof String.prototype.isWellFormed === 'function'
  ? (s) => s.isWellFormed()
  : (s) => !LONE_SURROGATE.test(s)

/** The value of header `name` as the route reads it (Node joins or drops repeats), as text. */
function headerText (req, name) {
  const v = req.headers[name]
  return v === undefined ? null : Array.isArray(v) ? v.join('\n') : String(v)
}

/** How many times the request carries `name` (lower-case), from its raw headers. */
function countRaw (req, name) {
  const raw = req.rawHeaders
  if (!Array.isArray(raw)) return req.headers[name] === undefined ? 0 : 1
  let n = 0
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === name.length && raw[i].toLowerCase() === name) n++
  }
  return n
}

/**
 * Whether the request may be answered from (and stored in) the cache at
 * all. `credentials` is the list of credential headers, or null when the
 * route has a per-user key. Every reason is about the request alone.
 */
function mayUseCache (req, credentials, bypassHeader) {
  const method = req.method
  if (method !== 'GET' && method !== 'HEAD') return false
  const h = req.headers
  // A body (a "fat GET") may change the response and is not in the key.
  if (h['transfer-encoding'] !== undefined) return false
  const length = h['content-length']
  if (length !== undefined && length !== '0') return false
  // Partial responses are neither stored nor cut from a stored one.
  if (h.range !== undefined || h['if-range'] !== undefined) return false
  for (const name of METHOD_OVERRIDE_HEADERS) if (h[name] !== undefined) return false
  if (credentials !== null) for (const name of credentials) if (h[name] !== undefined) return false
  if (bypassHeader !== undefined && h[bypassHeader] !== undefined) return false
  return true
}

/**
 * The lower-cased Host of the request, or null when it has none, several,
 * or one that is not `host[:port]`. The request's Host header is set to the
 * lower-cased value, so that the route sees what the key holds.
 */
function requestHost (req) {
  const host = req.headers.host
  if (typeof host !== 'string' || !VALID_HOST.test(host) || countRaw(req, 'host') !== 1) return null
  const lower = host.toLowerCase()
  if (lower !== host) req.headers.host = lower
  return lower
}

/** The URL the router handles here (`req.baseUrl + req.url`), or null when it is not origin-form. */
function routedUrl (req) {
  const url = req.url
  if (typeof url !== 'string' || url.charCodeAt(0) !== 47 /* / */) return null
  const base = req.baseUrl
  return typeof base === 'string' ? base + url : url
}

/** The keyed headers' field: `name|value` pairs of those present, in KEYED_HEADERS order. */
function keyedHeaders (req) {
  let out = ''
  for (const name of KEYED_HEADERS) {
    const v = headerText(req, name)
    if (v !== null) out += field(name) + field(v)
  }
  return out
}

/** The first fields of the default key of one URL of one host: what purge deletes under. */
const urlPrefix = (prefix, host, routed) => `${prefix}u${field(host)}${field(routed)}`

/**
 * The base key of `req` (before Vary), or null when the request is not to
 * be cached (see mayUseCache for the other reasons). `customKey` and
 * `userKey` are the route's functions or undefined; they may throw.
 */
/**
 * What a `key` / `userKey` function returned, as key text: a string (or a
 * primitive, as String() writes it), synchronously. A promise (an async
 * function) would make every request share '[object Promise]' (every user
 * one entry): refused, and marked handled so that its rejection cannot end
 * the process.
 */
function keyPart (value, name) {
  if (typeof value === 'string') return value
  if (value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol')) return String(value)
  if (typeof value === 'object' && typeof value.then === 'function') Promise.resolve(value).catch(() => {})
  throw new TierCacheTypeError(`middleware: ${name}(req) must return a string synchronously, got ${shown(value)}`, CODES.INVALID_ARGUMENT)
}

function requestKey (req, prefix, customKey, userKey) {
  let key
  if (customKey === undefined) {
    const host = requestHost(req)
    const routed = routedUrl(req)
    if (host === null || routed === null) return null
    const original = typeof req.originalUrl === 'string' && req.originalUrl !== routed ? req.originalUrl : null
    const scheme = req.socket !== undefined && req.socket !== null && req.socket.encrypted ? 'https' : 'http'
    key = urlPrefix(prefix, host, routed) + field(scheme) + field(original)
  } else {
    const k = keyPart(customKey(req), 'key')
    if (!wellFormed(k)) return null
    key = `${prefix}k${field(k)}`
  }
  key += field(keyedHeaders(req))
  if (userKey === undefined) {
    key += field(null)
  } else {
    const user = keyPart(userKey(req), 'userKey')
    if (!wellFormed(user)) return null
    key += field(user)
  }
  if (key.length * 3 > MAX_REQUEST_KEY_BYTES && Buffer.byteLength(key) > MAX_REQUEST_KEY_BYTES) return null
  return key
}

/**
 * The key prefix that `purge` deletes under for a request-like object
 * ({ url, headers: { host } }, with baseUrl / originalUrl where the route
 * had them): every entry of that URL and host (all schemes, forwarded
 * headers, users, variants), or the route's `key(req)` and its variants.
 */
function purgePrefix (reqLike, prefix, customKey) {
  if (customKey !== undefined) return `${prefix}k${field(String(customKey(reqLike)))}`
  const host = String(reqLike.headers.host ?? '').toLowerCase()
  const url = reqLike.url ?? reqLike.originalUrl
  const routed = typeof reqLike.baseUrl === 'string' ? reqLike.baseUrl + url : url
  return urlPrefix(prefix, host, String(routed))
}

/** The names a response's Vary lists (lower-case), '*' when it says so, or null. */
function varyNames (value) {
  if (value === undefined || value === null) return null
  const text = Array.isArray(value) ? value.join(',') : String(value)
  const names = []
  for (const part of text.split(',')) {
    const name = part.trim().toLowerCase()
    if (name === '*') return '*'
    if (name !== '' && !names.includes(name)) names.push(name)
  }
  if (names.length === 0) return null
  return names.sort()
}

const VARIANT_MARK = '|vary:'

/** The key of the variant of `base` for this request's values of `names`. */
function variantKey (base, names, req) {
  const h = crypto.createHash('sha256')
  for (const name of names) h.update(field(name)).update(field(headerText(req, name)))
  return base + VARIANT_MARK + h.digest('base64url')
}

module.exports = {
  KEYED_HEADERS,
  CREDENTIAL_HEADERS,
  mayUseCache,
  requestKey,
  purgePrefix,
  routedUrl,
  varyNames,
  variantKey
}
