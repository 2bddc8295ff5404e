'use strict'
// Records what a handler sends on `res` (status, headers, body: res.send,
// res.json, res.end and streamed res.write alike) while it goes to the
// client unchanged. Resolves once the response is finished (or the client
// went away) with { status, headers, body } or null when nothing should be
// kept (the body passed `maxBodyBytes`, or the response was cut short).

function record (res, maxBodyBytes) {
  const chunks = []
  let size = 0
  let overflow = false
  let headers = null
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

  // Headers as they leave: writeHead runs once, explicitly or implicitly.
  res.writeHead = function (statusCode, ...rest) {
    if (headers === null) {
      headers = { ...this.getHeaders() }
      const last = rest[rest.length - 1]
      if (Array.isArray(last)) {
        for (let i = 0; i + 1 < last.length; i += 2) headers[String(last[i]).toLowerCase()] = last[i + 1]
      } else if (last !== null && typeof last === 'object') {
        for (const [k, v] of Object.entries(last)) headers[k.toLowerCase()] = v
      }
    }
    return writeHead.call(this, statusCode, ...rest)
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
      if (!finished || overflow) return resolve(null)
      resolve({ status: res.statusCode, headers: headers ?? { ...res.getHeaders() }, body: Buffer.concat(chunks, size) })
    }
    const onFinish = () => done(true)
    const onClose = () => done(res.writableFinished)
    res.on('finish', onFinish)
    res.on('close', onClose)
  })
}

module.exports = { record }
