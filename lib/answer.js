'use strict'
// How every asynchronous command answers: through the promise it returns
// and, when given, a trailing Node callback `(err, result)` called on a
// later tick (a throwing callback is then an ordinary uncaught exception and
// never re-enters the cache). With a callback the promise is marked
// handled. A synchronous throw (bad arguments) becomes a rejection with the
// same error class as an asynchronous one.

const { TierCacheTypeError, CODES, fromNative } = require('./errors')

/** Runs `start` (a value, or a promise) and answers through the callback too. */
function answer (callback, start) {
  let p
  try {
    if (callback !== undefined && typeof callback !== 'function') {
      throw new TierCacheTypeError('the callback must be a function', CODES.INVALID_ARGUMENT)
    }
    p = Promise.resolve(start())
  } catch (err) {
    p = Promise.reject(fromNative(err))
  }
  if (callback !== undefined) {
    p.then((v) => process.nextTick(callback, null, v), (e) => process.nextTick(callback, e))
  }
  return p
}

module.exports = { answer }
