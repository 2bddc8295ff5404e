'use strict'
// Hooks for tiercache's own tests. Not part of the public API: no semver
// promise, and nothing here is needed to use the cache.

const native = require('../binding.js')
const { fromNative } = require('./errors')

module.exports = {
  /** Moves `cache`'s store clock forward by `ms`, so TTLs elapse without sleeping. */
  advanceClock (cache, ms) {
    native.advanceClock(cache._h, ms)
  },
  /**
   * Reclaims every expired entry now (a shard otherwise does it when next
   * touched), so their 'expired' events follow. Evictions are never pending:
   * the store evicts within the write that overflows a shard.
   */
  runPendingTasks (cache) {
    native.runPendingTasks(cache._h)
  },
  /** Forces a Rust panic inside the addon; returns the JS error it became. */
  panic (message = 'forced panic') {
    try {
      native.debugPanic(message)
    } catch (err) {
      return fromNative(err)
    }
    throw new Error('the forced panic did not surface as an error')
  }
}
