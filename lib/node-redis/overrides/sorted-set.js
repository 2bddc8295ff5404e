'use strict'
// node-redis's sorted-set reply shapes: WITHSCORES replies (a flat
// [member, score, …] array in RESP2) become [{ value, score }, …] with
// numeric scores; ZPOPMIN/ZPOPMAX without a count become one { value, score }
// or null.

const { doubleReply } = require('./double')

/** [{ value, score }] from a flat [member, score, …] reply. */
function sortedSetReply (reply) {
  if (!Array.isArray(reply)) return reply
  const members = []
  for (let i = 0; i + 1 < reply.length; i += 2) members.push({ value: reply[i], score: doubleReply(reply[i + 1]) })
  return members
}

/** ZPOPMIN/ZPOPMAX key: { value, score }, or null when the set was empty. */
function poppedReply (reply) {
  if (!Array.isArray(reply) || reply.length === 0) return null
  return { value: reply[0], score: doubleReply(reply[1]) }
}

module.exports = { sortedSetReply, poppedReply }
