'use strict'
// Redis Sentinel options, in ioredis's shape:
//   new TierCache({ sentinels: [{ host, port }, …], name: 'mymaster', sentinelPassword, natMap, … })
// `name` is then the primary's name in the sentinels' configuration (as in
// ioredis), and no longer names a shared L1 store: each client has its own.
// Validated here; the addon asks the sentinels (src/core/tier/sentinel.rs).

const { TierCacheTypeError, TierCacheRangeError, CODES } = require('./errors')

// The connection fields that belong to Sentinel (moved with host, port, …).
const SENTINEL_KEYS = ['sentinels', 'sentinelUsername', 'sentinelPassword', 'sentinelCommandTimeout', 'natMap', 'updateSentinels']
const DEFAULT_SENTINEL_PORT = 26379
// A sentinel that does not answer within this is passed over for the next.
const DEFAULT_COMMAND_TIMEOUT = 1000

function invalid (message) {
  return new TierCacheTypeError(message, CODES.INVALID_ARGUMENT)
}

function isPlainObject (v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** `{ host, port }` with ioredis's defaults; `what` names it in errors. */
function address (given, what, defaultPort) {
  if (!isPlainObject(given)) throw invalid(`${what} must be an object { host, port }`)
  const host = given.host === undefined || given.host === null ? 'localhost' : given.host
  if (typeof host !== 'string' || host.length === 0 || /[\s/@]/.test(host)) throw invalid(`${what}.host must be a host name or IP address`)
  let port = given.port === undefined || given.port === null ? defaultPort : given.port
  if (typeof port === 'string' && /^\d+$/.test(port)) port = Number(port)
  if (!Number.isSafeInteger(port) || port < 1 || port > 65535) {
    throw new TierCacheRangeError(`${what}.port must be an integer from 1 to 65535`, CODES.INVALID_ARGUMENT)
  }
  return { host, port }
}

/** ioredis's natMap `{ 'ip:port': { host, port } }` as a list of { from, to }. */
function natMapOf (natMap) {
  if (natMap === undefined || natMap === null) return []
  if (typeof natMap === 'function') {
    throw new TierCacheTypeError('natMap as a function is not supported: give an object { "ip:port": { host, port } }', CODES.UNSUPPORTED)
  }
  if (!isPlainObject(natMap)) throw invalid('natMap must be an object { "ip:port": { host, port } }')
  return Object.keys(natMap).map((from) => {
    const at = from.lastIndexOf(':')
    if (at <= 0) throw invalid(`natMap key ${JSON.stringify(from)} must be "ip:port"`)
    return {
      from: address({ host: from.slice(0, at), port: from.slice(at + 1) }, `natMap key ${JSON.stringify(from)}`),
      to: address(natMap[from], `natMap[${JSON.stringify(from)}]`)
    }
  })
}

/**
 * The Sentinel part of a Redis configuration, or null without `sentinels`.
 * `source` holds the connection fields given, `options` the rest (`name`).
 */
function normalizeSentinel (source, options, connectTimeout) {
  const { sentinels } = source
  if (sentinels === undefined || sentinels === null) {
    for (const k of SENTINEL_KEYS) {
      if (source[k] !== undefined && source[k] !== null) throw invalid(`${k} is a Sentinel option: give sentinels too`)
    }
    return null
  }
  if (!Array.isArray(sentinels) || sentinels.length === 0) throw invalid('sentinels must be a non-empty array of { host, port }')
  const name = options.name
  if (typeof name !== 'string' || name.length === 0) {
    throw invalid('with sentinels, name must be the primary\'s name in the sentinels\' configuration (as in ioredis)')
  }
  for (const k of ['sentinelUsername', 'sentinelPassword']) {
    if (source[k] !== undefined && source[k] !== null && typeof source[k] !== 'string') throw invalid(`${k} must be a string`)
  }
  const timeout = source.sentinelCommandTimeout ?? Math.min(DEFAULT_COMMAND_TIMEOUT, connectTimeout)
  if (!Number.isSafeInteger(timeout) || timeout < 1 || timeout > 3600000) {
    throw new TierCacheRangeError('sentinelCommandTimeout must be an integer from 1 to 3600000 (ms)', CODES.INVALID_ARGUMENT)
  }
  const update = source.updateSentinels ?? true
  if (typeof update !== 'boolean') throw invalid('updateSentinels must be a boolean')
  return {
    sentinels: sentinels.map((s, i) => address(s, `sentinels[${i}]`, DEFAULT_SENTINEL_PORT)),
    name,
    username: source.sentinelUsername || undefined,
    password: source.sentinelPassword || undefined,
    commandTimeout: timeout,
    natMap: natMapOf(source.natMap),
    updateSentinels: update
  }
}

module.exports = { SENTINEL_KEYS, normalizeSentinel }
