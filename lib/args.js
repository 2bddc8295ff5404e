'use strict'
// Parsing and checking of command arguments, ioredis style. Everything here
// throws TierCacheTypeError / TierCacheRangeError with a stable code; the
// facade turns a throw into a rejected promise or a callback error.

const { TierCacheTypeError, TierCacheRangeError, ReplyError, CODES } = require('./errors')

/** Longest key, in UTF-8 bytes (src/core/local.rs MAX_KEY_BYTES). */
const MAX_KEY_BYTES = 64 * 1024
/** Latest deadline representable: deadlines are kept as JS-safe Unix ms. */
const MAX_DEADLINE_MS = Number.MAX_SAFE_INTEGER

// Native `set` modes (src/binding/commands.rs).
const EXPIRY = Object.freeze({ DEFAULT: 0, KEEP: 1, RELATIVE: 2, ABSOLUTE: 3 })
const CONDITION = Object.freeze({ ALWAYS: 0, NX: 1, XX: 2 })
const EXPIRE_CONDITION = Object.freeze({ NX: 1, XX: 2, GT: 3, LT: 4 })

/** A key as the store takes it: a non-empty string of at most 64 KiB. */
function toKey (key) {
  if (typeof key === 'string') {
    if (key.length === 0) throw new TierCacheRangeError('key must not be empty', CODES.INVALID_KEY)
    // A JS string of n UTF-16 units is at most 3n UTF-8 bytes: measure only when it might be too long.
    if (key.length * 3 > MAX_KEY_BYTES && Buffer.byteLength(key) > MAX_KEY_BYTES) {
      throw new TierCacheRangeError(`key is longer than ${MAX_KEY_BYTES} bytes`, CODES.KEY_TOO_LARGE)
    }
    return key
  }
  if (typeof key === 'number' && Number.isFinite(key)) return String(key)
  if (Buffer.isBuffer(key)) {
    const text = key.toString('utf8')
    if (!Buffer.from(text, 'utf8').equals(key)) {
      throw new TierCacheTypeError('Buffer keys must be valid UTF-8', CODES.INVALID_KEY)
    }
    return toKey(text)
  }
  throw new TierCacheTypeError(`key must be a string, a finite number or a Buffer, got ${describe(key)}`, CODES.INVALID_KEY)
}

/** Keys given as separate arguments or as one array, as ioredis accepts. */
function toKeys (args) {
  const list = args.length === 1 && Array.isArray(args[0]) ? args[0] : args
  if (list.length === 0) throw new TierCacheTypeError('at least one key is required', CODES.INVALID_ARGUMENT)
  return list.map(toKey)
}

function describe (value) {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value
}

/** What an error message may say about a bad argument: a number, else its type (never a value's text: it may be a secret, or throw). */
function shown (value) {
  return typeof value === 'number' ? String(value) : describe(value)
}

/**
 * An integer argument (a number or a numeric string, as ioredis sends both).
 * Non-integers are refused with a RangeError coded `code`.
 */
function toInteger (value, what, code = CODES.INVALID_TTL) {
  let n = value
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) n = Number(value)
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
    const Err = typeof n === 'number' || typeof value === 'string' ? TierCacheRangeError : TierCacheTypeError
    throw new Err(`${what} must be an integer, got ${typeof value === 'number' ? value : describe(value)}`, code)
  }
  return n
}

/** A positive TTL for SET/SETEX/GETEX, converted to ms; refuses 0, negatives and overflow. */
function toTtlMs (value, unit, command) {
  const n = toInteger(value, `the ${unit === 1000 ? 'EX' : 'PX'} time of ${command}`)
  if (n <= 0) throw new TierCacheRangeError(`invalid expire time in '${command}' command (must be > 0, got ${n})`, CODES.INVALID_TTL)
  const ms = n * unit
  if (!Number.isSafeInteger(ms) || Date.now() + ms > MAX_DEADLINE_MS) {
    throw new TierCacheRangeError(`invalid expire time in '${command}' command (too large)`, CODES.INVALID_TTL)
  }
  return ms
}

/** An absolute EXAT/PXAT time in ms; the past is allowed (it deletes, as Redis does). */
function toDeadlineMs (value, unit, command) {
  const n = toInteger(value, `the ${unit === 1000 ? 'EXAT' : 'PXAT'} time of ${command}`)
  if (n <= 0) throw new TierCacheRangeError(`invalid expire time in '${command}' command (must be > 0, got ${n})`, CODES.INVALID_TTL)
  const ms = n * unit
  if (!Number.isSafeInteger(ms) || ms > MAX_DEADLINE_MS) {
    throw new TierCacheRangeError(`invalid expire time in '${command}' command (too large)`, CODES.INVALID_TTL)
  }
  return ms
}

function syntax (message) {
  return new TierCacheTypeError(`syntax error: ${message}`, CODES.SYNTAX)
}

function token (value) {
  return typeof value === 'string' ? value.toUpperCase() : value
}

/**
 * SET's options, from ioredis tokens (`'EX', 10, 'NX', 'GET'`) or a
 * node-redis options object (`{ EX: 10, NX: true, GET: true }`).
 * Returns { mode, ms, condition, get }.
 */
function parseSetOptions (rest) {
  if (rest.length === 1 && rest[0] !== null && typeof rest[0] === 'object') return parseSetObject(rest[0])
  const out = { mode: EXPIRY.DEFAULT, ms: 0, condition: CONDITION.ALWAYS, get: false }
  let expirySeen = null
  for (let i = 0; i < rest.length; i++) {
    const t = token(rest[i])
    switch (t) {
      case 'EX': case 'PX': case 'EXAT': case 'PXAT': {
        if (expirySeen) throw syntax(`${expirySeen} and ${t} are mutually exclusive`)
        if (i + 1 >= rest.length) throw syntax(`${t} needs a time`)
        expirySeen = t
        const value = rest[++i]
        if (t === 'EX' || t === 'PX') {
          out.mode = EXPIRY.RELATIVE
          out.ms = toTtlMs(value, t === 'EX' ? 1000 : 1, 'set')
        } else {
          out.mode = EXPIRY.ABSOLUTE
          out.ms = toDeadlineMs(value, t === 'EXAT' ? 1000 : 1, 'set')
        }
        break
      }
      case 'KEEPTTL':
        if (expirySeen) throw syntax(`${expirySeen} and KEEPTTL are mutually exclusive`)
        expirySeen = 'KEEPTTL'
        out.mode = EXPIRY.KEEP
        break
      case 'NX': case 'XX': {
        const c = t === 'NX' ? CONDITION.NX : CONDITION.XX
        if (out.condition !== CONDITION.ALWAYS && out.condition !== c) throw syntax('NX and XX are mutually exclusive')
        out.condition = c
        break
      }
      case 'GET':
        out.get = true
        break
      default:
        throw syntax(`unknown SET option ${typeof rest[i] === 'string' ? JSON.stringify(rest[i]) : describe(rest[i])}`)
    }
  }
  return out
}

const SET_OBJECT_KEYS = new Set(['EX', 'PX', 'EXAT', 'PXAT', 'KEEPTTL', 'NX', 'XX', 'GET', 'expiration', 'condition'])

function parseSetObject (options) {
  const tokens = []
  for (const [key, value] of Object.entries(options)) {
    if (!SET_OBJECT_KEYS.has(key)) throw syntax(`unknown SET option ${JSON.stringify(key)}`)
    if (value === undefined || value === false) continue
    if (key === 'expiration') {
      // node-redis v5: { expiration: { type: 'EX', value: 10 } } or 'KEEPTTL'
      if (value === 'KEEPTTL') tokens.push('KEEPTTL')
      else if (value && typeof value === 'object') tokens.push(value.type, value.value)
      else throw syntax('expiration must be { type, value } or \'KEEPTTL\'')
    } else if (key === 'condition') {
      tokens.push(value)
    } else if (key === 'KEEPTTL' || key === 'NX' || key === 'XX' || key === 'GET') {
      tokens.push(key)
    } else {
      tokens.push(key, value)
    }
  }
  return parseSetOptions(tokens)
}

/** GETEX's option: [mode, ms] for the native call. */
function parseGetExOptions (rest) {
  if (rest.length === 0) return [0, 0]
  const t = token(rest[0])
  if (t === 'PERSIST' && rest.length === 1) return [1, 0]
  if ((t === 'EX' || t === 'PX') && rest.length === 2) return [EXPIRY.RELATIVE, toTtlMs(rest[1], t === 'EX' ? 1000 : 1, 'getex')]
  if ((t === 'EXAT' || t === 'PXAT') && rest.length === 2) return [EXPIRY.ABSOLUTE, toDeadlineMs(rest[1], t === 'EXAT' ? 1000 : 1, 'getex')]
  throw syntax('GETEX takes one of EX n, PX n, EXAT n, PXAT n or PERSIST')
}

/**
 * EXPIRE-family arguments: the time (may be negative: the key is deleted,
 * as Redis does) and an optional NX/XX/GT/LT. Returns [ms, condition].
 */
function parseExpireArgs (command, time, unit, rest) {
  const n = toInteger(time, `the time of ${command}`)
  const ms = n * unit
  if (!Number.isSafeInteger(ms) || Math.abs(ms) > MAX_DEADLINE_MS) {
    throw new TierCacheRangeError(`invalid expire time in '${command}' command (too large)`, CODES.INVALID_TTL)
  }
  if (rest.length > 1) throw syntax(`${command} takes at most one of NX, XX, GT, LT`)
  let condition = 0
  if (rest.length === 1) {
    condition = EXPIRE_CONDITION[token(rest[0])] || 0
    if (condition === 0) throw syntax(`unknown ${command} option ${JSON.stringify(String(rest[0]))}`)
  }
  return [ms, condition]
}

/** SCAN's MATCH and COUNT. Returns { pattern, count }. */
function parseScanOptions (rest) {
  let pattern = null
  let count = 10
  if (rest.length === 1 && rest[0] !== null && typeof rest[0] === 'object') {
    // node-redis: scan(cursor, { MATCH, COUNT })
    const o = rest[0]
    rest = []
    for (const [key, value] of Object.entries(o)) {
      if (key !== 'MATCH' && key !== 'COUNT' && key !== 'TYPE') throw syntax(`unknown SCAN option ${JSON.stringify(key)}`)
      if (value !== undefined) rest.push(key, value)
    }
  }
  for (let i = 0; i < rest.length; i += 2) {
    const t = token(rest[i])
    if (i + 1 >= rest.length) throw syntax(`${t} needs a value`)
    if (t === 'MATCH') {
      if (typeof rest[i + 1] !== 'string') throw new TierCacheTypeError('MATCH takes a string pattern', CODES.INVALID_ARGUMENT)
      pattern = rest[i + 1]
    } else if (t === 'COUNT') {
      count = toInteger(rest[i + 1], 'COUNT', CODES.INVALID_ARGUMENT)
      if (count < 1 || count > 0xffffffff) throw new TierCacheRangeError('COUNT must be >= 1', CODES.INVALID_ARGUMENT)
    } else if (t === 'TYPE') {
      // Every L1 value is a Redis string.
      if (token(rest[i + 1]) !== 'STRING') pattern = '\u0000never'
    } else {
      throw syntax(`unknown SCAN option ${JSON.stringify(String(rest[i]))}`)
    }
  }
  return { pattern, count }
}

/** INCRBY's increment: an integer in i64 range, as a decimal string for the native call. */
function toIncrement (value) {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value)
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return value
  throw new ReplyError('ERR value is not an integer or out of range')
}

function toFloatIncrement (value) {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
  if (typeof n !== 'number' || Number.isNaN(n)) throw new ReplyError('ERR value is not a valid float')
  if (!Number.isFinite(n)) throw new ReplyError('ERR increment would produce NaN or Infinity')
  return n
}

module.exports = {
  shown,
  MAX_KEY_BYTES,
  EXPIRY,
  CONDITION,
  toKey,
  toKeys,
  toInteger,
  toTtlMs,
  parseSetOptions,
  parseGetExOptions,
  parseExpireArgs,
  parseScanOptions,
  toIncrement,
  toFloatIncrement
}
