'use strict'
// MSET / MSETNX arguments: `mset({ k1: v1, k2: v2 })` or `mset(new Map(…))`
// stand for `mset(k1, v1, k2, v2)` (ioredis's argument transformer).

const { flattenPairs, isPairs } = require('./pairs')

/** The arguments of MSET / MSETNX with a lone object or Map flattened into key/value pairs. */
function msetArguments (args) {
  return args.length === 1 && isPairs(args[0]) ? flattenPairs(args[0]) : args
}

module.exports = { msetArguments }
