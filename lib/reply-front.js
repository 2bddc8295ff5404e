'use strict'
// The per-thread front of cached replies: what the generic path's cacheable
// reads (HGETALL, SMEMBERS, ZRANGE, LRANGE, …) last returned, already in
// ioredis's shapes, answered without a call into the addon. The shared
// store's entry of the key (src/core/tier/reply_cache.rs) is the truth:
// this front is filled only from a synchronous read of it, and stays true
// to it exactly as the string front (lib/front.js) does: the store's epoch
// drops it whole when anything else changed the store, and this instance's
// writes drop the key here (`forget`, through `TierCache#_forget`).
//
// Per key, a Map of the replies of its reads (subkey: the command and its
// other arguments); bounded like the string front by two generations of at
// most maxEntries keys, and at most MAX_READS_PER_KEY replies per key.
// Replies are mutable (arrays, objects, Buffers): every hit hands out a
// copy, so a caller changing its reply never changes the next one.

const { MISS } = require('./front')
const { Generations } = require('./generations')

const MAX_READS_PER_KEY = 64

/** A deep copy of a reply: arrays, plain objects (HGETALL's) and Buffers. */
function copyReply (v) {
  if (typeof v !== 'object' || v === null) return v
  if (Array.isArray(v)) {
    const out = new Array(v.length)
    for (let i = 0; i < v.length; i++) out[i] = copyReply(v[i])
    return out
  }
  if (Buffer.isBuffer(v)) return Buffer.from(v)
  const out = {}
  for (const k of Object.keys(v)) {
    // As hgetallReply: a field named `__proto__` stays an own property.
    if (k in out) Object.defineProperty(out, k, { value: copyReply(v[k]), configurable: true, enumerable: true, writable: true })
    else out[k] = copyReply(v[k])
  }
  return out
}

// How a hit copies a reply, decided once at fill: most replies are a flat
// array of strings or numbers (a slice copies them) or HGETALL's object of
// strings (a spread copies it; `__proto__` stays an own property).
const PRIMITIVE = 0
const FLAT_ARRAY = 1
const FLAT_OBJECT = 2
const DEEP = 3

const isPrimitive = (x) => typeof x !== 'object' || x === null

function shapeOf (v) {
  if (isPrimitive(v)) return PRIMITIVE
  if (Array.isArray(v)) return v.every(isPrimitive) ? FLAT_ARRAY : DEEP
  if (Buffer.isBuffer(v) || Object.getPrototypeOf(v) !== Object.prototype) return DEEP
  return Object.values(v).every(isPrimitive) ? FLAT_OBJECT : DEEP
}

function copyOf (e) {
  switch (e.shape) {
    case PRIMITIVE: return e.value
    case FLAT_ARRAY: return e.value.slice()
    case FLAT_OBJECT: return { ...e.value }
    default: return copyReply(e.value)
  }
}

class ReplyFront extends Generations {
  /** A copy of the reply cached for (`key`, `sub`), or MISS. */
  get (key, sub) {
    if (this.epoch[0] !== this.seen) {
      this.clear()
      this.seen = this.epoch[0]
      return MISS
    }
    let reads = this.young.get(key)
    if (reads === undefined) {
      reads = this.old.get(key)
      if (reads === undefined) return MISS
      this.old.delete(key)
      this._add(key, reads)
    }
    const e = reads.get(sub)
    if (e === undefined) return MISS
    if (e.deadline !== 0 && e.deadline <= Date.now()) {
      reads.delete(sub)
      return MISS
    }
    this.pendingHits++
    return copyOf(e)
  }

  /**
   * Remembers `value`, which a native read of the store just returned with
   * the TTL it left in the last-TTL slot, unless the store changed since
   * `epochBefore`. Keeps `value` itself: the caller gets a copy.
   */
  fill (key, sub, value, epochBefore) {
    if (this.epoch[0] !== epochBefore || epochBefore !== this.seen) return
    const ttl = this.lastTtl[0]
    let reads = this.young.get(key)
    if (reads === undefined) {
      reads = this.old.get(key)
      if (reads !== undefined) this.old.delete(key)
      else reads = new Map()
      this._add(key, reads)
    }
    if (reads.size >= MAX_READS_PER_KEY && !reads.has(sub)) reads.clear()
    reads.set(sub, { value, shape: shapeOf(value), deadline: ttl < 0 ? 0 : Date.now() + ttl })
  }
}

module.exports = { ReplyFront, copyReply }
