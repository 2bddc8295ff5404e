'use strict'
// The command methods that go through the generic path (lib/send-command.js):
// `call` / `send_command` (ioredis's names, `callBuffer` for Buffer replies),
// and one method per command of the table that has no hand-written version
// (`hset`, `lpush`, `zadd`, `eval`, … and `hsetBuffer`, … returning Buffers
// for bulk replies), each with the promise and the Node-callback forms.
//
// Commands the generic path always refuses (MULTI, SELECT, …:
// lib/send-command.js) get no method until they are implemented; blocking
// commands get one (they run on a dedicated connection); SUBSCRIBE and its
// kin are hand-written (lib/pubsub.js), and `call` hands them over.
//
// Without Redis, the generated methods reject with ERR_TIERCACHE_NEEDS_REDIS;
// `call` runs the hand-written method of the same name when there is one
// (the string family works in L1), and rejects likewise otherwise.

const commands = require('./commands')
const { sendCommand, alwaysRefused } = require('./send-command')
const { answer, splitCallback } = require('./answer')
const { fromNative } = require('./errors')
const { METHODS: SUBSCRIPTION_METHODS } = require('./pubsub')

const SUBSCRIPTIONS = new Set(SUBSCRIPTION_METHODS)

// The names `install` defined (scripts/gen-command-typings.js types them).
const installed = []

function define (proto, name, fn) {
  Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true })
}

/** A method sending command `name` (Buffers for bulk replies with `buffers`). */
function commandMethod (name, buffers) {
  return function (...args) {
    const callback = splitCallback(args)
    if (callback !== undefined) return answer(callback, () => sendCommand(this, name, args, buffers))
    // The common case without the callback glue (one closure less per call).
    try {
      return Promise.resolve(sendCommand(this, name, args, buffers))
    } catch (err) {
      return Promise.reject(fromNative(err))
    }
  }
}

/**
 * Installs the generic methods on `TierCache.prototype`; call it once every
 * hand-written method is defined (they keep precedence).
 * @returns {string[]} the names of the methods it defined
 */
function install (TierCache) {
  const proto = TierCache.prototype
  const handWritten = (name) => name in proto
  const defined = []
  for (const name of commands.names()) {
    if (alwaysRefused(name)) continue // only through call, which says why
    if (!handWritten(name)) {
      define(proto, name, commandMethod(name, false))
      defined.push(name)
    }
    if (!handWritten(`${name}Buffer`)) {
      define(proto, `${name}Buffer`, commandMethod(name, true))
      defined.push(`${name}Buffer`)
    }
  }
  installed.push(...defined)
  const generated = new Set(defined)
  // The hand-written methods `call` may run without Redis: lower-case
  // command names only (not `getBuffer`, the l2 view, the patterns).
  const localMethod = (name) => {
    const lower = typeof name === 'string' ? name.toLowerCase() : ''
    return commands.lookup(lower) !== undefined && !generated.has(lower) && typeof proto[lower] === 'function' ? proto[lower] : undefined
  }
  const call = function (name, ...args) {
    // Subscriptions have a connection of their own (lib/pubsub.js).
    if (typeof name === 'string' && SUBSCRIPTIONS.has(name.toLowerCase())) return this[name.toLowerCase()](...args)
    const callback = splitCallback(args)
    const local = this._remote === null ? localMethod(name) : undefined
    if (local !== undefined) return callback === undefined ? local.apply(this, args.flat()) : local.call(this, ...args.flat(), callback)
    return answer(callback, () => sendCommand(this, name, args, false))
  }
  define(proto, 'call', call)
  define(proto, 'send_command', call)
  define(proto, 'callBuffer', function (name, ...args) {
    const callback = splitCallback(args)
    return answer(callback, () => sendCommand(this, name, args, true))
  })
  return defined
}

/** The method names `install` defined, in table order. */
function generatedMethods () {
  return [...installed]
}

module.exports = { install, generatedMethods }
