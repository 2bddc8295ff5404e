'use strict'
// Codecs turn JS objects into bytes and back. Strings, Buffers, numbers,
// bigints and booleans never go through a codec: they are stored as Redis
// stores them (ioredis semantics). A codec refuses at `set` what it cannot
// give back unchanged, rather than mangling it silently.

const v8 = require('node:v8')
const { TierCacheTypeError, DecodeError, CODES } = require('./errors')

// Kind tags stored with each entry (see src/core/entry.rs).
// How a stored value was encoded: the binding's enum (src/binding/modes.rs).
const { ValueKind } = require('../binding.js')

function unencodable (what, codec, path, cause) {
  const where = path === undefined ? '' : ` at ${path === '' ? 'the top level' : path}`
  return new TierCacheTypeError(
    `the ${codec} codec cannot represent ${what}${where}, so it would not come back equal; convert it first${codec === 'json' ? " or use the 'v8' codec" : ''}`,
    CODES.UNENCODABLE,
    cause === undefined ? undefined : { cause }
  )
}

// ---- JSON: what comes back equal ---------------------------------------------
//
// Stored as JSON.stringify writes it and read back with JSON.parse, a value
// must come back equal: strings, finite numbers, booleans, null, arrays
// without holes, and plain objects (prototype Object.prototype or null) of
// those. An object with a toJSON method (a Date, a Buffer) is stored as what
// toJSON returns. Everything JSON would drop or change is refused at set.

/** Why JSON cannot represent `value` (after toJSON), or null when it can. */
function jsonProblem (value) {
  switch (typeof value) {
    case 'string': case 'boolean': return null
    case 'number': return Number.isFinite(value) ? null : String(value)
    case 'bigint': return 'a BigInt'
    case 'function': return 'a function'
    case 'symbol': return 'a symbol'
    case 'undefined': return 'undefined (or an array hole)'
    default: {
      if (value === null) return null
      const proto = Object.getPrototypeOf(value)
      if (proto === Object.prototype || proto === null || (proto === Array.prototype && Array.isArray(value))) return null
      return describeObject(value)
    }
  }
}

/** What kind of object `value` is, by its class, never by its contents. */
function describeObject (value) {
  const tag = Object.prototype.toString.call(value).slice(8, -1)
  if (['Number', 'String', 'Boolean', 'BigInt', 'Symbol'].includes(tag)) return `a boxed ${tag.toLowerCase()} (new ${tag}(…))`
  if (value instanceof Map || value instanceof Set) return `a ${tag}`
  const ctor = typeof value.constructor === 'function' && typeof value.constructor.name === 'string' ? value.constructor.name : ''
  const name = ctor !== '' ? ctor : tag
  return `an instance of ${name.slice(0, 60)} (JSON keeps only plain objects, arrays and what toJSON returns)`
}

// Thrown by the replacer to stop JSON.stringify at the first problem; the
// path and the reason are then found by `locateJsonProblem`, off the hot path.
const STOP = Symbol('unencodable')

// Called by JSON.stringify for every value, after toJSON.
function strictReplacer (key, value) {
  if (jsonProblem(value) !== null) throw STOP
  // toJSON gave null for what was not null (an invalid Date): it would come back null.
  if (value === null && key !== '' && this[key] !== null && typeof this[key] === 'object') throw STOP
  return value
}

/** `path` extended by one property name, as JS would write it. */
function child (path, key) {
  if (typeof key === 'number') return `${path}[${key}]`
  const shown = key.length > 40 ? `${key.slice(0, 40)}…` : key
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path === '' ? '' : path + '.'}${shown}` : `${path}[${JSON.stringify(shown)}]`
}

/**
 * Walks `value` as JSON.stringify does (toJSON, own enumerable string keys,
 * array indices) and returns { path, what, cause } for the first value JSON
 * cannot represent, or null. Only runs after a failure.
 */
function locateJsonProblem (key, value, path, ancestors) {
  const original = value
  try {
    if (value !== null && (typeof value === 'object' || typeof value === 'bigint') && typeof value.toJSON === 'function') {
      value = value.toJSON(String(key))
    }
  } catch (err) {
    return { path, what: 'a value whose toJSON method threw', cause: err }
  }
  const what = jsonProblem(value)
  if (what !== null) return { path, what }
  if (value === null) return original !== null && typeof original === 'object' ? { path, what: 'a value whose toJSON returned null (an invalid Date?)' } : null
  if (typeof value !== 'object') return null
  if (ancestors.includes(value)) return { path, what: 'a circular structure' }
  ancestors.push(value)
  const keys = Array.isArray(value) ? Array.from({ length: value.length }, (_, i) => i) : Object.keys(value)
  for (const k of keys) {
    let v
    try {
      v = value[k]
    } catch (err) {
      return { path: child(path, k), what: 'a property whose getter threw', cause: err }
    }
    const found = locateJsonProblem(k, v, child(path, k), ancestors)
    if (found !== null) return found
  }
  ancestors.pop()
  return null
}

// ---- v8: what the structured clone cannot take -------------------------------

/** Why the v8 serializer refuses `value` (itself, not its contents), or null. */
function v8Problem (value) {
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'symbol') return 'a symbol'
  if (value === null || typeof value !== 'object') return null
  for (const [Class, what] of V8_REFUSED) if (value instanceof Class) return what
  return null
}

const V8_REFUSED = [[WeakMap, 'a WeakMap'], [WeakSet, 'a WeakSet'], [WeakRef, 'a WeakRef'], [Promise, 'a Promise']]

/** { path, what } of the first value v8 refuses (own enumerable keys, Map and Set entries), or null. */
function locateV8Problem (value, path, seen) {
  const what = v8Problem(value)
  if (what !== null) return { path, what }
  if (value === null || typeof value !== 'object' || seen.has(value) || ArrayBuffer.isView(value)) return null
  seen.add(value)
  if (value instanceof Map) {
    let i = 0
    for (const [k, v] of value) {
      const found = locateV8Problem(k, `${path}<map key ${i}>`, seen) || locateV8Problem(v, `${path}<map value ${i}>`, seen)
      if (found !== null) return found
      i++
    }
    return null
  }
  if (value instanceof Set) {
    let i = 0
    for (const v of value) {
      const found = locateV8Problem(v, `${path}<set item ${i++}>`, seen)
      if (found !== null) return found
    }
    return null
  }
  for (const k of Object.keys(value)) {
    let v
    try {
      v = value[k]
    } catch {
      return { path: child(path, k), what: 'a property whose getter threw' }
    }
    const found = locateV8Problem(v, child(path, Array.isArray(value) ? Number(k) : k), seen)
    if (found !== null) return found
  }
  return null
}

// ---- decoding: untrusted bytes never set a prototype ---------------------------

// Drops `__proto__` keys from decoded objects: a value read back from a
// shared store is untrusted, and a later Object.assign of a parsed
// `{"__proto__": …}` would otherwise swap the target's prototype.
function dropProto (key, value) {
  return key === '__proto__' ? undefined : value
}

/**
 * JSON.parse of text that another client may have written. JSON can spell
 * the key `__proto__` literally or with \u escapes (`"\u005f_proto__"`); text
 * holding neither cannot hold the key, and is parsed without a reviver.
 */
function parseJson (text) {
  return text.includes('__proto__') || text.includes('\\u') ? JSON.parse(text, dropProto) : JSON.parse(text)
}

// The v8 serializer writes a key as Latin-1 bytes, or as UTF-16LE when the
// string is two-byte (and a foreign writer may choose either).
const PROTO_BYTES = [Buffer.from('__proto__', 'latin1'), Buffer.from('__proto__', 'utf16le')]

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
  kind: ValueKind.Json,
  encode (value) {
    let text
    try {
      text = JSON.stringify(value, strictReplacer)
    } catch (err) {
      const found = locateJsonProblem('', value, '', [])
      if (found === null) throw unencodable('this value', 'json', undefined, err === STOP ? undefined : err)
      throw unencodable(found.what, 'json', found.path, found.cause ?? (err === STOP ? undefined : err))
    }
    // A top-level toJSON that gave null would read back as a miss.
    if (text === 'null') throw unencodable('a value whose toJSON returned null', 'json', '')
    return text
  },
  decode (text) {
    return parseJson(typeof text === 'string' ? text : text.toString('utf8'))
  }
})

const v8Codec = Object.freeze({
  name: 'v8',
  kind: ValueKind.V8,
  encode (value) {
    try {
      return v8.serialize(value)
    } catch (err) {
      // The serializer's message may quote the value (a function's source): not shown.
      const found = locateV8Problem(value, '', new Set())
      throw unencodable(found === null ? 'this value' : found.what, 'v8', found === null ? undefined : found.path, err)
    }
  },
  decode (buffer) {
    const value = v8.deserialize(buffer)
    // Same care as JSON: an own "__proto__" key from a stored value must not
    // reach code that merges it. Only walked when the bytes mention it.
    return buffer.includes(PROTO_BYTES[0]) || buffer.includes(PROTO_BYTES[1]) ? stripProtoKeys(value, new Set()) : value
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
      kind: ValueKind.Custom,
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
  if (kind === ValueKind.Custom) return instanceCodec.decode(payload)
  // Pattern entries (getOrSet, tags): loaded on first use, no cycle at load time.
  if (kind === ValueKind.MetaText || kind === ValueKind.MetaBytes) return require('./patterns/envelope').plainValue(reply, instanceCodec)
  try {
    return kind === ValueKind.Json ? json.decode(payload) : v8Codec.decode(payload)
  } catch (err) {
    throw new DecodeError(`a stored ${kind === ValueKind.Json ? 'json' : 'v8'} value could not be decoded: ${err.message}`, { cause: err })
  }
}

module.exports = { ValueKind, json, v8: v8Codec, resolveCodec, decodeTagged, parseJson }
