'use strict'
// KEYS over L1: every matching key, found by SCAN calls of bounded work
// (src/core/scan.rs: each stops after ~1–2 ms of matching and copying) with
// the event loop free between them, so that neither a big store nor a
// costly pattern holds the JS thread (or a shard's lock) for long. Like
// SCAN, and unlike Redis's atomic KEYS, it sees every key present from
// start to end; a key written or deleted meanwhile may or may not be in the
// reply.

const native = require('../binding.js')
const { fromNative } = require('./errors')

/** COUNT of each call: the largest, so that the addon's work budget decides where a call stops. */
const SLICE_COUNT = 0xffffffff

function slice (cache, cursor, pattern) {
  try {
    return native.scan(cache._h, cursor, pattern, SLICE_COUNT)
  } catch (err) {
    throw fromNative(err)
  }
}

/**
 * The keys met so far. A key deleted and set again while KEYS runs may be
 * met twice: once is enough. Split into several sets by a cheap hash, so
 * that no single set grows past a few ten thousand keys: growing a set
 * rehashes it at once, which at a million keys holds the thread ~25 ms.
 */
class SeenKeys {
  constructor () {
    this.sets = Array.from({ length: 64 }, () => new Set())
  }

  /** Whether `key` is new (and remembers it). */
  add (key) {
    const n = key.length
    const set = this.sets[(n + key.charCodeAt(n - 1) * 7 + key.charCodeAt(n >> 1) * 31) & 63]
    if (set.has(key)) return false
    set.add(key)
    return true
  }
}

/** Every L1 key matching `pattern` (already checked by args.toPattern). */
async function localKeys (cache, pattern) {
  const first = slice(cache, '0', pattern)
  let cursor = first[0]
  const keys = first[1]
  if (cursor === '0') return keys
  const seen = new SeenKeys()
  for (const k of keys) seen.add(k)
  do {
    await new Promise((resolve) => setImmediate(resolve))
    const [next, more] = slice(cache, cursor, pattern)
    for (const k of more) if (seen.add(k)) keys.push(k)
    cursor = next
  } while (cursor !== '0')
  return keys
}

module.exports = { localKeys }
