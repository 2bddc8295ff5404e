'use strict'
// The per-thread front: decoded values of recently read keys, answered
// without a call into the addon. It stays true to the shared native store
// through an epoch the store bumps (in memory this thread reads directly)
// whenever another instance, another thread, eviction or expiry changed
// anything; on a bump the whole front is dropped. Writes made through this
// instance update the front themselves and do not bump it.
//
// Bounded as two generations of at most maxEntries each (lib/generations.js),
// so the front holds the last maxEntries keys read, and never more than
// twice that.

const { Generations } = require('./generations')

const MISS = Symbol('front miss')
const ADAPT_EVERY = 4096
const SPARSE_FILL = 16

class Front extends Generations {
  /**
   * @param {ArrayBuffer} epochBuffer u32 epoch of this instance (native memory)
   * @param {ArrayBuffer} ttlBuffer f64 remaining ms of the last native get
   * @param {number} maxEntries
   */
  constructor (epochBuffer, ttlBuffer, maxEntries) {
    super(epochBuffer, ttlBuffer, maxEntries)
    // When reads rarely repeat within the front's reach (a working set far
    // larger than frontSize), filling costs more than it saves: then only
    // one miss in SPARSE_FILL fills, until hits pick up again.
    this.hits = 0
    this.fills = 0
    this.missesToSkip = 0
    this.sparse = false
  }

  /** The cached value of `key`, or MISS. */
  get (key) {
    if (this.epoch[0] !== this.seen) {
      this.clear()
      this.seen = this.epoch[0]
      return MISS
    }
    let e = this.young.get(key)
    if (e === undefined) {
      e = this.old.get(key)
      if (e === undefined) return MISS
      this.old.delete(key)
      this._add(key, e)
    }
    if (e.deadline !== 0 && e.deadline <= Date.now()) {
      this.forget(key)
      return MISS
    }
    this.pendingHits++
    this.hits++
    return e.value
  }

  /**
   * Remembers what a native get just returned, unless the store changed
   * since `epochBefore` (the value might already be stale).
   */
  fill (key, value, epochBefore) {
    if (this.epoch[0] !== epochBefore || epochBefore !== this.seen) return
    if (this.sparse && this.missesToSkip-- > 0) return
    this.missesToSkip = SPARSE_FILL - 1
    if (++this.fills === ADAPT_EVERY) {
      // Sparse only once the front is full (a generation has turned over)
      // and still mostly missing: a front that is warming up fills fully.
      this.sparse = this.old.size > 0 && this.hits * 8 < this.fills
      this.hits = 0
      this.fills = 0
    }
    const ttl = this.lastTtl[0]
    this.old.delete(key)
    this._add(key, { value, deadline: ttl < 0 ? 0 : Date.now() + ttl })
  }
}

module.exports = { Front, MISS }
