'use strict'
// Middleware that real apps put around a response cache, for the poisoning
// suite. The `compression` package is not installed: `compression()` here
// follows its code path for path (compression 1.7: on-headers to decide at
// writeHead, res.write / res.end replaced, the zlib stream writing through
// the original write / end), so that a cache behind or in front of it meets
// what it would meet in production.

const zlib = require('node:zlib')
// express-session's own dependency: the writeHead hook that session and compression use.
const onHeaders = require('on-headers')

/** Adds `field` to the response's Vary (as the `vary` package does). */
function addVary (res, field) {
  const had = res.getHeader('Vary')
  const list = had === undefined ? [] : String(had).split(',').map((s) => s.trim()).filter(Boolean)
  if (list.includes('*') || list.some((f) => f.toLowerCase() === field.toLowerCase())) return
  res.setHeader('Vary', list.concat(field).join(', '))
}

/** The encoding to use for this request: 'gzip', 'deflate' or null (what `accepts` negotiates for the usual headers). */
function negotiate (req) {
  const offered = String(req.headers['accept-encoding'] ?? '').split(',').map((part) => {
    const [name, ...params] = part.trim().split(';')
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    return { name: name.trim().toLowerCase(), q: q === undefined ? 1 : Number(q.slice(2)) }
  }).filter((e) => e.name !== '' && e.q > 0)
  const accepts = (name) => offered.some((e) => e.name === name || e.name === '*')
  if (accepts('gzip')) return 'gzip'
  if (accepts('deflate')) return 'deflate'
  return null
}

const compressibleType = (type) => /^(?:text\/|application\/(?:json|javascript|xml))/i.test(String(type))

function compression ({ threshold = 64 } = {}) {
  return function compressionMiddleware (req, res, next) {
    let ended = false
    let length
    let stream = null
    const _end = res.end
    const _write = res.write

    res.write = function write (chunk, encoding) {
      if (ended) return false
      if (!this._header) this._implicitHeader()
      return stream !== null ? stream.write(Buffer.from(chunk, encoding)) : _write.call(this, chunk, encoding)
    }
    res.end = function end (chunk, encoding) {
      if (ended) return false
      if (!this._header) {
        if (!this.getHeader('Content-Length')) length = chunk === undefined || chunk === null ? 0 : Buffer.byteLength(chunk, encoding)
        this._implicitHeader()
      }
      if (stream === null) return _end.call(this, chunk, encoding)
      ended = true
      return chunk ? stream.end(Buffer.from(chunk, encoding)) : stream.end()
    }

    onHeaders(res, function onResponseHeaders () {
      const type = res.getHeader('Content-Type')
      if (type === undefined || !compressibleType(type)) return
      if (/(?:^|,)\s*no-transform\s*(?:,|$)/i.test(String(res.getHeader('Cache-Control') ?? ''))) return
      addVary(res, 'Accept-Encoding')
      if (Number(res.getHeader('Content-Length')) < threshold || length < threshold) return
      if ((res.getHeader('Content-Encoding') || 'identity') !== 'identity') return
      if (req.method === 'HEAD') return
      const method = negotiate(req)
      if (method === null) return
      stream = method === 'gzip' ? zlib.createGzip() : zlib.createDeflate()
      res.setHeader('Content-Encoding', method)
      res.removeHeader('Content-Length')
      stream.on('data', (chunk) => {
        if (_write.call(res, chunk) === false) stream.pause()
      })
      stream.on('end', () => _end.call(res))
      res.on('drain', () => stream.resume())
    })
    next()
  }
}

/**
 * A hand-rolled gzip middleware of the common kind: it wraps res.writeHead
 * itself (no on-headers), deciding from the headers set so far, and gzips
 * what res.write / res.end are given.
 */
function wrappingGzip () {
  return function wrappingGzipMiddleware (req, res, next) {
    const writeHead = res.writeHead
    const write = res.write
    const end = res.end
    let gzip = null
    res.writeHead = function (...args) {
      const type = this.getHeader('Content-Type')
      // Compresses unless the type is known not to compress (the type may come with writeHead's own headers).
      if (gzip === null && req.method !== 'HEAD' && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '') && (type === undefined || compressibleType(type))) {
        this.removeHeader('Content-Length')
        this.setHeader('Content-Encoding', 'gzip')
        addVary(this, 'Accept-Encoding')
        gzip = zlib.createGzip()
        gzip.on('data', (chunk) => write.call(this, chunk))
        gzip.on('end', () => end.call(this))
      }
      return writeHead.apply(this, args)
    }
    res.write = function (chunk, encoding) {
      if (!this.headersSent) this.writeHead(this.statusCode)
      return gzip === null ? write.call(this, chunk, encoding) : gzip.write(Buffer.from(chunk, encoding))
    }
    res.end = function (chunk, encoding) {
      if (!this.headersSent) this.writeHead(this.statusCode)
      if (gzip === null) return end.call(this, chunk, encoding)
      if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') gzip.end(Buffer.from(chunk, encoding))
      else gzip.end()
      return this
    }
    next()
  }
}

/** Serves mobile pages to clients that say `X-Mobile: 1`, by rewriting the URL (a router-level rewrite). */
function rewriteMobile (req, res, next) {
  if (req.headers['x-mobile'] === '1') req.url = '/m' + req.url
  next()
}

/** Routes the URL an upstream proxy names in X-Original-URL (as Symfony / IIS setups do). */
function rewriteOriginalUrl (req, res, next) {
  const target = req.headers['x-original-url']
  if (typeof target === 'string' && target.startsWith('/')) req.url = target
  next()
}

/** method-override's header mode: X-HTTP-Method-Override turns the request into another method. */
function methodOverride (req, res, next) {
  const m = req.headers['x-http-method-override']
  if (typeof m === 'string' && m.length > 0) {
    req.originalMethod = req.originalMethod ?? req.method
    req.method = m.toUpperCase()
  }
  next()
}

/** Gives every visitor without a cookie a visitor id, set by a writeHead hook; the page may show it. */
function visitorId (state) {
  return (req, res, next) => {
    if (req.headers.cookie === undefined) {
      req.visitor = `v${++state.visitors}`
      onHeaders(res, () => res.appendHeader('Set-Cookie', `vid=${req.visitor}; Path=/`))
    }
    next()
  }
}

/** Marks debug responses private and uncacheable from a writeHead hook (a security-headers middleware). */
function debugHeaders (req, res, next) {
  if (req.headers['x-debug'] === '1') onHeaders(res, () => res.setHeader('Cache-Control', 'no-store'))
  next()
}

module.exports = { compression, wrappingGzip, rewriteMobile, rewriteOriginalUrl, methodOverride, visitorId, debugHeaders }
