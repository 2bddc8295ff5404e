'use strict'
// ioredis's argument and reply transformers, by command name (lower case),
// applied by the one command path: arguments are flattened one level
// (`del(['a', 'b'])` is `del('a', 'b')`, as ioredis's `args.flat()`), then
// the command's transformer, then each is encoded; a reply goes through the
// command's reply transformer after it is decoded (strings, or Buffers for a
// `…Buffer` method, which names the same command: hgetallBuffer → hgetall).
// An application registers its own, as with ioredis, through
// `TierCache.Command.setArgumentTransformer` / `setReplyTransformer`
// (lib/command-object.js): they apply to every command of this path.

const { encodeArgument } = require('./encode-argument')
const { msetArguments } = require('./mset')
const { hsetArguments } = require('./hset')
const { hgetallReply } = require('./hgetall')
const { nestedErrorsReply } = require('./nested-errors')
const { TierCacheTypeError, CODES } = require('../../errors')

// Null prototypes: a command named like an Object.prototype member has no transformer.
const ARGUMENT_TRANSFORMERS = Object.assign(Object.create(null), {
  mset: msetArguments,
  msetnx: msetArguments,
  hset: hsetArguments,
  hmset: hsetArguments
})

const REPLY_TRANSFORMERS = Object.assign(Object.create(null), {
  hgetall: hgetallReply
})

// Commands whose reply transformer the application registered: their
// replies, of whatever shape it makes, are not kept in the reply front
// (lib/reply-front.js copies arrays, plain objects and Buffers only), and a
// front filled before the registration holds the old shape.
const REGISTERED_REPLY_TRANSFORMERS = new Set()

function checkTransformer (method, name, transformer) {
  if (typeof name !== 'string' || name.length === 0) {
    throw new TierCacheTypeError(`${method}: the command name must be a non-empty string`, CODES.INVALID_ARGUMENT)
  }
  if (typeof transformer !== 'function') {
    throw new TierCacheTypeError(`${method}: the transformer must be a function`, CODES.INVALID_ARGUMENT)
  }
}

/** ioredis's Command.setArgumentTransformer: `transformer(args)` (flattened) gives command `name`'s arguments. */
function setArgumentTransformer (name, transformer) {
  checkTransformer('setArgumentTransformer', name, transformer)
  ARGUMENT_TRANSFORMERS[name.toLowerCase()] = transformer
}

/** ioredis's Command.setReplyTransformer: `transformer(reply)` gives command `name`'s reply. */
function setReplyTransformer (name, transformer) {
  checkTransformer('setReplyTransformer', name, transformer)
  const lower = name.toLowerCase()
  REPLY_TRANSFORMERS[lower] = transformer
  REGISTERED_REPLY_TRANSFORMERS.add(lower)
}

/** Whether the application registered command `lower`'s reply transformer. */
function hasRegisteredReplyTransformer (lower) {
  return REGISTERED_REPLY_TRANSFORMERS.has(lower)
}

/** The arguments of command `name` as sent: flattened, transformed, encoded (strings and Buffers). */
function transformArguments (name, args) {
  return argvOf(name, ARGUMENT_TRANSFORMERS[String(name).toLowerCase()], args).slice(1)
}

/**
 * The argv of command `name` with `args`, as sent: the name first, then the
 * arguments as transformArguments gives them, with the command's
 * `transformer` (one array built, and no flattening copy when no argument
 * is an array: this runs on every command).
 */
function argvOf (name, transformer, args) {
  let list = args
  for (let i = 0; i < args.length; i++) {
    if (Array.isArray(args[i])) {
      list = args.flat()
      break
    }
  }
  if (transformer !== undefined) list = transformer(list)
  const argv = new Array(list.length + 1)
  argv[0] = name
  for (let i = 0; i < list.length; i++) argv[i + 1] = encodeArgument(list[i])
  return argv
}

/** The reply of command `name` as ioredis returns it (nested error replies as ReplyErrors, then its transformer). */
function transformReply (name, reply) {
  const transformer = REPLY_TRANSFORMERS[String(name).toLowerCase()]
  const replied = nestedErrorsReply(reply)
  return transformer === undefined ? replied : transformer(replied)
}

module.exports = {
  transformArguments,
  argvOf,
  transformReply,
  encodeArgument,
  setArgumentTransformer,
  setReplyTransformer,
  hasRegisteredReplyTransformer,
  ARGUMENT_TRANSFORMERS,
  REPLY_TRANSFORMERS
}
