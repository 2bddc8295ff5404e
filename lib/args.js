'use strict'
// Parsing and checking of command arguments, ioredis style. Everything here
// throws TierCacheTypeError / TierCacheRangeError with a stable code; the
// facade turns a throw into a rejected promise or a callback error.

const native = require('../binding.js')
const { TierCacheTypeError, TierCacheRangeError, CODES } = require('./errors')

/** Longest key, in UTF-8 bytes: the store's own bound (src/core/local.rs). */
const MAX_KEY_BYTES = native.MAX_KEY_BYTES
/**
 * Longest KEYS / SCAN MATCH pattern, in UTF-8 bytes: the store's bound
 * (src/core/glob.rs says why). Checked here too, so that a pattern sent to
 * Redis is bounded the same way.
 */
const MAX_PATTERN_BYTES = native.MAX_PATTERN_BYTES
/** Latest deadline representable: deadlines are kept as JS-safe Unix ms. */
const MAX_DEADLINE_MS = Number.MAX_SAFE_INTEGER

// The native modes the parsers produce (src/binding/modes.rs).
const { SetTtl, GetExTtl, WriteIf, ExpireIf } = native
// EXPIRE's condition tokens.
const EXPIRE_IF = Object.freeze({ NX: ExpireIf.Nx, XX: ExpireIf.Xx, GT: ExpireIf.Gt, LT: ExpireIf.Lt })

// A JS string may hold a lone UTF-16 surrogate, which has no UTF-8 form:
// Node would turn it into U+FFFD on its way to L1 or Redis, so '\uD800',
// '\uDC00' and '\uFFFD' would all name one key (and one stored text). Keys
// and string values holding one are refused instead. Node 20 has
// String.prototype.isWellFormed; on Node 18 a unicode-mode class matches a
// surrogate only when it is not half of a pair.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u
const isWellFormed = typeof String.prototype.isWellFormed === 'function'
  ? (text) => text.isWellFormed()
  : (text) => !LONE_SURROGATE.test(text)

function loneSurrogate (what) {
  return `${what} holds a lone UTF-16 surrogate (half of a pair), which has no UTF-8 form`
}

/** `key` (a string) unchanged, or an INVALID_KEY error when it is not well-formed Unicode. */
function wellFormedKey (key) {
  if (!isWellFormed(key)) throw new TierCacheTypeError(loneSurrogate('key'), CODES.INVALID_KEY)
  return key
}

/** A string value unchanged, or an INVALID_VALUE error when it is not well-formed Unicode. */
function wellFormedValue (value) {
  if (!isWellFormed(value)) {
    throw new TierCacheTypeError(`${loneSurrogate('the string value')}; store it as a Buffer, or inside an object (the codec keeps it)`, CODES.INVALID_VALUE)
  }
  return value
}

/** A key as the store takes it: a non-empty string of at most 64 KiB, well-formed Unicode. */
function toKey (key) {
  if (typeof key === 'string') {
    if (key.length === 0) throw new TierCacheRangeError('key must not be empty', CODES.INVALID_KEY)
    wellFormedKey(key)
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

/**
 * `target[key] = value` as an own data property, even for the key
 * `__proto__` (which JSON.parse makes own): assigned, it would set the
 * copy's prototype and lend it properties the caller never gave.
 */
function setOwn (target, key, value) {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

/** What an error message may say about a bad argument: a number, else its type (never a value's text: it may be a secret, or throw). */
function shown (value) {
  return typeof value === 'number' ? String(value) : describe(value)
}

// Redis reads integer arguments with string2ll (util.c): '0', or an optional
// '-' then 1-9 and more digits, within 64 bits: no spaces, no '+', no leading
// zeros, no exponent. A number or bigint counts as ioredis sends it, its
// String() form (so 1.5, 1e21 and NaN are refused as Redis refuses them).
const REDIS_INTEGER = /^(?:0|-?[1-9]\d{0,18})$/
const I64_MAX = (1n << 63n) - 1n
const I64_MIN = -(1n << 63n)

/** An integer argument as Redis reads it, exact over all of i64 (a BigInt). */
function redisInteger (value, what, code) {
  const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'bigint' ? String(value) : null
  if (text === null) throw new TierCacheTypeError(`${what} must be an integer, got ${describe(value)}`, code)
  if (REDIS_INTEGER.test(text)) {
    const n = BigInt(text)
    if (n >= I64_MIN && n <= I64_MAX) return n
  }
  throw new TierCacheRangeError(`${what} must be an integer as Redis reads it (digits, an optional '-', no spaces, '+', leading zeros or exponent, within 64 bits), got ${typeof value === 'number' ? value : describe(value)}`, code)
}

/** An integer argument (see redisInteger) as a JS number. */
function toInteger (value, what, code = CODES.INVALID_TTL) {
  return Number(redisInteger(value, what, code))
}

function invalidExpire (command, why) {
  return new TierCacheRangeError(`invalid expire time in '${command}' command (${why})`, CODES.INVALID_TTL)
}

// Deadlines are kept as JS-safe Unix ms: a later one (Redis accepts up to
// 2^63 ms, year 292 million) is kept as MAX_DEADLINE_MS, year 287,396.
function clampDeadline (ms, relative) {
  const max = BigInt(MAX_DEADLINE_MS - (relative ? Date.now() : 0))
  return Number(ms > max ? max : ms)
}

/**
 * A positive TTL for SET/SETEX/GETEX EX|PX, in ms. Refused as Redis refuses
 * it: not an integer, 0 or less, or a deadline past 2^63 - 1 ms.
 */
function toTtlMs (value, unit, command) {
  const n = redisInteger(value, `the ${unit === 1000 ? 'EX' : 'PX'} time of ${command}`, CODES.INVALID_TTL)
  if (n <= 0n) throw invalidExpire(command, `must be > 0, got ${n}`)
  const ms = n * BigInt(unit)
  if ((unit === 1000 && n > I64_MAX / 1000n) || ms > I64_MAX - BigInt(Date.now())) throw invalidExpire(command, 'too large')
  return clampDeadline(ms, true)
}

/** An absolute EXAT/PXAT time in ms; the past is allowed (it deletes, as Redis does). */
function toDeadlineMs (value, unit, command) {
  const n = redisInteger(value, `the ${unit === 1000 ? 'EXAT' : 'PXAT'} time of ${command}`, CODES.INVALID_TTL)
  if (n <= 0n) throw invalidExpire(command, `must be > 0, got ${n}`)
  if (unit === 1000 && n > I64_MAX / 1000n) throw invalidExpire(command, 'too large')
  return clampDeadline(n * BigInt(unit), false)
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
  const out = { mode: SetTtl.Default, ms: 0, condition: WriteIf.Always, get: false }
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
          out.mode = SetTtl.In
          out.ms = toTtlMs(value, t === 'EX' ? 1000 : 1, 'set')
        } else {
          out.mode = SetTtl.At
          out.ms = toDeadlineMs(value, t === 'EXAT' ? 1000 : 1, 'set')
        }
        break
      }
      case 'KEEPTTL':
        if (expirySeen) throw syntax(`${expirySeen} and KEEPTTL are mutually exclusive`)
        expirySeen = 'KEEPTTL'
        out.mode = SetTtl.Keep
        break
      case 'NX': case 'XX': {
        const c = t === 'NX' ? WriteIf.Absent : WriteIf.Present
        if (out.condition !== WriteIf.Always && out.condition !== c) throw syntax('NX and XX are mutually exclusive')
        out.condition = c
        break
      }
      case 'GET':
        out.get = true
        break
      default:
        throw unknownSetOption(rest[i])
    }
  }
  return out
}

// A number where SET's option name goes is nearly always an expiry written
// as in some other cache's API (`set(key, value, 60)`): say how SET takes it.
// The argument itself is never quoted unless it is a number (it may be data).
function unknownSetOption (arg) {
  if (typeof arg === 'number' || typeof arg === 'bigint' || (typeof arg === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(arg))) {
    const n = String(arg).trim()
    return syntax(`SET takes its expiry as 'EX', seconds (got the number ${n} where an option name goes): ` +
      `set(key, value, 'EX', ${n}), or 'PX' for milliseconds`)
  }
  const shown = typeof arg === 'string' && /^[A-Za-z]{1,16}$/.test(arg) ? JSON.stringify(arg) : describe(arg)
  return syntax(`unknown SET option ${shown}: SET takes EX seconds, PX ms, EXAT, PXAT, KEEPTTL, NX, XX or GET, ` +
    "as in set(key, value, 'EX', 60, 'NX')")
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
  if (rest.length === 0) return [GetExTtl.Unchanged, 0]
  const t = token(rest[0])
  if (t === 'PERSIST' && rest.length === 1) return [GetExTtl.Persist, 0]
  if ((t === 'EX' || t === 'PX') && rest.length === 2) return [GetExTtl.In, toTtlMs(rest[1], t === 'EX' ? 1000 : 1, 'getex')]
  if ((t === 'EXAT' || t === 'PXAT') && rest.length === 2) return [GetExTtl.At, toDeadlineMs(rest[1], t === 'EXAT' ? 1000 : 1, 'getex')]
  throw syntax('GETEX takes one of EX n, PX n, EXAT n, PXAT n or PERSIST')
}

/**
 * EXPIRE-family arguments: the time (may be negative: the key is deleted,
 * as Redis does) and an optional NX/XX/GT/LT. Returns [ms, condition].
 */
function parseExpireArgs (command, time, unit, rest) {
  const n = redisInteger(time, `the time of ${command}`, CODES.INVALID_TTL)
  // Redis: the time must fit 64 bits in ms, and so must now + it (EXPIRE, PEXPIRE).
  const relative = command === 'expire' || command === 'pexpire'
  if (unit === 1000 && (n > I64_MAX / 1000n || n < I64_MIN / 1000n)) throw invalidExpire(command, 'out of range')
  const ms = n * BigInt(unit)
  if (relative && ms > I64_MAX - BigInt(Date.now())) throw invalidExpire(command, 'too large')
  // Any negative time is in the past: the key is deleted.
  const clamped = ms < 0n ? -1 : clampDeadline(ms, relative)
  if (rest.length > 1) throw syntax(`${command} takes at most one of NX, XX, GT, LT`)
  let condition = ExpireIf.Always
  if (rest.length === 1) {
    const t = token(rest[0])
    if (!Object.hasOwn(EXPIRE_IF, t)) throw syntax(`unknown ${command} option ${JSON.stringify(String(rest[0]))}`)
    condition = EXPIRE_IF[t]
  }
  return [clamped, condition]
}

/** A KEYS / SCAN MATCH pattern: a well-formed string of at most MAX_PATTERN_BYTES. */
function toPattern (pattern, where) {
  if (typeof pattern !== 'string') throw new TierCacheTypeError(`${where} takes a string pattern`, CODES.INVALID_ARGUMENT)
  if (!isWellFormed(pattern)) throw new TierCacheTypeError(loneSurrogate('the pattern'), CODES.INVALID_KEY)
  if (pattern.length * 3 > MAX_PATTERN_BYTES && Buffer.byteLength(pattern) > MAX_PATTERN_BYTES) {
    throw new TierCacheRangeError(`${where}: the pattern is longer than ${MAX_PATTERN_BYTES} bytes`, CODES.PATTERN_TOO_LONG)
  }
  return pattern
}

/** SCAN's MATCH and COUNT. Returns { pattern, count }. */
function parseScanOptions (rest) {
  let pattern = null
  let count = 10
  // TYPE as given (upper case), and the MATCH pattern as given: Redis
  // filters by type itself (two-level scan); L1 holds strings only.
  let type
  let match = null
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
      pattern = toPattern(rest[i + 1], 'MATCH')
      match = pattern
    } else if (t === 'COUNT') {
      const n = redisInteger(rest[i + 1], 'COUNT', CODES.INVALID_ARGUMENT)
      if (n < 1n) throw new TierCacheRangeError('COUNT must be >= 1', CODES.INVALID_ARGUMENT)
      // Redis takes any 64-bit count; a page is bounded by the store anyway.
      count = n > 0xffffffffn ? 0xffffffff : Number(n)
    } else if (t === 'TYPE') {
      // Every L1 value is a Redis string.
      type = String(token(rest[i + 1]))
    } else {
      throw syntax(`unknown SCAN option ${JSON.stringify(String(rest[i]))}`)
    }
  }
  if (type !== undefined && type !== 'STRING') pattern = '\u0000never'
  return { pattern, count, type, match }
}

/** `text` as a Redis glob that matches only itself. */
function escapeGlob (text) {
  return text.replace(/[*?[\]\\]/g, '\\$&')
}

/**
 * An INCRBY / DECRBY / INCRBYFLOAT amount as the text Redis receives (as
 * ioredis sends it): numbers and bigints as their decimal form, strings
 * unchanged. Redis's own parse judges it (src/core/numeric.rs in L1 only,
 * the server with Redis), so both modes accept and refuse the same texts.
 */
function toAmount (value) {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'bigint') return String(value)
  throw new TierCacheTypeError(`the amount must be a number, bigint or numeric string, got ${describe(value)}`, CODES.INVALID_ARGUMENT)
}

module.exports = {
  shown,
  setOwn,
  MAX_KEY_BYTES,
  wellFormedKey,
  wellFormedValue,
  toKey,
  toKeys,
  toPattern,
  toInteger,
  toTtlMs,
  parseSetOptions,
  parseGetExOptions,
  parseExpireArgs,
  parseScanOptions,
  escapeGlob,
  toAmount,
  MAX_PATTERN_BYTES
}
