'use strict'
// node-redis's eval(script, { keys, arguments }) (and evalSha, evalRo,
// evalShaRo, fCall, fCallRo): ioredis takes script, numkeys, keys…, args….

const { TierCacheTypeError, CODES } = require('../../errors')

/** The words after the command name: script (or sha, function), numkeys, keys, arguments. */
function evalArguments (script, options) {
  const o = options ?? {}
  if (typeof o !== 'object' || Array.isArray(o)) {
    throw new TierCacheTypeError('eval(script, { keys, arguments }): options must be an object', CODES.INVALID_ARGUMENT)
  }
  const keys = o.keys ?? []
  const rest = o.arguments ?? []
  if (!Array.isArray(keys) || !Array.isArray(rest)) {
    throw new TierCacheTypeError('eval: keys and arguments must be arrays', CODES.INVALID_ARGUMENT)
  }
  return [script, keys.length, ...keys, ...rest]
}

module.exports = { evalArguments }
