'use strict'
// The cache patterns as methods of TierCache: getOrSet / wrap (cache-aside,
// refresh-ahead), writeThrough, writeBehind, tags and namespaces. Each
// concept lives in its own file beside this one.

const { SetTtl, WriteIf } = require('../../binding.js')
const args = require('../args')
const { answer } = require('../answer')
const { TierCacheTypeError, CODES, fromNative } = require('../errors')
const envelope = require('./envelope')
const store = require('./store')
const tags = require('./tags')
const { getOrSet } = require('./get-or-set')
const { writeThrough } = require('./write-through')
const { WriteBehind } = require('./write-behind')
const { Namespace, checkName } = require('./namespace')
const { stateOf } = require('./state')

/**
 * SET with tags: `set(key, value, { tags, EX | PX | EXAT | PXAT, NX | XX })`.
 * The value is stored with the generations of its tags (see tags.js).
 */
async function setTagged (cache, key, value, options) {
  key = args.toKey(key)
  const { tags: tagList, ...rest } = options
  const list = tags.checkTags(tagList, 'set')
  const o = Object.keys(rest).length === 0 ? null : args.parseSetOptions([rest])
  if (o !== null && (o.get || o.mode === SetTtl.Keep)) {
    throw new TierCacheTypeError('set with tags takes EX, PX, EXAT, PXAT, NX or XX (not GET or KEEPTTL)', CODES.OPTION_CONFLICT)
  }
  // Refuse an unencodable value before any generation is read.
  envelope.encode(cache._codec, value, 0, 0, null)
  const gens = list === null ? null : await tags.snapshot(cache, list)
  let ttl = cache.options.ttl
  if (o !== null && o.mode === SetTtl.In) ttl = o.ms
  if (o !== null && o.mode === SetTtl.At) ttl = Math.max(1, o.ms - Date.now())
  const stored = await store.writeEntry(cache, key, value, { ttl, gens, condition: o === null ? WriteIf.Always : o.condition })
  return stored ? 'OK' : null
}

/**
 * What `get` answers for a pattern entry (kind META_*): its value while it
 * is fresh and its tags are current, else null (an entry whose tags were
 * invalidated is deleted). A promise when a tag generation must come from
 * Redis.
 */
function plainGet (cache, key, reply) {
  const env = envelope.decode(reply[0], reply[1], cache._codec)
  if (env.type === 'e' || env.isStale(Date.now())) return null
  if (env.tags === null) return env.value
  const ok = tags.valid(cache, env.tags)
  const settle = (valid) => {
    if (valid) return env.value
    dropQuietly(cache, key)
    return null
  }
  return ok === true || ok === false ? settle(ok) : ok.then(settle)
}

function dropQuietly (cache, key) {
  try {
    const r = store.del(cache, [key])
    if (r instanceof Promise) r.catch(() => {})
  } catch {}
}

/**
 * `set(key, value, { tags, … }[, callback])`: a SET that carries tags goes
 * through setTagged; anything else to the command itself.
 */
function wrapSet (TierCache) {
  const baseSet = TierCache.prototype.set
  Object.defineProperty(TierCache.prototype, 'set', {
    value: function set (key, value, ...rest) {
      const o = rest[0]
      let tagged
      try {
        tagged = o !== null && typeof o === 'object' && Object.prototype.hasOwnProperty.call(o, 'tags')
      } catch (err) {
        // A Proxy whose traps throw: refused as the command would refuse it, never by a throw.
        return answer(typeof rest[rest.length - 1] === 'function' ? rest[rest.length - 1] : undefined, () => { throw err })
      }
      if (!tagged || (rest.length > 1 && (rest.length > 2 || (rest[1] !== undefined && typeof rest[1] !== 'function')))) {
        return baseSet.call(this, key, value, ...rest)
      }
      return answer(rest[1], () => setTagged(this, key, value, o).catch((err) => { throw fromNative(err) }))
    },
    writable: true,
    configurable: true
  })
}

const methods = {
  /**
   * Cache-aside: the cached value of `key`, else `loader(ctx)`'s result,
   * cached. Options: ttl, grace, softTimeout, hardTimeout, lock, cacheNull,
   * cacheErrors, tags, refreshAhead (docs/patterns.md).
   */
  getOrSet (key, loader, options) {
    return answer(undefined, () => getOrSet(this, key, loader, options))
  },

  /**
   * cache-manager's spelling: wrap(key, fn, ttl?, refreshThreshold?), or
   * wrap(key, fn, options) as getOrSet.
   */
  wrap (key, loader, options, refreshThreshold) {
    return answer(undefined, () => {
      let o = options
      if (refreshThreshold !== undefined) {
        if (typeof o === 'number') o = { ttl: o }
        else if (o === undefined || o === null) o = {}
        o = { ...o, refreshAhead: refreshThreshold }
      }
      return getOrSet(this, key, loader, o)
    })
  },

  /** Writes the source with `writer(value, key)` and the cache together. */
  writeThrough (key, value, writer, options) {
    return answer(undefined, () => writeThrough(this, key, value, writer, options))
  },

  /** A write-behind queue over this cache (see write-behind.js). */
  writeBehind (options) {
    try {
      return new WriteBehind(this, options)
    } catch (err) {
      throw fromNative(err)
    }
  },

  /** Every entry tagged with one of `tagList` is gone, in every instance. Resolves the number of tags. */
  invalidateTags (tagList) {
    return answer(undefined, () => {
      const list = tags.checkTags(tagList, 'invalidateTags')
      return list === null ? 0 : tags.invalidate(this, list)
    })
  },

  /** Express response-cache middleware (lib/express/response-cache.js). */
  middleware (options) {
    try {
      return require('../express/response-cache').middleware(this, options)
    } catch (err) {
      throw fromNative(err)
    }
  },

  /** A view of the keys under `${name}:` with its own clear(). */
  namespace (name) {
    return new Namespace(this, `${checkName(name)}:`)
  },

  /** Redis told us `key` changed (null: everything): wake lease waiters. */
  _onInvalidate (key) {
    if (this._patterns) this._patterns.wake(key)
  },

  /** Whether the patterns need Redis's invalidations reported to JS. */
  _patternsWatch () {
    return this._patterns ? this._patterns.waiterCount > 0 : false
  },

  _patternStats () {
    return { ...stateOf(this).counters }
  }
}

function install (TierCache) {
  for (const [name, fn] of Object.entries(methods)) {
    Object.defineProperty(TierCache.prototype, name, { value: fn, writable: true, configurable: true })
  }
  wrapSet(TierCache)
}

module.exports = { install, plainGet }
