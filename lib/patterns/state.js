'use strict'
// What the patterns remember per cache instance: loads in flight (single
// flight), callers waiting for another instance's lease, writes in
// progress (so that a load started before a write never stores its older
// result), and counters for stats().

class Counters {
  constructor () {
    /** Loader calls started (single flight: one per key at a time). */
    this.loads = 0
    /** Loader calls that failed or timed out. */
    this.loadErrors = 0
    /** Calls that joined a load already in flight in this instance. */
    this.coalesced = 0
    /** Stale values served (grace: loader failed, slow, or refreshing). */
    this.staleServed = 0
    /** Background reloads started by refreshAhead. */
    this.refreshes = 0
    /** Times a caller waited for another instance's lease. */
    this.lockWaits = 0
    /** Loaded values that could not be stored (Redis down): returned anyway. */
    this.storeErrors = 0
    /** Writes handed to a write-behind writer, and batches it failed. */
    this.writeBehindWrites = 0
    this.writeBehindFailures = 0
  }
}

class PatternState {
  constructor () {
    /** key → Promise of the read-and-maybe-load of a getOrSet miss. */
    this.flights = new Map()
    /** key → Load in flight. */
    this.loads = new Map()
    /** key → Set of wake-up functions (waiting on another instance's lease). */
    this.waiters = new Map()
    this.waiterCount = 0
    /** key → { seq, active } for writes through writeThrough, del and clear. */
    this.writes = new Map()
    this.writeSeq = 0
    this.counters = new Counters()
  }

  /** Marks a write of `key` as started: loads begun before it will not store. */
  beginWrite (key) {
    const w = this.writes.get(key)
    const seq = ++this.writeSeq
    if (w === undefined) this.writes.set(key, { seq, active: 1 })
    else {
      w.seq = seq
      w.active++
    }
  }

  endWrite (key) {
    const w = this.writes.get(key)
    if (w === undefined) return
    w.seq = ++this.writeSeq
    if (--w.active === 0 && !this.loads.has(key)) this.writes.delete(key)
  }

  /** Whether a load of `key` that started at `startSeq` may store its result. */
  mayStore (key, startSeq) {
    const w = this.writes.get(key)
    return w === undefined || (w.active === 0 && w.seq <= startSeq)
  }

  loadEnded (key) {
    this.loads.delete(key)
    const w = this.writes.get(key)
    if (w !== undefined && w.active === 0) this.writes.delete(key)
  }

  /** Wakes whoever waits on `key` (null: everyone, Redis flushed). */
  wake (key) {
    if (this.waiterCount === 0) return
    if (key === null) {
      for (const set of this.waiters.values()) for (const fn of set) fn()
      return
    }
    const set = this.waiters.get(key)
    if (set !== undefined) for (const fn of set) fn()
  }
}

function stateOf (cache) {
  if (cache._patterns === null) cache._patterns = new PatternState()
  return cache._patterns
}

module.exports = { stateOf }
