'use strict'
// Error classes with stable `code`s. Argument errors are real TypeError /
// RangeError subclasses (so `instanceof TypeError` holds), and every error
// tiercache raises is also `instanceof TierCacheError`, through a brand.
// The codes are the engine's (src/core/error_code.rs), read from the binding.

const native = require('../binding.js')

const BRAND = Symbol.for('tiercache.error')

/** `{ INVALID_KEY: 'ERR_TIERCACHE_INVALID_KEY', … }`: every stable code. */
const CODES = Object.freeze(Object.fromEntries(native.errorCodes().map(([name, code]) => [name, code])))

function brand (err, code) {
  Object.defineProperty(err, BRAND, { value: true })
  err.code = code
  return err
}

class TierCacheError extends Error {
  constructor (message, code = 'ERR_TIERCACHE', options) {
    super(message, options)
    brand(this, code)
  }

  // `err instanceof TierCacheError` is true for every tiercache error,
  // including the TypeError and RangeError subclasses below; subclasses keep
  // the ordinary prototype check.
  static [Symbol.hasInstance] (value) {
    if (this === TierCacheError) return value != null && value[BRAND] === true
    return Function.prototype[Symbol.hasInstance].call(this, value)
  }
}
TierCacheError.prototype.name = 'TierCacheError'

class TierCacheTypeError extends TypeError {
  constructor (message, code = CODES.INVALID_ARGUMENT, options) {
    super(message, options)
    brand(this, code)
  }
}
TierCacheTypeError.prototype.name = 'TierCacheTypeError'

class TierCacheRangeError extends RangeError {
  constructor (message, code = CODES.INVALID_ARGUMENT) {
    super(message)
    brand(this, code)
  }
}
TierCacheRangeError.prototype.name = 'TierCacheRangeError'

/** An error reply with Redis's own message, as ioredis's ReplyError. */
class ReplyError extends TierCacheError {
  constructor (message) {
    super(message, CODES.REPLY)
  }
}
ReplyError.prototype.name = 'ReplyError'

/** A command on a closed cache. */
class ClosedError extends TierCacheError {
  constructor (message = 'the cache is closed') {
    super(message, CODES.CLOSED)
  }
}
ClosedError.prototype.name = 'ClosedError'

/** A bug inside tiercache (a Rust panic), caught before it could abort Node. */
class InternalError extends TierCacheError {
  constructor (message, options) {
    super(message, CODES.INTERNAL, options)
  }
}
InternalError.prototype.name = 'InternalError'


/** An object from the user's codec that could not be decoded. */
/** A getOrSet loader ran past its hardTimeout (its AbortSignal fired). */
class LoaderTimeoutError extends TierCacheError {
  constructor (message) {
    super(message, CODES.LOADER_TIMEOUT)
  }
}
LoaderTimeoutError.prototype.name = 'LoaderTimeoutError'

/** A write-behind queue is full and its `whenFull` is 'reject'. */
class QueueFullError extends TierCacheError {
  constructor (message) {
    super(message, CODES.QUEUE_FULL)
  }
}
QueueFullError.prototype.name = 'QueueFullError'

/**
 * A command that only Redis runs (hashes, lists, sets, scripts, …) on an
 * instance without a Redis tier: L1 holds strings only, for now.
 */
class NeedsRedisError extends TierCacheError {
  constructor (message) {
    super(message, CODES.NEEDS_REDIS)
  }
}
NeedsRedisError.prototype.name = 'NeedsRedisError'

/**
 * The node-redis flavour's WatchError: EXEC ran nothing because a key the
 * client WATCHed changed (the ioredis flavour resolves null instead).
 */
class WatchError extends TierCacheError {
  constructor (message = 'One (or more) of the watched keys has been changed') {
    super(message, CODES.TRANSACTION_ABORTED)
  }
}
WatchError.prototype.name = 'WatchError'

class DecodeError extends TierCacheError {
  constructor (message, options) {
    super(message, CODES.DECODE, options)
  }
}
DecodeError.prototype.name = 'DecodeError'

// Statuses napi-rs puts in `code` when N-API itself fails or Rust panics.
const NAPI_STATUSES = new Set(['GenericFailure', 'InvalidArg', 'ObjectExpected', 'StringExpected',
  'NameExpected', 'FunctionExpected', 'NumberExpected', 'BooleanExpected', 'ArrayExpected',
  'PendingException', 'Cancelled', 'EscapeCalledTwice', 'HandleScopeMismatch', 'QueueFull',
  'Closing', 'BigintExpected', 'DateExpected', 'ArrayBufferExpected', 'DetachableArraybufferExpected',
  'WouldDeadlock', 'NoExternalBuffersAllowed', 'Unknown'])

/**
 * Turns an error thrown by the native binding into its tiercache class.
 * Errors that did not come from the binding (a user callback's) pass through.
 */
function fromNative (err) {
  if (err == null || typeof err !== 'object') return err
  if (err[BRAND] === true) return err
  const code = err.code
  if (typeof code !== 'string' || (!code.startsWith('ERR_TIERCACHE') && !NAPI_STATUSES.has(code))) return err
  const message = err && typeof err.message === 'string' ? err.message : String(err)
  switch (err && err.code) {
    case CODES.REPLY: return new ReplyError(message)
    case CODES.CLOSED: return new ClosedError(message)
    case CODES.INVALID_KEY: return new TierCacheRangeError(message, CODES.INVALID_KEY)
    case CODES.KEY_TOO_LARGE: return new TierCacheRangeError(message, CODES.KEY_TOO_LARGE)
    case CODES.VALUE_TOO_LARGE: return new TierCacheRangeError(message, CODES.VALUE_TOO_LARGE)
    case CODES.PATTERN_TOO_LONG: return new TierCacheRangeError(message, CODES.PATTERN_TOO_LONG)
    case CODES.OPTION_CONFLICT: return new TierCacheRangeError(message, CODES.OPTION_CONFLICT)
    case CODES.INVALID_ARGUMENT: return new TierCacheTypeError(message, CODES.INVALID_ARGUMENT)
    case CODES.UNSUPPORTED: return new TierCacheTypeError(message, CODES.UNSUPPORTED)
    default:
      // Anything else is a panic or an N-API failure: a bug, reported as such.
      return new InternalError(`tiercache internal error: ${message}`, { cause: err })
  }
}

module.exports = {
  TierCacheError,
  LoaderTimeoutError,
  QueueFullError,
  NeedsRedisError,
  WatchError,
  TierCacheTypeError,
  TierCacheRangeError,
  ReplyError,
  ClosedError,
  InternalError,
  DecodeError,
  CODES,
  fromNative
}
