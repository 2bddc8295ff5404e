'use strict'
// Records what a handler sends on `res` (status, headers, body: res.send,
// res.json, res.end and streamed res.write alike) while it goes to the
// client unchanged. Resolves once the response is finished (or the client
// went away) with
//
//   { status, headers, body, sent: { status, headers } }
//
// or null when nothing should be kept (the body passed `maxBodyBytes`, the
// response was cut short, or its headers never went through this layer).
//
// Two views of the head, because middleware before the cache may hook
// writeHead (on-headers: express-session's Set-Cookie, compression's
// Content-Encoding) and runs again around every replay:
// - `status` / `headers`: the response as it leaves the route, when
//   writeHead reaches this layer: what is stored and replayed, matching the
//   body recorded here;
// - `sent`: the head actually written on the socket, after every hook ran:
//   what decides whether the response may be stored at all.

/** The header fields of a serialized response head (`res._header`), lower-case names, repeats as arrays. */
function parseHead (text) {
  const out = {}
  const lines = text.split('\r\n')
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    const had = out[name]
    out[name] = had === undefined ? value : Array.isArray(had) ? had.concat(value) : [had, value]
  }
  return out
}

function record (res, maxBodyBytes) {
  const chunks = []
  let size = 0
  let overflow = false
  let status = 0
  let headers = null
  let sent = null
  const write = res.write
  const end = res.end
  const writeHead = res.writeHead

  const keep = (chunk, encoding) => {
    if (overflow || chunk === undefined || chunk === null || typeof chunk === 'function') return
    const buf = typeof chunk === 'string'
      ? Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8')
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    size += buf.length
    if (size > maxBodyBytes) {
      overflow = true
      chunks.length = 0
      return
    }
    chunks.push(typeof chunk === 'string' ? buf : Buffer.from(buf))
  }

  // writeHead runs once per response, explicitly or implicitly (res.write / res.end).
  res.writeHead = function (statusCode, ...rest) {
    const first = headers === null
    if (first) {
      status = typeof statusCode === 'number' ? statusCode : this.statusCode
      headers = { ...this.getHeaders() }
      const last = rest[rest.length - 1]
      if (Array.isArray(last)) {
        for (let i = 0; i + 1 < last.length; i += 2) headers[String(last[i]).toLowerCase()] = last[i + 1]
      } else if (last !== null && typeof last === 'object') {
        for (const [k, v] of Object.entries(last)) headers[k.toLowerCase()] = v
      }
    }
    const r = writeHead.call(this, statusCode, ...rest)
    if (first) {
      sent = { status: this.statusCode, headers: typeof this._header === 'string' ? parseHead(this._header) : { ...this.getHeaders() } }
    }
    return r
  }
  res.write = function (chunk, encoding, cb) {
    keep(chunk, encoding)
    return write.call(this, chunk, encoding, cb)
  }
  res.end = function (chunk, encoding, cb) {
    keep(chunk, encoding)
    return end.call(this, chunk, encoding, cb)
  }

  return new Promise((resolve) => {
    const done = (finished) => {
      res.removeListener('finish', onFinish)
      res.removeListener('close', onClose)
      res.write = write
      res.end = end
      res.writeHead = writeHead
      if (!finished || overflow || sent === null) return resolve(null)
      resolve({ status, headers, body: Buffer.concat(chunks, size), sent })
    }
    const onFinish = () => done(true)
    const onClose = () => done(res.writableFinished)
    res.on('finish', onFinish)
    res.on('close', onClose)
  })
}

module.exports = { record, parseHead }
