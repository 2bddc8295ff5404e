'use strict'
// Namespaces: `cache.namespace('users')` is a view whose keys live under
// 'users:' (nested: 'users:admins:'). Its `clear()` deletes every key of the
// namespace from L1 and from Redis, found with SCAN and a MATCH pattern in
// which the namespace is escaped (a name with * ? [ ] \ is matched
// literally); every other instance drops its L1 copies through Redis's
// invalidation messages, and the worker threads sharing this L1 see the
// deletions at once. A load of one of its keys in flight in this instance
// does not store its result.

const native = require('../../binding.js')
const { TierCacheTypeError, CODES } = require('../errors')
const { wellFormedKey } = require('../args')
const { answer } = require('../answer')
const store = require('./store')
const { stateOf } = require('./state')

const SCAN_COUNT = 500
const DELETE_BATCH = 500

/** `text` as a Redis glob that matches only itself. */
function escapeGlob (text) {
  return text.replace(/[*?[\]\\]/g, '\\$&')
}

function checkName (name) {
  if (typeof name !== 'string' || name.length === 0) {
    throw new TierCacheTypeError('namespace(name): name must be a non-empty string', CODES.INVALID_ARGUMENT)
  }
  // Part of every key and of clear()'s pattern: well-formed as keys must be.
  return wellFormedKey(name)
}

class Namespace {
  constructor (cache, prefix) {
    this.cache = cache
    /** What every key of this namespace starts with, e.g. 'users:'. */
    this.prefix = prefix
  }

  _key (key) {
    if (typeof key !== 'string' && typeof key !== 'number') {
      throw new TierCacheTypeError('a namespaced key must be a string or a number', CODES.INVALID_KEY)
    }
    return this.prefix + key
  }

  /** A namespace inside this one. */
  namespace (name) {
    return new Namespace(this.cache, `${this.prefix}${checkName(name)}:`)
  }

  // A refused key answers as the cache's own commands do (lib/answer.js):
  // a rejection, and the error to the callback (or to a function given
  // where the key goes), never a synchronous throw.

  get (key, callback) {
    let k
    try { k = this._key(key) } catch (err) { return refuse(err, [key, callback]) }
    return this.cache.get(k, callback)
  }

  set (key, value, ...rest) {
    let k
    try { k = this._key(key) } catch (err) { return refuse(err, [key, value, ...rest]) }
    return this.cache.set(k, value, ...rest)
  }

  del (...keys) {
    const callback = typeof keys[keys.length - 1] === 'function' ? keys.pop() : undefined
    let list
    try { list = keys.flat().map((k) => this._key(k)) } catch (err) { return refuse(err, [callback]) }
    return this.cache.del(list, callback)
  }

  mget (...keys) {
    const callback = typeof keys[keys.length - 1] === 'function' ? keys.pop() : undefined
    let list
    try { list = keys.flat().map((k) => this._key(k)) } catch (err) { return refuse(err, [callback]) }
    return this.cache.mget(list, callback)
  }

  getOrSet (key, loader, options) {
    return answer(undefined, () => this.cache.getOrSet(this._key(key), loader, options))
  }

  wrap (key, loader, options, refreshAhead) {
    return answer(undefined, () => this.cache.wrap(this._key(key), loader, options, refreshAhead))
  }

  writeThrough (key, value, writer, options) {
    return answer(undefined, () => this.cache.writeThrough(this._key(key), value, writer, options))
  }

  /** Deletes every key of the namespace, in both tiers. Resolves the count deleted. */
  clear () {
    return clearPrefix(this.cache, this.prefix)
  }
}

/** Rejects with `err`, also to the last of `list` when it is a function (the callback). */
function refuse (err, list) {
  let i = list.length - 1
  while (i > 0 && list[i] === undefined) i--
  return answer(typeof list[i] === 'function' ? list[i] : undefined, () => { throw err })
}

async function clearPrefix (cache, prefix) {
  const pattern = escapeGlob(prefix) + '*'
  const state = stateOf(cache)
  // Loads of these keys in flight must not store their results afterwards.
  const writing = []
  for (const key of state.loads.keys()) {
    if (key.startsWith(prefix)) {
      state.beginWrite(key)
      writing.push(key)
    }
  }
  let deleted = 0
  try {
    // L1 first (all of it, also what Redis may not have), then Redis.
    let cursor = '0'
    do {
      const [next, keys] = native.scan(cache._h, cursor, pattern, SCAN_COUNT)
      cursor = next
      if (keys.length > 0) {
        for (const k of keys) cache._forget(k)
        deleted += native.del(cache._h, keys)
      }
    } while (cursor !== '0')
    if (cache._remote !== null) {
      deleted = 0
      cursor = '0'
      do {
        const [next, keys] = await cache.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT)
        cursor = next
        for (let i = 0; i < keys.length; i += DELETE_BATCH) {
          deleted += await store.del(cache, keys.slice(i, i + DELETE_BATCH))
        }
      } while (cursor !== '0')
    }
  } finally {
    for (const key of writing) state.endWrite(key)
  }
  return deleted
}

module.exports = { Namespace, escapeGlob, checkName, clearPrefix }
