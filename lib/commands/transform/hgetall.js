'use strict'
// HGETALL's reply, a flat [field, value, …] array, as an object (ioredis's
// reply transformer). For hgetallBuffer the values stay Buffers and the
// fields become strings (UTF-8), as property names must be.

/** `{ field: value, … }` from HGETALL's flat reply; any other reply (an error, null) as it is. */
function hgetallReply (reply) {
  if (!Array.isArray(reply)) return reply
  const out = {}
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const field = String(reply[i])
    const value = reply[i + 1]
    // A field named like an inherited property (`__proto__`, `constructor`):
    // define it as an own data property, so it neither swaps the object's
    // prototype nor hides behind the inherited one.
    if (field in out) Object.defineProperty(out, field, { value, configurable: true, enumerable: true, writable: true })
    else out[field] = value
  }
  return out
}

module.exports = { hgetallReply }
