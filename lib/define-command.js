'use strict'
// defineCommand(name, { numberOfKeys, lua, readOnly }), as ioredis's: a Lua
// script as a method of the instance (`name`, and `nameBuffer` for Buffer
// replies) and of its pipelines. It is sent as EVALSHA with the script's
// SHA-1, and as EVAL when Redis answers NOSCRIPT (a restarted or flushed
// server forgot it; EVAL loads it again). Both go through the generic path
// (lib/send-command.js), so keyPrefix applies to the script's KEYS and L1
// drops its copies of them (a script may write any of its KEYS). With
// `numberOfKeys` undefined the caller passes the number of keys first.
// `readOnly` sends EVALSHA_RO / EVAL_RO, as ioredis.

const crypto = require('crypto')
const { sendCommand } = require('./send-command')
const { answer, splitCallback } = require('./answer')
const { TierCacheTypeError, ReplyError, CODES } = require('./errors')

class Script {
  constructor (lua, numberOfKeys, readOnly) {
    this.lua = lua
    this.sha = crypto.createHash('sha1').update(lua).digest('hex')
    this.numberOfKeys = numberOfKeys
    this.readOnly = readOnly
  }

  /** numkeys, then the keys and arguments, from the caller's `args`. */
  tail (args) {
    const flat = args.flat()
    return this.numberOfKeys === undefined ? flat : [this.numberOfKeys, ...flat]
  }

  /** The arguments of EVAL for the caller's `args` (a transaction sends this). */
  evalArgs (args) {
    return [this.lua, ...this.tail(args)]
  }

  /** Runs the script for `cache`: EVALSHA, then EVAL on NOSCRIPT. */
  run (cache, args, buffers) {
    const tail = this.tail(args)
    const ro = this.readOnly ? '_ro' : ''
    return sendCommand(cache, `evalsha${ro}`, [this.sha, ...tail], buffers).catch((err) => {
      if (!(err instanceof ReplyError) || !String(err.message).startsWith('NOSCRIPT')) throw err
      return sendCommand(cache, `eval${ro}`, [this.lua, ...tail], buffers)
    })
  }
}

function defineCommand (name, definition) {
  // Any non-empty string, as ioredis: bullmq names its scripts
  // `addStandardJob:5.81.5` and reaches them as client[name].
  if (typeof name !== 'string' || name.length === 0) {
    throw new TierCacheTypeError('defineCommand: the name must be a non-empty string', CODES.INVALID_ARGUMENT)
  }
  const { lua, numberOfKeys, readOnly } = definition ?? {}
  if (typeof lua !== 'string' || lua.length === 0) {
    throw new TierCacheTypeError('defineCommand: lua must be a non-empty string', CODES.INVALID_ARGUMENT)
  }
  if (numberOfKeys !== undefined && numberOfKeys !== null && !(Number.isInteger(numberOfKeys) && numberOfKeys >= 0)) {
    throw new TierCacheTypeError('defineCommand: numberOfKeys must be a non-negative integer, or undefined ' +
      '(the caller then passes the number of keys first)', CODES.INVALID_ARGUMENT)
  }
  if (this._scripts === undefined) this._scripts = new Map()
  // Redefining a script is fine (rate-limiter-flexible defines its script
  // once per limiter on a shared client); shadowing a method is refused:
  // defineCommand('get', …) would silently replace get for this instance.
  for (const method of [name, `${name}Buffer`]) {
    if (method in this && !this._scripts.has(name)) {
      throw new TierCacheTypeError(`defineCommand: ${method} is already a method of this client`, CODES.INVALID_ARGUMENT)
    }
  }
  const script = new Script(lua, numberOfKeys ?? undefined, readOnly === true)
  this._scripts.set(name, script)
  for (const [method, buffers] of [[name, false], [`${name}Buffer`, true]]) {
    Object.defineProperty(this, method, {
      value: (...args) => {
        const callback = splitCallback(args)
        return answer(callback, () => script.run(this, args, buffers))
      },
      configurable: true,
      writable: true
    })
  }
}

/** Gives TierCache its defineCommand. */
/**
 * ioredis's `scripts` option, `{ name: { lua, numberOfKeys, readOnly } }`:
 * each defined on `client` as defineCommand defines it.
 */
function defineScripts (client, scripts) {
  if (typeof scripts !== 'object' || Array.isArray(scripts)) {
    throw new TierCacheTypeError('the scripts option must be an object { name: { lua, numberOfKeys } }', CODES.INVALID_ARGUMENT)
  }
  for (const name of Object.keys(scripts)) defineCommand.call(client, name, scripts[name])
}

function install (TierCache) {
  Object.defineProperty(TierCache.prototype, 'defineCommand', { value: defineCommand, configurable: true, writable: true })
}

module.exports = { install, defineScripts, Script }
