'use strict'
// The storage steps the patterns are made of, the same for a cache with L1
// alone and one with a Redis tier: read an entry (L1, else Redis, which
// backfills L1), write one (Redis decides, L1 follows), delete, and the
// Redis lease that getOrSet's `lock` takes. Reads and writes may return a
// value or a promise: L1-only work stays synchronous, so a hit costs no
// microtask beyond the caller's own.

const native = require('../../binding.js')
const codecs = require('../codec')
const envelope = require('./envelope')

/** A value set by the plain commands (no pattern metadata). */
class Plain {
  constructor (value) {
    this.value = value
  }
}

function fromReply (reply, codec) {
  if (reply === null) return null
  if (typeof reply === 'string') return new Plain(reply)
  if (envelope.isMeta(reply[0])) return envelope.decode(reply[0], reply[1], codec)
  return new Plain(codecs.decodeTagged(reply, codec))
}

/** L1's entry for `key`: an Envelope, a Plain, or null. Synchronous. */
function readLocal (cache, key) {
  return fromReply(native.get(cache._h, key), cache._codec)
}

/** The entry from L1, else from Redis (backfilling L1). Value or promise. */
function read (cache, key) {
  const local = readLocal(cache, key)
  if (local !== null || cache._remote === null) return local
  return cache._remote.get(key, false, true, (reply) => fromReply(reply, cache._codec), () => null)
}

/**
 * Stores [payload, kind] under `key` for `ttlMs` (undefined: no expiry).
 * With a Redis tier it resolves once Redis has it; in offlineMode 'local'
 * an unreachable Redis leaves the value in L1 alone.
 */
function write (cache, key, payload, kind, ttlMs, condition = native.WriteIf.Always) {
  // No TTL: DEFAULT, which is "none" here (callers resolve the cache's default ttl first).
  const mode = ttlMs === undefined ? native.SetTtl.Default : native.SetTtl.In
  const ms = ttlMs === undefined ? 0 : ttlMs
  cache._forget(key)
  if (cache._remote === null) {
    return native.set(cache._h, key, payload, kind, mode, ms, condition, false)
  }
  const remote = cache._remote
  return remote.call(
    (id) => native.tierSet(remote.handle, id, key, payload, kind, mode, ms, condition, false),
    undefined,
    () => native.set(cache._h, key, payload, kind, mode, ms, condition, false)
  )
}

/**
 * Stores `value` as a pattern entry (see envelope.js): fresh for `ttl` ms
 * (undefined: never stale), kept `grace` ms longer, with the tag
 * generations `gens` (null: untagged). Value or promise, as `write`.
 */
function writeEntry (cache, key, value, { ttl, grace = 0, gens = null, type, condition } = {}) {
  const now = Date.now()
  const [payload, kind] = envelope.encode(cache._codec, value, ttl === undefined ? 0 : now + ttl, now, gens, type)
  return write(cache, key, payload, kind, ttl === undefined ? undefined : ttl + grace, condition)
}

/** Deletes `keys` from both tiers. Value or promise (the count). */
function del (cache, keys) {
  for (const k of keys) cache._forget(k)
  if (cache._remote === null) return native.del(cache._h, keys)
  const remote = cache._remote
  return remote.call(
    (id) => native.tierKeysCommand(remote.handle, id, native.KeysCommand.Del, keys),
    undefined,
    () => native.del(cache._h, keys)
  )
}


/**
 * A lease command on `key` in Redis (never cached in L1). Acquire resolves
 * -3 when taken, else the holder's remaining ms; release and extend resolve
 * 1 when `token` held it.
 */
function lease (cache, action, key, token, ms) {
  const remote = cache._remote
  return remote.call((id) => native.tierLease(remote.handle, id, action, key, token, ms))
}

module.exports = { Plain, fromReply, read, write, writeEntry, del, lease }
