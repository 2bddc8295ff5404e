'use strict'
// How every asynchronous command answers, in one place: through the promise
// it returns and, when given, a trailing Node callback `(err, result)` called
// on a later tick (a throwing callback is then an ordinary uncaught exception
// and never re-enters the cache). The facade (index.js), the two-level
// commands, the l2 view, the patterns and the session store all go through
// these functions, so a bad callback or a bad argument fails the same way
// (same class, same code) whichever path the command took:
// - a callback that is given but is not a function: the promise rejects
//   with ERR_TIERCACHE_INVALID_ARGUMENT, and nothing is called later;
// - with a callback, the promise is marked handled (callback users never see
//   an unhandled rejection) and the callback gets the error;
// - a function given where an argument goes and no callback after it
//   (`get(cb)`): as ioredis, that function is the callback and gets the
//   argument error (see strayCallback);
// - a synchronous throw (bad arguments) becomes a rejection with the same
//   error class as an asynchronous one.

const { TierCacheTypeError, CODES, fromNative } = require('./errors')

const noop = () => {}

function callbackError () {
  return new TierCacheTypeError('the callback must be a function', CODES.INVALID_ARGUMENT)
}

/** Throws when `callback` is given but is not a function. */
function checkCallback (callback) {
  if (callback !== undefined && typeof callback !== 'function') throw callbackError()
}

/**
 * Splits a trailing callback off variadic arguments. A trailing `undefined`
 * beyond the first `minArgs` arguments is an absent callback (wrappers pass
 * `cb` along whether it is set or not); within them it is an argument, and
 * is refused as such. Key lists pass Infinity: `mget(a, undefined)` must
 * fail rather than answer one value for two keys.
 */
function splitCallback (list, minArgs = 0) {
  const last = list[list.length - 1]
  if (typeof last === 'function' || (last === undefined && list.length > minArgs)) list.pop()
  return typeof last === 'function' ? last : undefined
}

/**
 * The function the caller meant as a callback although it sits where an
 * argument goes: the last of `list` when it is a function and `list` is too
 * short to reach the callback's position `callbackAt` (ioredis takes a
 * trailing function as the callback whatever the arity). Else undefined.
 */
function strayCallback (list, callbackAt) {
  const n = list.length
  return n > 0 && n <= callbackAt && typeof list[n - 1] === 'function' ? list[n - 1] : undefined
}

/** `p`'s outcome also goes to `callback` (a function), on a later tick; `p` is then handled. */
function forward (p, callback) {
  p.then((v) => process.nextTick(callback, null, v), (e) => process.nextTick(callback, e))
  return p
}

/**
 * Answers a result computed synchronously: `value`, or `error` when it is
 * not undefined. Allocates nothing beyond the promise when no callback is
 * given (the hot path of `get`).
 */
function settle (value, error, callback) {
  if (callback === undefined) return error === undefined ? Promise.resolve(value) : Promise.reject(error)
  if (typeof callback !== 'function') return Promise.reject(callbackError())
  if (error === undefined) {
    process.nextTick(callback, null, value)
    return Promise.resolve(value)
  }
  const p = Promise.reject(error)
  p.catch(noop)
  process.nextTick(callback, error)
  return p
}

/** Runs `start` (returns a value or a promise) and answers through the callback too. */
function answer (callback, start) {
  if (callback !== undefined && typeof callback !== 'function') return Promise.reject(callbackError())
  let p
  try {
    p = Promise.resolve(start())
  } catch (err) {
    p = Promise.reject(fromNative(err))
  }
  return callback === undefined ? p : forward(p, callback)
}

module.exports = { answer, settle, checkCallback, splitCallback, strayCallback, forward, noop }
