'use strict'
// The node-redis flavour: what `createClient()` returns. A TierCache (the
// same L1, the same Redis tier, every ioredis method still there for code
// and libraries that use them), whose prototype adds node-redis v5's
// spellings and shapes: camelCase methods (methods.js), `sendCommand(argv)`,
// `isOpen` / `isReady`, `destroy`, the scan iterators yielding pages.
//
// Names node-redis and ioredis share (set, get, scan, eval, …) take
// node-redis's shapes here; the library's own code calls the ioredis
// flavour's methods through TierCache.prototype where the shapes differ
// (`_scanPage`), so a node-redis client can be handed to the session store
// or the patterns. `multi` (multi.js) is node-redis's, over the ioredis
// flavour's transactions; `subscribe` / `pSubscribe` (pubsub.js) take
// node-redis's listeners over its subscriptions; `duplicate` is the ioredis flavour's (it keeps the
// flavour).

const { sendCommand } = require('../send-command')
const { answer } = require('../answer')
const { TierCacheTypeError, CODES } = require('../errors')
const methods = require('./methods')
const { commandArgv } = require('./argv')
const multi = require('./multi')
const pubsub = require('./pubsub')

/** Makes the class; TierCache is passed in (index.js requires this file). */
function makeClient (TierCache, generatedIoredisMethods) {
  class NodeRedisClient extends TierCache {
    /** node-redis: true from connect() until the client is closed. */
    get isOpen () {
      return !this._closed && this.status !== 'wait' && this.status !== 'end' && this.status !== 'close'
    }

    /** node-redis: true while commands can be sent (connected, or L1 only). */
    get isReady () {
      return !this._closed && this.status === 'ready'
    }

    /**
     * node-redis's sendCommand(['CMD', ...args]): Redis's reply as it is (no
     * reply transformer). Without Redis, the string commands run in L1 as
     * `call` does; the others reject with ERR_TIERCACHE_NEEDS_REDIS.
     */
    sendCommand (argv) {
      return answer(undefined, () => {
        const [name, rest] = commandArgv(argv, 'sendCommand')
        if (this._remote === null) return this.call(name, ...rest)
        return sendCommand(this, name, rest, false, { raw: true })
      })
    }

    /** node-redis v5: closes at once; pending commands settle as they can. */
    destroy () {
      TierCache.prototype.disconnect.call(this)
    }

    /** node-redis v5's disconnect (deprecated there for destroy): a promise. */
    disconnect () {
      this.destroy()
      return Promise.resolve()
    }

    /** Pages (arrays of keys) of SCAN, as node-redis v5 yields them. */
    async * scanIterator (options) {
      const [start, rest] = iteratorOptions(options)
      let cursor = start
      do {
        const reply = await this.scan(cursor, rest)
        cursor = reply.cursor
        yield reply.keys
      } while (cursor !== '0')
    }

    /** Pages of HSCAN entries ([{ field, value }]). */
    async * hScanIterator (key, options) {
      yield * pages(this, 'hScan', key, options, 'entries')
    }

    /** Pages of SSCAN members. */
    async * sScanIterator (key, options) {
      yield * pages(this, 'sScan', key, options, 'members')
    }

    /** Pages of ZSCAN members ([{ value, score }]). */
    async * zScanIterator (key, options) {
      yield * pages(this, 'zScan', key, options, 'members')
    }
  }

  const defined = methods.install(NodeRedisClient.prototype, TierCache.prototype, generatedIoredisMethods)
  multi.install(NodeRedisClient.prototype, Object.getOwnPropertyNames(NodeRedisClient.prototype), TierCache.prototype.multi)
  pubsub.install(NodeRedisClient.prototype, TierCache.prototype)
  require('../monitor').installNodeRedis(NodeRedisClient.prototype)
  return { NodeRedisClient, methods: defined }
}

/**
 * An iterator's options: [the starting cursor, the SCAN options without
 * `cursor`]. Refused (at the first next()) unless an object: a string's
 * characters would otherwise become options.
 */
function iteratorOptions (options) {
  if (options === undefined || options === null) return ['0', undefined]
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TierCacheTypeError('scan iterators take an options object { MATCH, COUNT, TYPE, cursor }', CODES.INVALID_ARGUMENT)
  }
  const rest = { ...options }
  delete rest.cursor
  return [options.cursor ?? '0', rest]
}

async function * pages (client, method, key, options, field) {
  const [start, rest] = iteratorOptions(options)
  let cursor = start
  do {
    const reply = await client[method](key, cursor, rest)
    cursor = reply.cursor
    yield reply[field]
  } while (cursor !== '0')
}

module.exports = { makeClient }
