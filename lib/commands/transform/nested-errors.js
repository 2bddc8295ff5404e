'use strict'
// An error inside an array reply (EVAL returning {1, redis.error_reply(…)},
// a pcall's failure in a table, …) is, with ioredis, a ReplyError in its
// slot; the command itself succeeds. The addon hands such a slot over as a
// plain Error carrying ERR_TIERCACHE_REPLY (only a top-level error goes
// through the rejection path, which already makes it a ReplyError): this
// gives nested ones the same class, so `instanceof ReplyError` and
// `err.name === 'ReplyError'` hold wherever the error sits.

const { fromNative } = require('../../errors')

/** `reply` with every nested error-reply slot a ReplyError (arrays are rewritten in place). */
function nestedErrorsReply (reply) {
  if (!Array.isArray(reply)) return reply
  for (let i = 0; i < reply.length; i++) {
    const item = reply[i]
    if (Array.isArray(item)) nestedErrorsReply(item)
    else if (item instanceof Error) reply[i] = fromNative(item)
  }
  return reply
}

module.exports = { nestedErrorsReply }
