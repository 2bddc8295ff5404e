'use strict'
// The node-redis flavour's command methods: one per node-redis method name
// (names.json, generated from node-redis's own command list) whose command
// is in our table and not refused. Each is promise-only, as node-redis's, and
// is one of:
//   - the ioredis flavour's hand-written method of the same command when
//     there is one (get, set, mGet, setEx, expire, scan, …): L1 serves it;
//   - the generic path (lib/send-command.js) otherwise;
// with node-redis's argument and reply shapes from overrides/ where they
// differ from ioredis's. Variants (zRangeWithScores, …) exist only through
// an override, except those that only add a positional count.
// The UPPER-CASE names (client.HSET) are the same functions, as in node-redis.

const NAMES = require('./names.json')
const commands = require('../commands')
const { ARGUMENT_TRANSFORMERS } = require('../commands/transform')
const { sendCommand, alwaysRefused } = require('../send-command')
const { answer } = require('../answer')
const { TierCacheError, TierCacheTypeError, CODES } = require('../errors')
const { OVERRIDES } = require('./overrides')

// Variants whose extra argument is a positional count (LPOP key count, …).
const COUNT_VARIANTS = new Set(['lPopCount', 'rPopCount', 'sPopCount', 'sRandMemberCount', 'zRandMemberCount', 'hRandFieldCount'])

function define (proto, name, fn) {
  Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true })
}

function isOptionObject (a) {
  return a !== null && typeof a === 'object' && !(a instanceof Uint8Array) && !Array.isArray(a)
}

/**
 * Arguments of a generic method without an override, as they are:
 * node-redis's arrays (lPush(key, [a, b])) are flattened one level by the
 * generic path, as ioredis does. An option object is refused unless
 * ioredis's transformer reads it (hSet's, mSet's): sent, it would become
 * '[object Object]'.
 */
function plainArguments (method, command, list) {
  if (!(command in ARGUMENT_TRANSFORMERS) && list.flat().some(isOptionObject)) {
    throw new TierCacheTypeError(`${method}: node-redis's option object is not supported for this command yet; ` +
      `pass Redis's words through sendCommand([${JSON.stringify(command.toUpperCase())}, …])`, CODES.INVALID_ARGUMENT)
  }
  return list
}

/** The method for node-redis name `method` over `base` (the ioredis flavour's prototype), or undefined. */
function methodFor (method, spec, base, generated) {
  const override = OVERRIDES[method]
  if (spec.variant && override === undefined && !COUNT_VARIANTS.has(method)) return undefined
  const [command, ...sub] = spec.words
  if (commands.lookup(command) === undefined || alwaysRefused(command)) return undefined
  // The ioredis flavour's hand-written method (served from L1) when the
  // command is one word and has one; the generic path otherwise.
  const handWritten = sub.length === 0 && typeof base[command] === 'function' && !generated.has(command) ? base[command] : undefined
  // Nothing to adapt: the ioredis flavour's method itself (its L1 fast path,
  // no wrapper on the hot path).
  if (handWritten !== undefined && override === undefined) {
    // multi() queues it as the command with the same arguments.
    if (!COMMAND_OF.has(handWritten)) COMMAND_OF.set(handWritten, { command, words: (list) => list, reply: undefined })
    return handWritten
  }
  const toWords = override !== undefined && override.args !== undefined
    ? (list) => override.args(...list)
    : (list) => plainArguments(method, command, list)
  const append = override?.append ?? []
  const reply = override?.reply
  const send = handWritten !== undefined
    ? function (words) { return handWritten.apply(this, words) }
    : function (words) { return sendCommand(this, command, words, false) }
  const toSend = (list) => {
    try {
      return [...sub, ...toWords(list), ...append]
    } catch (err) {
      // An override reading a hostile or malformed argument (a throwing
      // getter, a member without a score): the caller's error, with a code.
      if (err instanceof TierCacheError) throw err
      throw new TierCacheTypeError(`${method}: an argument cannot be read (${err && err.message})`, CODES.INVALID_ARGUMENT, { cause: err })
    }
  }
  const fn = function (...list) {
    const p = answer(undefined, () => send.call(this, toSend(list)))
    return reply === undefined ? p : p.then(reply)
  }
  // What multi() queues for this method (lib/node-redis/multi.js): the
  // command, its words and the reply transformer, the same as sent here.
  COMMAND_OF.set(fn, { command, words: toSend, reply })
  return fn
}

// Each method's { command, words(list), reply } (see methodFor).
const COMMAND_OF = new WeakMap()

/** The command a node-redis method sends, as methodFor built it, or undefined. */
function commandOf (fn) {
  return COMMAND_OF.get(fn)
}

/**
 * Defines the node-redis methods on `proto` (NodeRedisClient.prototype),
 * over `base` (TierCache.prototype, every ioredis method installed).
 * @returns {string[]} the camelCase names defined
 */
function install (proto, base, generatedIoredisMethods) {
  const generated = new Set(generatedIoredisMethods)
  const defined = []
  for (const [method, spec] of Object.entries(NAMES)) {
    const fn = methodFor(method, spec, base, generated)
    if (fn === undefined) continue
    define(proto, method, fn)
    define(proto, spec.module, fn)
    const [command, ...sub] = spec.words
    const handWritten = sub.length === 0 && typeof base[command] === 'function' && !generated.has(command)
    defined.push({ method, upper: spec.module, command, handWritten })
  }
  installed.push(...defined)
  return defined.map((d) => d.method)
}

// What `install` defined: { method, upper, command, handWritten } (scripts/gen-node-redis-typings.js types them).
const installed = []

function installedMethods () {
  return [...installed]
}

module.exports = { install, installedMethods, plainArguments, commandOf }
