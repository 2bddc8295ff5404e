'use strict'
// node-redis's raw command form, `['CMD', ...args]` (sendCommand,
// multi().addCommand): its name and words. Anything else, a hostile Proxy
// or a revoked one included, is the caller's error with a code, never a
// TypeError from reading it.

const { TierCacheTypeError, CODES } = require('../errors')

/** [name, words] of `args`, for `method`'s error message. */
function commandArgv (args, method) {
  try {
    if (Array.isArray(args) && args.length > 0) return [String(args[0]), args.slice(1)]
  } catch {}
  throw new TierCacheTypeError(`${method}(args): args must be a non-empty array [command, ...arguments]`, CODES.INVALID_ARGUMENT)
}

module.exports = { commandArgv }
