'use strict'
// A cached HTTP response: status, the headers worth replaying, the body and
// its ETag, as one Buffer (stored in both tiers like any cache value):
//
//   u32 BE length of the JSON head | JSON { s: status, h: [name, value, …], e: etag } | body
//
// `h` is flat, in the order Node's writeHead takes raw headers, so a replay
// is one writeHead and one end.

const crypto = require('node:crypto')

const { parseJson } = require('../codec')

/** Headers never stored: per connection, per response, or replayed fresh. */
const NOT_REPLAYED = new Set([
  'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection',
  'date', 'age', 'set-cookie', 'content-length'
])

class StoredResponse {
  constructor (status, headers, etag, body) {
    this.status = status
    /** [name, value, name, value, …] (values may be arrays). */
    this.headers = headers
    this.etag = etag
    this.body = body
    /** Unix ms it was made and goes stale (set by the reader from the entry's header). */
    this.createdAt = 0
    this.staleAt = 0
  }
}

const sameValue = (a, b) => b !== undefined && (a === b || String(a) === String(b))

/** A strong ETag of the body, for responses that came without one. */
function etagOf (body) {
  return `"${body.length.toString(16)}-${crypto.createHash('sha1').update(body).digest('base64url').slice(0, 27)}"`
}

/**
 * The response to store, from what the handler sent. `headers` is the
 * outgoing header object (lower-case names); `outer` the headers already
 * set when the route started (by middleware before the cache, which sets
 * them again on a hit): those the route left unchanged are not stored.
 */
function fromSent (status, headers, body, xCacheHeader, outer = {}) {
  const flat = []
  let etag = null
  const skip = xCacheHeader.toLowerCase()
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase()
    if (NOT_REPLAYED.has(lower) || lower === skip) continue
    const value = headers[name]
    if (value === undefined || sameValue(value, outer[lower])) continue
    if (lower === 'etag') etag = String(value)
    flat.push(name, Array.isArray(value) ? value.map(String) : String(value))
  }
  if (etag === null) {
    etag = etagOf(body)
    flat.push('ETag', etag)
  }
  return new StoredResponse(status, flat, etag, body)
}

function encode (response) {
  const head = Buffer.from(JSON.stringify({ s: response.status, h: response.headers, e: response.etag }), 'utf8')
  const out = Buffer.allocUnsafe(4 + head.length + response.body.length)
  out.writeUInt32BE(head.length, 0)
  head.copy(out, 4)
  response.body.copy(out, 4 + head.length)
  return out
}

/** The StoredResponse in `bytes`, or null when they are not one (a foreign value). */
function decode (bytes) {
  if (!Buffer.isBuffer(bytes) || bytes.length < 4) return null
  const n = bytes.readUInt32BE(0)
  if (4 + n > bytes.length) return null
  let head
  try {
    head = parseJson(bytes.toString('utf8', 4, 4 + n))
  } catch {
    return null
  }
  if (head === null || typeof head.s !== 'number' || !Array.isArray(head.h) || typeof head.e !== 'string') return null
  return new StoredResponse(head.s, head.h, head.e, bytes.subarray(4 + n))
}

module.exports = { StoredResponse, fromSent, encode, decode }
