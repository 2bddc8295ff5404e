'use strict'
// Raw HTTP/1.1 over a TCP socket, for requests that node's http client
// will not send (duplicate Host, a Host with a path, absolute-form
// targets, bodies on GET, no Host at all). One request per connection
// (`Connection: close`); the response is read until the server closes.

const net = require('node:net')

/**
 * A request: { method = 'GET', target, headers: [[name, value], …] or
 * { name: value }, body, version = '1.1' }, or { raw } for the bytes as they
 * are. Returns the bytes to send.
 */
function serialize (req) {
  if (req.raw !== undefined) return Buffer.from(req.raw, 'latin1')
  const pairs = Array.isArray(req.headers) ? req.headers : Object.entries(req.headers ?? {})
  let head = `${req.method ?? 'GET'} ${req.target} HTTP/${req.version ?? '1.1'}\r\n`
  for (const [name, value] of pairs) head += `${name}: ${value}\r\n`
  head += 'Connection: close\r\n\r\n'
  const body = req.body === undefined ? Buffer.alloc(0) : Buffer.from(req.body)
  return Buffer.concat([Buffer.from(head, 'latin1'), body])
}

function dechunk (buf) {
  const out = []
  let i = 0
  for (;;) {
    const eol = buf.indexOf('\r\n', i)
    if (eol < 0) return null
    const size = parseInt(buf.toString('latin1', i, eol).split(';')[0], 16)
    if (!Number.isFinite(size)) return null
    if (size === 0) return Buffer.concat(out)
    out.push(buf.subarray(eol + 2, eol + 2 + size))
    i = eol + 2 + size + 2
  }
}

/** The response of `bytes`: { status, headers (lower-case, repeats as arrays), body } or { error }. */
function parse (bytes, isHead) {
  const end = bytes.indexOf('\r\n\r\n')
  if (end < 0) return { error: bytes.length === 0 ? 'closed without a response' : 'truncated head' }
  const lines = bytes.toString('latin1', 0, end).split('\r\n')
  const status = Number(lines[0].split(' ')[1])
  const headers = {}
  for (const line of lines.slice(1)) {
    const c = line.indexOf(':')
    const name = line.slice(0, c).trim().toLowerCase()
    const value = line.slice(c + 1).trim()
    headers[name] = headers[name] === undefined ? value : [].concat(headers[name], value)
  }
  let body = bytes.subarray(end + 4)
  if (isHead || status === 304 || status === 204) {
    body = Buffer.alloc(0)
  } else if (headers['transfer-encoding'] === 'chunked') {
    body = dechunk(body)
    if (body === null) return { error: 'truncated chunked body' }
  } else if (headers['content-length'] !== undefined) {
    const n = Number(headers['content-length'])
    if (body.length < n) return { error: 'truncated body' }
    body = body.subarray(0, n)
  }
  return { status, headers, body }
}

/** Sends `req` to 127.0.0.1:`port`; resolves its response, or { error } (reset, timeout, truncated). */
function send (port, req, timeoutMs = 5000) {
  const isHead = req.raw === undefined ? (req.method ?? 'GET') === 'HEAD' : /^HEAD /.test(req.raw)
  return new Promise((resolve) => {
    const chunks = []
    let settled = false
    const finish = (r) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve(r)
    }
    const socket = net.connect(port, '127.0.0.1')
    const timer = setTimeout(() => finish({ error: 'timeout' }), timeoutMs)
    socket.on('data', (c) => chunks.push(c))
    socket.on('end', () => finish(parse(Buffer.concat(chunks), isHead)))
    socket.on('error', (err) => finish({ error: err.code ?? String(err) }))
    socket.write(serialize(req))
  })
}

module.exports = { send, serialize, parse }
