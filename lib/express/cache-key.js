'use strict'
// Cache keys of HTTP responses. The default key is what makes two requests
// the same response: method (HEAD shares GET's), host, path and the query
// with its parameters sorted, so `?a=1&b=2` and `?b=2&a=1` share an entry.
// The request headers a response names in `Vary` join the key of that
// response (see response-cache.js). Everything is kept as sent: no header
// that the key does not name can change which entry a request gets.

const crypto = require('node:crypto')

/** `?b=2&a=1&a=0` → `a=0&a=1&b=2` (stable whatever the order sent). */
function normalizedQuery (search) {
  if (search.length <= 1) return ''
  const params = new URLSearchParams(search)
  const pairs = []
  for (const [k, v] of params) pairs.push([k, v])
  pairs.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0))
  return new URLSearchParams(pairs).toString()
}

/** The default key: `GET host/path?sorted-query`. */
function defaultKey (req) {
  const url = req.originalUrl ?? req.url
  const q = url.indexOf('?')
  const path = q < 0 ? url : url.slice(0, q)
  const query = q < 0 ? '' : normalizedQuery(url.slice(q))
  const host = String(req.headers.host ?? '').toLowerCase()
  return `GET ${host}${path}${query === '' ? '' : '?' + query}`
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

/** The key of the variant of `base` for this request's values of `names`. */
function variantKey (base, names, req) {
  const h = crypto.createHash('sha1')
  for (const name of names) {
    const v = req.headers[name]
    h.update(name).update('\0').update(v === undefined ? '\u0001' : Array.isArray(v) ? v.join(',') : v).update('\0')
  }
  return `${base}|vary:${h.digest('base64url')}`
}

module.exports = { defaultKey, varyNames, variantKey }
