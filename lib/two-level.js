'use strict'
// The commands of an instance with a Redis tier. Reads answer from L1 when
// it holds the key and otherwise from Redis (which backfills L1); writes are
// decided by Redis and L1 follows (see src/core/tier/ops.rs). Arguments are
// parsed exactly as for L1, so both modes refuse the same bad input with
// the same errors.
//
// `install` wraps the prototype's L1 methods: an instance without a Redis
// tier keeps running the L1 method directly.

const native = require('../binding.js')
const { mayServe } = require('./watch')
// Required late: lib/pipeline.js requires this module's dependents.
const queueCommand = (...a) => require('./pipeline').queueCommand(...a)
const args = require('./args')
const codecs = require('./codec')
const { TierCacheTypeError, CODES } = require('./errors')
const { MISS } = require('./front')
const { answer, settle, splitCallback, strayCallback, forward } = require('./answer')
const { localKeys } = require('./local-keys')
const { sendCommand } = require('./send-command')

// The typed commands the addon takes (src/binding/modes.rs).
const { KeysCommand, KeyCommand, ServerCommand } = native

const decoder = (cache) => (reply) => reply === null || typeof reply === 'string' ? reply : codecs.decodeTagged(reply, cache._codec)

/** The L1 value of `key` (front first), or MISS. */
function fromL1 (cache, key) {
  const front = cache._front
  if (front !== null) {
    const hit = front.get(key)
    if (hit !== MISS) return hit
  }
  const reply = native.get(cache._h, key)
  return reply === null ? MISS : cache._decodeRead(key, reply)
}

const commands = {
  get (key, callback) {
    if (this._queuing !== null) return queueCommand(this, 'get', callback === undefined ? [key] : [key, callback])
    let hit
    try {
      key = args.toKey(key)
      hit = mayServe(this, key) ? fromL1(this, key) : MISS
    } catch (err) {
      // `get(cb)`: as ioredis, the function is the callback and gets the error.
      return answer(callback === undefined && typeof key === 'function' ? key : callback, () => { throw err })
    }
    if (hit !== MISS) return hit instanceof Promise ? answer(callback, () => hit) : settle(hit, undefined, callback)
    return answer(callback, () => this._remote.get(
      key,
      false,
      true,
      (reply) => this._decodeRead(key, reply),
      () => null
    ))
  },

  getBuffer (key, callback) {
    return answer(callback, () => {
      key = args.toKey(key)
      const local = mayServe(this, key) ? native.getBuffer(this._h, key) : null
      if (local !== null) return Promise.resolve(local)
      return this._remote.get(key, true, true, undefined, () => null)
    })
  },

  set (key, value, ...rest) {
    const callback = splitCallback(rest)
    return answer(callback, () => {
      key = args.toKey(key)
      const opts = rest.length === 0 ? null : args.parseSetOptions(rest)
      const [payload, kind] = this._encode(value)
      this._forget(key)
      const o = opts === null ? { mode: 0, ms: 0, condition: 0, get: false } : opts
      return this._remote.call(
        (id) => native.tierSet(this._remote.handle, id, key, payload, kind, o.mode, o.ms, o.condition, o.get),
        o.get ? this._decodeReply : undefined,
        () => this._set(key, value, rest)
      )
    })
  },

  setex (key, seconds, value, callback) {
    return answer(callback, () => this._setWithTtlRemote(key, args.toTtlMs(seconds, 1000, 'setex'), value))
  },

  psetex (key, ms, value, callback) {
    return answer(callback, () => this._setWithTtlRemote(key, args.toTtlMs(ms, 1, 'psetex'), value))
  },

  setnx (key, value, callback) {
    return answer(callback, () => commands.set.call(this, key, value, 'NX').then((r) => (r === 'OK' ? 1 : 0)))
  },

  getdel (key, callback) {
    return answer(callback, () => {
      key = args.toKey(key)
      this._forget(key)
      return this._remote.call(
        (id) => native.tierKeyCommand(this._remote.handle, id, KeyCommand.GetDel, key),
        this._decodeReply,
        () => this._decode(native.getdel(this._h, key))
      )
    })
  },

  getex (key, ...rest) {
    const callback = splitCallback(rest)
    return answer(callback, () => {
      key = args.toKey(key)
      const [mode, ms] = args.parseGetExOptions(rest)
      if (mode === 0) return commands.get.call(this, key)
      this._forget(key)
      return this._remote.call(
        (id) => native.tierGetex(this._remote.handle, id, key, mode, ms),
        this._decodeReply,
        () => this._decode(native.getex(this._h, key, mode, ms))
      )
    })
  },

  del (...keys) {
    const callback = splitCallback(keys, Infinity)
    return answer(callback, () => this._keysCommand(KeysCommand.Del, keys))
  },

  unlink (...keys) {
    const callback = splitCallback(keys, Infinity)
    return answer(callback, () => this._keysCommand(KeysCommand.Del, keys))
  },

  exists (...keys) {
    const callback = splitCallback(keys, Infinity)
    return answer(callback, () => this._keysCommand(KeysCommand.Exists, keys))
  },

  expire (key, seconds, ...rest) {
    const callback = splitCallback(rest)
    return answer(callback, () => this._expireRemote('expire', key, seconds, 1000, true, rest))
  },

  pexpire (key, ms, ...rest) {
    const callback = splitCallback(rest)
    return answer(callback, () => this._expireRemote('pexpire', key, ms, 1, true, rest))
  },

  expireat (key, unixSeconds, ...rest) {
    const callback = splitCallback(rest)
    return answer(callback, () => this._expireRemote('expireat', key, unixSeconds, 1000, false, rest))
  },

  pexpireat (key, unixMs, ...rest) {
    const callback = splitCallback(rest)
    return answer(callback, () => this._expireRemote('pexpireat', key, unixMs, 1, false, rest))
  },

  ttl (key, callback) {
    return answer(callback, () => {
      key = args.toKey(key)
      return this._remote.call((id) => native.tierKeyCommand(this._remote.handle, id, KeyCommand.Ttl, key), undefined,
        () => native.ttl(this._h, key))
    })
  },

  pttl (key, callback) {
    return answer(callback, () => {
      key = args.toKey(key)
      return this._remote.call((id) => native.tierKeyCommand(this._remote.handle, id, KeyCommand.Pttl, key), undefined,
        () => native.pttl(this._h, key))
    })
  },

  persist (key, callback) {
    return answer(callback, () => {
      key = args.toKey(key)
      this._forget(key)
      return this._remote.call((id) => native.tierKeyCommand(this._remote.handle, id, KeyCommand.Persist, key), undefined,
        () => native.persist(this._h, key))
    })
  },

  incr (key, callback) {
    return answer(callback, () => this._incrRemote(key, '1', false))
  },

  decr (key, callback) {
    return answer(callback, () => this._incrRemote(key, '1', true))
  },

  incrby (key, increment, callback) {
    return answer(callback, () => this._incrRemote(key, args.toAmount(increment), false))
  },

  decrby (key, decrement, callback) {
    return answer(callback, () => this._incrRemote(key, args.toAmount(decrement), true))
  },

  incrbyfloat (key, increment, callback) {
    return answer(callback, () => {
      key = args.toKey(key)
      const delta = args.toAmount(increment)
      this._forget(key)
      return this._remote.call((id) => native.tierIncrbyfloat(this._remote.handle, id, key, delta), undefined,
        () => native.incrbyfloat(this._h, key, delta))
    })
  },

  mget (...keys) {
    const callback = splitCallback(keys, Infinity)
    return answer(callback, () => {
      const list = args.toKeys(keys)
      const values = new Array(list.length)
      const missing = []
      const missingAt = []
      for (let i = 0; i < list.length; i++) {
        const v = fromL1(this, list[i])
        if (v === MISS) {
          missing.push(list[i])
          missingAt.push(i)
        } else {
          values[i] = v
        }
      }
      // Tagged pattern entries may need their tags checked in Redis: promises then.
      const settled = () => values.some((v) => v instanceof Promise) ? Promise.all(values) : values
      if (missing.length === 0) return Promise.resolve(settled())
      const merge = (replies) => {
        for (let j = 0; j < missingAt.length; j++) {
          values[missingAt[j]] = this._decodeRead(missing[j], replies[j])
        }
        return settled()
      }
      return this._remote.call((id) => native.tierMget(this._remote.handle, id, missing, true), merge,
        () => merge(missing.map(() => null)))
    })
  },

  mset (...pairs) {
    const callback = splitCallback(pairs, pairs.length % 2 === 0 ? pairs.length : 1)
    return answer(callback, () => {
      const { keys, values, kinds } = this._msetArguments(pairs)
      for (const k of keys) this._forget(k)
      return this._remote.call((id) => native.tierMset(this._remote.handle, id, keys, values, kinds), undefined,
        () => this._mset(pairs))
    })
  },

  keys (pattern, callback) {
    return answer(callback, () => {
      pattern = args.toPattern(pattern, 'keys')
      return this._remote.call((id) => native.tierKeys(this._remote.handle, id, pattern), undefined,
        () => localKeys(this, pattern))
    })
  },

  scan (cursor, ...rest) {
    const callback = splitCallback(rest)
    return answer(callback, () => {
      const c = typeof cursor === 'number' && Number.isSafeInteger(cursor) && cursor >= 0 ? String(cursor) : cursor
      if (typeof c !== 'string' || !/^\d+$/.test(c)) throw new TierCacheTypeError('scan cursor must be a non-negative integer or its string', CODES.INVALID_ARGUMENT)
      const { pattern, count, type, match } = args.parseScanOptions(rest)
      if (type !== undefined) return scanTyped(this, c, match, count, type)
      return this._remote.call((id) => native.tierScan(this._remote.handle, id, c, pattern ?? undefined, count))
    })
  },

  flushall (...rest) {
    const callback = splitCallback(rest)
    return answer(callback, () => this._serverCommand(ServerCommand.FlushAll))
  },

  flushdb (...rest) {
    const callback = splitCallback(rest)
    return answer(callback, () => this._serverCommand(ServerCommand.FlushDb))
  },

  dbsize (callback) {
    return answer(callback, () => this._serverCommand(ServerCommand.DbSize))
  },

  ping (...rest) {
    const callback = splitCallback(rest)
    return answer(callback, () => this._serverCommand(ServerCommand.Ping))
  }
}

/**
 * SCAN … TYPE on Redis: sent as it is through the generic path (the typed
 * scan has no TYPE), with the key prefix as an escaped glob ahead of the
 * user's MATCH pattern and taken off the keys, as the typed scan does.
 */
function scanTyped (cache, cursor, match, count, type) {
  const prefix = cache._remote.config.keyPrefix
  const pattern = args.escapeGlob(prefix) + (match ?? '*')
  return sendCommand(cache, 'scan', [cursor, 'MATCH', pattern, 'COUNT', count, 'TYPE', type], false)
    .then(([next, keys]) => [String(next), keys.map((k) => k.slice(prefix.length))])
}

/** Helpers the commands above share (installed on the prototype, private). */
const helpers = {
  _setWithTtlRemote (key, ms, value) {
    key = args.toKey(key)
    const [payload, kind] = this._encode(value)
    this._forget(key)
    return this._remote.call(
      (id) => native.tierSet(this._remote.handle, id, key, payload, kind, native.SetTtl.In, ms, native.WriteIf.Always, false),
      undefined,
      () => this._setWithTtl(key, ms, value)
    )
  },

  _keysCommand (command, keys) {
    const list = args.toKeys(keys)
    if (command === KeysCommand.Del) for (const k of list) this._forget(k)
    return this._remote.call((id) => native.tierKeysCommand(this._remote.handle, id, command, list), undefined,
      () => (command === KeysCommand.Del ? this._del(list) : native.exists(this._h, list)))
  },

  _expireRemote (command, key, time, unit, relative, rest) {
    key = args.toKey(key)
    const [ms, condition] = args.parseExpireArgs(command, time, unit, rest)
    this._forget(key)
    return this._remote.call((id) => native.tierExpire(this._remote.handle, id, key, ms, !relative, condition), undefined,
      () => native.expire(this._h, key, ms, relative, condition))
  },

  /** INCRBY / DECRBY: Redis parses the amount, so its replies (and errors) are Redis's own. */
  _incrRemote (key, amount, decrement) {
    key = args.toKey(key)
    this._forget(key)
    return this._remote.call((id) => native.tierIncrby(this._remote.handle, id, key, amount, decrement), undefined,
      () => native.incrby(this._h, key, amount, decrement))
  },

  _serverCommand (command) {
    if (command === ServerCommand.FlushDb || command === ServerCommand.FlushAll) this._clearFronts()
    return this._remote.call((id) => native.tierServerCommand(this._remote.handle, id, command))
  }
}

// Commands whose callback follows a rest parameter (`set(key, value, ...rest)`):
// the callback's position is at least the count of named parameters.
const VARIADIC = new Set(['set', 'getex', 'del', 'unlink', 'exists', 'expire', 'pexpire', 'expireat',
  'pexpireat', 'mget', 'mset', 'scan', 'flushall', 'flushdb', 'ping'])

/** Where `name`'s callback goes: after its named parameters, or as the last of them. */
function callbackPosition (name, fn) {
  return VARIADIC.has(name) ? fn.length : fn.length - 1
}

/**
 * Makes every command of `TierCache.prototype` that has a two-level version
 * dispatch on `this._remote` (null: L1 only).
 */
function install (TierCache) {
  const proto = TierCache.prototype
  for (const [name, twoLevel] of Object.entries(commands)) {
    const local = proto[name]
    if (name === 'get') continue // dispatches itself: the hottest path
    const callbackAt = callbackPosition(name, local)
    Object.defineProperty(proto, name, {
      value: function (...a) {
        if (this._queuing !== null) return queueCommand(this, name, a)
        const p = this._remote === null ? local.apply(this, a) : twoLevel.apply(this, a)
        const stray = strayCallback(a, callbackAt)
        return stray === undefined ? p : forward(p, stray)
      },
      writable: true,
      configurable: true
    })
  }
  for (const [name, fn] of Object.entries(helpers)) {
    Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true })
  }
}

/** The `l2` view: reads that go to Redis only, without touching L1. */
class L2View {
  constructor (cache) {
    this._cache = cache
  }

  get (key, callback) {
    const c = this._cache
    return answer(callback === undefined ? strayCallback([key], 1) : callback, () => {
      c._requireRemote()
      key = args.toKey(key)
      return c._remote.get(key, false, false, c._decodeReply)
    })
  }

  getBuffer (key, callback) {
    const c = this._cache
    return answer(callback === undefined ? strayCallback([key], 1) : callback, () => {
      c._requireRemote()
      key = args.toKey(key)
      return c._remote.get(key, true, false)
    })
  }

  mget (...keys) {
    const c = this._cache
    const callback = splitCallback(keys, Infinity)
    return answer(callback, () => {
      c._requireRemote()
      const list = args.toKeys(keys)
      return c._remote.call((id) => native.tierMget(c._remote.handle, id, list, false), (replies) => replies.map(c._decodeReply))
    })
  }
}

module.exports = { install, commands, L2View, decoder }
