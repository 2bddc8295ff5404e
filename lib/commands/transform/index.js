'use strict'
// ioredis's argument and reply transformers, by command name (lower case),
// applied by the one command path: arguments are flattened one level
// (`del(['a', 'b'])` is `del('a', 'b')`, as ioredis's `args.flat()`), then
// the command's transformer, then each is encoded; a reply goes through the
// command's reply transformer after it is decoded (strings, or Buffers for a
// `…Buffer` method, which names the same command: hgetallBuffer → hgetall).

const { encodeArgument } = require('./encode-argument')
const { msetArguments } = require('./mset')
const { hsetArguments } = require('./hset')
const { hgetallReply } = require('./hgetall')
const { nestedErrorsReply } = require('./nested-errors')

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

/** The arguments of command `name` as sent: flattened, transformed, encoded (strings and Buffers). */
function transformArguments (name, args) {
  const transformer = ARGUMENT_TRANSFORMERS[String(name).toLowerCase()]
  const flat = args.flat()
  return (transformer === undefined ? flat : transformer(flat)).map(encodeArgument)
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

module.exports = { transformArguments, argvOf, transformReply, encodeArgument, ARGUMENT_TRANSFORMERS, REPLY_TRANSFORMERS }
