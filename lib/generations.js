'use strict'
// What the per-thread fronts (lib/front.js for values, lib/reply-front.js
// for cached replies) share: entries per key in two generations of at most
// `maxEntries` each, kept true to the shared native store by its epoch, and
// the hits not yet added to the native statistics.
//
// New entries go to the young Map; when it is full it becomes the old one
// and the previous old one is dropped whole; a hit in the old generation
// moves the entry back to the young one (the subclass's get does it with
// `_add`). Every step is O(1): evicting one by one from a Map's head costs
// O(size) in V8, whose iterators walk over deleted slots.

class Generations {
  /**
   * @param {ArrayBuffer} epochBuffer u32 epoch of this instance (native memory)
   * @param {ArrayBuffer} ttlBuffer f64 remaining ms of the last native read
   * @param {number} maxEntries keys per generation
   */
  constructor (epochBuffer, ttlBuffer, maxEntries, maxWeight = Infinity) {
    this.epoch = new Uint32Array(epochBuffer)
    this.lastTtl = new Float64Array(ttlBuffer)
    this.seen = this.epoch[0]
    this.generationSize = Math.max(1, maxEntries)
    // A front whose entries vary in size (the reply front) also bounds a
    // generation by their summed weight (estimated bytes): half the total each.
    this.generationWeight = maxWeight / 2
    this.youngWeight = 0
    this.young = new Map()
    this.old = new Map()
    /** Hits answered here and not yet added to the native statistics. */
    this.pendingHits = 0
  }

  /** Puts `entry` in the young generation; `weight` counts toward its bound. */
  _add (key, entry, weight = 0) {
    if (this.young.size >= this.generationSize || this.youngWeight >= this.generationWeight) this._rotate()
    this.young.set(key, entry)
    this.youngWeight += weight
  }

  /** More weight for an entry already in the young generation. */
  _grow (weight) {
    this.youngWeight += weight
    if (this.youngWeight >= this.generationWeight) this._rotate()
  }

  _rotate () {
    this.old = this.young
    this.young = new Map()
    this.youngWeight = 0
  }

  forget (key) {
    this.young.delete(key)
    this.old.delete(key)
  }

  clear () {
    if (this.young.size > 0) this.young = new Map()
    if (this.old.size > 0) this.old = new Map()
    this.youngWeight = 0
  }

  takeHits () {
    const n = this.pendingHits
    this.pendingHits = 0
    return n
  }
}

module.exports = { Generations }
