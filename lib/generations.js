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
  constructor (epochBuffer, ttlBuffer, maxEntries) {
    this.epoch = new Uint32Array(epochBuffer)
    this.lastTtl = new Float64Array(ttlBuffer)
    this.seen = this.epoch[0]
    this.generationSize = Math.max(1, maxEntries)
    this.young = new Map()
    this.old = new Map()
    /** Hits answered here and not yet added to the native statistics. */
    this.pendingHits = 0
  }

  _add (key, entry) {
    if (this.young.size >= this.generationSize) {
      this.old = this.young
      this.young = new Map()
    }
    this.young.set(key, entry)
  }

  forget (key) {
    this.young.delete(key)
    this.old.delete(key)
  }

  clear () {
    if (this.young.size > 0) this.young = new Map()
    if (this.old.size > 0) this.old = new Map()
  }

  takeHits () {
    const n = this.pendingHits
    this.pendingHits = 0
    return n
  }
}

module.exports = { Generations }
