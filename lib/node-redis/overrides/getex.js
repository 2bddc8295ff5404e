'use strict'
// node-redis's getEx(key, options): { type: 'EX' | 'PX' | 'EXAT' | 'PXAT',
// value } or { type: 'PERSIST' }, or the older { EX: n } / { PERSIST: true }
// forms; ioredis takes the words. EXAT/PXAT may be Dates, as in node-redis.

const { TierCacheTypeError, CODES } = require('../../errors')

function time (type, value) {
  if (value instanceof Date) return type === 'EXAT' ? Math.floor(value.getTime() / 1000) : value.getTime()
  return value
}

/** GETEX's words after the command name. */
function getExArguments (key, options) {
  if (options === null || typeof options !== 'object') {
    throw new TierCacheTypeError('getEx(key, options): options must be an object', CODES.INVALID_ARGUMENT)
  }
  if ('type' in options) {
    return options.type === 'PERSIST' ? [key, 'PERSIST'] : [key, options.type, time(options.type, options.value)]
  }
  for (const type of ['EX', 'PX', 'EXAT', 'PXAT']) {
    if (type in options) return [key, type, time(type, options[type])]
  }
  if (options.PERSIST) return [key, 'PERSIST']
  throw new TierCacheTypeError('getEx: options must give one of EX, PX, EXAT, PXAT or PERSIST', CODES.INVALID_ARGUMENT)
}

module.exports = { getExArguments }
