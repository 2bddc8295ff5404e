'use strict'
// node-redis's zRange(key, min, max, { BY: 'SCORE' | 'LEX', REV, LIMIT:
// { offset, count } }) and zRangeByScore(key, min, max, { LIMIT }); the
// …WithScores variants add WITHSCORES (their reply: sorted-set.js).

const { doubleArgument } = require('./double')

function limit (out, o) {
  if (o && o.LIMIT) out.push('LIMIT', String(o.LIMIT.offset), String(o.LIMIT.count))
}

/** ZRANGE's words after the command name. */
function zRangeArguments (key, min, max, options) {
  const out = [key, doubleArgument(min), doubleArgument(max)]
  const o = options ?? {}
  if (o.BY === 'SCORE') out.push('BYSCORE')
  else if (o.BY === 'LEX') out.push('BYLEX')
  if (o.REV) out.push('REV')
  limit(out, o)
  return out
}

/** ZRANGEBYSCORE's words after the command name. */
function zRangeByScoreArguments (key, min, max, options) {
  const out = [key, doubleArgument(min), doubleArgument(max)]
  limit(out, options)
  return out
}

/** `fn`'s words with WITHSCORES appended. */
function withScores (fn) {
  return (...args) => [...fn(...args), 'WITHSCORES']
}

module.exports = { zRangeArguments, zRangeByScoreArguments, withScores }
