'use strict'
// node-redis's multi(): a chain of the flavour's camelCase methods, then
// `exec()` (MULTI … EXEC) or `execAsPipeline()`, resolving with the replies
// alone, in node-redis's shapes; when any command failed, rejecting with a
// ReplyError whose `replies` hold every reply (the errors in their slots) and
// `errorIndexes` their positions, as node-redis's MultiErrorReply.
//
// Nothing is written twice: each queued method is the flavour's own
// (lib/node-redis/methods.js gives its command, words and reply
// transformer), and the sending is the ioredis flavour's: a transaction is
// lib/pipeline.js's multi() (one write on the shared connection, L1
// following every write), a pipeline is the methods themselves called in
// one tick (they go out together, and reads may be answered by L1).

const { commandOf } = require('./methods')
const { commandArgv } = require('./argv')
const { ReplyError, TierCacheError, WatchError, CODES } = require('../errors')

class NodeRedisMulti {
  /**
   * @param {object} client the NodeRedisClient
   * @param {Function} transaction makes the ioredis flavour's multi() on it
   */
  constructor (client, transaction) {
    this._client = client
    this._transaction = transaction
    this._queue = []
    this._executed = false
  }

  /** Queues a raw command `[name, ...args]` (Redis's reply, untransformed). */
  addCommand (args) {
    const [command, words] = commandArgv(args, 'addCommand')
    this._queue.push({ raw: { command, words } })
    return this
  }

  /** MULTI … EXEC in one write; `exec(true)` is execAsPipeline(), as node-redis. */
  exec (execAsPipeline = false) {
    if (execAsPipeline === true) return this.execAsPipeline()
    return this._run((queue) => {
      const tx = this._transaction()
      for (const item of queue) {
        const { command, words } = item.raw ?? describe(item)
        tx.call(command, ...words)
      }
      // A command Redis refused when queued: node-redis rejects with that
      // refusal, where ioredis gives EXECABORT with previousErrors.
      // null: a WATCHed key changed and EXEC ran nothing (node-redis: WatchError).
      return tx.exec().then((results) => {
        if (results === null) throw new WatchError()
        return results.map(([err, reply]) => (err ? { err } : { reply }))
      },
        (err) => { throw (Array.isArray(err.previousErrors) && err.previousErrors[0]) || err })
    })
  }

  /**
   * The queued commands without MULTI, as one pipeline. A failed command
   * rejects the whole with its own error, as node-redis's execAsPipeline.
   */
  execAsPipeline () {
    return this._run((queue) => Promise.all(queue.map((item) => {
      const sent = item.raw !== undefined
        ? this._client.sendCommand([item.raw.command, ...item.raw.words])
        : this._client[item.method](...item.list)
      return sent.then((reply) => ({ reply, sent: true }), (err) => ({ err }))
    })).then((outcomes) => {
      const failed = outcomes.find((o) => o.err !== undefined)
      if (failed !== undefined) throw failed.err
      return outcomes
    }))
  }

  _run (send) {
    if (this._executed) {
      return Promise.reject(new TierCacheError('this multi was already executed; create a new one', CODES.INVALID_ARGUMENT))
    }
    this._executed = true
    const queue = this._queue
    this._queue = []
    let sending
    try {
      sending = send(queue)
    } catch (err) {
      return Promise.reject(err)
    }
    return sending.then((outcomes) => settle(queue, outcomes))
  }
}
NodeRedisMulti.prototype.EXEC = NodeRedisMulti.prototype.exec

/** What `item` (a queued method call) sends: its command and words. */
function describe (item) {
  return { command: item.spec.command, words: item.spec.words(item.list) }
}

/**
 * The replies of `queue` from `outcomes` ({ reply } or { err } each): the
 * node-redis reply transformer applied to a transaction's replies (a
 * pipeline's come from the methods, already transformed); any error makes
 * the whole a rejection carrying every reply.
 */
function settle (queue, outcomes) {
  const errorIndexes = []
  const replies = outcomes.map((o, i) => {
    if (o.err !== undefined) {
      errorIndexes.push(i)
      return o.err
    }
    const spec = queue[i].spec
    if (o.sent || spec === undefined || spec.reply === undefined) return o.reply
    try {
      return spec.reply(o.reply)
    } catch (err) {
      errorIndexes.push(i)
      return err
    }
  })
  if (errorIndexes.length === 0) return replies
  const err = new ReplyError(`${errorIndexes.length} commands failed, see .replies and .errorIndexes for more information`)
  err.replies = replies
  err.errorIndexes = errorIndexes
  throw err
}

/**
 * Gives NodeRedisMulti one queuing method per flavour method of `proto`
 * (`names`, camelCase and UPPER CASE), and the client its multi().
 */
function install (proto, names, ioredisMulti) {
  for (const name of names) {
    const method = proto[name]
    const spec = commandOf(method)
    if (spec === undefined) continue
    const queue = function (...list) {
      this._queue.push({ method: name, list, spec })
      return this
    }
    Object.defineProperty(NodeRedisMulti.prototype, name, { value: queue, writable: true, configurable: true })
  }
  Object.defineProperty(proto, 'multi', {
    value: function () {
      return new NodeRedisMulti(this, () => ioredisMulti.call(this))
    },
    writable: true,
    configurable: true
  })
}

module.exports = { NodeRedisMulti, install }
