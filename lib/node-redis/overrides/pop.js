'use strict'
// node-redis's pop shapes for the blocking pops and the multi-key pops:
// BLPOP/BRPOP answer { key, element }, BZPOPMIN/BZPOPMAX { key, value,
// score }, ZMPOP/BZMPOP { key, members: [{ value, score }] } (null when
// nothing was popped: the timeout passed, or every key was empty); the
// LMPOP/ZMPOP families take (keys, side, { COUNT }) and send the key count
// Redis wants before the keys.

const { doubleReply } = require('./double')

/** BLPOP/BRPOP: { key, element } or null. */
function keyElementReply (reply) {
  return Array.isArray(reply) ? { key: reply[0], element: reply[1] } : null
}

/** BZPOPMIN/BZPOPMAX: { key, value, score } or null. */
function keyMemberReply (reply) {
  return Array.isArray(reply) ? { key: reply[0], value: reply[1], score: doubleReply(reply[2]) } : null
}

/** ZMPOP/BZMPOP: { key, members: [{ value, score }] } or null. */
function zmPopReply (reply) {
  if (!Array.isArray(reply)) return null
  return { key: reply[0], members: reply[1].map(([value, score]) => ({ value, score: doubleReply(score) })) }
}

/** (keys, side, { COUNT }) → numkeys key … side [COUNT n]. */
function mPopWords (keys, side, options) {
  const list = Array.isArray(keys) ? keys : [keys]
  const words = [list.length, ...list, side]
  if (options != null && options.COUNT !== undefined) words.push('COUNT', options.COUNT)
  return words
}

/** The blocking form: (timeout, keys, side, { COUNT }). */
function blockingMPopWords (timeout, keys, side, options) {
  return [timeout, ...mPopWords(keys, side, options)]
}

module.exports = { keyElementReply, keyMemberReply, zmPopReply, mPopWords, blockingMPopWords }
