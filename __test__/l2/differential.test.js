'use strict'
// Differential test of the command surface through the Redis tier (L2):
// random command sequences run on tiercache and on ioredis against the same
// private redis-server, and every reply is compared.
//
// Sides: tiercache `new TierCache({ redis: url, keyPrefix: 'tc:' })` (plus a
// second instance, cache2, on the same URL and prefix that runs some of the
// commands, so one instance's L1 must see the other's writes) and ioredis
// `new Redis({ port, keyPrefix: 'io:' })`. The prefixes keep the two sides'
// keys apart on the one server; FLUSHDB empties the whole db, so it is only
// issued on both sides at the same step.
//
// Compared, reply by reply:
// - values: equal (strings, numbers, null, arrays); Buffers byte for byte.
//   Integer replies beyond 2^53 are equal within a few ulps: ioredis's
//   parser builds them digit by digit in floating point and is itself off
//   there (9223372036854775806 reads 9223372036854778000); the bytes Redis
//   stores are compared exactly by the GET-family replies and the end check;
// - errors: both sides failed (except an invalid GETEX expiry on a missing
//   key: tiercache refuses the argument itself, Redis replies null because it
//   looks the key up first); when tiercache's error is a ReplyError (Redis's
//   own error reply), its message is Redis's message; a tiercache error must
//   carry an ERR_TIERCACHE_* code and never be an internal or closed error;
// - TTL / PTTL loosely: -1 and -2 exactly, positive values within 1 s /
//   1000 ms. The two sides run the same command a fraction of a millisecond
//   apart, and Redis rounds TTL to the nearest second, so exact equality of
//   remaining times would be a race, not a finding;
// - KEYS '*' sorted, each side through its own prefix (tiercache scopes KEYS
//   to its keyPrefix; ioredis does not prefix patterns, so its side runs
//   KEYS 'io:*' and strips the prefix);
// - DBSIZE as is: neither side prefixes it, both count the whole db (the
//   other side's keys included). Redis also counts keys whose expiry passed
//   until its active expiry reclaims them (SET with a past EXAT / PXAT leaves
//   such keys), and that may happen between the two sides' calls: tiercache's
//   reply must lie between ioredis's DBSIZE just before and just after it.
//
// Coherence across instances is asynchronous (docs/redis-tier.md "Coherence": Redis
// pushes an invalidation, the other instance drops its copy when the push is
// processed), so one exception: an L1 read (get, getBuffer, mget, getex
// without options) whose differing keys were last written through the OTHER
// tiercache instance may be stale for a moment. It is re-read every few ms
// and must agree within STALE_WINDOW_MS; such reads are counted and printed
// as a diagnostic. A stale read after the same instance's own write, or one
// that never catches up, fails.
//
// After each sequence, a FRESH tiercache instance (empty L1) reads every key
// with getBuffer and must get the bytes ioredis gets for its counterpart:
// Redis itself holds the same values, not just the L1s.
//
// Timing is kept out of the verdicts: no TTL set in a sequence can elapse
// during it (relative and absolute expiries are distinct multiples of 30 s
// from the sequence start, or already in the past), so NX/XX/GT/LT compare
// deadlines that differ by far more than the time between the two sides.
//
// DIFF_SEED=n reruns a failing run (the seed is printed in every failure),
// DIFF_SEQUENCE=i runs only sequence i of it, DIFF_SEQUENCES / DIFF_STEPS
// change the default 20 sequences × 200 commands.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const util = require('node:util')
const Redis = require('ioredis')

const { startRedis } = require('../support/redis-server')

const TC_PREFIX = 'tc:'
const IO_PREFIX = 'io:'

function envInt (name, fallback) {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`)
  return n
}

const BASE_SEED = envInt('DIFF_SEED', crypto.randomInt(0, 2 ** 32)) >>> 0
const SEQUENCES = envInt('DIFF_SEQUENCES', 20)
const STEPS = envInt('DIFF_STEPS', 200)
const STALE_WINDOW_MS = 250
const ONLY = process.env.DIFF_SEQUENCE === undefined ? null : envInt('DIFF_SEQUENCE', 0)

/** The tiercache side: an L1 in front of the Redis at `url`. */
function openTierCache (url) {
  const TierCache = require('../..')
  return new TierCache({ redis: url, keyPrefix: TC_PREFIX })
}

// ---- seeded randomness ------------------------------------------------------

// mulberry32, shared with the benchmarks' inputs.
const { prng: mulberry32 } = require('../../bench/lib/fixtures')

class Rng {
  constructor (seed) {
    this.next = mulberry32(seed)
  }

  /** An integer in [0, n). */
  int (n) {
    return Math.floor(this.next() * n)
  }

  chance (p) {
    return this.next() < p
  }

  pick (list) {
    return list[this.int(list.length)]
  }

  /** One of `table`'s [weight, value] rows, by weight. */
  weighted (table) {
    let total = 0
    for (const [w] of table) total += w
    let x = this.next() * total
    for (const [w, v] of table) {
      x -= w
      if (x < 0) return v
    }
    return table[table.length - 1][1]
  }

  shuffle (list) {
    for (let i = list.length - 1; i > 0; i--) {
      const j = this.int(i + 1)
      ;[list[i], list[j]] = [list[j], list[i]]
    }
    return list
  }
}

/** The seed of sequence `index` of a run seeded `base`. */
function sequenceSeed (base, index) {
  return (base ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0
}

// ---- what the sequences are made of ----------------------------------------

// Few keys, so commands collide; unicode, a space and a digit among them.
const KEYS = ['a', 'b', 'user:1', 'user:2', '7', 'ключ', '🙂', 'sp ace']

const STRINGS = [
  '', 'hello', 'héllo wörld', '日本語', '🙂👍🏽', 'a\u0000b', 'abc',
  '10', '-3', '0', '1.5', '1e3', '10.50', '5.0e3', '3.0', '01', ' 1', '+1',
  '9223372036854775807', '-9223372036854775808', '234293482390480948029348230948'
]
const NUMBERS = [10, -3, 0, 1.5, 42]
const FIXED_BUFFERS = [
  Buffer.from([0xff]),
  Buffer.from([0xff, 0xfe, 0x00, 0x80]),
  Buffer.from([0x61, 0xc3, 0x28, 0x62]),
  Buffer.from([0xf0, 0x9f, 0x98]),
  Buffer.from('12'),
  Buffer.alloc(0)
]

function randomBuffer (rng) {
  const buf = Buffer.alloc(rng.int(13))
  for (let i = 0; i < buf.length; i++) buf[i] = rng.chance(0.25) ? rng.pick([0x00, 0xff, 0x80, 0xc3]) : rng.int(256)
  return buf
}

function randomValue (rng) {
  return rng.weighted([
    [55, () => rng.pick(STRINGS)],
    [10, () => rng.pick(NUMBERS)],
    [15, () => rng.pick(FIXED_BUFFERS)],
    [20, () => randomBuffer(rng)]
  ])()
}

function randomKeys (rng, max) {
  const n = 1 + rng.int(max)
  const keys = []
  for (let i = 0; i < n; i++) keys.push(rng.pick(KEYS))
  return keys
}

// Expiry times. Every future expiry of a sequence takes its own slot: a
// distinct multiple of SLOT_MS after the sequence start, so two deadlines of
// a sequence are always far apart (GT / LT never hinge on when exactly a
// command ran) and none elapses while the sequence runs.
const SLOT_MS = 30000
const SLOTS = 4000

class Expiries {
  constructor (rng) {
    this.rng = rng
    this.start = Date.now()
    this.used = new Set()
  }

  slot () {
    let n
    do {
      n = 1 + this.rng.int(SLOTS)
    } while (this.used.has(n))
    this.used.add(n)
    return n
  }

  seconds () { return this.slot() * (SLOT_MS / 1000) }
  ms () { return this.slot() * SLOT_MS + this.rng.int(1000) }
  unixSeconds () { return Math.floor(this.start / 1000) + this.slot() * (SLOT_MS / 1000) }
  unixMs () { return this.start + this.slot() * SLOT_MS + this.rng.int(1000) }
  pastUnixSeconds () { return this.rng.pick([1293840000, Math.floor(this.start / 1000) - 100]) }
  pastUnixMs () { return this.rng.pick([1555555555005, this.start - 100000]) }
}

/** Tokens as users write them: mostly upper case, sometimes lower. */
function tok (rng, word) {
  return rng.chance(0.15) ? word.toLowerCase() : word
}

function setOptions (rng, ex) {
  const groups = []
  const expiry = rng.weighted([[45, null], [12, 'EX'], [12, 'PX'], [8, 'EXAT'], [8, 'PXAT'], [10, 'KEEPTTL']])
  if (expiry === 'EX') groups.push([tok(rng, 'EX'), rng.chance(0.05) ? rng.pick([0, -1]) : ex.seconds()])
  if (expiry === 'PX') groups.push([tok(rng, 'PX'), rng.chance(0.05) ? rng.pick([0, -5]) : ex.ms()])
  if (expiry === 'EXAT') groups.push([tok(rng, 'EXAT'), rng.chance(0.15) ? ex.pastUnixSeconds() : ex.unixSeconds()])
  if (expiry === 'PXAT') groups.push([tok(rng, 'PXAT'), rng.chance(0.15) ? ex.pastUnixMs() : ex.unixMs()])
  if (expiry === 'KEEPTTL') groups.push([tok(rng, 'KEEPTTL')])
  const condition = rng.weighted([[60, null], [20, 'NX'], [19, 'XX'], [1, 'NXXX']])
  if (condition === 'NXXX') groups.push(['NX'], ['XX'])
  else if (condition !== null) groups.push([tok(rng, condition)])
  if (rng.chance(0.3)) groups.push([tok(rng, 'GET')])
  if (rng.chance(0.3)) rng.shuffle(groups)
  return groups.flat()
}

function expireTime (rng, ex, command) {
  const future = rng.chance(0.8)
  switch (command) {
    case 'expire': return future ? ex.seconds() : rng.pick([0, -1, -100])
    case 'pexpire': return future ? ex.ms() : rng.pick([0, -1, -5000])
    case 'expireat': return future ? ex.unixSeconds() : ex.pastUnixSeconds()
    default: return future ? ex.unixMs() : ex.pastUnixMs()
  }
}

const INCREMENTS = [1, -1, 5, 0, 100, -7, '3', '-20', 1000000]
const BAD_INCREMENTS = ['1.5', 'abc', 1.5, '9223372036854775807']
const FLOAT_INCREMENTS = [0.1, -5, '1e3', '2.0e2', 1.5, '-0.25', 3, '0.1', -1.5]
const BAD_FLOAT_INCREMENTS = ['abc', '', 'Infinity', ' 1']

// How a reply is compared (see the top of the file).
const EXACT = 'exact'
const BUFFER = 'buffer'
const TTL = 'ttl'
const PTTL = 'pttl'
const KEYS_SORTED = 'keys'
const DBSIZE = 'dbsize'

// [weight, name, compare, read-only, args(rng, expiries)]
const COMMANDS = [
  [14, 'set', EXACT, false, (r, ex) => [r.pick(KEYS), randomValue(r), ...setOptions(r, ex)]],
  [3, 'setex', EXACT, false, (r, ex) => [r.pick(KEYS), r.chance(0.05) ? r.pick([0, -1]) : ex.seconds(), randomValue(r)]],
  [3, 'psetex', EXACT, false, (r, ex) => [r.pick(KEYS), r.chance(0.05) ? r.pick([0, -1]) : ex.ms(), randomValue(r)]],
  [3, 'setnx', EXACT, false, (r) => [r.pick(KEYS), randomValue(r)]],
  [10, 'get', EXACT, true, (r) => [r.pick(KEYS)]],
  [5, 'getBuffer', BUFFER, true, (r) => [r.pick(KEYS)]],
  [3, 'getdel', EXACT, false, (r) => [r.pick(KEYS)]],
  [4, 'getex', EXACT, false, (r, ex) => {
    const key = r.pick(KEYS)
    switch (r.weighted([[25, 'none'], [15, 'EX'], [15, 'PX'], [12, 'EXAT'], [12, 'PXAT'], [15, 'PERSIST'], [2, 'bad']])) {
      case 'EX': return [key, tok(r, 'EX'), ex.seconds()]
      case 'PX': return [key, tok(r, 'PX'), ex.ms()]
      case 'EXAT': return [key, tok(r, 'EXAT'), r.chance(0.15) ? ex.pastUnixSeconds() : ex.unixSeconds()]
      case 'PXAT': return [key, tok(r, 'PXAT'), r.chance(0.15) ? ex.pastUnixMs() : ex.unixMs()]
      case 'PERSIST': return [key, tok(r, 'PERSIST')]
      case 'bad': return [key, 'EX', r.pick([0, -1])]
      default: return [key]
    }
  }],
  [4, 'mget', EXACT, true, (r) => randomKeys(r, 5)],
  [3, 'mset', EXACT, false, (r) => randomKeys(r, 4).flatMap((k) => [k, randomValue(r)])],
  [4, 'del', EXACT, false, (r) => randomKeys(r, 4)],
  [4, 'exists', EXACT, true, (r) => randomKeys(r, 4)],
  ...['expire', 'pexpire', 'expireat', 'pexpireat'].map((name) => [name.endsWith('at') ? 2 : 3, name, EXACT, false, (r, ex) => {
    const a = [r.pick(KEYS), expireTime(r, ex, name)]
    if (r.chance(0.5)) a.push(tok(r, r.pick(['NX', 'XX', 'GT', 'LT'])))
    return a
  }]),
  [3, 'persist', EXACT, false, (r) => [r.pick(KEYS)]],
  [4, 'ttl', TTL, true, (r) => [r.pick(KEYS)]],
  [4, 'pttl', PTTL, true, (r) => [r.pick(KEYS)]],
  [4, 'incr', EXACT, false, (r) => [r.pick(KEYS)]],
  [2, 'decr', EXACT, false, (r) => [r.pick(KEYS)]],
  [3, 'incrby', EXACT, false, (r) => [r.pick(KEYS), r.chance(0.08) ? r.pick(BAD_INCREMENTS) : r.pick(INCREMENTS)]],
  [2, 'decrby', EXACT, false, (r) => [r.pick(KEYS), r.chance(0.08) ? r.pick(BAD_INCREMENTS) : r.pick(INCREMENTS)]],
  [3, 'incrbyfloat', EXACT, false, (r) => [r.pick(KEYS), r.chance(0.08) ? r.pick(BAD_FLOAT_INCREMENTS) : r.pick(FLOAT_INCREMENTS)]],
  [2, 'dbsize', DBSIZE, true, () => []],
  [2, 'keys', KEYS_SORTED, true, () => ['*']],
  [0.5, 'flushdb', EXACT, false, () => []]
]
const COMMAND_TABLE = COMMANDS.map((row) => [row[0], row])

/** The next command of a sequence: which tiercache instance runs it, and how. */
function nextCommand (rng, ex) {
  const [, name, compare, readOnly, makeArgs] = rng.weighted(COMMAND_TABLE)
  return {
    name,
    compare,
    readOnly,
    args: makeArgs(rng, ex),
    // cache2 reads 30% of the time and writes 10%: each instance's L1 must
    // follow what the other one did.
    onCache2: rng.chance(readOnly ? 0.3 : 0.1),
    // Some commands go through a trailing callback instead of the promise.
    viaCallback: rng.chance(0.15)
  }
}

// ---- running and comparing ------------------------------------------------------

/**
 * Runs `client[method](...args)` and settles to { ok, value | error }. With
 * `viaCallback`, the reply is the callback's, and the returned promise must
 * agree with it.
 */
async function run (client, method, args, viaCallback = false) {
  try {
    if (!viaCallback) {
      return await client[method](...args).then((value) => ({ ok: true, value }), (error) => ({ ok: false, error }))
    }
    let returned
    const viaCb = await new Promise((resolve) => {
      returned = client[method](...args, (error, value) => resolve(error ? { ok: false, error } : { ok: true, value }))
    })
    const viaPromise = await returned.then((value) => ({ ok: true, value }), (error) => ({ ok: false, error }))
    if (viaPromise.ok !== viaCb.ok || (viaCb.ok ? !sameValue(viaCb.value, viaPromise.value) : viaCb.error !== viaPromise.error)) {
      return { ok: false, error: new Error(`the callback got ${show(viaCb)} but the returned promise ${show(viaPromise)}`), mismatch: true }
    }
    return viaCb
  } catch (error) {
    return { ok: false, error, threw: true }
  }
}

function sameValue (a, b) {
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b)
  try {
    assert.deepStrictEqual(a, b)
    return true
  } catch {
    return false
  }
}

function showArg (a) {
  if (Buffer.isBuffer(a)) return `<Buffer ${a.toString('hex').replace(/(..)(?!$)/g, '$1 ')}>`
  return util.inspect(a, { breakLength: Infinity })
}

function show (result) {
  if (result === undefined) return '(not run)'
  if (result.atMost !== undefined && result.atMost !== result.value) return `${result.atMost} then ${result.value}`
  if (!result.ok) {
    const e = result.error
    const what = e instanceof Error ? `${e.name}${e.code ? ` [${e.code}]` : ''}: ${e.message}` : util.inspect(e)
    return `error ${what}${result.threw ? ' (thrown synchronously)' : ''}`
  }
  return Array.isArray(result.value) ? `[${result.value.map(showArg).join(', ')}]` : showArg(result.value)
}

function describeCommand (cmd) {
  return `${cmd.name}(${cmd.args.map(showArg).join(', ')})`
}

/** Whether `cmd` may be answered from L1 (docs/commands.md: get, getBuffer, mget, getex without options). */
function readsL1 (cmd) {
  return cmd.name === 'get' || cmd.name === 'getBuffer' || cmd.name === 'mget' || (cmd.name === 'getex' && cmd.args.length === 1)
}

/** The keys a write command changes (all of them for FLUSHDB). */
function writtenKeys (cmd) {
  switch (cmd.name) {
    case 'flushdb': return KEYS
    case 'del': return cmd.args
    case 'mset': return cmd.args.filter((_, i) => i % 2 === 0)
    default: return [cmd.args[0]]
  }
}

/** The keys of an L1 read whose replies differ between the two sides. */
function differingKeys (cmd, tc, io) {
  if (cmd.name !== 'mget') return [cmd.args[0]]
  if (!tc.ok || !io.ok || !Array.isArray(tc.value) || tc.value.length !== io.value.length) return cmd.args
  return cmd.args.filter((_, i) => !sameValue(tc.value[i], io.value[i]))
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Keys of a KEYS reply that belong to `prefix`, without it, sorted. */
function ownKeys (list, prefix) {
  return list.filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)).sort()
}

function isReplyError (err) {
  return err != null && err.code === 'ERR_TIERCACHE_REPLY'
}

/** Why tiercache's result `tc` differs from ioredis's `io` for `cmd`, or null. */
function difference (cmd, tc, io) {
  if (tc.threw) return 'tiercache threw synchronously instead of rejecting'
  if (tc.mismatch) return 'callback and promise disagree'
  if (!tc.ok) {
    const code = tc.error && tc.error.code
    if (typeof code !== 'string' || !code.startsWith('ERR_TIERCACHE')) return 'tiercache failed with an error that has no ERR_TIERCACHE_* code'
    if (code === 'ERR_TIERCACHE_INTERNAL' || code === 'ERR_TIERCACHE_CLOSED') return `tiercache failed with ${code}`
  }
  // A deliberate difference: tiercache refuses an invalid expiry (GETEX EX 0)
  // before sending it, while Redis only notices when the key exists.
  if (!tc.ok && io.ok && io.value === null && cmd.name === 'getex' && tc.error.code === 'ERR_TIERCACHE_INVALID_TTL') return null
  if (tc.ok !== io.ok) return tc.ok ? 'only ioredis failed' : 'only tiercache failed'
  if (!tc.ok) {
    if (isReplyError(tc.error) && tc.error.message !== io.error.message) return 'both failed, with different Redis messages'
    return null
  }
  const a = tc.value
  const b = io.value
  switch (cmd.compare) {
    case BUFFER:
      if (a === null && b === null) return null
      if (!Buffer.isBuffer(a)) return 'tiercache did not reply a Buffer or null'
      return Buffer.isBuffer(b) && a.equals(b) ? null : 'different bytes'
    case TTL:
    case PTTL: {
      if (typeof a !== 'number') return 'tiercache did not reply a number'
      if (a < 0 || b < 0) return a === b ? null : 'different TTL states (-1 no expiry, -2 missing)'
      const tolerance = cmd.compare === TTL ? 1 : 1000
      return Math.abs(a - b) <= tolerance ? null : `remaining times differ by more than ${tolerance}`
    }
    case DBSIZE:
      if (typeof a !== 'number') return 'tiercache did not reply a number'
      return a >= b && a <= io.atMost ? null : `not within ioredis's DBSIZE before (${io.atMost}) and after (${b})`
    default:
      if (typeof a === 'number' && typeof b === 'number' && !Number.isSafeInteger(b)) {
        return Math.abs(a - b) <= Math.abs(b) * 2 ** -50 ? null : 'different replies'
      }
      return sameValue(a, b) ? null : 'different replies'
  }
}

// ---- the test ----------------------------------------------------------------------

describe('L2 differential: tiercache through Redis vs ioredis, reply by reply', () => {
  let server
  let io
  let cache
  let cache2
  const extra = new Set() // fresh instances of the end-of-sequence checks

  before(async () => {
    server = await startRedis()
    io = new Redis({ host: '127.0.0.1', port: server.port, keyPrefix: IO_PREFIX, lazyConnect: true })
    await io.connect()
    cache = openTierCache(server.url)
    await cache.connect()
    cache2 = openTierCache(server.url)
    await cache2.connect()
  })

  after(async () => {
    const closing = [...extra, cache2, cache, io].filter(Boolean).map((c) => Promise.resolve().then(() => c.quit()).catch(() => c.disconnect()))
    await Promise.allSettled(closing)
    if (server) await server.stop()
  })

  /**
   * The ioredis side of `cmd`. ioredis does not prefix KEYS patterns: its
   * side lists the io: keys, without the prefix, as tiercache lists tc:.
   */
  async function runIoredis (cmd) {
    if (cmd.compare === KEYS_SORTED) {
      const r = await run(io, 'keys', [IO_PREFIX + '*'])
      return r.ok ? { ok: true, value: ownKeys(r.value, IO_PREFIX) } : r
    }
    return run(io, cmd.name, cmd.args)
  }

  /** One step: tiercache's result and ioredis's (DBSIZE: ioredis's around tiercache's). */
  async function runStep (client, cmd) {
    if (cmd.compare === DBSIZE) {
      const before = await io.dbsize()
      const tc = await runTiercache(client, cmd)
      const after = await io.dbsize()
      return [tc, { ok: true, value: after, atMost: before }]
    }
    const tc = await runTiercache(client, cmd)
    return [tc, await runIoredis(cmd)]
  }

  async function runTiercache (client, cmd) {
    const r = await run(client, cmd.name, cmd.args, cmd.viaCallback)
    if (cmd.compare === KEYS_SORTED && r.ok && Array.isArray(r.value)) r.value = [...r.value].sort()
    return r
  }

  /** Both sides empty: FLUSHDB empties the shared db, once, on each side. */
  async function flushBoth () {
    assert.equal(await cache.flushdb(), 'OK')
    assert.equal(await io.flushdb(), 'OK')
  }

  /**
   * Re-runs a read on `client` until it agrees with ioredis's `io` reply
   * (nothing else runs meanwhile). Returns [ms it took, last result], ms
   * being null when it did not agree within STALE_WINDOW_MS.
   */
  async function catchUp (client, cmd, io) {
    const start = Date.now()
    let last
    do {
      await sleep(2)
      last = await runTiercache(client, { ...cmd, viaCallback: false })
      if (difference(cmd, last, io) === null) return [Date.now() - start, last]
    } while (Date.now() - start < STALE_WINDOW_MS)
    return [null, last]
  }

  async function runSequence (index, t) {
    const seed = sequenceSeed(BASE_SEED, index)
    const rng = new Rng(seed)
    const history = []
    // Which tiercache instance last wrote each key, for the stale-L1 exception.
    const lastWriter = new Map(KEYS.map((k) => [k, 'cache']))
    let staleReads = 0
    let staleMaxMs = 0
    const where = (step) => `DIFF_SEED=${BASE_SEED} DIFF_SEQUENCE=${index} (sequence seed ${seed}), step ${step}`
    const fail = (message) => {
      assert.fail(`${message}\nlast commands (oldest first):\n${history.slice(-12).map((h) => `  ${h}`).join('\n')}`)
    }

    await flushBoth()
    const ex = new Expiries(rng)
    for (let step = 0; step < STEPS; step++) {
      const cmd = nextCommand(rng, ex)
      const client = cmd.onCache2 ? cache2 : cache
      const label = `${describeCommand(cmd)}${cmd.onCache2 ? ' on cache2' : ''}${cmd.viaCallback ? ' via callback' : ''}`
      const reader = cmd.onCache2 ? 'cache2' : 'cache'
      const [tc, ior] = await runStep(client, cmd)
      history.push(`${step}: ${label} → tiercache ${show(tc)} | ioredis ${show(ior)}`)
      const why = difference(cmd, tc, ior)
      if (why !== null) {
        const otherWrote = readsL1(cmd) && differingKeys(cmd, tc, ior).every((k) => lastWriter.get(k) !== reader)
        if (otherWrote) {
          // The documented stale window: it must close.
          const [ms, last] = await catchUp(client, cmd, ior)
          if (ms === null) {
            fail(`${where(step)}: ${label}: ${why}, and still after ${STALE_WINDOW_MS} ms (the key was last written through the other instance)\n  tiercache: ${show(tc)}\n  ioredis:   ${show(ior)}\n  tiercache ${STALE_WINDOW_MS} ms later: ${show(last)}`)
          }
          staleReads++
          staleMaxMs = Math.max(staleMaxMs, ms)
          history[history.length - 1] += ` (stale L1 after the other instance's write; agreed ${ms} ms later)`
        } else {
          // A read is run again a moment later: tells a stale L1 that catches
          // up (an invalidation still on its way) from one that stays wrong.
          let again = ''
          if (cmd.readOnly && cmd.compare !== DBSIZE) {
            await sleep(50)
            again = `\n  tiercache again 50 ms later: ${show(await runTiercache(client, { ...cmd, viaCallback: false }))}`
          }
          fail(`${where(step)}: ${label}: ${why}\n  tiercache: ${show(tc)}\n  ioredis:   ${show(ior)}${again}`)
        }
      }
      if (!cmd.readOnly && !(cmd.name === 'getex' && cmd.args.length === 1)) {
        for (const k of writtenKeys(cmd)) lastWriter.set(k, reader)
      }
    }
    if (staleReads > 0) t.diagnostic(`${staleReads} stale L1 read(s) after the other instance's write, all caught up (slowest: ${staleMaxMs} ms)`)
    const elapsed = Date.now() - ex.start

    // Redis holds the same bytes: a fresh instance (empty L1) reads every key
    // as ioredis reads its counterpart; the long-lived instances agree too.
    const fresh = openTierCache(server.url)
    extra.add(fresh)
    try {
      await fresh.connect()
      for (const key of KEYS) {
        const expected = await run(io, 'getBuffer', [key])
        for (const [name, client] of [['a fresh instance', fresh], ['cache', cache], ['cache2', cache2]]) {
          const read = { name: 'getBuffer', args: [key], compare: BUFFER }
          const got = await run(client, 'getBuffer', [key])
          const why = difference(read, got, expected)
          if (why === null) continue
          // The long-lived instances may still be within the stale window of
          // the last steps' writes; the fresh one reads Redis and must agree.
          let later = ''
          if (client !== fresh) {
            const [ms, last] = await catchUp(client, read, expected)
            if (ms !== null) continue
            later = `\n  tiercache ${STALE_WINDOW_MS} ms later: ${show(last)}`
          }
          fail(`${where('end')} (after ${elapsed} ms): getBuffer(${showArg(key)}) on ${name}: ${why}\n  tiercache: ${show(got)}\n  ioredis:   ${show(expected)}${later}`)
        }
        const ttlTc = await run(fresh, 'pttl', [key])
        const ttlIo = await run(io, 'pttl', [key])
        const why = difference({ compare: PTTL }, ttlTc, ttlIo)
        if (why !== null) {
          fail(`${where('end')}: pttl(${showArg(key)}) on a fresh instance: ${why}\n  tiercache: ${show(ttlTc)}\n  ioredis:   ${show(ttlIo)}`)
        }
      }
      const keysTc = await runTiercache(fresh, { name: 'keys', args: ['*'], compare: KEYS_SORTED })
      const keysIo = await runIoredis({ name: 'keys', args: ['*'], compare: KEYS_SORTED })
      const why = difference({ compare: KEYS_SORTED }, keysTc, keysIo)
      if (why !== null) fail(`${where('end')}: keys('*') on a fresh instance: ${why}\n  tiercache: ${show(keysTc)}\n  ioredis:   ${show(keysIo)}`)
    } finally {
      extra.delete(fresh)
      await fresh.quit()
    }
  }

  for (let i = 0; i < SEQUENCES; i++) {
    if (ONLY !== null && i !== ONLY) continue
    test(`sequence ${i} of ${STEPS} commands (DIFF_SEED=${BASE_SEED})`, (t) => runSequence(i, t))
  }
})
