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
// most maxEntries keys, and at most MAX_READS_PER_KEY replies per key. As
// replies range from one field to a whole hash, the generations are also
// bounded by the replies' estimated bytes (MAX_FRONT_BYTES in all), and a
// reply over MAX_REPLY_BYTES is never kept here: it is answered from the
// shared store (an L1 hit still, one call into the addon).
// Replies are mutable (arrays, objects, Buffers): every hit hands out a
// copy, so a caller changing its reply never changes the next one.

const { MISS } = require('./front')
const { Generations } = require('./generations')

const MAX_READS_PER_KEY = 64
/** The estimated bytes of replies one front keeps (per instance, per thread). */
const MAX_FRONT_BYTES = 8 * 1024 * 1024
/** A reply estimated larger than this is not kept in the front. */
const MAX_REPLY_BYTES = 256 * 1024
// What a reply costs beyond its strings' bytes, per element (estimate).
const ELEMENT_BYTES = 16

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

/**
 * The estimated bytes a reply holds: its strings' and Buffers' lengths plus
 * ELEMENT_BYTES per element; stops counting once past `limit`.
 */
function weightOf (v, limit) {
  if (typeof v === 'string') return v.length + ELEMENT_BYTES
  if (typeof v !== 'object' || v === null) return ELEMENT_BYTES
  if (Buffer.isBuffer(v)) return v.length + ELEMENT_BYTES
  let total = ELEMENT_BYTES
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length && total <= limit; i++) total += weightOf(v[i], limit)
    return total
  }
  for (const k of Object.keys(v)) {
    total += k.length + weightOf(v[k], limit)
    if (total > limit) break
  }
  return total
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
  /**
   * @param {ArrayBuffer} epochBuffer as Generations
   * @param {ArrayBuffer} ttlBuffer as Generations
   * @param {number} maxEntries keys per generation
   * @param {number} [maxBytes] estimated bytes of all the replies kept
   */
  constructor (epochBuffer, ttlBuffer, maxEntries, maxBytes = MAX_FRONT_BYTES) {
    super(epochBuffer, ttlBuffer, maxEntries, maxBytes)
    this.maxReplyBytes = Math.min(MAX_REPLY_BYTES, maxBytes / 16)
  }

  /** The estimated bytes of the replies the young and old generations hold. */
  weight () {
    let total = 0
    for (const gen of [this.young, this.old]) for (const reads of gen.values()) total += reads.weight
    return total
  }

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
      this._add(key, reads, reads.weight)
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
    const weight = weightOf(value, this.maxReplyBytes) + sub.length
    if (weight > this.maxReplyBytes) return
    let reads = this.young.get(key)
    if (reads === undefined) {
      reads = this.old.get(key)
      if (reads !== undefined) this.old.delete(key)
      else {
        reads = new Map()
        reads.weight = 0
      }
      this._add(key, reads, reads.weight)
    }
    if (reads.size >= MAX_READS_PER_KEY && !reads.has(sub)) {
      this._grow(-reads.weight)
      reads.clear()
      reads.weight = 0
    }
    const previous = reads.get(sub)
    if (previous !== undefined) reads.weight -= previous.weight
    reads.set(sub, { value, shape: shapeOf(value), deadline: ttl < 0 ? 0 : Date.now() + ttl, weight })
    reads.weight += weight
    this._grow(previous === undefined ? weight : weight - previous.weight)
  }
}

module.exports = { ReplyFront, copyReply, MAX_FRONT_BYTES, MAX_REPLY_BYTES }
