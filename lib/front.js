'use strict'
// The per-thread front: decoded values of recently read keys, answered
// without a call into the addon. It stays true to the shared native store
// through an epoch the store bumps (in memory this thread reads directly)
// whenever another instance, another thread, eviction or expiry changed
// anything; on a bump the whole front is dropped. Writes made through this
// instance update the front themselves and do not bump it.

const MISS = Symbol('front miss')

class Front {
  /**
   * @param {ArrayBuffer} epochBuffer u32 epoch of this instance (native memory)
   * @param {ArrayBuffer} ttlBuffer f64 remaining ms of the last native get
   * @param {number} maxEntries
   */
  constructor (epochBuffer, ttlBuffer, maxEntries) {
    this.epoch = new Uint32Array(epochBuffer)
    this.lastTtl = new Float64Array(ttlBuffer)
    this.seen = this.epoch[0]
    this.max = maxEntries
    this.map = new Map()
    /** Hits answered here and not yet added to the native statistics. */
    this.pendingHits = 0
  }

  /** The cached value of `key`, or MISS. */
  get (key) {
    if (this.epoch[0] !== this.seen) {
      this.map.clear()
      this.seen = this.epoch[0]
      return MISS
    }
    const e = this.map.get(key)
    if (e === undefined) return MISS
    if (e.deadline !== 0 && e.deadline <= Date.now()) {
      this.map.delete(key)
      return MISS
    }
    this.pendingHits++
    return e.value
  }

  /**
   * Remembers what a native get just returned, unless the store changed
   * since `epochBefore` (the value might already be stale).
   */
  fill (key, value, epochBefore) {
    if (this.epoch[0] !== epochBefore || epochBefore !== this.seen) return
    const ttl = this.lastTtl[0]
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value)
    this.map.set(key, { value, deadline: ttl < 0 ? 0 : Date.now() + ttl })
  }

  forget (key) {
    this.map.delete(key)
  }

  clear () {
    this.map.clear()
  }

  takeHits () {
    const n = this.pendingHits
    this.pendingHits = 0
    return n
  }
}

module.exports = { Front, MISS }
