'use strict'
// getOrSet's options, checked once per call with the same errors as the
// commands (TypeError / RangeError with a stable code).

const { shown } = require('../args')
const { TierCacheTypeError, TierCacheRangeError, CODES } = require('../errors')
const tags = require('./tags')

const DEFAULT_LEASE_MS = 10_000

const NAMES = new Set(['ttl', 'grace', 'softTimeout', 'hardTimeout', 'lock', 'cacheNull', 'cacheErrors', 'tags', 'refreshAhead'])

function ms (value, name, { zero = false } = {}) {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < (zero ? 0 : 1)) {
    throw new TierCacheRangeError(`${name} must be a ${zero ? 'non-negative' : 'positive'} integer number of ms, got ${shown(value)}`, CODES.INVALID_ARGUMENT)
  }
  return value
}

function lockOption (value, hardTimeout) {
  if (value === undefined || value === false) return null
  const lease = hardTimeout ?? DEFAULT_LEASE_MS
  if (value === true) return { lease, wait: lease }
  if (value === null || typeof value !== 'object') throw new TierCacheTypeError('lock must be a boolean or { lease, wait }', CODES.INVALID_ARGUMENT)
  for (const k of Object.keys(value)) {
    if (k !== 'lease' && k !== 'wait') throw new TierCacheTypeError(`unknown lock option ${JSON.stringify(k)}`, CODES.INVALID_ARGUMENT)
  }
  const l = ms(value.lease, 'lock.lease') ?? lease
  return { lease: l, wait: ms(value.wait, 'lock.wait', { zero: true }) ?? l }
}

function refreshOption (value) {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value) || (value >= 1 && !Number.isSafeInteger(value))) {
    throw new TierCacheRangeError(`refreshAhead must be a ratio in (0, 1) or a positive integer of ms, got ${shown(value)}`, CODES.INVALID_ARGUMENT)
  }
  return value
}

/**
 * The resolved options of one getOrSet call. `ttl` falls back to the
 * cache's default TTL; without either, values do not expire.
 */
function resolve (cache, options, where = 'getOrSet') {
  if (options === undefined || options === null) options = {}
  else if (typeof options === 'number') options = { ttl: options }
  else if (typeof options !== 'object') throw new TierCacheTypeError(`${where}: options must be an object or a ttl in ms`, CODES.INVALID_ARGUMENT)
  for (const k of Object.keys(options)) {
    if (!NAMES.has(k)) throw new TierCacheTypeError(`${where}: unknown option ${JSON.stringify(k)}`, CODES.INVALID_ARGUMENT)
  }
  const hardTimeout = ms(options.hardTimeout, 'hardTimeout')
  let cacheNull = options.cacheNull
  if (cacheNull === undefined || cacheNull === false) cacheNull = false
  else if (cacheNull !== true) cacheNull = ms(cacheNull, 'cacheNull')
  const o = {
    ttl: ms(options.ttl, 'ttl') ?? cache.options.ttl,
    grace: ms(options.grace, 'grace', { zero: true }) ?? 0,
    softTimeout: ms(options.softTimeout, 'softTimeout', { zero: true }) ?? 0,
    hardTimeout,
    lock: lockOption(options.lock, hardTimeout),
    cacheNull,
    cacheErrors: ms(options.cacheErrors, 'cacheErrors'),
    tags: tags.checkTags(options.tags, where),
    refreshAhead: refreshOption(options.refreshAhead)
  }
  if (o.grace > 0 && o.ttl === undefined) {
    throw new TierCacheRangeError(`${where}: grace needs a ttl (a value that never goes stale has no grace period)`, CODES.INVALID_ARGUMENT)
  }
  return o
}

module.exports = { resolve, ms }
