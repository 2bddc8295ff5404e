'use strict'
// node-redis's zAdd(key, members, options): members are { score, value } or
// an array of them (ioredis takes score, member, … words), options are
// { condition: 'NX' | 'XX', comparison: 'LT' | 'GT', CH } or the older
// { NX, XX, LT, GT, CH } flags; the reply is a number (ZADD's count).

const { TierCacheTypeError, CODES } = require('../../errors')
const { doubleArgument } = require('./double')

function member (m) {
  if (m === null || typeof m !== 'object' || !('score' in m) || !('value' in m)) {
    throw new TierCacheTypeError('zAdd: each member must be { score, value }', CODES.INVALID_ARGUMENT)
  }
  return [doubleArgument(m.score), m.value]
}

/** ZADD's words after the command name. */
function zAddArguments (key, members, options) {
  const out = [key]
  const o = options ?? {}
  if (typeof o !== 'object') throw new TierCacheTypeError('zAdd: options must be an object', CODES.INVALID_ARGUMENT)
  if (o.condition) out.push(o.condition)
  else if (o.NX) out.push('NX')
  else if (o.XX) out.push('XX')
  if (o.comparison) out.push(o.comparison)
  else if (o.LT) out.push('LT')
  else if (o.GT) out.push('GT')
  if (o.CH) out.push('CH')
  for (const m of Array.isArray(members) ? members : [members]) out.push(...member(m))
  return out
}

module.exports = { zAddArguments }
