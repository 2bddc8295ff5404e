'use strict'
// Pub/sub for one cache instance, as ioredis: subscribe / psubscribe /
// ssubscribe and their unsubscribe / punsubscribe / sunsubscribe resolve
// with the number of subscriptions, and messages arrive as 'message'
// (channel, message), 'messageBuffer', 'pmessage' (pattern, channel,
// message), 'pmessageBuffer', 'smessage' (channel, message) and
// 'smessageBuffer' events. As ioredis, 'pmessageBuffer' gives the pattern
// as a string (PMESSAGE_BYTES, internal, gives it as Buffer too).
//
// The subscriptions live on a subscriber connection of their own
// (src/core/tier/subscriber.rs), never on the shared one that carries the
// commands and L1's invalidations. So, unlike an ioredis client, a
// subscribed instance keeps running every other command (ioredis refuses
// them in "subscriber mode" only because its one connection is taken over).
//
// The subscriptions are kept here: their count is ours to give (Redis's:
// this connection's channels and patterns together, its shard channels
// (SSUBSCRIBE, Redis 7) apart), and after the
// subscriber connection is lost they are subscribed again
// (`autoResubscribe`, default true) on a new one, retried with the
// instance's retryStrategy until Redis takes them or the cache closes.
// keyPrefix never applies to channels or patterns (as ioredis).

const native = require('../binding.js')
const { TierCacheTypeError, NeedsRedisError, ClosedError, CODES } = require('./errors')
const { answer, splitCallback } = require('./answer')

// The subscription methods: the values the addon's tier_pubsub takes
// (PubSubMethod in src/binding/tier.rs), each also the name of its method.
// (The addon defines the enum's keys as non-enumerable properties.)
const METHODS = Object.freeze(Object.getOwnPropertyNames(native.PubSubMethod).map((k) => native.PubSubMethod[k]))

/** A channel or pattern as sent: a string or a Buffer, as ioredis takes. */
function channelName (value, method) {
  if (typeof value === 'string' || Buffer.isBuffer(value)) return value
  if (typeof value === 'number' || typeof value === 'bigint') return String(value)
  throw new TierCacheTypeError(`${method}: a channel or pattern must be a string or Buffer, got ${value === null ? 'null' : typeof value}`,
    CODES.INVALID_ARGUMENT)
}

// Subscriptions are keyed by their bytes (a Buffer and the same string are one).
const keyOf = (name) => Buffer.isBuffer(name) ? name.toString('latin1') : Buffer.from(name).toString('latin1')

// What each method changes: which set of names, adding or removing them.
const { Subscribe, Psubscribe, Ssubscribe, Unsubscribe, Punsubscribe, Sunsubscribe } = native.PubSubMethod
const CHANGES = Object.freeze({
  [Subscribe]: { set: 'channels', adding: true },
  [Psubscribe]: { set: 'patterns', adding: true },
  [Ssubscribe]: { set: 'shardChannels', adding: true },
  [Unsubscribe]: { set: 'channels', adding: false },
  [Punsubscribe]: { set: 'patterns', adding: false },
  [Sunsubscribe]: { set: 'shardChannels', adding: false }
})
// How each set is subscribed again after a loss.
const RESUBSCRIBE = Object.freeze({ channels: Subscribe, patterns: Psubscribe, shardChannels: Ssubscribe })

/** The internal event of a pattern message with every part as Buffers (the node-redis flavour's listeners). */
const PMESSAGE_BYTES = Symbol('pmessage bytes')

class PubSub {
  /** @param {import('./remote').Remote} remote */
  constructor (remote) {
    this.remote = remote
    this.channels = new Map()
    this.patterns = new Map()
    this.shardChannels = new Map()
    this.resubscribing = null
    this.attempts = 0
  }

  /** Every subscription of this instance (whether it keeps Node running). */
  get count () {
    return this.channels.size + this.patterns.size + this.shardChannels.size
  }

  /**
   * The count Redis answers a change of `set` with: shard channels are
   * counted apart from channels and patterns (as Redis 7 does).
   */
  countOf (set) {
    return set === 'shardChannels' ? this.shardChannels.size : this.channels.size + this.patterns.size
  }

  /**
   * Runs `method` (a PubSubMethod) for `names` (already flattened);
   * resolves with the count afterwards.
   */
  change (method, names) {
    const list = names.map((n) => channelName(n, method))
    const { set: setName, adding } = CHANGES[method]
    const set = this[setName]
    if (adding && list.length === 0) {
      throw new TierCacheTypeError(`${method} needs at least one ${setName === 'patterns' ? 'pattern' : 'channel'}`, CODES.INVALID_ARGUMENT)
    }
    // Without names, unsubscribe from every one (as Redis does).
    let sent = list.length === 0 ? [...set.values()] : list
    // Shard channels go one per command, undone if one is refused
    // (subscriber.rs, `sharded`): only the names not subscribed yet, once.
    if (method === Ssubscribe) sent = [...new Map(sent.filter((n) => !set.has(keyOf(n))).map((n) => [keyOf(n), n])).values()]
    if (sent.length === 0) return Promise.resolve(this.countOf(setName))
    const remote = this.remote
    return remote.call((id) => native.tierPubsub(remote.handle, id, method, sent), () => {
      for (const name of sent) {
        if (adding) set.set(keyOf(name), name)
        else set.delete(keyOf(name))
      }
      remote.holdOpen()
      return this.countOf(setName)
    })
  }

  /** A message from the addon: [kind, pattern|null, channel, payload] (Buffers). */
  deliver ([kind, pattern, channel, payload]) {
    const cache = this.remote.cache
    if (kind === 'pmessage') {
      if (cache.listenerCount('pmessage') > 0) cache.emit('pmessage', pattern.toString(), channel.toString(), payload.toString())
      // As ioredis: the pattern as a string, the channel and message as Buffers.
      if (cache.listenerCount('pmessageBuffer') > 0) cache.emit('pmessageBuffer', pattern.toString(), channel, payload)
      // The node-redis flavour keys its listeners by the pattern's bytes.
      if (cache.listenerCount(PMESSAGE_BYTES) > 0) cache.emit(PMESSAGE_BYTES, pattern, channel, payload)
    } else {
      if (cache.listenerCount(kind) > 0) cache.emit(kind, channel.toString(), payload.toString())
      if (cache.listenerCount(`${kind}Buffer`) > 0) cache.emit(`${kind}Buffer`, channel, payload)
    }
  }

  /** The subscriber connection was lost, and its subscriptions with it. */
  lost () {
    const remote = this.remote
    if (remote.ended) return
    if (!remote.config.autoResubscribe) {
      this.channels.clear()
      this.patterns.clear()
      this.shardChannels.clear()
      remote.holdOpen()
      return
    }
    this.resubscribe()
  }

  resubscribe () {
    if (this.resubscribing !== null || this.count === 0 || this.remote.ended) return
    const remote = this.remote
    const attempt = []
    for (const [setName, method] of Object.entries(RESUBSCRIBE)) {
      const names = [...this[setName].values()]
      if (names.length > 0) attempt.push(remote.call((id) => native.tierPubsub(remote.handle, id, method, names)))
    }
    this.resubscribing = Promise.all(attempt).then(() => {
      this.resubscribing = null
      this.attempts = 0
    }, (err) => {
      this.resubscribing = null
      if (remote.ended) return
      remote.emitError(err)
      // A strategy that gives up on the connection still leaves the
      // subscriptions to retry: every 2 s at most.
      const delay = remote.retryDelay(++this.attempts) ?? 2000
      const timer = setTimeout(() => this.resubscribe(), delay)
      timer.unref()
    })
  }
}

/**
 * Defines subscribe, psubscribe, ssubscribe, unsubscribe, punsubscribe and
 * sunsubscribe on `TierCache.prototype`: ioredis's forms (names as arguments or arrays, an
 * optional trailing callback (err, count)).
 */
function install (TierCache) {
  for (const method of METHODS) {
    Object.defineProperty(TierCache.prototype, method, {
      value: function (...names) {
        const callback = splitCallback(names)
        return answer(callback, () => {
          if (this._remote === null) {
            throw new NeedsRedisError(`${method} needs Redis: this cache is L1-only; pass a Redis URL (new TierCache('redis://host:6379')) to use pub/sub`)
          }
          if (this._closed) throw new ClosedError()
          let flat
          try {
            flat = names.flat()
          } catch { // a hostile or revoked Proxy
            throw new TierCacheTypeError(`${method}: channels or patterns must be strings, Buffers or arrays of them`, CODES.INVALID_ARGUMENT)
          }
          return this._remote.pubsub.change(method, flat)
        })
      },
      writable: true,
      configurable: true
    })
  }
}

module.exports = { PubSub, METHODS, install, PMESSAGE_BYTES }
