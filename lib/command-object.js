'use strict'
// ioredis's Command object and `client.sendCommand(command)`: code that
// builds commands itself (`new Redis.Command('get', ['k'], { replyEncoding:
// 'utf8' })`, then `redis.sendCommand(cmd)` and `await cmd.promise`). The
// command goes through the generic path (lib/send-command.js) like `call`:
// keyPrefix, refusals, L1 following its writes. As ioredis, replies are
// Buffers unless `replyEncoding` names an encoding.

const { sendCommand } = require('./send-command')
const { forward, noop } = require('./answer')
const { TierCacheTypeError, CODES } = require('./errors')
const { setArgumentTransformer, setReplyTransformer } = require('./commands/transform')

class Command {
  /**
   * @param {string} name the command's name
   * @param {Array} [args] its arguments (arrays flattened one level, as ioredis)
   * @param {{ replyEncoding?: string | null }} [options]
   * @param {Function} [callback] called with `(err, reply)` too
   */
  constructor (name, args = [], options = {}, callback) {
    if (typeof name !== 'string' || name.length === 0) {
      throw new TierCacheTypeError('Command: the name must be a non-empty string', CODES.INVALID_ARGUMENT)
    }
    if (!Array.isArray(args)) throw new TierCacheTypeError('Command: args must be an array', CODES.INVALID_ARGUMENT)
    const encoding = options == null ? null : options.replyEncoding ?? null
    if (encoding !== null && !Buffer.isEncoding(encoding)) {
      throw new TierCacheTypeError(`Command: replyEncoding must be a Buffer encoding or null, not ${String(encoding)}`, CODES.INVALID_ARGUMENT)
    }
    if (callback !== undefined && typeof callback !== 'function') {
      throw new TierCacheTypeError('the callback must be a function', CODES.INVALID_ARGUMENT)
    }
    this.name = name
    this.args = args
    this.replyEncoding = encoding
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve
      this.reject = reject
    })
    // With a callback the caller listens there: no unhandled rejection.
    if (callback !== undefined) forward(this.promise, callback).catch(noop)
    this._sent = false
  }

  /**
   * As ioredis: from now on, command `name`'s arguments (flattened one
   * level) are `transformer(args)` when sent, on every client of the
   * process, for every command of the generic path (the typed string
   * commands parse their own arguments).
   */
  static setArgumentTransformer (name, transformer) {
    setArgumentTransformer(name, transformer)
  }

  /**
   * As ioredis: from now on, command `name`'s reply is `transformer(reply)`,
   * on every client of the process, for every command of the generic path.
   * L1 still caches a cacheable read's reply; its front of decoded replies
   * is not used for the command (each hit is transformed afresh).
   */
  static setReplyTransformer (name, transformer) {
    setReplyTransformer(name, transformer)
  }
}

/** Whether `value` is a Command; false for a Proxy whose traps throw (the fuzzer's hostile values). */
function isCommand (value) {
  try {
    return value instanceof Command
  } catch {
    return false
  }
}

/** client.sendCommand(command): sends `command` once; returns its promise. */
function sendCommandObject (command) {
  if (!isCommand(command)) {
    return Promise.reject(new TierCacheTypeError('sendCommand takes a TierCache.Command (new TierCache.Command(name, args))', CODES.INVALID_ARGUMENT))
  }
  if (command._sent) {
    return Promise.reject(new TierCacheTypeError('this Command was already sent; create a new one', CODES.INVALID_ARGUMENT))
  }
  command._sent = true
  const encoding = command.replyEncoding === null ? undefined : command.replyEncoding
  let p
  try {
    p = sendCommand(this, command.name, command.args, true, { replyEncoding: encoding })
  } catch (err) {
    p = Promise.reject(err)
  }
  p.then(command.resolve, command.reject)
  return command.promise
}

/** Gives TierCache its Command class and sendCommand. */
function install (TierCache) {
  Object.defineProperty(TierCache.prototype, 'sendCommand', { value: sendCommandObject, configurable: true, writable: true })
  TierCache.Command = Command
}

module.exports = { Command, install }
