'use strict'
// pipeline() and multi(), as ioredis's: a Pipeline queues commands (chained,
// or as an array of [name, ...args]) and `exec()` sends them, resolving with
// `[[err, reply], …]` in queue order.
//
// - A pipeline runs each queued command through the client's own method of
//   the same name (the hand-written string methods, the generated ones,
//   call, the defineCommand ones), all in one tick: they reach the
//   connection in queue order and go out together (the dispatcher writes a
//   burst as one pipeline), and each answers as the client would, L1
//   included: a set's L1 copy is gone before the next queued get looks.
// - A transaction (multi) is sent by lib/send-command.js's sendTransaction:
//   MULTI, the commands and EXEC as ONE write on the shared connection, so
//   no other caller's command can land inside it. Every command goes
//   through the generic path there (arguments as ioredis sends them, no
//   codec; reads never answered from L1).
//
// The command methods are generated from the client's: every method the
// client has for a table command (and its …Buffer form) exists here too.

const commands = require('./commands')
const { sendTransaction, alwaysRefused } = require('./send-command')
const { answer, splitCallback } = require('./answer')
const { TierCacheError, TierCacheTypeError, ReplyError, CODES } = require('./errors')

class Pipeline {
  /**
   * @param {object} client the TierCache
   * @param {boolean} transaction MULTI … EXEC
   */
  constructor (client, transaction) {
    this.redis = client
    this._transaction = transaction
    this._queue = []
    this._discarded = false
    this._executed = false
    // Commands defined with defineCommand on the client (lib/define-command.js).
    for (const name of client._scripts === undefined ? [] : client._scripts.keys()) {
      Object.defineProperty(this, name, { value: queueMethod(name, name, false), configurable: true, writable: true })
      Object.defineProperty(this, `${name}Buffer`, { value: queueMethod(`${name}Buffer`, name, true), configurable: true, writable: true })
    }
  }

  /** The number of commands queued. */
  get length () {
    return this._queue.length
  }

  /** Queues each `[name, ...args]` of `batch`, as ioredis's addBatch. */
  addBatch (batch) {
    if (!Array.isArray(batch)) throw new TierCacheTypeError('a batch of commands must be an array of [name, ...args] arrays', CODES.INVALID_ARGUMENT)
    for (const command of batch) {
      if (!Array.isArray(command) || typeof command[0] !== 'string') {
        throw new TierCacheTypeError('each command of a batch must be an array [name, ...args]', CODES.INVALID_ARGUMENT)
      }
      const [name, ...args] = command
      if (!(name in METHODS) && !isScriptMethod(this.redis, name)) {
        // As ioredis, an unknown name is the caller's error; call() sends any command.
        throw new TierCacheError(`${name} is not a command method of this client; queue it with .call('${name}', …)`, CODES.UNSUPPORTED)
      }
      this[name](...args)
    }
    return this
  }

  /**
   * Drops the queued commands: a later exec() rejects as Redis does for an
   * EXEC after DISCARD. Chainable.
   */
  discard () {
    this._queue = []
    this._discarded = true
    return this
  }

  /**
   * Sends the queued commands; resolves with `[[err, reply], …]`. As
   * ioredis, an argument that is not a function is no callback (libraries
   * call `exec(true)`, a leftover of node_redis's API).
   */
  exec (callback) {
    return answer(typeof callback === 'function' ? callback : undefined, () => {
      if (this._executed) {
        throw new TierCacheError('this pipeline was already executed; create a new one', CODES.INVALID_ARGUMENT)
      }
      this._executed = true
      if (this._discarded) throw new ReplyError('ERR EXEC without MULTI')
      const queue = this._queue
      this._queue = []
      const done = this._transaction ? this._execTransaction(queue) : this._execPipeline(queue)
      // Per-command callbacks, as ioredis (`pipeline.get('k', cb)`).
      return done.then((results) => {
        if (results !== null) {
          results.forEach(([err, reply], i) => {
            const cb = queue[i].callback
            if (cb !== undefined) process.nextTick(cb, err === undefined ? null : err, reply)
          })
        }
        return results
      })
    })
  }

  _execPipeline (queue) {
    const client = this.redis
    const pending = queue.map(({ method, args }) => {
      try {
        return client[method](...args)
      } catch (err) {
        return Promise.reject(err)
      }
    })
    return Promise.all(pending.map((p) => p.then((reply) => [null, reply], (err) => [err])))
  }

  _execTransaction (queue) {
    return sendTransaction(this.redis, this._transactionItems(queue))
  }

  /** The commands of a transaction of `queue` (default: the queued ones), as sendTransaction takes them. */
  _transactionItems (queue = this._queue) {
    const scripts = this.redis._scripts
    return queue.map(({ command, commandArgs: args, buffers }) => {
      // A defineCommand script is sent as EVAL: EVALSHA could meet NOSCRIPT
      // inside the transaction, where falling back is no longer possible.
      const script = scripts === undefined ? undefined : scripts.get(command)
      return script === undefined ? { name: command, args, buffers } : { name: script.readOnly ? 'eval_ro' : 'eval', args: script.evalArgs(args), buffers }
    })
  }
}

/** Whether `name` is a method defineCommand gave `client` (`name` or `nameBuffer`). */
function isScriptMethod (client, name) {
  const scripts = client._scripts
  return scripts !== undefined && (scripts.has(name) || (name.endsWith('Buffer') && scripts.has(name.slice(0, -'Buffer'.length))))
}

/** A pipeline method queuing the client's `method` (command `command`). */
function queueMethod (method, command, buffers) {
  return function (...args) {
    const callback = splitCallback(args)
    this._queue.push({ method, command, args, commandArgs: args, buffers, callback })
    return this
  }
}

// The names Pipeline.prototype got from the client (generated, by install).
const METHODS = Object.create(null)

/**
 * Gives Pipeline a method for each command method of `TierCache` (call it
 * once every hand-written and generated method is on its prototype), and
 * the client its pipeline() and multi().
 */
function install (TierCache) {
  const proto = TierCache.prototype
  for (const name of commands.names()) {
    if (alwaysRefused(name)) continue
    for (const [method, buffers] of [[name, false], [`${name}Buffer`, true]]) {
      if (typeof proto[method] !== 'function' || method in Pipeline.prototype) continue
      Object.defineProperty(Pipeline.prototype, method, { value: queueMethod(method, name, buffers), configurable: true, writable: true })
      METHODS[method] = true
    }
  }
  for (const [method, buffers] of [['call', false], ['send_command', false], ['callBuffer', true]]) {
    Object.defineProperty(Pipeline.prototype, method, {
      value: function (name, ...args) {
        const callback = splitCallback(args)
        this._queue.push({ method, command: name, args: [name, ...args], commandArgs: args, buffers, callback })
        return this
      },
      configurable: true,
      writable: true
    })
    METHODS[method] = true
  }
  Object.defineProperty(proto, 'pipeline', {
    value: function (batch) {
      const p = new Pipeline(this, false)
      if (batch !== undefined) p.addBatch(batch)
      return p
    },
    configurable: true,
    writable: true
  })
  Object.defineProperty(proto, 'multi', {
    value: function (batch, options) {
      if (options === undefined && !Array.isArray(batch)) {
        options = batch
        batch = undefined
      }
      if (options != null && options.pipeline === false) {
        throw new TierCacheError('multi({ pipeline: false }) is not supported: it sends MULTI alone and each command as ' +
          'it is called, and on the connection this instance shares that MULTI would capture other callers\' commands; ' +
          'use multi() and exec(), which send the whole transaction in one write', CODES.UNSUPPORTED)
      }
      const p = new Pipeline(this, true)
      if (batch !== undefined) p.addBatch(batch)
      return p
    },
    configurable: true,
    writable: true
  })
}

/** The command method names a Pipeline has (for the typings generator). */
function pipelineMethods () {
  return Object.keys(METHODS)
}

module.exports = { Pipeline, install, pipelineMethods }
