'use strict'
// Sealed writes (src/core/sealed.rs): the session store's writes that a
// seal refuses. `destroy` replaces a session by the seal (keeping its
// remaining TTL); `set` and `touch` write only if the key does not hold the
// seal, checked and written in one atomic step: under the shard lock in L1
// alone, one Lua script in Redis. So a request still in flight when its
// session is destroyed cannot bring it back, on any instance. The key's L1
// copy is dropped (by the addon, before the command is sent) and never
// filled by these writes.

const native = require('../../binding.js')
const { fromNative } = require('../errors')
const { ValueKind } = require('../codec')


/**
 * Runs one sealed `action` on `key` of `cache`: `value` (PUT) goes through
 * the cache's encoding, `seal` is the sentinel string, `ms` the TTL (SEAL:
 * the TTL when the key has none). Resolves whether it wrote.
 */
function sealedWrite (cache, action, key, value, seal, ms) {
  return new Promise((resolve, reject) => {
    const [payload, kind] = value === undefined ? ['', ValueKind.Raw] : cache._encode(value)
    cache._forget(key)
    if (cache._remote === null) {
      try {
        resolve(native.sealed(cache._h, action, key, payload, kind, seal, ms))
      } catch (err) {
        reject(fromNative(err))
      }
      return
    }
    const remote = cache._remote
    remote.call((id) => native.tierSealed(remote.handle, id, action, key, payload, kind, seal, ms))
      .then((n) => {
        // Ours may have been the front's last word on the key: drop it again.
        cache._forget(key)
        resolve(n === 1)
      }, reject)
  })
}

module.exports = { sealedWrite }
