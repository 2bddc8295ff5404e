'use strict'
// ioredis's `monitor()`: a new client (duplicate(): the same options, its
// own connections) on which Redis streams every command it runs, emitted
// as 'monitor' (time, args, source, database), as ioredis emits it. The
// stream runs on a connection of its own in the addon
// (src/core/tier/monitor.rs); a lost one is opened again with the retry
// strategy's delays, an 'error' saying so. quit() / disconnect() end it.
//
// Refused with keyPrefix: MONITOR shows every client's commands, other
// prefixes' keys and values included.

const { TierCacheError, TierCacheTypeError, CODES } = require('./errors')
const { answer } = require('./answer')
const { needRemote } = require('./send-command')
const { parseMonitorLine } = require('./monitor-line')

/** The monitoring client of `cache`, once Redis confirmed MONITOR. */
async function monitoring (cache) {
  const remote = needRemote(cache, 'monitor')
  if (remote.config.keyPrefix !== '') {
    throw new TierCacheError('monitor shows every client\'s commands, other prefixes\' keys and values included, ' +
      'so it is refused with keyPrefix; call it on a client without keyPrefix', CODES.UNSUPPORTED)
  }
  const client = cache.duplicate()
  try {
    await client._remote.startMonitor()
  } catch (err) {
    client.disconnect()
    throw err
  }
  return client
}

/**
 * ioredis's `monitor(callback?)`: resolves with a new client in monitoring
 * mode, which emits 'monitoring' once, then 'monitor' (time, args, source,
 * database) per command Redis runs. Close it with quit() or disconnect().
 */
function monitor (callback) {
  return answer(callback, () => monitoring(this))
}

/**
 * node-redis's `monitor(callback)`: `callback(line)` with each of Redis's
 * lines as it is, until this client closes. Unlike node-redis, the client
 * keeps running commands (the lines come on a connection of their own).
 */
async function nodeRedisMonitor (callback) {
  if (typeof callback !== 'function') throw new TierCacheTypeError('monitor: a callback function is required', CODES.INVALID_ARGUMENT)
  const client = await monitoring(this)
  client._remote.monitorLines = callback
  if (this._closed) client.disconnect()
  else this.once('end', () => client.disconnect())
}

/** Gives TierCache its monitor() (ioredis's), and `proto` (the node-redis client's) node-redis's. */
function install (TierCache) {
  Object.defineProperty(TierCache.prototype, 'monitor', { value: monitor, configurable: true, writable: true })
}

function installNodeRedis (proto) {
  for (const name of ['monitor', 'MONITOR']) {
    Object.defineProperty(proto, name, { value: nodeRedisMonitor, configurable: true, writable: true })
  }
}

module.exports = { install, installNodeRedis, parseMonitorLine }
