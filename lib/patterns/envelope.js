'use strict'
// Entries written by the cache patterns (getOrSet, wrap, refresh-ahead,
// tagged sets) carry a little metadata before the value: when the value
// turns stale (its logical expiry, before the grace period ends and the key
// really expires), when it was made, and the generations of its tags.
//
//   <type>|<staleAt>|<createdAt>|<tags>\n<payload>
//
// type: s string, b Buffer, j/v/c codec (json, v8, custom), n a cached
// null/undefined, e a cached loader error. staleAt and createdAt are Unix
// ms (staleAt 0: never stale). tags: '' or JSON [[tag, generation], …].
// The whole is stored under kind META_TEXT when it is UTF-8 text (string
// and JSON values: the addon hands it back as a JS string, no Buffer), and
// under META_BYTES otherwise. Redis holds it behind tiercache's 4-byte object
// header (src/core/tier/wire.rs), so other clients see it as binary.

const codecs = require('../codec')
const { ValueKind } = codecs
const { DecodeError } = require('../errors')
const { wellFormedValue } = require('../args')

const NEWLINE = 10

class Envelope {
  constructor (type, value, staleAt, createdAt, tags) {
    this.type = type
    /** The decoded value (for type 'e', the error's {name, message, code}). */
    this.value = value
    this.staleAt = staleAt
    this.createdAt = createdAt
    /** null, or [[tag, generation], …] */
    this.tags = tags
  }

  isStale (now) {
    return this.staleAt !== 0 && this.staleAt <= now
  }
}

function header (type, staleAt, createdAt, tags) {
  return `${type}|${staleAt}|${createdAt}|${tags === null || tags.length === 0 ? '' : JSON.stringify(tags)}\n`
}

/**
 * [payload, kind] to store `value` with its metadata. Strings and Buffers
 * are kept as they are; everything else goes through the cache's codec
 * (numbers and booleans too, so that they come back as numbers and booleans:
 * getOrSet returns what the loader returned).
 */
function encode (codec, value, staleAt, createdAt, tags, type) {
  if (type === undefined) {
    if (value === null || value === undefined) type = 'n'
    else if (typeof value === 'string') type = 's'
    else if (value instanceof Uint8Array) type = 'b'
    else type = codec.kind === ValueKind.Json ? 'j' : codec.kind === ValueKind.V8 ? 'v' : 'c'
  }
  const head = header(type, staleAt, createdAt, tags)
  let body
  switch (type) {
    case 'n': body = ''; break
    case 's': body = wellFormedValue(value); break
    case 'b': body = value; break
    case 'e': body = JSON.stringify(value); break
    default: body = codec.encode(value)
  }
  if (typeof body === 'string') return [head + body, ValueKind.MetaText]
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  return [Buffer.concat([Buffer.from(head, 'utf8'), bytes]), ValueKind.MetaBytes]
}

function parseHeader (text, source) {
  const a = text.indexOf('|')
  const b = text.indexOf('|', a + 1)
  const c = text.indexOf('|', b + 1)
  if (a !== 1 || b < 0 || c < 0) throw new DecodeError(`a stored cache entry has a malformed header (${source})`)
  const tagText = text.slice(c + 1)
  let tags = null
  if (tagText.length > 0) {
    try {
      tags = codecs.parseJson(tagText)
    } catch (err) {
      throw new DecodeError('a stored cache entry has malformed tags', { cause: err })
    }
    if (!Array.isArray(tags)) throw new DecodeError('a stored cache entry has malformed tags')
  }
  return { type: text[0], staleAt: Number(text.slice(a + 1, b)), createdAt: Number(text.slice(b + 1, c)), tags }
}

function decodeBody (type, body, codec) {
  switch (type) {
    case 'n': return null
    case 's': return typeof body === 'string' ? body : body.toString('utf8')
    case 'b': return Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8')
    case 'e': return codecs.parseJson(typeof body === 'string' ? body : body.toString('utf8'))
    case 'j': return codecs.json.decode(body)
    case 'v': return codecs.v8.decode(body)
    case 'c': return codec.decode(body)
    default: throw new DecodeError(`a stored cache entry has an unknown type ${JSON.stringify(type)}`)
  }
}

/**
 * The header fields and the still-encoded body of a META_TEXT / META_BYTES
 * payload (a string or a Buffer): what the getOrSet front keeps, so that a
 * hit decodes only the value (a fresh copy for every caller).
 */
function parse (kind, payload) {
  let head, body
  if (typeof payload === 'string') {
    const end = payload.indexOf('\n')
    if (end < 0) throw new DecodeError('a stored cache entry has no header')
    head = parseHeader(payload.slice(0, end), 'text')
    body = payload.slice(end + 1)
  } else {
    const end = payload.indexOf(NEWLINE)
    if (end < 0) throw new DecodeError('a stored cache entry has no header')
    head = parseHeader(payload.toString('utf8', 0, end), 'bytes')
    body = payload.subarray(end + 1)
  }
  head.body = body
  return head
}

/** The value of a parsed entry's body. */
function bodyValue (type, body, codec) {
  try {
    return decodeBody(type, body, codec)
  } catch (err) {
    if (err instanceof DecodeError) throw err
    throw new DecodeError(`a stored cache entry could not be decoded: ${err.message}`, { cause: err })
  }
}

/** The Envelope of a META_TEXT / META_BYTES payload (a string or a Buffer). */
function decode (kind, payload, codec) {
  const head = parse(kind, payload)
  return new Envelope(head.type, bodyValue(head.type, head.body, codec), head.staleAt, head.createdAt, head.tags)
}

function isMeta (kind) {
  return kind === ValueKind.MetaText || kind === ValueKind.MetaBytes
}

/**
 * What the plain commands (getdel, getex, SET … GET, mget) answer for a
 * pattern entry: its value while it is fresh, else null. Tags are checked
 * by get and by the patterns (see tags.js), not here.
 */
function plainValue (reply, codec) {
  const env = decode(reply[0], reply[1], codec)
  if (env.type === 'e' || env.isStale(Date.now())) return null
  return env.value
}

module.exports = { Envelope, encode, decode, parse, bodyValue, isMeta, plainValue }
