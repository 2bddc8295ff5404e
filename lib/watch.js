'use strict'
// WATCH and UNWATCH, as ioredis and node-redis run them: the client's WATCH
// goes to a connection of its own (a pin: src/core/tier/pinned.rs), held
// until its transaction's EXEC, UNWATCH, or a failure; the next
// `multi().exec()` of the client runs there (lib/send-command.js), so no
// other caller's EXEC or UNWATCH ends the watch, and the transaction runs
// where the keys were watched. On the shared connection a WATCH would watch
// for every caller of this instance.
//
// While a watch holds, L1 does not answer reads of the watched keys (get,
// getBuffer and the cached reads of the generic path go to Redis): a copy
// older than the watch (a foreign write's invalidation still on its way)
// would let the caller compute from an old value while EXEC succeeds, the
// lost update WATCH is for.

const native = require('../binding.js')
const { ReplyError } = require('./errors')

/** WATCH the keys `plan` names (a plan of lib/send-command.js) on `cache`'s pin. */
function watch (cache, remote, plan) {
  const watched = cache._watched ?? new Set()
  for (const i of plan.keys) watched.add(String(plan.argv[i]))
  cache._watched = watched
  return remote.call((id) => {
    if (cache._pin === null) cache._pin = native.tierPinOpen(remote.handle)
    native.tierPinCommand(remote.handle, id, cache._pin, plan.argv, plan.keys, plan.written, plan.flush, false)
  }).catch((err) => {
    // A refusal by Redis leaves the watch as it was; anything else lost it.
    if (!(err instanceof ReplyError)) release(cache, remote)
    throw err
  })
}

/** UNWATCH: the pin and its connection go, and with them every watch. */
function unwatch (cache, remote) {
  release(cache, remote)
  return Promise.resolve('OK')
}

/**
 * The pin a transaction of `cache` runs on, or null: taken from the client
 * (EXEC ends the watch whatever it answers), closed once the transaction ran.
 */
function takePin (cache, remote) {
  const pin = cache._pin
  if (pin === null) return null
  cache._pin = null
  cache._watched = null
  return { pin, close: () => native.tierPinClose(remote.handle, pin) }
}

function release (cache, remote) {
  const taken = takePin(cache, remote)
  if (taken !== null) taken.close()
}

/** Whether L1 may answer a read of `key` (false while the client watches it). */
function mayServe (cache, key) {
  return cache._watched === null || !cache._watched.has(key)
}

module.exports = { watch, unwatch, takePin, mayServe }
