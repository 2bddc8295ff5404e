'use strict'
// An object or a Map standing for field/value pairs, flattened as ioredis
// flattens them: own enumerable string keys in Object.keys order, a Map's
// entries in insertion order.

/** `[k1, v1, k2, v2, …]` from a Map or a plain object. */
function flattenPairs (pairs) {
  const out = []
  if (pairs instanceof Map) {
    for (const [key, value] of pairs) out.push(key, value)
  } else {
    for (const key of Object.keys(pairs)) out.push(key, pairs[key])
  }
  return out
}

/**
 * Whether `arg` is an object (or a Map) to flatten into pairs: not a Buffer,
 * not an array, not null. (ioredis flattens a lone Buffer too, into its byte
 * indexes and values: `mset(Buffer.from('ab'))` sets keys '0' and '1'. Here
 * it is sent as it is, and Redis refuses the command's arity.)
 */
function isPairs (arg) {
  return typeof arg === 'object' && arg !== null && !Buffer.isBuffer(arg) && !Array.isArray(arg)
}

module.exports = { flattenPairs, isPairs }
