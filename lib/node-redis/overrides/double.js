'use strict'
// node-redis's RESP2 double replies (ZSCORE, ZINCRBY, ZADD INCR, ZMSCORE, …):
// Redis sends a score as a bulk string ('1.5', 'inf', '-inf'); node-redis
// gives a number (Infinity for 'inf'), null stays null.

/** A score reply as a number; null as null. */
function doubleReply (reply) {
  if (reply === null || reply === undefined) return null
  const text = String(reply)
  // Number() reads 'Infinity' but not Redis's 'inf'.
  if (text === 'inf' || text === '+inf') return Infinity
  if (text === '-inf') return -Infinity
  return Number(text)
}

/** An array of score replies (ZMSCORE) as numbers or nulls. */
function doubleArrayReply (reply) {
  return Array.isArray(reply) ? reply.map(doubleReply) : reply
}

/** A score argument as Redis reads it: node-redis sends ±Infinity as '±inf'. */
function doubleArgument (n) {
  if (n === Infinity) return '+inf'
  if (n === -Infinity) return '-inf'
  return n
}

module.exports = { doubleReply, doubleArrayReply, doubleArgument }
