'use strict'
// How ioredis turns one command argument into what is sent: strings and
// Buffers as they are, null and undefined as the empty string, anything else
// as its String() (numbers, booleans, objects: '[object Object]').

/** The argument as sent to Redis: a string or a Buffer. */
function encodeArgument (arg) {
  if (typeof arg === 'string' || Buffer.isBuffer(arg)) return arg
  if (arg === null || arg === undefined) return ''
  return String(arg)
}

module.exports = { encodeArgument }
