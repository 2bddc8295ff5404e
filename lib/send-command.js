'use strict'
// The generic command path: any Redis command, by name, through one
// chokepoint (`sendCommand`). `call` / `send_command` and every command
// method without a hand-written version (hset, lpush, zadd, eval, …) end
// here. The steps, all driven by the command table (lib/commands):
//   1. arguments as ioredis sends them: flattened one level, the command's
//      argument transformer (hset's object form, …), strings and Buffers;
//   2. the key positions (EVAL's KEYS included), which the addon prefixes
//      with `keyPrefix`, and among them the keys the command may write;
//   3. L1 follows: the copies of written keys are dropped before the command
//      is sent (in this thread's fronts here, in the shared store by the
//      addon, which also holds off fills until Redis answers, as for the
//      typed writes); a command that may change the whole database
//      (FLUSHDB, SWAPDB, …) empties L1. A `retime` command (EXPIRE, PERSIST
//      sent this way) drops the copy too: L1 does not parse its deadline,
//      and the next read refills it with Redis's TTL;
//   4. the reply in ioredis's RESP2 shapes (the addon converts RESP3), then
//      the command's reply transformer (hgetall's object, …).
// A blocking command (the table's `blocking` flag: BLPOP, XREAD BLOCK, …)
// takes the same steps but runs on a dedicated connection of its own, with
// its own deadline (lib/commands/blocking.js), never on the shared one.
// Reads whose table entry says `reply` (HGETALL, SMEMBERS, ZRANGE, LRANGE,
// … of one key) are answered from L1 when it holds their reply: first this
// thread's reply front (lib/reply-front.js, no call into the addon), then
// the shared store (src/core/tier/reply_cache.rs), which the read of Redis
// fills, guarded as a GET's fill, until the key's TTL. See readThroughL1.

const native = require('../binding.js')
const commands = require('./commands')
const { TierCacheError, TierCacheTypeError, NeedsRedisError, ReplyError, CODES, fromNative } = require('./errors')
const { wellFormedKey, wellFormedValue } = require('./args')
const { MISS } = require('./front')
const { copyReply } = require('./reply-front')
const watching = require('./watch')

/**
 * Commands this path refuses for now, and why: each would break the one
 * connection every command of this instance shares (and L1's coherence,
 * which rides on it), or wait past `commandTimeout`.
 */
const REFUSED = Object.freeze({
  blocking: 'WAITAOF is not supported yet (it would wait on the shared connection, past commandTimeout; WAIT runs with a timeout up to half of it)',
  subscription: 'subscriptions go through the subscribe, psubscribe, ssubscribe, unsubscribe, punsubscribe and sunsubscribe methods (their connection is a separate one)',
  subscriber: 'SYNC and PSYNC are not supported (they take the connection over)',
  monitor: 'use monitor(), which returns a client of its own (MONITOR takes its connection over)',
  connection: 'it changes the state of the connection that every command of this instance shares',
  transaction: 'use client.multi() (MULTI sent alone on the shared connection would capture other callers\' commands; ' +
    'multi() sends MULTI, the commands and EXEC as one write)'
})

const REFUSED_BY_NAME = Object.assign(Object.create(null), {
  waitaof: REFUSED.blocking,
  subscribe: REFUSED.subscription,
  psubscribe: REFUSED.subscription,
  unsubscribe: REFUSED.subscription,
  punsubscribe: REFUSED.subscription,
  ssubscribe: REFUSED.subscription,
  sunsubscribe: REFUSED.subscription,
  monitor: REFUSED.monitor,
  sync: REFUSED.subscriber,
  psync: REFUSED.subscriber,
  select: REFUSED.connection,
  hello: REFUSED.connection,
  reset: REFUSED.connection,
  quit: REFUSED.connection,
  multi: REFUSED.transaction,
  exec: REFUSED.transaction,
  discard: REFUSED.transaction
})

// CLIENT subcommands that change how Redis talks to this connection
// (invalidation pushes, replies).
const REFUSED_CLIENT_SUBCOMMANDS = new Set(['tracking', 'reply', 'caching'])

/** Why `name` (lower case) with `argv` (the name first) is refused, or undefined. */
function refusal (name, argv) {
  if (name in REFUSED_BY_NAME) return REFUSED_BY_NAME[name]
  if (name === 'client' && argv.length > 1 && REFUSED_CLIENT_SUBCOMMANDS.has(String(argv[1]).toLowerCase())) return REFUSED.connection
  return undefined
}

/**
 * The argv of `command` (compiled) called as `name` with `args`, as sent
 * (see lib/commands/transform). As ioredis, any value is sent as its
 * String(); one that has none (a null-prototype object, a throwing
 * toString) is the caller's error, not a crash.
 */
function encoded (command, name, args) {
  try {
    return commands.argvOf(name, command.transformer, args)
  } catch (err) {
    if (err instanceof TierCacheError) throw err
    throw new TierCacheTypeError(`${command.lower}: an argument cannot be sent as a string or Buffer (${err && err.message})`,
      CODES.INVALID_ARGUMENT, { cause: err })
  }
}

/**
 * Whether `name` (lower case) is refused whatever its arguments: no method
 * is generated for it (a library that probes `typeof client.multi` must not
 * take a method that always fails for support).
 */
function alwaysRefused (name) {
  // With no arguments, only what is refused by name is refused (a bare
  // CLIENT is not).
  return refusal(name, [name]) !== undefined
}

/**
 * Refuses a string argument with a lone surrogate, as the typed commands
 * do (lib/args.js): its UTF-8 form would be U+FFFD, so two different keys
 * (or fields, members) would reach Redis as the same one. Keys get
 * INVALID_KEY, other arguments INVALID_VALUE. `keys` are argv positions.
 */
function refuseLoneSurrogates (argv, keys) {
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]
    if (typeof arg !== 'string') continue
    if (keys.includes(i)) wellFormedKey(arg)
    else wellFormedValue(arg)
  }
}

/**
 * What is sent for command `name` with the user's `args`: the argv (name
 * first) and, as argv positions, the keys (to prefix) and the written keys
 * (whose L1 copies are dropped), whether L1 is emptied, and for a blocking
 * command its deadline in ms (`wait`, 0 for none; undefined when it does
 * not block). Throws for a refused command, or an unknown one when
 * keyPrefix is set; with `commandTimeout` (outside a transaction), for a
 * WAIT whose timeout could hold the shared connection too long (checkWait).
 */
function plan (name, args, keyPrefix, commandTimeout) {
  if (typeof name !== 'string' || name.length === 0) {
    throw new TierCacheTypeError('the command name must be a non-empty string', CODES.INVALID_ARGUMENT)
  }
  const command = commands.compiled(name)
  const { lower, entry } = command
  const argv = encoded(command, name, args)
  const why = refusal(lower, argv)
  if (why !== undefined) throw new TierCacheError(`${lower} cannot be sent through tiercache: ${why}`, CODES.UNSUPPORTED)
  // In a transaction (no commandTimeout given) WAIT does not block.
  if (lower === 'wait' && commandTimeout !== undefined) checkWait(argv, commandTimeout)
  if (keyPrefix !== '' && lower === 'randomkey') {
    // No pattern narrows it: it would name a key of any prefix.
    throw new TierCacheError('randomkey answers a key of any prefix, other tenants\' included, so it is refused with ' +
      'keyPrefix; send it from a client without keyPrefix', CODES.UNSUPPORTED)
  }
  if (entry === undefined) {
    // A command the table does not know (a module's, a newer server's): its
    // key positions are unknown. Without keyPrefix, every argument is taken
    // as a key it may write (L1 drops any copy of one: conservative, and
    // cheap), since L1's keys are then Redis's. With keyPrefix, the keys
    // cannot be prefixed: refused rather than sent to unprefixed keys.
    if (keyPrefix !== '') {
      throw new TierCacheError(`${lower} is not in tiercache's command table, so keyPrefix cannot be applied to its keys; ` +
        'send it from a client without keyPrefix', CODES.UNSUPPORTED)
    }
    const written = argv.map((_, i) => i).slice(1)
    refuseLoneSurrogates(argv, written)
    return { argv, keys: [], written, flush: false, wait: undefined }
  }
  const { keys, written } = command.positions(argv)
  refuseLoneSurrogates(argv, keys)
  const blocking = command.mayBlock && commands.isBlocking(lower, argv.slice(1))
  return {
    argv,
    keys,
    written,
    flush: entry.l1 === commands.L1.FLUSH,
    wait: blocking ? commands.blockingDeadline(lower, argv.slice(1)) : undefined,
    // Cached only for a string key: the front is keyed by it (a Buffer key
    // is read from Redis every time).
    cached: command.cachesReply && keys.length === 1 && typeof argv[keys[0]] === 'string'
  }
}

/** `v` with every Buffer in it (arrays included) decoded with `encoding`, as ioredis's convertBufferToString. */
function decoded (v, encoding) {
  if (Buffer.isBuffer(v)) return v.toString(encoding)
  if (Array.isArray(v)) return v.map((item) => decoded(item, encoding))
  return v
}

/**
 * The front's subkey of a cached read: the reply type, the command name and
 * every argument but the key, each length-prefixed (no two argument lists
 * share one), Buffers as hex.
 */
function subkeyOf (argv, keyAt, buffers) {
  let sub = buffers ? 'B' : 'S'
  for (let i = 0; i < argv.length; i++) {
    if (i === keyAt) continue
    const a = argv[i]
    const s = typeof a === 'string' ? (i === 0 ? a.toLowerCase() : a) : '\u0000' + a.toString('hex')
    sub += s.length + ':' + s
  }
  return sub
}

/** The reply front for command `lower`: none when the application transforms its replies (lib/commands/transform). */
function frontFor (cache, lower) {
  return commands.hasRegisteredReplyTransformer(lower) ? null : cache._replyFront
}

// l1Hit's answer when it looked the read up in the front and the shared
// store and neither held it (MISS: it could not look it up).
const L1_MISS = Symbol('L1_MISS')

/**
 * L1's answer (front, then shared store) to a `reply` read given as a key
 * and plain string or number arguments, L1_MISS, or MISS, without planning the
 * command: these commands' key is their first argument and their
 * arguments are sent as their String(), so the argv and the front's
 * subkey are what plan() and `subkeyOf` would make. Whatever does not fit
 * (Buffers, arrays) takes the planned path (readThroughL1). A front hit
 * passed plan()'s checks when the same strings were filled.
 */
function l1Hit (cache, command, args, buffers) {
  const n = args.length
  if (n === 0 || typeof args[0] !== 'string') return MISS
  const lower = command.lower
  const front = frontFor(cache, lower)
  const argv = new Array(n + 1)
  argv[0] = lower
  argv[1] = args[0]
  let sub = (buffers ? 'B' : 'S') + lower.length + ':' + lower
  for (let i = 1; i < n; i++) {
    const a = args[i]
    let s
    if (typeof a === 'string') s = a
    else if (typeof a === 'number') s = String(a)
    else return MISS
    sub += s.length + ':' + s
    argv[i + 1] = s
  }
  if (front !== null) {
    const hit = front.get(args[0], sub)
    if (hit !== MISS) return hit
  }
  // The shared store, with the argv plan() would send (a string that is
  // not well-formed is refused there, never looked up as U+FFFD).
  for (let i = 1; i <= n; i++) if (!argv[i].isWellFormed()) return MISS
  const before = front !== null ? front.seen : 0
  let local
  try {
    local = native.tierCachedReply(cache._h, argv, 1, buffers)
  } catch (err) {
    throw fromNative(err)
  }
  if (local === null) return L1_MISS
  const reply = command.replyOf(local[0])
  if (front === null) return reply
  front.fill(args[0], sub, reply, before)
  return copyReply(reply)
}

/**
 * A cacheable read (`reply` in the table): from this thread's front, else
 * from the shared store (then the front keeps it), else from Redis, whose
 * reply the addon caches under the key if no change raced with it. The
 * front fills only from the store, synchronously, so it never holds a reply
 * the store would not.
 */
function readThroughL1 (cache, remote, argv, keyAt, buffers, command) {
  const key = argv[keyAt]
  const front = frontFor(cache, command.lower)
  let sub
  if (front !== null) {
    sub = subkeyOf(argv, keyAt, buffers)
    const hit = front.get(key, sub)
    if (hit !== MISS) return Promise.resolve(hit)
  }
  const before = front !== null ? front.seen : 0
  let local
  try {
    local = native.tierCachedReply(cache._h, argv, keyAt, buffers)
  } catch (err) {
    throw fromNative(err)
  }
  if (local !== null) {
    const reply = command.replyOf(local[0])
    if (front === null) return Promise.resolve(reply)
    front.fill(key, sub, reply, before)
    return Promise.resolve(copyReply(reply))
  }
  return readRedis(remote, argv, keyAt, buffers, command)
}

/** A cacheable read L1 does not hold, from Redis (whose reply the addon caches). */
function readRedis (remote, argv, keyAt, buffers, command) {
  return remote.call(
    (id) => native.tierCommand(remote.handle, id, argv, [keyAt], [], false, buffers, true),
    command.replyOf
  )
}

/**
 * Sends command `name` with `args` for `cache`; resolves with the reply as
 * ioredis gives it (Buffers instead of strings with `buffers`). With
 * `replyEncoding`, Buffers are decoded with it before the reply transformer,
 * as ioredis's Command does; with `raw`, the reply transformer is skipped
 * (node-redis's sendCommand answers Redis's reply as it is). Rejects with
 * ERR_TIERCACHE_NEEDS_REDIS on an instance without Redis.
 */
function sendCommand (cache, name, args, buffers, options) {
  // Read only when given (no default object to allocate on every call).
  const raw = options !== undefined && options.raw === true
  const replyEncoding = options === undefined ? undefined : options.replyEncoding
  // In MULTI (pipeline: false) the client's commands queue (lib/pipeline.js).
  if (cache._queuing !== null && typeof name === 'string') {
    return require('./pipeline').queueCommand(cache, buffers ? `${name}Buffer` : name, args)
  }
  // L1 holds replies as the ioredis flavour answers them: a raw or
  // re-encoded reply is always read from Redis.
  // A watched key is read from Redis (lib/watch.js); L1 caches reads of string keys only.
  const l1 = !raw && replyEncoding === undefined && (typeof args[0] !== 'string' || watching.mayServe(cache, args[0]))
  const command = typeof name === 'string' && name.length > 0 ? commands.compiled(name) : undefined
  // Whether l1Hit looked the read up in both tiers of L1, and missed.
  let missed = false
  if (l1 && cache._remote !== null && command !== undefined && command.cachesReply) {
    const hit = l1Hit(cache, command, args, buffers)
    if (hit === L1_MISS) missed = true
    else if (hit !== MISS) return Promise.resolve(hit)
  }
  const remote = needRemote(cache, command !== undefined ? command.lower : 'this command')
  if (remote.config.keyPrefix !== '' && command !== undefined && PATTERN_COMMANDS.has(command.lower)) {
    return withinPrefix(cache, command.lower, args, buffers || replyEncoding !== undefined)
  }
  const planned = plan(name, args, remote.config.keyPrefix, remote.config.commandTimeout)
  const { argv, keys, written, flush, wait, cached } = planned
  const lower = command.lower
  if (lower === 'watch') return watching.watch(cache, remote, planned)
  if (lower === 'unwatch') return watching.unwatch(cache, remote)
  if (cached && l1) {
    return missed ? readRedis(remote, argv, keys[0], buffers, command) : readThroughL1(cache, remote, argv, keys[0], buffers, command)
  }
  if (flush) cache._clearFronts()
  for (const i of written) cache._forget(String(argv[i]))
  const asBuffers = buffers || replyEncoding !== undefined
  const submit = wait === undefined
    ? (id) => native.tierCommand(remote.handle, id, argv, keys, written, flush, asBuffers, false)
    : (id) => native.tierBlockingCommand(remote.handle, id, argv, keys, written, flush, asBuffers, wait)
  return remote.call(submit,
    raw ? undefined : replyEncoding === undefined ? command.replyOf : (reply) => commands.transformReply(lower, decoded(reply, replyEncoding)))
}

/**
 * WAIT numreplicas timeout holds the shared connection (every command
 * behind it) until the replicas acknowledged this client's writes or
 * `timeout` ms passed (0: for ever). It runs when its timeout is at least
 * 1 ms and at most half of `commandTimeout`: it then ends within its own
 * deadline, and a command queued behind it keeps half of its own.
 */
function checkWait (argv, commandTimeout) {
  // Another arity: Redis refuses it at once.
  if (argv.length !== 3) return
  const raw = argv[2]
  const timeout = typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : NaN
  const most = Math.floor(commandTimeout / 2)
  if (!(timeout >= 1 && timeout <= most)) {
    throw new TierCacheError(`wait cannot be sent through tiercache with a timeout of ${String(raw)}: WAIT holds the connection every ` +
      `command shares, so its timeout must be from 1 to ${most} ms (half of commandTimeout)`, CODES.UNSUPPORTED)
  }
}

/** Throws ERR_TIERCACHE_NEEDS_REDIS for an L1-only `cache`. */
function needRemote (cache, what) {
  if (cache._remote !== null) return cache._remote
  throw new NeedsRedisError(`${what} needs Redis: this cache is L1-only, where only the string ` +
    'commands run; pass a Redis URL (new TierCache(\'redis://host:6379\')) to use it')
}

/** A reply error the addon put inside an array (a plain Error) as a ReplyError. */
function replyError (e) {
  return e instanceof ReplyError ? e : new ReplyError(e.message)
}

/** `v` with every Buffer in it decoded as UTF-8 (a string command's slot in a transaction that has Buffer ones). */
function strings (v) {
  if (Buffer.isBuffer(v)) return v.toString()
  if (Array.isArray(v)) return v.map(strings)
  return v
}

// Commands whose hand-written method scopes a pattern to keyPrefix (lib/two-level.js).
const PATTERN_COMMANDS = new Set(['keys', 'scan'])

/**
 * KEYS or SCAN sent through the generic path (`call('keys', '*')`, node-redis's
 * `sendCommand(['SCAN', '0'])`) on an instance with keyPrefix: run by the
 * hand-written method, which matches within the prefix and answers the keys
 * without it. Sent as given, the pattern would list every other prefix's keys.
 */
function withinPrefix (cache, lower, args, buffers) {
  // Required here: lib/two-level.js requires this module.
  const typed = require('./two-level').commands
  const reply = lower === 'keys' && args.length === 1
    ? typed.keys.call(cache, args[0])
    : lower === 'scan' && args.length >= 1
      ? typed.scan.call(cache, ...args)
      : Promise.reject(new ReplyError(`ERR wrong number of arguments for '${lower}' command`))
  if (!buffers) return reply
  const asBuffers = (keys) => keys.map((k) => Buffer.from(k))
  return reply.then((r) => (lower === 'keys' ? asBuffers(r) : [Buffer.from(r[0]), asBuffers(r[1])]))
}

/**
 * What a transaction of `queued` ({ name, args, buffers } each) sends: each
 * command planned as `plan` plans one (throws for a refused one), and
 * whether the replies come as Buffers (any `…Buffer` command: the others'
 * are decoded back to strings).
 */
function planTransaction (queued, keyPrefix) {
  if (keyPrefix !== '') {
    for (const q of queued) {
      const lower = typeof q.name === 'string' ? q.name.toLowerCase() : ''
      if (PATTERN_COMMANDS.has(lower)) {
        // The hand-written keys/scan match within keyPrefix; in a transaction
        // they go through this path, where the pattern is sent as given and
        // would list other prefixes' keys.
        throw new TierCacheError(`${lower} in a transaction would not be scoped to keyPrefix ('${keyPrefix}'); ` +
          `call cache.${lower}() outside the transaction, or in a pipeline()`, CODES.UNSUPPORTED)
      }
    }
  }
  return {
    plans: queued.map((q) => plan(q.name, q.args, keyPrefix)),
    buffers: queued.some((q) => q.buffers)
  }
}

/**
 * Sends `queued` ({ name, args, buffers } each) as one transaction for
 * `cache`: MULTI, the commands and EXEC in one write on the shared
 * connection (the addon's Op::Transaction), planned as `sendCommand` plans
 * one command (arguments, keyPrefix, refusals, written keys, L1). Resolves
 * as ioredis's multi().exec(): `[[null, reply] | [ReplyError], …]`; rejects with the EXECABORT ReplyError (its
 * `previousErrors` the queueing errors) when Redis refused a command when
 * queued. A command this path refuses rejects the whole transaction before
 * anything is sent.
 */
function sendTransaction (cache, queued) {
  const remote = needRemote(cache, 'multi')
  const { plans, buffers } = planTransaction(queued, remote.config.keyPrefix)
  if (plans.some((p) => p.flush)) cache._clearFronts()
  for (const { argv, written } of plans) {
    for (const i of written) cache._forget(String(argv[i]))
  }
  // After a WATCH, on the client's pin: where the keys are watched (lib/watch.js).
  const pinned = watching.takePin(cache, remote)
  const argvs = plans.map((p) => p.argv)
  const keys = plans.map((p) => p.keys)
  const writtens = plans.map((p) => p.written)
  const flushes = plans.map((p) => p.flush)
  return remote.call(
    (id) => {
      if (pinned === null) native.tierTransaction(remote.handle, id, argvs, keys, writtens, flushes, buffers)
      else {
        try {
          native.tierPinTransaction(remote.handle, id, pinned.pin, argvs, keys, writtens, flushes, buffers)
        } finally {
          pinned.close()
        }
      }
    },
    ([queuedReplies, exec]) => {
      if (exec instanceof Error) {
        const err = replyError(exec)
        err.previousErrors = queuedReplies.filter((r) => r instanceof Error).map(replyError)
        throw err
      }
      // Nil: a WATCHed key changed, nothing ran (ioredis resolves null).
      if (exec === null || exec === undefined) return null
      if (!Array.isArray(exec)) throw new ReplyError('EXEC did not answer with the replies of the transaction')
      return exec.map((reply, i) => {
        if (reply instanceof Error) return [replyError(reply)]
        const lower = plans[i].argv[0].toLowerCase()
        try {
          return [null, commands.transformReply(lower, buffers && !queued[i].buffers ? strings(reply) : reply)]
        } catch (err) {
          return [err]
        }
      })
    }
  )
}

module.exports = { sendCommand, sendTransaction, planTransaction, plan, alwaysRefused, needRemote, REFUSED }
