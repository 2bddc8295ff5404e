'use strict'
// HSET / HMSET arguments: `hset(key, { f1: v1 })` or `hset(key, new Map(…))`
// stand for `hset(key, f1, v1)` (ioredis's argument transformer).

const { flattenPairs, isPairs } = require('./pairs')

/** The arguments of HSET / HMSET with an object or Map after the key flattened into field/value pairs. */
function hsetArguments (args) {
  return args.length === 2 && isPairs(args[1]) ? [args[0], ...flattenPairs(args[1])] : args
}

module.exports = { hsetArguments }
