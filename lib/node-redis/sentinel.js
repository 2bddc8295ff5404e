'use strict'
// node-redis v5's createSentinel({ name, sentinelRootNodes, nodeClientOptions,
// sentinelClientOptions, … }) as createClient options in ioredis's Sentinel
// shape (lib/sentinel-options.js): the client follows the primary the
// sentinels name; replicas are not read from.

const { TierCacheTypeError, CODES } = require('../errors')

// node-redis's options that change nothing here, and why (docs/node-redis.md).
const NO_EFFECT = new Set([
  'masterPoolSize', // commands share one multiplexed connection
  'scanInterval', // +switch-master is followed as it happens
  'maxCommandRediscovers', // a command during a failover waits within commandTimeout
  'passthroughClientErrorEvents', // errors are the client's 'error' events
  'reserveClient' // WATCH runs on a connection of the client's own
])
const KNOWN = new Set(['name', 'sentinelRootNodes', 'nodeClientOptions', 'sentinelClientOptions', 'nodeAddressMap', 'replicaPoolSize', ...NO_EFFECT])

function isPlainObject (v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** createSentinel's options as createClient's. */
function sentinelClientOptions (options) {
  if (!isPlainObject(options)) throw new TierCacheTypeError('createSentinel(options): options must be an object', CODES.INVALID_ARGUMENT)
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new TierCacheTypeError(`unknown createSentinel option ${JSON.stringify(key)}`, CODES.INVALID_ARGUMENT)
  }
  if (options.replicaPoolSize !== undefined && options.replicaPoolSize !== 0) {
    throw new TierCacheTypeError('createSentinel: replicaPoolSize must be 0 (replica reads are not supported)', CODES.UNSUPPORTED)
  }
  const node = options.nodeClientOptions ?? {}
  const sentinel = options.sentinelClientOptions ?? {}
  for (const [what, given] of [['nodeClientOptions', node], ['sentinelClientOptions', sentinel]]) {
    if (!isPlainObject(given)) throw new TierCacheTypeError(`createSentinel: ${what} must be an object`, CODES.INVALID_ARGUMENT)
  }
  for (const key of Object.keys(sentinel)) {
    if (key !== 'username' && key !== 'password') {
      throw new TierCacheTypeError(`createSentinel: sentinelClientOptions.${key} is not supported (username and password are)`, CODES.UNSUPPORTED)
    }
  }
  if (typeof options.nodeAddressMap === 'function') {
    throw new TierCacheTypeError('createSentinel: nodeAddressMap as a function is not supported: give an object { "ip:port": { host, port } }', CODES.UNSUPPORTED)
  }
  return {
    ...node,
    name: options.name,
    sentinels: options.sentinelRootNodes,
    sentinelUsername: sentinel.username,
    sentinelPassword: sentinel.password,
    natMap: options.nodeAddressMap
  }
}

module.exports = { sentinelClientOptions }
