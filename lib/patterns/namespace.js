'use strict'
// Namespaces: `cache.namespace('users')` is a view whose keys live under
// 'users:' (nested: 'users:admins:'). Its `clear()` deletes every key of the
// namespace from L1 and from Redis, found with SCAN and a MATCH pattern in
// which the namespace is escaped (a name with * ? [ ] \ is matched
// literally); every other instance drops its L1 copies through Redis's
// invalidation messages, and the worker threads sharing this L1 see the
// deletions at once. A load of one of its keys in flight in this instance
// does not store its result. L1 is walked in slices of bounded work with the
// event loop free between them. A prefix whose pattern would pass the
// pattern limit is matched by its longest head that fits, and the keys
// found are filtered by the whole prefix.

const native = require('../../binding.js')
const { TierCacheTypeError, CODES } = require('../errors')
const { wellFormedKey, MAX_PATTERN_BYTES, escapeGlob } = require('../args')
const { answer } = require('../answer')
const store = require('./store')
const { stateOf } = require('./state')

const SCAN_COUNT = 500
const DELETE_BATCH = 500


/**
 * The SCAN MATCH pattern of the keys that start with `prefix`: the escaped
 * prefix and `*`, or, when that would pass MAX_PATTERN_BYTES, the longest
 * head of the prefix that fits (`exact` false: the caller filters).
 */
function prefixPattern (prefix) {
  // A UTF-16 unit is at most 3 UTF-8 bytes, and escaped at most 2 (ASCII).
  if (prefix.length * 3 + 1 <= MAX_PATTERN_BYTES) return { pattern: escapeGlob(prefix) + '*', exact: true }
  let head = ''
  let bytes = 1
  for (const ch of prefix) {
    const escaped = escapeGlob(ch)
    bytes += Buffer.byteLength(escaped)
    if (bytes > MAX_PATTERN_BYTES) return { pattern: head + '*', exact: false }
    head += escaped
  }
  return { pattern: head + '*', exact: true }
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
    // Without a callback, none is passed: `del([keys], undefined)` would read
    // the undefined as a key of the list form, and refuse it.
    return callback === undefined ? this.cache.del(list) : this.cache.del(list, callback)
  }

  mget (...keys) {
    const callback = typeof keys[keys.length - 1] === 'function' ? keys.pop() : undefined
    let list
    try { list = keys.flat().map((k) => this._key(k)) } catch (err) { return refuse(err, [callback]) }
    return callback === undefined ? this.cache.mget(list) : this.cache.mget(list, callback)
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
  const { pattern, exact } = prefixPattern(prefix)
  const under = exact ? (keys) => keys : (keys) => keys.filter((k) => k.startsWith(prefix))
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
    for (;;) {
      const [next, found] = native.scan(cache._h, cursor, pattern, SCAN_COUNT)
      const keys = under(found)
      cursor = next
      if (keys.length > 0) {
        for (const k of keys) cache._forget(k)
        deleted += native.del(cache._h, keys)
      }
      if (cursor === '0') break
      await new Promise((resolve) => setImmediate(resolve))
    }
    if (cache._remote !== null) {
      deleted = 0
      cursor = '0'
      do {
        const [next, found] = await cache._scanPage(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT)
        const keys = under(found)
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
