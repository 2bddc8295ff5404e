'use strict'
// node-redis's own createClient options (those ioredis has no name for),
// taken out before the rest goes to TierCache's constructor:
//
//   RESP             2 or 3. Accepted: the flavour answers in the shapes
//                    docs/node-redis.md gives either way (the addon reads
//                    RESP3 from Redis and converts), so node-redis's
//                    `RESP: 3, clientSideCache` recipe runs unchanged.
//   clientSideCache  node-redis's client-side cache config. tiercache is
//                    one (L1 kept coherent by CLIENT TRACKING, always on
//                    with Redis): `ttl` (ms, 0 = none) and `maxEntries`
//                    (0 = unlimited) become L1's `ttl` / `maxEntries` unless
//                    those are given; `evictPolicy` ('LRU' / 'FIFO') is
//                    accepted without effect (L1 evicts by W-TinyLFU). A
//                    cache instance (BasicClientSideCache) is refused: its
//                    methods would never be called.

const { TierCacheTypeError, TierCacheRangeError, CODES } = require('../errors')

const RESP_VERSIONS = new Set([2, 3])
const EVICT_POLICIES = new Set(['LRU', 'FIFO'])
const CACHE_CONFIG_KEYS = new Set(['ttl', 'maxEntries', 'evictPolicy', 'recordStats'])

/** A non-negative integer of clientSideCache, with 0 meaning "none" (undefined). */
function zeroIsNone (config, name) {
  const v = config[name]
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new TierCacheRangeError(`options.clientSideCache.${name} must be a non-negative integer`, CODES.INVALID_ARGUMENT)
  }
  return v === 0 ? undefined : v
}

function cacheOptions (config) {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new TierCacheTypeError('options.clientSideCache must be an object ({ ttl, maxEntries, evictPolicy })', CODES.INVALID_ARGUMENT)
  }
  if (Object.getPrototypeOf(config) !== Object.prototype && Object.getPrototypeOf(config) !== null) {
    throw new TierCacheTypeError('options.clientSideCache: a cache instance is not supported (tiercache\'s L1 is the client-side cache); give its config ({ ttl, maxEntries })', CODES.UNSUPPORTED)
  }
  for (const key of Object.keys(config)) {
    if (!CACHE_CONFIG_KEYS.has(key)) throw new TierCacheTypeError(`unknown option clientSideCache.${key}`, CODES.INVALID_ARGUMENT)
  }
  if (config.evictPolicy !== undefined && !EVICT_POLICIES.has(config.evictPolicy)) {
    throw new TierCacheTypeError('options.clientSideCache.evictPolicy must be "LRU" or "FIFO"', CODES.INVALID_ARGUMENT)
  }
  if (config.recordStats !== undefined && typeof config.recordStats !== 'boolean') {
    throw new TierCacheTypeError('options.clientSideCache.recordStats must be a boolean', CODES.INVALID_ARGUMENT)
  }
  return { ttl: zeroIsNone(config, 'ttl'), maxEntries: zeroIsNone(config, 'maxEntries') }
}

/** createClient's options with node-redis's own taken out (and mapped onto tiercache's). */
function takeNodeRedisOptions (options) {
  const { RESP, clientSideCache, ...rest } = options
  if (RESP !== undefined && !RESP_VERSIONS.has(RESP)) {
    throw new TierCacheRangeError('options.RESP must be 2 or 3', CODES.INVALID_ARGUMENT)
  }
  if (clientSideCache === undefined) return rest
  const cache = cacheOptions(clientSideCache)
  return { ...rest, ttl: rest.ttl ?? cache.ttl, maxEntries: rest.maxEntries ?? cache.maxEntries }
}

module.exports = { takeNodeRedisOptions }
