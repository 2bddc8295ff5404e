'use strict'
// Differential test of pub/sub and of the blocking commands: fast-check
// generates sequences of steps, each runs through tiercache and through
// ioredis against one private redis-server (started for this file, never
// 6379), and what each side answers or emits is compared.
//
// (1) Pub/sub. A tiercache subscriber and an ioredis subscriber get the same
// subscribe / unsubscribe / psubscribe / punsubscribe of 1 to 3 channels or
// patterns (with repeats; names as arguments, an array, Buffers, or with a
// callback), 2 or 3 of them sent at once (a burst), the no-argument forms
// (every channel, every pattern), an empty subscribe (both refuse it), and a
// GET sent to the subscriber. Each resolved count is compared (and with the
// count of what is subscribed). A publish step publishes the same message
// ('', non-ASCII, binary Buffers, a number, 20 kB, a lone surrogate) to a
// channel from a tiercache publisher and from an ioredis publisher (in a
// generated order): their replies (the number of receivers) must be equal,
// and their sum the number of deliveries the two subscribers logged. Once
// both subscribers have heard a sentinel published after them (on a channel
// both always subscribe to), their logs of 'message', 'messageBuffer',
// 'pmessage' and 'pmessageBuffer' events (every argument, Buffers as hex,
// types kept) must be equal event by event. Between sequences both
// subscribers unsubscribe from everything (or, after a failure, are replaced).
//
// (2) Blocking commands. tiercache on db 1, ioredis on db 2 of the same
// server (so the key names are the same), as differential-families.test.js.
// Sequences of plain writes (LPUSH, RPUSH, ZADD, XADD with explicit ids, SET,
// DEL), reads (LRANGE, ZRANGE, XRANGE, TYPE) and blocking commands (BLPOP,
// BRPOP, BLMOVE, BRPOPLPUSH, BZPOPMIN, BZPOPMAX, BLMPOP, BZMPOP, XREAD BLOCK)
// with short timeouts (0.05 to 0.2 s, never 0; now and then a negative or
// malformed one, or COUNT 0) over 1 or 2 keys that may be empty (null after
// the timeout), filled (half the blocking steps come right after a push of
// their family), or of another type (WRONGTYPE). tiercache is asked through
// its method, `call`, or the `…Buffer` variant, ioredis the same way. A
// 'concurrent' step starts the blocking command on both sides, waits until
// Redis has both blocked (INFO blocked_clients, at least 20 ms), then pushes
// to the key on each db from a plain client of its own: both must be woken
// with the same value (timeout 0.5 s there). Both dbs are flushed between
// sequences. Replies and errors are compared by
// __test__/support/differential.js (`picture`, `difference`): values deep-equal
// with their types, errors a ReplyError on both sides with the same message.
//
// Known differences are tallied (printed with the counts), not failed; each is
// described where it is tallied (`knownDiffs`).
//
// Sizes: CI (the default) runs 30 pub/sub sequences of 10 to 25 steps and 20
// blocking sequences of 5 to 12 steps (DIFF_PUBSUB_RUNS, DIFF_BLOCKING_RUNS
// override the counts); the full size, 500 pub/sub sequences of 10 to 60
// steps and 300 blocking sequences of 5 to 30, shrinks a failure:
//   node __test__/l2/differential-pubsub-blocking.test.js --full
// A failure prints fast-check's seed and path, the step that differed and the
// 10 before it; rerun it (both parts take the seed) with
//   DIFF_PUBSUB_BLOCKING_SEED=<seed> node --test __test__/l2/differential-pubsub-blocking.test.js

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fc = require('fast-check')
const Redis = require('ioredis')
const TierCache = require('../..')
const { startRedis } = require('../support/redis-server')
const { within: raceTimeout } = require('../support/child')
const { sleep } = require('../support/helpers')
const { settle, picture, difference: compare, show, printsOldDoubles } = require('../support/differential')

const FULL = process.argv.includes('--full')
const SEED = process.env.DIFF_PUBSUB_BLOCKING_SEED === undefined ? undefined : Number(process.env.DIFF_PUBSUB_BLOCKING_SEED)
const PUBSUB_RUNS = Number(process.env.DIFF_PUBSUB_RUNS || (FULL ? 500 : 30))
const PUBSUB_STEPS = FULL ? { minLength: 10, maxLength: 60 } : { minLength: 10, maxLength: 25 }
const BLOCKING_RUNS = Number(process.env.DIFF_BLOCKING_RUNS || (FULL ? 300 : 20))
const BLOCKING_STEPS = FULL ? { minLength: 5, maxLength: 30 } : { minLength: 5, maxLength: 12 }
// No step waits longer: a client that never answers fails its step, not the whole run.
const STEP_MS = 5000

// ---- comparing (as differential-families.test.js) ----------------------------

/** `promise`, or a rejection once `ms` have passed without an answer. */
const within = (promise, ms = STEP_MS, what = 'the command') => raceTimeout(promise, ms, () => `${what}: no answer within ${ms} ms`)

// A known difference (the one differential-families.test.js tallies): a
// double is read from RESP3 as an f64 and written back in the shortest form,
// as Redis >= 7.2 writes doubles over RESP2; Redis < 7.2 writes them with
// %.17g ("0.10000000000000001": BZPOPMIN's, BZMPOP's, ZRANGE WITHSCORES's
// scores). Against such a server a reply that differs only there is tallied,
// not failed; against 7.2+ it must match exactly.
let OLD_DOUBLES = false
const knownDiffs = {
  doubles17g: 0,
  // ioredis's unsubscribe() / punsubscribe() without arguments resolves only
  // once Redis's count reaches 0 (fillUnsubCommand in ioredis's
  // DataHandler.js): while the other kind has subscriptions (here always: the
  // sentinel channel) it never resolves, and the command stays at the head of
  // its queue, taking the replies of the next commands. tiercache resolves
  // with Redis's count. The ioredis side is then sent the names it is
  // subscribed to (or one it is not, when it has none), which Redis answers
  // with the same count; tiercache gets the no-argument form.
  ioredisNoArgUnsubscribe: 0,
  // ioredis refuses every other command once subscribed ("Connection in
  // subscriber mode, only subscriber commands may be used"); tiercache has no
  // subscriber mode (its subscriber connection is a separate one,
  // docs/redis-tier.md "Subscriber mode") and answers as any client: compared
  // with the same GET from the publisher.
  subscriberModeRefusal: 0,
  // A string message holding a lone UTF-16 surrogate ('\ud800'): ioredis
  // publishes it as U+FFFD (Node's UTF-8 encoding); tiercache refuses it
  // before sending (TierCacheTypeError ERR_TIERCACHE_INVALID_VALUE, "store it
  // as a Buffer": docs/commands.md, as for every string value). Tallied when
  // tiercache's publish is refused so and ioredis's delivered; the events
  // (ioredis's publish only) are compared as always.
  loneSurrogateRefused: 0,
  // subscribe() / psubscribe() without a name: ioredis sends it and Redis
  // refuses it (ReplyError "ERR wrong number of arguments for 'subscribe'
  // command"); tiercache refuses it before sending (TierCacheTypeError,
  // ERR_TIERCACHE_INVALID_ARGUMENT, as pubsub.test.js checks). Both reject.
  emptySubscribe: 0
}
/** How settled replies `tc` (tiercache) and `io` (ioredis) differ, or null (support/differential.js). */
const difference = (tc, io) => compare(tc, io, { oldDoubles: OLD_DOUBLES, knownDiffs })
const showArgs = (args) => args.map((a) => (Buffer.isBuffer(a) ? `<${a.toString('hex')}>` : JSON.stringify(a))).join(', ')

/** The failure of a property run: the seed to rerun it with, the path, the step that differed. */
function failWith (report) {
  assert.fail(`DIFF_PUBSUB_BLOCKING_SEED=${report.seed} (path ${report.counterexamplePath}): ${report.errorInstance && report.errorInstance.message}`)
}

// One redis-server for the whole file.
let server
before(async () => {
  server = await startRedis()
  const probe = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true })
  try {
    await probe.connect()
    OLD_DOUBLES = printsOldDoubles(await probe.info('server'))
  } finally {
    probe.disconnect()
  }
})
after(async () => {
  if (server) await server.stop()
})

// ---- (1) pub/sub ---------------------------------------------------------------

const CHANNELS = ['c1', 'c2', 'news.a', 'news.b', 'é']
const PATTERNS = ['news.*', 'c?', '*', 'n[eo]ws.?', 'é*']
// Both subscribers always listen here (the sync round trip); its events are not logged.
const SENTINEL = 'diff:sync'
// A channel / pattern nobody subscribes to (see knownDiffs.ioredisNoArgUnsubscribe).
const NEVER = 'diff:never'
const MESSAGES = [
  '', 'hello', 'héllo', '日本🙂', 'x y\r\n', '\u0000\u0001\u00ff', '\ud800 lone surrogate', 42,
  Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0d, 0x0a]), Buffer.from('c3', 'hex'), Buffer.alloc(0), 'z'.repeat(20000)
]

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

const names = (list) => fc.array(fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...list) }, { weight: 1, arbitrary: fc.constantFrom(...CHANNELS, ...PATTERNS) }), { minLength: 1, maxLength: 3 })
// How the names are given: as arguments, an array, Buffers, or with a trailing callback.
const form = fc.constantFrom('spread', 'spread', 'array', 'buffer', 'callback')
const change = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('subscribe'), names: names(CHANNELS), form }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('unsubscribe'), names: names(CHANNELS), form }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('psubscribe'), names: names(PATTERNS), form }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('punsubscribe'), names: names(PATTERNS), form }) }
)
const pubsubStep = fc.oneof(
  { weight: 11, arbitrary: change },
  // 2 or 3 changes sent at once, each answered with the count after it.
  { weight: 1, arbitrary: fc.record({ op: fc.constant('burst'), parts: fc.array(change, { minLength: 2, maxLength: 3 }) }) },
  // Every channel, or every pattern.
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('unsubscribe', 'punsubscribe'), names: fc.constant([]), form: fc.constantFrom('spread', 'callback') }) },
  { weight: 8, arbitrary: fc.record({ op: fc.constant('publish'), channel: fc.constantFrom(...CHANNELS, 'nobody'), message: fc.constantFrom(...MESSAGES), first: fc.constantFrom('tiercache', 'ioredis') }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('empty'), method: fc.constantFrom('subscribe', 'psubscribe'), form: fc.constantFrom('spread', 'array') }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('get') }) }
)

/** Runs `op` (subscribe, …) for `list` on `client`, the names given as `how` says. */
function subscription (client, op, list, how) {
  const args = how === 'buffer' ? list.map((n) => Buffer.from(n)) : list
  if (how === 'array') return client[op](args)
  if (how === 'callback') return new Promise((resolve, reject) => client[op](...args, (err, count) => (err ? reject(err) : resolve(count))))
  return client[op](...args)
}

const describeStep = (s) => {
  if (s.op === 'publish') return `publish(${showArgs([s.channel, s.message])}) ${s.first} first`
  if (s.op === 'empty') return `${s.method}() with no name (${s.form})`
  if (s.op === 'get') return 'get("k") on the subscribers'
  if (s.op === 'burst') return `at once: ${s.parts.map(describeStep).join('; ')}`
  return `${s.op}(${showArgs(s.names)}) as ${s.form}`
}

describe('L2 differential vs ioredis: pub/sub', () => {
  let tcSub = null
  let ioSub = null
  let tcPub = null
  let ioPub = null
  const logs = { tc: [], io: [] }
  // 'error' events of any client (none is expected).
  const clientErrors = []
  // What the subscribers are subscribed to (the same on both): the expected counts.
  let model = { channels: new Set(), patterns: new Set() }
  // The previous sequence failed: its subscribers are replaced, not reset.
  let dirty = false
  let tokens = 0
  const stats = { sequences: 0, steps: 0, subscriptionSteps: 0, publishes: 0, events: 0, ms: 0 }

  /** Logs every message event of `client` (but the sentinel's) in `log`, in order; its errors in clientErrors. */
  function record (client, log, who) {
    const logged = (event, channelAt) => (...args) => {
      if (String(args[channelAt]) !== SENTINEL) log.push([event, ...args.map(picture)])
    }
    client.on('message', logged('message', 0))
    client.on('messageBuffer', logged('messageBuffer', 0))
    client.on('pmessage', logged('pmessage', 1))
    client.on('pmessageBuffer', logged('pmessageBuffer', 1))
    client.on('error', (err) => clientErrors.push(`${who} subscriber: ${err.message}`))
  }

  async function openSubscribers () {
    tcSub = new TierCache(`redis://127.0.0.1:${server.port}`)
    await tcSub.connect()
    record(tcSub, logs.tc, 'tiercache')
    // Connected (its ready check done) before it enters subscriber mode.
    ioSub = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true })
    await ioSub.connect()
    record(ioSub, logs.io, 'ioredis')
  }

  function closeSubscribers () {
    // disconnect, not quit: a subscriber may be left waiting on an answer.
    if (tcSub) tcSub.disconnect()
    if (ioSub) ioSub.disconnect()
    tcSub = ioSub = null
  }

  before(async () => {
    tcPub = new TierCache(`redis://127.0.0.1:${server.port}`)
    await tcPub.connect()
    ioPub = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true })
    await ioPub.connect()
    for (const c of [tcPub, ioPub]) c.on('error', (err) => clientErrors.push(`publisher: ${err.message}`))
    await ioPub.set('k', 'v')
    await openSubscribers()
  })

  after(async () => {
    closeSubscribers()
    for (const c of [tcPub, ioPub]) if (c) await c.quit().catch(() => c.disconnect())
  })

  /** Resolves once `client` has heard `token` on the sentinel channel. */
  function hears (client, token, who) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        client.off('message', on)
        reject(new Error(`the ${who} subscriber did not hear the sentinel within ${STEP_MS} ms`))
      }, STEP_MS)
      const on = (channel, message) => {
        if (channel !== SENTINEL || message !== token) return
        clearTimeout(timer)
        client.off('message', on)
        resolve()
      }
      client.on('message', on)
    })
  }

  /**
   * Publishes a sentinel after everything published so far and waits until
   * both subscribers have heard it: Redis writes a connection's messages in
   * the order it publishes them, so both have then heard all the rest.
   */
  async function sync () {
    const token = `sync ${++tokens}`
    const heard = Promise.all([hears(tcSub, token, 'tiercache'), hears(ioSub, token, 'ioredis')])
    await ioPub.publish(SENTINEL, token)
    await heard
  }

  /** Both subscribers subscribed to the sentinel channel only, their logs empty. */
  async function reset () {
    if (dirty) {
      closeSubscribers()
      await openSubscribers()
    } else {
      await within(tcSub.unsubscribe(), STEP_MS, 'reset: tiercache unsubscribe()')
      await within(tcSub.punsubscribe(), STEP_MS, 'reset: tiercache punsubscribe()')
      // Patterns first: then ioredis's unsubscribe() ends at 0 (see knownDiffs.ioredisNoArgUnsubscribe).
      if (model.patterns.size > 0) await within(ioSub.punsubscribe(...model.patterns), STEP_MS, 'reset: ioredis punsubscribe')
      await within(ioSub.unsubscribe(), STEP_MS, 'reset: ioredis unsubscribe()')
    }
    assert.deepEqual([await within(tcSub.subscribe(SENTINEL)), await within(ioSub.subscribe(SENTINEL))], [1, 1], 'after the reset, the sentinel channel alone')
    model = { channels: new Set([SENTINEL]), patterns: new Set() }
    await sync()
    logs.tc.length = 0
    logs.io.length = 0
    clientErrors.length = 0
  }

  /**
   * The names the ioredis subscriber is sent for `op` with `list`: `list`,
   * but for a no-argument form ioredis would never resolve (see
   * knownDiffs.ioredisNoArgUnsubscribe).
   */
  function ioredisNames (op, list) {
    if (list.length > 0) return list
    const mine = op === 'unsubscribe' ? model.channels : model.patterns
    const other = op === 'unsubscribe' ? model.patterns : model.channels
    if (other.size === 0) return list // Redis's count reaches 0: ioredis resolves the no-argument form
    knownDiffs.ioredisNoArgUnsubscribe++
    return mine.size > 0 ? [...mine] : [NEVER]
  }

  /** Applies `op` of `list` to the model. */
  function apply (op, list) {
    const set = op.startsWith('p') ? model.patterns : model.channels
    if (op.endsWith('unsubscribe') && list.length === 0) set.clear()
    else for (const n of list) op.endsWith('unsubscribe') ? set.delete(n) : set.add(n)
  }

  /** The first event at which the logs differ, for the failure message. */
  function logDifference () {
    const n = Math.max(logs.tc.length, logs.io.length)
    for (let i = 0; i < n; i++) {
      const a = JSON.stringify(logs.tc[i])
      const b = JSON.stringify(logs.io[i])
      if (a !== b) return `event ${i} of ${logs.tc.length} (tiercache) / ${logs.io.length} (ioredis): tiercache ${a}, ioredis ${b}`
    }
    return null
  }

  async function runStep (s, history) {
    if (s.op === 'publish') {
      const order = s.first === 'tiercache' ? [['tc', tcPub], ['io', ioPub]] : [['io', ioPub], ['tc', tcPub]]
      const replies = {}
      for (const [who, client] of order) replies[who] = await settle(within(client.publish(s.channel, s.message)))
      await sync()
      stats.publishes += 2
      stats.events += logs.tc.length + logs.io.length
      history.push(`publish(${showArgs([s.channel, s.message])}) → tiercache ${show(replies.tc)} | ioredis ${show(replies.io)}; events ${JSON.stringify(logs.tc)}`)
      let receivers = replies.tc.ok ? replies.tc.value : 0
      if (replies.io.ok && !replies.tc.ok && replies.tc.error.code === 'ERR_TIERCACHE_INVALID_VALUE' && LONE_SURROGATE.test(s.message)) {
        knownDiffs.loneSurrogateRefused++
      } else {
        const why = difference(replies.tc, replies.io)
        if (why !== null) return `publish's replies: ${why}`
      }
      const wrong = logDifference()
      if (wrong !== null) return `the subscribers' events differ at ${wrong}`
      // Each receiver counted by PUBLISH is one message or pmessage event.
      const deliveries = [...logs.tc, ...logs.io].filter(([event]) => event === 'message' || event === 'pmessage').length
      if (replies.io.ok) receivers += replies.io.value
      if (deliveries !== receivers) return `publish counted ${receivers} receivers (both publishes), the subscribers heard ${deliveries}`
      logs.tc.length = 0
      logs.io.length = 0
      return null
    }
    if (s.op === 'get') {
      const [tc, io, expected] = await Promise.all([settle(within(tcSub.get('k'))), settle(within(ioSub.get('k'))), ioPub.get('k')])
      history.push(`get("k") on the subscribers → tiercache ${show(tc)} | ioredis ${show(io)}`)
      if (!tc.ok || tc.value !== expected) return `tiercache's subscriber answered ${show(tc)} to get, not ${JSON.stringify(expected)}`
      if (io.ok) return io.value === expected ? null : `ioredis's subscriber answered ${show(io)}`
      if (io.error.message !== 'Connection in subscriber mode, only subscriber commands may be used') return `ioredis refused get with ${io.error.message}`
      knownDiffs.subscriberModeRefusal++
      return null
    }
    if (s.op === 'empty') {
      const args = s.form === 'array' ? [[]] : []
      const [tc, io] = await Promise.all([settle(within(tcSub[s.method](...args))), settle(within(ioSub[s.method](...args)))])
      history.push(`${s.method}() with no name → tiercache ${show(tc)} | ioredis ${show(io)}`)
      if (tc.ok || io.ok) return 'an empty subscription was not refused by both'
      if (io.error.message !== `ERR wrong number of arguments for '${s.method}' command`) return `ioredis: ${io.error.message}`
      if (tc.error.code !== 'ERR_TIERCACHE_INVALID_ARGUMENT') return `tiercache: ${tc.error.code} ${tc.error.message}`
      knownDiffs.emptySubscribe++
      return null
    }
    if (s.op === 'burst') {
      stats.subscriptionSteps += s.parts.length
      const [tc, io] = await Promise.all([tcSub, ioSub].map((client) => Promise.all(s.parts.map((p) => settle(within(subscription(client, p.op, p.names, p.form)))))))
      const expected = s.parts.map((p) => {
        apply(p.op, p.names)
        return model.channels.size + model.patterns.size
      })
      history.push(`${describeStep(s)} → tiercache ${tc.map(show).join(', ')} | ioredis ${io.map(show).join(', ')}`)
      for (const [i, r] of tc.entries()) {
        const why = difference(r, io[i])
        if (why !== null) return `change ${i}: ${why}`
        if (r.value !== expected[i]) return `change ${i}: both answered ${r.value}, but ${expected[i]} channels and patterns are subscribed`
      }
      return null
    }
    // subscribe, unsubscribe, psubscribe, punsubscribe
    stats.subscriptionSteps++
    const ioList = ioredisNames(s.op, s.names)
    const [tc, io] = await Promise.all([
      settle(within(subscription(tcSub, s.op, s.names, s.form), STEP_MS, `tiercache ${s.op}`)),
      settle(within(subscription(ioSub, s.op, ioList, ioList === s.names ? s.form : 'spread'), STEP_MS, `ioredis ${s.op}`))
    ])
    apply(s.op, s.names)
    const expected = model.channels.size + model.patterns.size
    history.push(`${describeStep(s)}${ioList === s.names ? '' : ` (ioredis: ${showArgs(ioList)})`} → tiercache ${show(tc)} | ioredis ${show(io)}`)
    const why = difference(tc, io)
    if (why !== null) return why
    if (tc.value !== expected) return `both answered ${tc.value}, but ${expected} channels and patterns are subscribed`
    if (s.names.length === 0 && s.op === 'unsubscribe') {
      // Every channel: the sentinel's too. Subscribed to again on both.
      const again = [await within(tcSub.subscribe(SENTINEL)), await within(ioSub.subscribe(SENTINEL))]
      model.channels.add(SENTINEL)
      history.push(`subscribe(SENTINEL) → ${again}`)
      if (again[0] !== again[1] || again[0] !== expected + 1) return `subscribing to the sentinel again answered ${again}`
    }
    return null
  }

  test(`${PUBSUB_RUNS} generated sequences: counts, publish replies, events`, { timeout: FULL ? 3_600_000 : 60_000 }, async (t) => {
    const started = Date.now()
    const report = await fc.check(fc.asyncProperty(fc.array(pubsubStep, PUBSUB_STEPS), async (steps) => {
      await reset()
      dirty = true
      stats.sequences++
      const history = []
      for (const [i, s] of steps.entries()) {
        stats.steps++
        const why = await runStep(s, history)
        if (clientErrors.length > 0) assert.fail(`step ${i}: 'error' events: ${clientErrors.join('; ')}\n${history.slice(-10).join('\n')}`)
        if (why !== null) assert.fail(`step ${i} (${describeStep(s)}): ${why}\n${history.slice(-10).join('\n')}`)
      }
      dirty = false
    }), { numRuns: PUBSUB_RUNS, seed: SEED, endOnFailure: !FULL })
    stats.ms = Date.now() - started
    if (report.failed) failWith(report)
    t.diagnostic(`pub/sub: ${JSON.stringify({ ...stats, knownDiffs: { ioredisNoArgUnsubscribe: knownDiffs.ioredisNoArgUnsubscribe, subscriberModeRefusal: knownDiffs.subscriberModeRefusal, loneSurrogateRefused: knownDiffs.loneSurrogateRefused, emptySubscribe: knownDiffs.emptySubscribe } })}`)
  })
})

// ---- (2) blocking commands -----------------------------------------------------

const K = { list: ['l1', 'l2'], zset: ['z1', 'z2'], stream: ['x1', 'x2'], str: ['s1'] }
const ALL_KEYS = Object.values(K).flat()
// Mostly a key of the family (its first one most: filled more often), now
// and then any key (WRONGTYPE, or an empty one).
const key = (family) => fc.oneof(
  { weight: 6, arbitrary: fc.constant(K[family][0]) },
  { weight: 2, arbitrary: fc.constantFrom(...K[family]) },
  { weight: 1, arbitrary: fc.constantFrom(...ALL_KEYS) })
const keys = (family) => fc.array(key(family), { minLength: 1, maxLength: 2 })
const value = fc.constantFrom('a', 'b', 'héllo', '', '7', '🙂')
const member = fc.constantFrom('m1', 'm2', 'm3', 'é')
const score = fc.constantFrom(1, 2, 2.5, -1, 0, 0.1, 'inf', '-inf', 100)
const streamId = fc.constantFrom('1-1', '1-2', '2-0', '3-0', '5-*')
const side = fc.constantFrom('LEFT', 'RIGHT', 'left')
// Seconds: short, never 0 or -0 (forever), in the forms Redis reads
// (strtold: '1e-1', '.1', hex '0x0.2' = 0.125); now and then one Redis
// refuses (negative, 'inf' (out of range), a trailing space, empty, not a number).
const timeout = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(0.05, 0.1, 0.2, '0.05', '0.15', '1e-1', '.1', '0x0.2') },
  { weight: 1, arbitrary: fc.constantFrom(-1, '-0.5', 'soon', 'inf', '0.1 ', '') })
// XREAD's BLOCK, milliseconds: an integer (Redis refuses '50.5', 0.5, 'soon', -1).
const blockMs = fc.oneof({ weight: 12, arbitrary: fc.constantFrom(50, 100, 200, '50', '050') }, { weight: 1, arbitrary: fc.constantFrom(-1, 'soon', '50.5', 0.5) })
const opt = (arb) => fc.option(arb, { nil: undefined, freq: 2 })
const flat = (...parts) => parts.flat().filter((a) => a !== undefined)
const C = (name, args) => fc.record({ name: fc.constant(name), args })

// The pushes of each family; the writes are mostly pushes.
const pushes = {
  list: fc.oneof(
    C('lpush', fc.tuple(key('list'), value, opt(value)).map((a) => flat(a))),
    C('rpush', fc.tuple(key('list'), value, opt(value), opt(value)).map((a) => flat(a)))),
  zset: C('zadd', fc.tuple(key('zset'), score, member, opt(fc.tuple(score, member))).map((a) => flat(a))),
  stream: C('xadd', fc.tuple(key('stream'), streamId, fc.constantFrom('f', 'g'), value))
}
const writes = fc.oneof(
  { weight: 6, arbitrary: pushes.list },
  { weight: 4, arbitrary: pushes.zset },
  { weight: 3, arbitrary: pushes.stream },
  { weight: 1, arbitrary: C('set', fc.tuple(fc.constantFrom(...ALL_KEYS), value)) },
  { weight: 1, arbitrary: C('del', fc.tuple(fc.constantFrom(...ALL_KEYS))) }
)
const reads = [
  C('lrange', fc.tuple(key('list'), fc.constant(0), fc.constant(-1))),
  C('zrange', fc.tuple(key('zset'), fc.constant(0), fc.constant(-1), fc.constant('WITHSCORES'))),
  C('xrange', fc.tuple(key('stream'), fc.constant('-'), fc.constant('+'))),
  C('type', fc.tuple(fc.constantFrom(...ALL_KEYS)))
]
/** XREAD [COUNT n] BLOCK ms STREAMS k… id…, one id per key. */
const xreadArgs = (ms, ids) => fc.tuple(opt(fc.constant(['COUNT', 2])), fc.constantFrom('BLOCK', 'block'), ms, keys('stream'), ids)
  .map(([count, word, m, ks, id]) => flat(count, word, m, 'STREAMS', ks, ks.map((_, i) => id[i % id.length])))
// [the family it pops, the command]
const blocking = [
  ['list', C('blpop', fc.tuple(keys('list'), timeout).map((a) => flat(a)))],
  ['list', C('brpop', fc.tuple(keys('list'), timeout).map((a) => flat(a)))],
  ['list', C('blmove', fc.tuple(key('list'), key('list'), side, side, timeout))],
  ['list', C('brpoplpush', fc.tuple(key('list'), key('list'), timeout))],
  ['zset', C('bzpopmin', fc.tuple(keys('zset'), timeout).map((a) => flat(a)))],
  ['zset', C('bzpopmax', fc.tuple(keys('zset'), timeout).map((a) => flat(a)))],
  ['list', C('blmpop', fc.tuple(timeout, keys('list'), fc.constantFrom('LEFT', 'RIGHT'), opt(fc.constantFrom(['COUNT', 1], ['COUNT', 3], ['COUNT', 0]))).map(([t, ks, s, c]) => flat(t, ks.length, ks, s, c)))],
  ['zset', C('bzmpop', fc.tuple(timeout, keys('zset'), fc.constantFrom('MIN', 'MAX'), opt(fc.constantFrom(['COUNT', 1], ['COUNT', 2], ['COUNT', 0]))).map(([t, ks, m, c]) => flat(t, ks.length, ks, m, c)))],
  ['stream', C('xread', xreadArgs(blockMs, fc.array(fc.constantFrom('0', '0', '1-1', '$'), { minLength: 2, maxLength: 2 })))]
]

// A concurrent step: a blocking command on a key, then a push to that key.
// Its timeout is 0.5 s (XREAD: 500 ms), plenty for the push, which comes
// once Redis has blocked both: a pushed key answers at once.
const WAKE = 0.5
const concurrent = fc.oneof(
  fc.tuple(keys('list'), fc.nat(1), fc.constantFrom('blpop', 'brpop', 'blmove', 'brpoplpush', 'blmpop'), key('list'), side, fc.constantFrom('lpush', 'rpush'), value, opt(value))
    .map(([ks, at, name, dst, s, push, v, v2]) => ({
      block: {
        name,
        args: name === 'blmove'
          ? [ks[0], dst, s, 'RIGHT', WAKE]
          : name === 'brpoplpush' ? [ks[0], dst, WAKE] : name === 'blmpop' ? [WAKE, ks.length, ...ks, 'LEFT', 'COUNT', 2] : [...ks, WAKE]
      },
      push: { name: push, args: flat(name === 'blmove' || name === 'brpoplpush' ? ks[0] : ks[at % ks.length], v, v2) }
    })),
  fc.tuple(keys('zset'), fc.nat(1), fc.constantFrom('bzpopmin', 'bzpopmax', 'bzmpop'), score, member)
    .map(([ks, at, name, sc, m]) => ({
      block: { name, args: name === 'bzmpop' ? [WAKE, ks.length, ...ks, 'MAX'] : [...ks, WAKE] },
      push: { name: 'zadd', args: [ks[at % ks.length], sc, m] }
    })),
  fc.tuple(keys('stream'), fc.nat(1), fc.constantFrom('100-1', '100-2', '200-0'), value)
    .map(([ks, at, id, v]) => ({
      block: { name: 'xread', args: ['BLOCK', WAKE * 1000, 'STREAMS', ...ks, ...ks.map(() => '$')] },
      push: { name: 'xadd', args: [ks[at % ks.length], id, 'f', v] }
    }))
)
// How tiercache (and ioredis) is asked: the method, `call`, or the Buffer variant.
const via = fc.constantFrom('method', 'method', 'call', 'buffer')
const blockingStep = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('write'), cmd: writes, via: fc.constant('method') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('read'), cmd: fc.oneof(...reads), via }) },
  // Half of them right after a push of their family (`fill`, a write of its own), so that they find a key filled as often as not.
  { weight: 5, arbitrary: fc.oneof(...blocking.map(([family, cmd]) => fc.record({ kind: fc.constant('blocking'), fill: fc.option(pushes[family], { nil: null, freq: 2 }), cmd, via }))) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('concurrent'), cmd: concurrent, via }) }
)

/** Runs `cmd` on `client` (tiercache or ioredis: the same API) asked `via`. */
function send (client, cmd, via) {
  if (via === 'call') return client.call(cmd.name, ...cmd.args)
  if (via === 'buffer') return client[`${cmd.name}Buffer`](...cmd.args)
  return client[cmd.name](...cmd.args)
}

const describeCmd = (cmd, via) => `${cmd.name}(${showArgs(cmd.args)}) via ${via}`

describe('L2 differential vs ioredis: blocking commands', () => {
  let cache = null
  let io = null
  let pushTc = null
  let pushIo = null
  const stats = { sequences: 0, steps: 0, blocking: 0, timedOut: 0, answered: 0, refused: 0, concurrent: 0, woken: 0, ms: 0 }

  before(async () => {
    cache = new TierCache(`redis://127.0.0.1:${server.port}/1`, { commandTimeout: 5000 })
    await cache.connect()
    io = new Redis({ port: server.port, host: '127.0.0.1', db: 2, lazyConnect: true })
    await io.connect()
    // The concurrent steps' pushes: a plain client per db.
    pushTc = new Redis({ port: server.port, host: '127.0.0.1', db: 1, lazyConnect: true })
    pushIo = new Redis({ port: server.port, host: '127.0.0.1', db: 2, lazyConnect: true })
    await pushTc.connect()
    await pushIo.connect()
  })

  after(async () => {
    for (const c of [cache, io, pushTc, pushIo]) if (c) await c.quit().catch(() => c.disconnect())
  })

  /** Waits until Redis has blocked `n` clients, but those already answered (`answered()`). */
  async function untilBlocked (n, answered) {
    const deadline = Date.now() + STEP_MS
    for (;;) {
      const blocked = Number(/blocked_clients:(\d+)/.exec(await pushIo.info('clients'))[1])
      if (blocked + answered() >= n) return
      if (Date.now() > deadline) throw new Error(`Redis had ${blocked} blocked clients, ${answered()} answered, after ${STEP_MS} ms`)
      await sleep(2)
    }
  }

  async function runStep (s, history) {
    if (s.kind === 'blocking' && s.fill !== null) {
      const [tc, ior] = await Promise.all([settle(within(send(cache, s.fill, 'method'))), settle(within(send(io, s.fill, 'method')))])
      history.push(`${describeCmd(s.fill, 'method')} → tiercache ${show(tc)} | ioredis ${show(ior)}`)
      const why = difference(tc, ior)
      if (why !== null) return why
    }
    if (s.kind !== 'concurrent') {
      // Both sides at once (each on its own db): a timeout is waited once.
      const [tc, ior] = await Promise.all([settle(within(send(cache, s.cmd, s.via))), settle(within(send(io, s.cmd, s.via)))])
      history.push(`${describeCmd(s.cmd, s.via)} → tiercache ${show(tc)} | ioredis ${show(ior)}`)
      if (s.kind === 'blocking') {
        stats.blocking++
        if (!ior.ok) stats.refused++
        else if (ior.value === null) stats.timedOut++
        else stats.answered++
      }
      return difference(tc, ior)
    }
    stats.concurrent++
    const { block, push } = s.cmd
    let answered = 0
    const count = (r) => { answered++; return r }
    const blockTc = settle(within(send(cache, block, s.via))).then(count)
    const blockIo = settle(within(send(io, block, s.via))).then(count)
    await sleep(20)
    await untilBlocked(2, () => answered)
    const [pushedTc, pushedIo] = await Promise.all([settle(send(pushTc, push, 'method')), settle(send(pushIo, push, 'method'))])
    const [tc, ior] = await Promise.all([blockTc, blockIo])
    if (ior.ok && ior.value !== null) stats.woken++
    history.push(`concurrent ${describeCmd(block, s.via)}, then ${describeCmd(push, 'method')} → pushed: tiercache ${show(pushedTc)} | ioredis ${show(pushedIo)}; woken: tiercache ${show(tc)} | ioredis ${show(ior)}`)
    const pushWhy = difference(pushedTc, pushedIo)
    if (pushWhy !== null) return `the pushes: ${pushWhy}`
    return difference(tc, ior)
  }

  test(`${BLOCKING_RUNS} generated sequences, reply by reply`, { timeout: FULL ? 3_600_000 : 60_000 }, async (t) => {
    const started = Date.now()
    const report = await fc.check(fc.asyncProperty(fc.array(blockingStep, BLOCKING_STEPS), async (steps) => {
      await within(cache.flushdb(), STEP_MS, 'tiercache flushdb')
      await within(io.flushdb(), STEP_MS, 'ioredis flushdb')
      stats.sequences++
      const history = []
      for (const [i, s] of steps.entries()) {
        stats.steps++
        const why = await runStep(s, history)
        if (why !== null) assert.fail(`step ${i}: ${why}\n${history.slice(-10).join('\n')}`)
      }
    }), { numRuns: BLOCKING_RUNS, seed: SEED, endOnFailure: !FULL })
    stats.ms = Date.now() - started
    if (report.failed) failWith(report)
    t.diagnostic(`blocking: ${JSON.stringify({ ...stats, knownDiffs: { doubles17g: knownDiffs.doubles17g } })}`)
  })
})
