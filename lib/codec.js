'use strict'
// Codecs turn JS objects into bytes and back. Strings, Buffers, numbers,
// bigints and booleans never go through a codec: they are stored as Redis
// stores them (ioredis semantics). A codec refuses at `set` what it cannot
// give back unchanged, rather than mangling it silently.

const v8 = require('node:v8')
const { TierCacheTypeError, DecodeError, CODES } = require('./errors')

// Kind tags stored with each entry (see src/core/entry.rs).
const KIND = Object.freeze({ RAW: 0, JSON: 1, V8: 2, CUSTOM: 3, META_TEXT: 4, META_BYTES: 5 })

function unencodable (what, codec) {
  return new TierCacheTypeError(
    `the ${codec} codec cannot represent ${what}; use the 'v8' codec or convert it first`,
    CODES.UNENCODABLE
  )
}

// Called by JSON.stringify for every value after toJSON: throws on what JSON
// would drop or change (and so on what would not round-trip).
function strictReplacer (key, value) {
  switch (typeof value) {
    case 'bigint': throw unencodable('a BigInt', 'json')
    case 'function': throw unencodable('a function', 'json')
    case 'symbol': throw unencodable('a symbol', 'json')
    case 'undefined': throw unencodable(`undefined (at ${JSON.stringify(key)})`, 'json')
    case 'number':
      if (!Number.isFinite(value)) throw unencodable(`${value}`, 'json')
      return value
    case 'object':
      if (value instanceof Map || value instanceof Set) throw unencodable('a Map or Set', 'json')
      return value
    default:
      return value
  }
}

// Drops `__proto__` keys from decoded objects: a value read back from a
// shared store is untrusted, and a later Object.assign of a parsed
// `{"__proto__": …}` would otherwise swap the target's prototype.
function dropProto (key, value) {
  return key === '__proto__' ? undefined : value
}

const PROTO_BYTES = Buffer.from('__proto__')

function stripProtoKeys (value, seen) {
  if (value === null || typeof value !== 'object' || seen.has(value)) return value
  seen.add(value)
  if (Object.prototype.hasOwnProperty.call(value, '__proto__')) delete value.__proto__
  if (value instanceof Map) {
    for (const [k, v] of value) { stripProtoKeys(k, seen); stripProtoKeys(v, seen) }
  } else if (value instanceof Set) {
    for (const v of value) stripProtoKeys(v, seen)
  } else if (!ArrayBuffer.isView(value)) {
    for (const k of Object.keys(value)) stripProtoKeys(value[k], seen)
  }
  return value
}

const json = Object.freeze({
  name: 'json',
  kind: KIND.JSON,
  encode (value) {
    let text
    try {
      text = JSON.stringify(value, strictReplacer)
    } catch (err) {
      if (err instanceof TierCacheTypeError) throw err
      // JSON.stringify's own TypeError: a circular structure.
      throw unencodable('a circular structure', 'json')
    }
    return text
  },
  decode (text) {
    if (typeof text !== 'string') text = text.toString('utf8')
    return text.includes('"__proto__"') ? JSON.parse(text, dropProto) : JSON.parse(text)
  }
})

const v8Codec = Object.freeze({
  name: 'v8',
  kind: KIND.V8,
  encode (value) {
    try {
      return v8.serialize(value)
    } catch (err) {
      throw unencodable(`this value (${err.message})`, 'v8')
    }
  },
  decode (buffer) {
    const value = v8.deserialize(buffer)
    // Same care as JSON: an own "__proto__" key from a stored value must not
    // reach code that merges it. Only walked when the bytes mention it.
    return buffer.includes(PROTO_BYTES) ? stripProtoKeys(value, new Set()) : value
  }
})

/**
 * Resolves the `codec` option: 'json' (default), 'v8', or an object with
 * `encode(value) -> string | Buffer` and `decode(buffer) -> value`.
 */
function resolveCodec (option) {
  if (option === undefined || option === 'json') return json
  if (option === 'v8') return v8Codec
  if (option !== null && typeof option === 'object' &&
      typeof option.encode === 'function' && typeof option.decode === 'function') {
    return Object.freeze({
      name: typeof option.name === 'string' ? option.name : 'custom',
      kind: KIND.CUSTOM,
      encode (value) {
        let out
        try {
          out = option.encode(value)
        } catch (err) {
          throw new TierCacheTypeError(`the custom codec refused the value: ${err && err.message}`, CODES.UNENCODABLE, { cause: err })
        }
        if (typeof out !== 'string' && !(out instanceof Uint8Array)) {
          throw new TierCacheTypeError('a custom codec must encode to a string or a Buffer', CODES.UNENCODABLE)
        }
        return out
      },
      decode (buffer) {
        try {
          return option.decode(buffer)
        } catch (err) {
          throw new DecodeError(`the custom codec could not decode a stored value: ${err && err.message}`, { cause: err })
        }
      }
    })
  }
  throw new TierCacheTypeError("codec must be 'json', 'v8' or { encode, decode }", CODES.INVALID_ARGUMENT)
}

/** Decodes a `[kind, payload]` reply with the codec that wrote it. */
function decodeTagged (reply, instanceCodec) {
  const kind = reply[0]
  const payload = reply[1]
  if (kind === KIND.CUSTOM) return instanceCodec.decode(payload)
  // Pattern entries (getOrSet, tags): loaded on first use, no cycle at load time.
  if (kind === KIND.META_TEXT || kind === KIND.META_BYTES) return require('./patterns/envelope').plainValue(reply, instanceCodec)
  try {
    return kind === KIND.JSON ? json.decode(payload) : v8Codec.decode(payload)
  } catch (err) {
    throw new DecodeError(`a stored ${kind === KIND.JSON ? 'json' : 'v8'} value could not be decoded: ${err.message}`, { cause: err })
  }
}

module.exports = { KIND, json, v8: v8Codec, resolveCodec, decodeTagged }
