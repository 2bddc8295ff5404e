'use strict'
// node-redis's pub/sub on the flavour: `subscribe(channels, listener,
// bufferMode?)`, `pSubscribe(patterns, listener, bufferMode?)`,
// `sSubscribe(shardChannels, listener, bufferMode?)` (Redis 7's sharded
// pub/sub) and their `unsubscribe` / `pUnsubscribe` / `sUnsubscribe(names?,
// listener?, bufferMode?)`, each listener called as node-redis calls it:
// (message, channel), Buffers in buffer mode.
//
// Underneath are the ioredis flavour's subscriptions (lib/pubsub.js: their
// own connection, resubscribed after a loss) and its messageBuffer /
// smessageBuffer events and pattern messages as bytes; this file only keeps the listeners per channel or
// pattern, subscribing a name on its first listener and unsubscribing it
// after its last. As with the ioredis flavour, a subscribed client keeps
// running other commands (node-redis needs a duplicate() for that).

const { TierCacheTypeError, CODES } = require('../errors')
const { PMESSAGE_BYTES } = require('../pubsub')

// Per client: { channels: Map<name, Set<entry>>, patterns: …, shardChannels: … }.
const STATE = new WeakMap()

function state (client) {
  let s = STATE.get(client)
  if (s === undefined) {
    s = { channels: new Map(), patterns: new Map(), shardChannels: new Map() }
    STATE.set(client, s)
    // Names are keyed by their bytes as latin1, as lib/pubsub.js keys them.
    client.on('messageBuffer', (channel, message) => dispatch(s.channels.get(channel.toString('latin1')), message, channel))
    client.on(PMESSAGE_BYTES, (pattern, channel, message) => dispatch(s.patterns.get(pattern.toString('latin1')), message, channel))
    client.on('smessageBuffer', (channel, message) => dispatch(s.shardChannels.get(channel.toString('latin1')), message, channel))
  }
  return s
}

// Buffer-mode listeners first, then the string ones, as node-redis calls them.
function dispatch (entries, message, channel) {
  if (entries === undefined) return
  const all = [...entries]
  for (const { listener, buffers } of all) if (buffers) listener(message, channel)
  for (const { listener, buffers } of all) if (!buffers) listener(message.toString(), channel.toString())
}

function names (value, method) {
  let list
  try {
    list = Array.isArray(value) ? [...value] : [value]
  } catch {} // a hostile or revoked Proxy: refused below
  if (list === undefined || list.length === 0 || list.some((n) => typeof n !== 'string' && !Buffer.isBuffer(n))) {
    throw new TierCacheTypeError(`${method}: channels or patterns must be a string, a Buffer or an array of them`, CODES.INVALID_ARGUMENT)
  }
  return list
}

const keyOf = (name) => (Buffer.isBuffer(name) ? name : Buffer.from(name)).toString('latin1')

/** subscribe / pSubscribe / sSubscribe for `kind` ('channels', 'patterns' or 'shardChannels') over ioredis's `subscribe`. */
function subscriber (kind, method, ioredisSubscribe) {
  return async function (value, listener, bufferMode = false) {
    const list = names(value, method)
    if (typeof listener !== 'function') throw new TierCacheTypeError(`${method}: a listener function is required`, CODES.INVALID_ARGUMENT)
    const map = state(this)[kind]
    const fresh = list.filter((n) => !map.has(keyOf(n)))
    // The listener is in place before the subscription is sent, as
    // node-redis does: the first message can arrive in the same batch from
    // the addon as the confirmation, before this function resumes.
    const entry = { listener, buffers: bufferMode === true }
    for (const n of list) {
      const key = keyOf(n)
      if (!map.has(key)) map.set(key, new Set())
      map.get(key).add(entry)
    }
    if (fresh.length === 0) return
    try {
      await ioredisSubscribe.apply(this, fresh)
    } catch (err) {
      for (const n of list) {
        const entries = map.get(keyOf(n))
        if (entries === undefined) continue
        entries.delete(entry)
        if (entries.size === 0) map.delete(keyOf(n))
      }
      throw err
    }
  }
}

/**
 * unsubscribe / pUnsubscribe / sUnsubscribe: drops `listener` (every one
 * without; as node-redis, only the buffer-mode ones with `bufferMode`, only
 * the others without) of `value` (every name without).
 */
function unsubscriber (kind, method, ioredisUnsubscribe) {
  return async function (value, listener, bufferMode = false) {
    const map = state(this)[kind]
    const list = value === undefined ? [...map.keys()].map((k) => Buffer.from(k, 'latin1')) : names(value, method)
    const gone = []
    for (const n of list) {
      const entries = map.get(keyOf(n))
      if (entries === undefined) continue
      for (const e of [...entries]) {
        if (listener === undefined || (e.listener === listener && e.buffers === (bufferMode === true))) entries.delete(e)
      }
      if (entries.size === 0) {
        map.delete(keyOf(n))
        gone.push(n)
      }
    }
    if (gone.length > 0) await ioredisUnsubscribe.apply(this, gone)
  }
}

/** Defines the node-redis pub/sub methods on `proto` over `base` (TierCache.prototype). */
function install (proto, base) {
  const define = (name, fn) => {
    Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true })
    Object.defineProperty(proto, name.toUpperCase(), { value: fn, writable: true, configurable: true })
  }
  define('subscribe', subscriber('channels', 'subscribe', base.subscribe))
  define('pSubscribe', subscriber('patterns', 'pSubscribe', base.psubscribe))
  define('sSubscribe', subscriber('shardChannels', 'sSubscribe', base.ssubscribe))
  define('unsubscribe', unsubscriber('channels', 'unsubscribe', base.unsubscribe))
  define('pUnsubscribe', unsubscriber('patterns', 'pUnsubscribe', base.punsubscribe))
  define('sUnsubscribe', unsubscriber('shardChannels', 'sUnsubscribe', base.sunsubscribe))
}

module.exports = { install }
