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
const { sendTransaction, alwaysRefused, needRemote } = require('./send-command')
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
    // Between multi() and exec() inside a pipeline (an inline transaction).
    this._inline = false
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
    if (this._inline) {
      // The end of an inline transaction, not of the pipeline.
      this._inline = false
      this._queue.push({ inline: 'exec' })
      return this
    }
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
    const pending = []
    for (let i = 0; i < queue.length; i++) {
      if (queue[i].inline === 'multi') {
        // An inline transaction (ioredis): the commands up to its exec() go
        // as one MULTI … EXEC; their slots answer 'OK', 'QUEUED' …, and EXEC
        // the replies.
        const end = queue.findIndex((q, j) => j > i && q.inline === 'exec')
        const last = end === -1 ? queue.length : end
        const items = queue.slice(i + 1, last)
        const tx = sendTransaction(client, this._transactionItems(items))
          .then((results) => (results === null ? null : results.map(([err, reply]) => err ?? reply)))
        pending.push(Promise.resolve('OK'), ...items.map(() => Promise.resolve('QUEUED')), tx)
        i = last
        continue
      }
      const { method, args } = queue[i]
      try {
        pending.push(client[method](...args))
      } catch (err) {
        pending.push(Promise.reject(err))
      }
    }
    return Promise.all(pending.map((p) => p.then((reply) => [null, reply], (err) => [err])))
  }

  /** In a pipeline: starts an inline transaction, which exec() ends (ioredis). Chainable. */
  multi () {
    if (this._transaction || this._inline) throw new TierCacheError('MULTI calls can not be nested', CODES.INVALID_ARGUMENT)
    this._inline = true
    this._queue.push({ inline: 'multi' })
    return this
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
      if (options != null && options.pipeline === false) return startQueuing(this)
      const p = new Pipeline(this, true)
      if (batch !== undefined) p.addBatch(batch)
      return p
    },
    configurable: true,
    writable: true
  })
  Object.defineProperty(proto, 'exec', {
    value: function (callback) { return execQueued(this, typeof callback === 'function' ? callback : undefined) },
    configurable: true,
    writable: true
  })
  Object.defineProperty(proto, 'discard', {
    value: function (callback) { return discardQueued(this, typeof callback === 'function' ? callback : undefined) },
    configurable: true,
    writable: true
  })
}

// ---- multi({ pipeline: false }) ------------------------------------------------
//
// ioredis sends MULTI at once; every command of the client until exec() is
// then queued by Redis ('QUEUED'), and exec() sends EXEC. Sent that way on
// the shared connection, that MULTI would capture the commands of every other
// client of this process's connection; so the client queues them itself: each
// command of the client (any caller's, as on ioredis's one connection)
// answers 'QUEUED', and exec() sends MULTI, them and EXEC in one write, as
// multi().exec() does (on the client's WATCH connection after a watch).

/** MULTI, pipeline: false: the client's commands queue until exec() or discard(). */
function startQueuing (client) {
  if (client._queuing !== null) return Promise.reject(new ReplyError('ERR MULTI calls can not be nested'))
  try {
    needRemote(client, 'multi')
  } catch (err) {
    return Promise.reject(err)
  }
  client._queuing = new Pipeline(client, true)
  return Promise.resolve('OK')
}

/**
 * Queues `method` (a client method name) with `args` while the client is in
 * MULTI (pipeline: false); answers 'QUEUED' (and to a trailing callback).
 */
function queueCommand (client, method, args) {
  const tx = client._queuing
  const callback = splitCallback(args)
  try {
    if (typeof tx[method] === 'function') tx[method](...args)
    else tx.call(method, ...args)
  } catch (err) {
    return answer(callback, () => { throw err })
  }
  return answer(callback, () => 'QUEUED')
}

/** EXEC of MULTI (pipeline: false): the queued commands as one transaction. */
function execQueued (client, callback) {
  const tx = client._queuing
  if (tx === null) return answer(callback, () => { throw new ReplyError('ERR EXEC without MULTI') })
  client._queuing = null
  return tx.exec(callback)
}

/** DISCARD of MULTI (pipeline: false): the queued commands are dropped. */
function discardQueued (client, callback) {
  const tx = client._queuing
  client._queuing = null
  return answer(callback, () => {
    if (tx === null) throw new ReplyError('ERR DISCARD without MULTI')
    return 'OK'
  })
}

/** The command method names a Pipeline has (for the typings generator). */
function pipelineMethods () {
  return Object.keys(METHODS)
}

module.exports = { Pipeline, install, pipelineMethods, queueCommand }
