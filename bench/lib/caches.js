'use strict'
// The caches under test, constructed the same way in every scenario. All of
// them are configured WITHOUT a TTL so that they do the same work: tiercache
// has none by default, lru-cache and node-cache (stdTTL 0) neither, and
// @isaacs/ttlcache gets ttl: Infinity (with a finite TTL it also files every
// key in a per-millisecond expiry bucket, another workload).

const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')

const TierCache = require('../..')
const { LRUCache } = require('lru-cache')
const { TTLCache } = require('@isaacs/ttlcache')
const NodeCache = require('node-cache')

const { versionOf } = require('./peers')

const ROOT = path.join(__dirname, '..', '..')

/**
 * Which native build is on disk: "file, sha256 prefix, build time". The
 * addon is rebuilt as the code moves, and numbers only mean something next
 * to the build that produced them.
 */
function addonIdentity () {
  const file = fs.readdirSync(ROOT).find((f) => /^tiercache\..*\.node$/.test(f))
  if (file === undefined) return 'no prebuilt addon found'
  const full = path.join(ROOT, file)
  const sha = crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex').slice(0, 12)
  return `${file} sha256 ${sha}… built ${fs.statSync(full).mtime.toISOString()}`
}

// Taken right after the require above loaded the addon into this process.
const LOADED_ADDON = addonIdentity()

function tiercache (options) {
  return new TierCache(options)
}

function lruCache (max) {
  return new LRUCache({ max })
}

function ttlCache (max) {
  return new TTLCache({ max, ttl: Infinity })
}

/**
 * node-cache with its defaults except the expiry sweep, which has nothing to
 * sweep here. Note its default useClones: true: objects are deep-cloned on
 * set and on get (strings are returned as they are).
 */
function nodeCache () {
  return new NodeCache({ stdTTL: 0, checkperiod: 0 })
}

/** "name@version" of each library, for the results header. */
function versions () {
  return {
    tiercache: require(path.join(ROOT, 'package.json')).version,
    'lru-cache': versionOf('lru-cache', '?'),
    '@isaacs/ttlcache': versionOf('@isaacs/ttlcache', '?'),
    'node-cache': versionOf('node-cache', '?'),
    mitata: versionOf('mitata', '?')
  }
}

module.exports = { TierCache, tiercache, lruCache, ttlCache, nodeCache, versions, addonIdentity, LOADED_ADDON, ROOT }
