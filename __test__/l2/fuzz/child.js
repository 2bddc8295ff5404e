'use strict'
// One fuzz run of one surface, in a process of its own under Node's default
// settings: NO 'unhandledRejection' / 'uncaughtException' handler is
// installed here, so an unhandled rejection or an uncaught exception (also
// one thrown on a later tick, e.g. by a bad callback) ends this process with
// a non-zero code, which the parent (api.fuzz.test.js) reports as a failure.
//
//   node child.js <surface> <seed> <calls> [redisUrl]
//
// Prints one JSON line `RESULT {…}` with the counts when every call is done.
//
// What counts as a correct failure (rejection, callback error, sync throw):
// an error `instanceof TierCacheError` whose `code` is one of
// TierCache.codes. The one exception is an error the fuzzer's own hostile
// code threw (a getter, toString, toJSON, a loader or writer, a rejected
// user Promise): user code runs inside the call, and as ioredis (which calls
// toString on arguments and lets what it throws pass) tiercache may pass it
// through as it is, or as the `cause` of a TierCacheError. Those are
// instances of HostileError below and are counted apart.

const { Readable } = require('node:stream')
const http = require('node:http')
const fc = require('fast-check')
const TierCache = require('../../..')
const { plan } = require('../../../lib/send-command')
const express = require('express')

const { TierCacheError, codes, createClient } = TierCache
const CODE_SET = new Set(Object.values(codes))

const [surface, seedText, callsText, redisUrl] = process.argv.slice(2)
const SEED = Number(seedText)
const CALLS = Number(callsText)
// A call must settle within this bound (commandTimeout is 1 s below; loaders
// and writers of the fuzz answer at once).
const SETTLE_MS = 5000
const TRACE = process.env.FUZZ_TRACE === '1'
// FUZZ_ONLY=a-b: make only calls a..b (1-based) of the sequence, to narrow a crash down.
const ONLY = process.env.FUZZ_ONLY ? process.env.FUZZ_ONLY.split('-').map(Number) : null

class HostileError extends Error {}
HostileError.prototype.name = 'HostileError'

const counts = { calls: 0, resolved: 0, rejected: 0, thrown: 0, returned: 0, callbackErrors: 0, callbackResults: 0, hostile: 0, bad: 0, hangs: 0 }
const badSamples = []
// Which calls threw synchronously (by name): reported, for the methods that return a promise.
const thrownBy = {}
const recent = []

function describe (v, depth = 0) {
  try {
    if (typeof v === 'string') return v.length > 40 ? `'${v.slice(0, 20)}…'(${v.length})` : JSON.stringify(v)
    if (typeof v === 'function') return v.fuzzName || 'fn'
    if (typeof v === 'symbol' || typeof v === 'bigint') return typeof v === 'bigint' ? `${v}n` : 'Symbol()'
    if (v === null || typeof v !== 'object') return String(v)
    if (v.fuzzName) return v.fuzzName
    if (Buffer.isBuffer(v)) return `Buffer(${v.length})`
    if (Array.isArray(v)) return depth > 1 ? '[…]' : `[${v.map((x) => describe(x, depth + 1)).join(', ')}]`
    if (v instanceof Map) return 'Map'
    if (v instanceof Date) return 'Date'
    if (v instanceof Promise) return 'Promise'
    return depth > 1 ? '{…}' : `{${Object.keys(v).map((k) => `${k}: ${describe(v[k], depth + 1)}`).join(', ')}}`
  } catch {
    return '<hostile>'
  }
}

function isHostile (err) {
  for (let e = err, i = 0; e != null && i < 5; e = e.cause, i++) if (e instanceof HostileError) return true
  return false
}

/** Classifies a failure: a TierCacheError with a known code, a hostile error, or a bug. */
function judge (err, how, what) {
  if (err instanceof TierCacheError && CODE_SET.has(err.code)) return
  if (isHostile(err)) {
    counts.hostile++
    return
  }
  counts.bad++
  if (badSamples.length < 25) {
    badSamples.push(`${how}: ${what} -> ${err && err.constructor ? err.constructor.name : typeof err} ${err && err.code} ${String(err && err.message).slice(0, 160)}`)
  }
}

// ---- argument generators -----------------------------------------------------

let fnCounter = 0
/** A function the fuzz passes: callbacks record what they get; none throws when called back. */
function makeFunction (kind) {
  const what = { current: '' }
  let fn
  switch (kind) {
    case 'callback':
      // Called back with (err) or (null, result); called otherwise (as a
      // getOrSet loader, a writer) it is not a callback and just returns.
      // A Node callback's error comes alone: (err).
      fn = function (err) {
        if (err === null) counts.callbackResults++
        else if (arguments.length === 1 && err instanceof Error) {
          counts.callbackErrors++
          judge(err, 'callback', what.current)
        }
      }
      break
    // As a callback (err first) these do nothing; as a loader, writer or
    // key function they return, throw or reject.
    case 'returns': fn = function () { return 'v' }; break
    case 'async': fn = async function () { return { a: 1 } }; break
    case 'throws': fn = function (x) { if (x !== null && !(x instanceof Error)) throw new HostileError('loader threw') }; break
    case 'rejects': fn = function (x) { return x !== null && !(x instanceof Error) ? Promise.reject(new HostileError('loader rejected')) : undefined }; break
    default: fn = function () {}
  }
  fn.fuzzName = `${kind}#${++fnCounter}`
  fn.fuzzWhat = what
  return fn
}

function hostile (kind) {
  const boom = () => { throw new HostileError(`hostile ${kind}`) }
  switch (kind) {
    case 'getter': return { fuzzName: 'getter', get match () { return boom() }, get ttl () { return boom() }, get tags () { return boom() }, get writer () { return boom() } }
    case 'toString': return { fuzzName: 'toString', toString: boom, valueOf: boom }
    case 'toJSON': return { fuzzName: 'toJSON', toJSON: boom }
    case 'toPrimitive': return { fuzzName: 'toPrimitive', [Symbol.toPrimitive]: boom }
    case 'proxy': return new Proxy({}, { get: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom, getPrototypeOf: boom })
    case 'keys': return new Proxy({ a: 1 }, { ownKeys: boom })
    default: return null
  }
}

const OPTION_NAMES = ['ttl', 'EX', 'PX', 'NX', 'XX', 'GET', 'tags', 'match', 'count', 'MATCH', 'COUNT', 'lock', 'grace',
  'softTimeout', 'hardTimeout', 'cacheNull', 'cacheErrors', 'refreshAhead', 'writer', 'batchSize', 'flushInterval',
  'maxQueue', 'retries', 'whenFull', 'name', 'maxEntries', 'maxBytes', 'maxValueBytes', 'codec', 'frontSize',
  'frontObjects', 'keyPrefix', 'db', 'url', 'host', 'port', 'lazyConnect', 'commandTimeout', 'offlineMode', 'prefix',
  'cache', 'consistency', 'scanCount', 'disableTouch', 'key', 'userKey', 'statuses', 'maxBodyBytes', 'header',
  'requestNoCache', 'bypassHeader', 'timeout', 'group', 'cookie', 'expires', 'lease', 'wait', '__proto__', 'constructor']

const stringArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('k', 'key:1', 'a', 'sess1', 'EX', 'PX', 'NX', 'XX', 'GET', 'KEEPTTL', 'MATCH', 'COUNT', 'PERSIST', '10', '0', '-1', ' 5', '1e3', '*', '?', '[a-', '\\', 'a*b?[c]', '') },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.constantFrom('\uD800', '\uDC00', 'a\uD800b', '\uFFFD', '\u0000', '__proto__') },
  { weight: 1, arbitrary: fc.constantFrom(70000, 22000, 5000).map((n) => 'x'.repeat(n)) }
)
const numberArb = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, 1, 10, 60, 1000, -1, 1.5, 1e21, 2 ** 53 + 2, Number.MAX_VALUE, 0.0001),
  fc.integer({ min: -1000, max: 100000 }),
  fc.double()
)
// Functions, hostile and exotic objects are made at call time from a Token:
// fast-check inspects the values it generates (and would trip the hostile ones).
class Token {
  constructor (make) {
    this.make = make
  }
}

/** The argument a generated value stands for (Tokens made, containers copied). */
function materialize (v) {
  if (v instanceof Token) return v.make()
  if (Array.isArray(v)) return v.map(materialize)
  if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v) && Object.getPrototypeOf(v) === Object.prototype) {
    const o = {}
    for (const k of Object.keys(v)) Object.defineProperty(o, k, { value: materialize(v[k]), enumerable: true, writable: true, configurable: true })
    return o
  }
  return v
}

const functionArb = fc.constantFrom('callback', 'callback', 'returns', 'async', 'throws', 'rejects', 'noop').map((k) => new Token(() => makeFunction(k)))
const hostileArb = fc.constantFrom('getter', 'toString', 'toJSON', 'toPrimitive', 'proxy', 'keys').map((k) => new Token(() => hostile(k)))
const oddArb = fc.constantFrom('map', 'date', 'badDate', 'symbol', 'promise', 'rejected', 'f64', 'arraybuffer', 'regexp', 'error', 'nullproto').map((k) => new Token(() => oddValue(k)))

function oddValue (k) {
  switch (k) {
    case 'map': return new Map([['k', 'v']])
    case 'date': return new Date(0)
    case 'badDate': return new Date(NaN)
    case 'symbol': return Symbol('s')
    case 'promise': return Promise.resolve('p')
    case 'rejected': { const p = Promise.reject(new HostileError('a rejected argument')); p.catch(() => {}); return p }
    case 'f64': return new Float64Array([1.5])
    case 'arraybuffer': return new ArrayBuffer(4)
    case 'regexp': return /a/
    case 'error': return new Error('e')
    default: return Object.create(null)
  }
}
const leafArb = fc.oneof(
  { weight: 6, arbitrary: stringArb },
  { weight: 3, arbitrary: numberArb },
  { weight: 1, arbitrary: fc.bigInt() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 2, arbitrary: fc.constantFrom(null, undefined) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a)) },
  { weight: 2, arbitrary: functionArb },
  { weight: 1, arbitrary: hostileArb },
  { weight: 1, arbitrary: oddArb }
)
const valueArb = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    { weight: 8, arbitrary: leafArb },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    { weight: 2, arbitrary: tie('options') }),
  options: fc.dictionary(fc.constantFrom(...OPTION_NAMES), tie('value'), { maxKeys: 4, noNullPrototype: true })
})).value

const argsArb = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(stringArb, fc.array(valueArb, { maxLength: 5 })).map(([k, rest]) => [k, ...rest]) },
  { weight: 2, arbitrary: fc.array(valueArb, { maxLength: 6 }) }
)

// ---- running one call --------------------------------------------------------

function withTimeout (p, what, mayWait = false) {
  let timer
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise((resolve) => {
      timer = setTimeout(() => {
        if (!mayWait) {
          counts.hangs++
          if (badSamples.length < 25) badSamples.push(`hang: ${what}`)
        }
        resolve()
      }, SETTLE_MS)
    })
  ])
}

/**
 * Whether the call `what` is a blocking command whose own deadline (its
 * timeout plus the margin, lib/commands/blocking.js) is past SETTLE_MS: it
 * is asked to wait that long, so not settling by then is no hang (it still
 * settles, by closing at the latest, and is judged then).
 */
function asksToWait (what, argList) {
  const method = what.slice(what.indexOf('.') + 1, what.indexOf('('))
  const generic = method === 'call' || method === 'send_command' || method === 'callBuffer'
  // A trailing function is the callback, which the command never sees.
  const args = typeof argList[argList.length - 1] === 'function' ? argList.slice(0, -1) : argList
  const name = generic ? args[0] : method.replace(/Buffer$/, '')
  try {
    const { wait } = plan(name, generic ? args.slice(1) : args, '')
    return wait !== undefined && (wait === 0 || wait > SETTLE_MS)
  } catch {
    return false
  }
}

function tick () {
  return new Promise((resolve) => setImmediate(resolve))
}

// The synchronous APIs among the methods fuzzed (they may throw).
const SYNC = new Set(['cache.middleware', 'cache.writeBehind', 'cache.namespace', 'cache.stats', 'cache.scanIterator', 'cache.duplicate',
  // As ioredis's, these return a Pipeline or nothing, and throw for bad input.
  'cache.pipeline', 'cache.multi', 'cache.defineCommand'])

/** Whether the call labelled `name` is a command (answers by promise / callback only). */
function returnsPromise (name) {
  return (name.startsWith('cache.') && !SYNC.has(name)) || name.startsWith('l2.') || name.startsWith('store.')
}

/** Calls `invoke()`, judging a sync throw, a rejection or a callback error; awaits settlement. */
async function run (what, argList, invoke) {
  counts.calls++
  if (ONLY !== null && (counts.calls < ONLY[0] || counts.calls > ONLY[1])) return undefined
  // FUZZ_TRACE=1: every call before it runs (to find a native crash, which skips the exit report).
  if (TRACE) require('node:fs').writeSync(2, `CALL ${what}\n`)
  recent.push(what)
  if (recent.length > 8) recent.shift()
  for (const a of argList) if (typeof a === 'function' && a.fuzzWhat !== undefined) a.fuzzWhat.current = what
  let result
  try {
    result = invoke()
  } catch (err) {
    counts.thrown++
    const name = what.slice(0, what.indexOf('('))
    thrownBy[name] = (thrownBy[name] || 0) + 1
    if (returnsPromise(name)) {
      // A command answers through its promise and callback, never by throwing.
      counts.bad++
      if (badSamples.length < 25) badSamples.push(`sync throw from a command: ${what} -> ${err && err.message}`)
      return undefined
    }
    judge(err, 'throw', what)
    return undefined
  }
  if (result instanceof Promise) {
    await withTimeout(result.then(() => { counts.resolved++ }, (err) => {
      counts.rejected++
      judge(err, 'reject', what)
    }), what, asksToWait(what, argList))
  } else if (result instanceof Readable) {
    // A scan stream: its first page, or its error (a stream error, never a throw).
    await withTimeout(new Promise((resolve) => {
      result.once('data', () => { counts.resolved++; resolve() })
      result.once('end', () => { counts.resolved++; resolve() })
      result.once('error', (err) => { counts.rejected++; judge(err, 'reject', what); resolve() })
    }), what)
    result.destroy()
  } else if (result != null && typeof result[Symbol.asyncIterator] === 'function') {
    await withTimeout(result.next().then(() => { counts.resolved++ }, (err) => {
      counts.rejected++
      judge(err, 'reject', what)
    }), what)
    try { await result.return() } catch {}
  } else {
    counts.returned++
  }
  // Let later-tick throws (callbacks, rejections) surface next to this call.
  await tick()
  // Boxed: an async function returning a promise would adopt it.
  return { result }
}

function sample (arb, n, offset) {
  return fc.sample(arb, { seed: SEED + offset, numRuns: n }).map(materialize)
}

// ---- surfaces -------------------------------------------------------------------

const EMITTER = new Set(['on', 'addListener', 'prependListener', 'once', 'prependOnceListener', 'off',
  'removeListener', 'removeAllListeners', 'emit', 'setMaxListeners', 'getMaxListeners', 'listeners',
  'rawListeners', 'listenerCount', 'eventNames'])
const LIFECYCLE = new Set(['quit', 'close', 'disconnect'])

function openCache () {
  return redisUrl ? new TierCache(redisUrl, { commandTimeout: 1000 }) : new TierCache()
}

async function closeCache (cache) {
  try { await cache.quit() } catch {}
}

/**
 * Every public method of TierCache.prototype (aliases included), except the
 * EventEmitter methods TierCache inherits or overrides only for bookkeeping:
 * their contract is Node's own (`on('x', 42)` throws Node's TypeError).
 */
function publicMethods () {
  return Object.getOwnPropertyNames(TierCache.prototype).filter((name) => {
    if (name === 'constructor' || name.startsWith('_') || EMITTER.has(name)) return false
    const d = Object.getOwnPropertyDescriptor(TierCache.prototype, name)
    return typeof d.value === 'function'
  }).sort()
}

async function fuzzMethods (target, methods, n, offset, label, reopen) {
  const calls = sample(fc.tuple(fc.constantFrom(...methods), argsArb), n, offset)
  for (const [method, argList] of calls) {
    const what = `${label}.${method}(${argList.map((a) => describe(a)).join(', ')})`
    const t = target()
    await run(what, argList, () => t[method](...argList)).then(async ({ result } = {}) => {
      if (result != null && typeof result === 'object' && typeof result.close === 'function' && !(result instanceof TierCache)) {
        try { await result.close() } catch {} // a WriteBehind
      }
      if (result instanceof TierCache && result !== t) result.disconnect() // a duplicate
    })
    if (reopen !== undefined && LIFECYCLE.has(method)) await reopen()
  }
}

async function surfaceCache (n) {
  let cache = openCache()
  await cache.connect().catch(() => {})
  const methods = publicMethods()
  await fuzzMethods(() => cache, methods, n, 0, 'cache', async () => {
    await closeCache(cache)
    cache = openCache()
  })
  await closeCache(cache)
  return { methods: methods.length }
}

async function surfaceViews (n) {
  const cache = openCache()
  const half = Math.floor(n / 2)
  await fuzzMethods(() => cache.local, ['get', 'set', 'del', 'has'], half, 1, 'local')
  await fuzzMethods(() => cache.l2, ['get', 'getBuffer', 'mget'], n - half, 2, 'l2')
  await closeCache(cache)
}

async function surfacePatterns (n) {
  const cache = openCache()
  const loaderArb = fc.oneof({ weight: 3, arbitrary: functionArb }, { weight: 1, arbitrary: valueArb })
  const patternArgs = fc.tuple(stringArb, loaderArb, fc.array(valueArb, { maxLength: 3 })).map(([k, f, rest]) => [k, f, ...rest])
  const wbArb = fc.dictionary(fc.constantFrom('writer', 'batchSize', 'flushInterval', 'maxQueue', 'retries', 'whenFull', 'x'),
    fc.oneof(functionArb, valueArb), { maxKeys: 4, noNullPrototype: true })
  const kinds = fc.oneof(
    fc.tuple(fc.constantFrom('getOrSet', 'wrap'), patternArgs),
    fc.tuple(fc.constant('writeThrough'), fc.tuple(stringArb, valueArb, loaderArb, valueArb).map((a) => a)),
    fc.tuple(fc.constant('invalidateTags'), fc.array(valueArb, { maxLength: 2 })),
    fc.tuple(fc.constant('setTags'), fc.tuple(stringArb, valueArb, fc.dictionary(fc.constantFrom('tags', 'EX', 'PX', 'NX', 'GET', 'KEEPTTL'), valueArb, { noNullPrototype: true }), fc.option(functionArb, { nil: undefined }))),
    fc.tuple(fc.constant('namespace'), fc.tuple(valueArb, fc.constantFrom('get', 'set', 'del', 'mget', 'getOrSet', 'wrap', 'writeThrough', 'clear', 'namespace'), argsArb)),
    fc.tuple(fc.constant('writeBehind'), fc.tuple(fc.oneof(wbArb, valueArb), fc.constantFrom('set', 'del', 'flush', 'close'), argsArb))
  )
  for (const [kind, a] of sample(kinds, n, 3)) {
    if (kind === 'namespace') {
      const [name, method, rest] = a
      const what = `namespace(${describe(name)}).${method}(${rest.map((x) => describe(x)).join(', ')})`
      await run(what, rest, () => {
        const ns = cache.namespace(name)
        return ns[method](...rest)
      })
    } else if (kind === 'writeBehind') {
      const [options, method, rest] = a
      const what = `writeBehind(${describe(options)}).${method}(${rest.map((x) => describe(x)).join(', ')})`
      // close() and flush() wait for a failing writer by design (the queue
      // drains, retrying: write-behind.js), so a writer that never succeeds
      // keeps them pending for good. The fuzz's writers recover after three
      // failures (a source that comes back); the retries are still fuzzed.
      try {
        if (options !== null && typeof options === 'object' && options.fuzzName === undefined && Object.getPrototypeOf(options) === Object.prototype && typeof options.writer === 'function') {
          const writer = options.writer
          let failures = 0
          options.writer = function (batch) {
            if (failures >= 3) return undefined
            failures++
            return writer.call(this, batch)
          }
          options.writer.fuzzName = writer.fuzzName
        }
      } catch {} // a hostile object: passed as it is
      let wb
      let given = []
      try { given = Object.values(Object(options)).filter((x) => typeof x === 'function') } catch {}
      await run(what, [...given, ...rest], () => {
        wb = cache.writeBehind(options)
        return wb[method](...rest)
      })
      if (wb !== undefined) await run(`${what}.close()`, [], () => wb.close())
    } else if (kind === 'setTags') {
      const [key, value, options, cb] = a
      const list = cb === undefined ? [key, value, options] : [key, value, options, cb]
      await run(`set(${list.map((x) => describe(x)).join(', ')})`, list, () => cache.set(...list))
    } else {
      await run(`${kind}(${a.map((x) => describe(x)).join(', ')})`, a, () => cache[kind](...a))
    }
  }
  await closeCache(cache)
}

/** A loopback port nothing listens on (the kernel's pick, released). */
function closedPort () {
  return new Promise((resolve) => {
    const srv = require('node:net').createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

// Keys that make the constructor connect to Redis (lib/redis-options.js).
const CONNECTS = ['host', 'username', 'password', 'db', 'database', 'path', 'tls']

/**
 * The constructor's arguments, aimed away from port 6379 (which may be
 * someone else's Redis): a connection is made only to the test's own server
 * (with Redis) or to a closed port (without).
 */
function aimed (list, port) {
  return list.map((a, i) => {
    if (i === 0 && a === 6379) return port
    if (a === null || typeof a !== 'object' || Array.isArray(a)) return a
    try {
      if (a.fuzzName !== undefined || Object.getPrototypeOf(a) !== Object.prototype) return a
      const o = { ...a }
      if (!('port' in o) && !('url' in o) && !('socket' in o) && CONNECTS.some((k) => k in o)) o.port = port
      if (o.port === 6379) o.port = port
      return o
    } catch {
      return a // a hostile object: passed as it is (it connects nowhere)
    }
  })
}

async function surfaceConstruct (n) {
  const port = redisUrl ? Number(new URL(redisUrl).port) : await closedPort()
  // `tls` included: a TLS handshake under way at exit once crashed the
  // process (l2/callbacks.test.js 'TLS connect at exit').
  const ctorArgs = fc.oneof(
    fc.array(valueArb, { maxLength: 3 }),
    fc.tuple(fc.dictionary(fc.constantFrom('name', 'maxEntries', 'maxBytes', 'maxValueBytes', 'ttl', 'codec', 'frontSize',
      'frontObjects', 'keyPrefix', 'db', 'lazyConnect', 'commandTimeout', 'offlineMode', 'password', 'username', 'host', 'port', 'tls', 'x'),
    valueArb, { maxKeys: 4, noNullPrototype: true })).map((a) => a)
  )
  for (const [how, a] of sample(fc.tuple(fc.constantFrom('new', 'createClient', 'newUrl'), ctorArgs), n, 4)) {
    // With Redis, some constructions point at the test's own server.
    const list = aimed(how === 'newUrl' && redisUrl ? [redisUrl, ...a.slice(1)] : a, port)
    const what = `${how}(${list.map((x) => describe(x)).join(', ')})`
    await run(what, list, () => {
      const c = how === 'createClient' ? createClient(...list) : new TierCache(...list)
      c.disconnect()
      return c.quit()
    })
  }
}

async function surfaceSession (n) {
  const { TierCacheStore } = require('tiercache/express')
  const cache = openCache()
  const storeOptions = fc.oneof(
    { weight: 3, arbitrary: fc.dictionary(fc.constantFrom('prefix', 'ttl', 'disableTouch', 'consistency', 'scanCount', 'client', 'x'), valueArb, { maxKeys: 3, noNullPrototype: true }).map((o) => ({ ...o, cache })) },
    { weight: 1, arbitrary: valueArb }
  )
  const sessArb = fc.oneof(valueArb, fc.record({ cookie: fc.oneof(valueArb, fc.record({ expires: valueArb, maxAge: valueArb })), user: valueArb }))
  const callArb = fc.tuple(storeOptions, fc.constantFrom('get', 'set', 'touch', 'destroy', 'clear', 'length', 'ids', 'all'),
    fc.oneof(fc.tuple(stringArb, sessArb, fc.option(functionArb, { nil: undefined })).map((a) => a), argsArb))
  const ok = new TierCacheStore({ cache })
  for (const [options, method, rest] of sample(callArb, n, 5)) {
    const list = rest[rest.length - 1] === undefined ? rest.slice(0, -1) : rest
    const what = `TierCacheStore(${describe(options)}).${method}(${list.map((x) => describe(x)).join(', ')})`
    let store = ok
    await run(what, list, () => {
      store = new TierCacheStore(options)
      return store[method](...list)
    })
    // The same call on a valid store too: the arguments alone are fuzzed.
    await run(`store.${method}(…)`, list, () => ok[method](...list))
  }
  await closeCache(cache)
}

/** The response cache over real HTTP: fuzzed options at creation, fuzzed requests and handler replies. */
async function surfaceExpress (n) {
  const { middleware, purgeGroup } = require('tiercache/express')
  const cache = openCache()
  const app = express()
  const mwOptions = fc.dictionary(fc.constantFrom('ttl', 'grace', 'tags', 'group', 'key', 'userKey', 'statuses', 'maxBodyBytes',
    'header', 'requestNoCache', 'bypassHeader', 'lock', 'timeout', 'prefix', 'x'), valueArb, { maxKeys: 3, noNullPrototype: true })
  // The routes: a few middlewares that accepted their fuzzed options, and one default.
  const mounted = [cache.middleware({ ttl: 1000 })]
  const mountedWhat = ['{ttl: 1000}']
  for (const o of sample(mwOptions, Math.max(20, Math.floor(n / 20)), 6)) {
    const via = mounted.length % 2 === 0
    const { result: mw } = await run(`middleware(${describe(o)})`, [], () => (via ? cache.middleware(o) : middleware(cache, o))) || {}
    if (typeof mw === 'function') {
      mounted.push(mw)
      mountedWhat.push(describe(o))
    }
  }
  let routeErrors = 0
  app.use('/r/:i', (req, res, next) => {
    const mw = mounted[Number(req.params.i) % mounted.length]
    mw(req, res, next)
  })
  app.use('/r/:i', (req, res) => {
    // The handler's reply is chosen by the request itself (fuzzed).
    const q = req.query
    const status = [200, 203, 301, 404, 410, 500, 204][Number(q.s) % 7 || 0]
    if (q.c !== undefined) res.set('Set-Cookie', 'a=b')
    if (q.v !== undefined) res.set('Vary', String(q.v))
    if (q.cc !== undefined) res.set('Cache-Control', String(q.cc))
    if (q.big !== undefined) res.status(status).send('x'.repeat(2 * 1024 * 1024))
    else if (q.j !== undefined) res.status(status).json({ q, path: req.path })
    else res.status(status).send(`body ${req.originalUrl}`)
  })
  // Four parameters: Express's mark of an error handler.
  app.use((err, req, res, _next) => {
    routeErrors++
    judge(err, 'express next(err)', `${req.method} ${req.originalUrl}`)
    res.status(500).end()
  })
  const server = http.createServer(app)
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 })
  const seg = fc.oneof(fc.constantFrom('a', 'b', '1', '%2F', '%00', '..', '%E2%82%AC', '%ZZ', 'x|vary:1', '*'), fc.stringMatching(/^[A-Za-z0-9._~-]{0,6}$/))
  const qs = fc.array(fc.tuple(fc.constantFrom('s', 'c', 'v', 'cc', 'j', 'big', 'lang', 'a'), fc.constantFrom('1', '2', '3', 'fr', 'en', 'no-store', 'private', '*', 'accept', 'max-age=1', '')), { maxLength: 4 })
  const headerArb = fc.dictionary(fc.constantFrom('cookie', 'authorization', 'accept', 'accept-language', 'if-none-match', 'cache-control', 'pragma', 'x-api-key', 'x-forwarded-host', 'host'),
    fc.constantFrom('a', '*', 'W/"x"', 'no-cache', 'fr', 'en', 'example.com', '127.0.0.1:1/x', ''), { maxKeys: 3, noNullPrototype: true })
  const reqArb = fc.record({ method: fc.constantFrom('GET', 'GET', 'GET', 'HEAD', 'POST'), route: fc.nat(mounted.length * 3), path: fc.array(seg, { maxLength: 3 }), query: qs, headers: headerArb })
  const requests = sample(reqArb, n - mounted.length, 7)
  for (const r of requests) {
    const path = `/r/${r.route}/${r.path.join('/')}${r.query.length > 0 ? '?' + r.query.map(([k, v]) => `${k}=${v}`).join('&') : ''}`
    const what = `${r.method} ${path} ${JSON.stringify(r.headers)} on middleware(${mountedWhat[r.route % mounted.length]})`
    await run(what, [], () => new Promise((resolve, reject) => {
      const req = http.request({ port, host: '127.0.0.1', method: r.method, path, headers: r.headers, agent }, (res) => {
        res.resume()
        // A 500 the handler did not choose went through the error handler, which judged its error.
        res.on('end', resolve)
        res.on('error', reject)
      })
      req.on('error', (err) => reject(new HostileError(`http: ${err.message}`)))
      req.end()
    }))
  }
  await run('purgeGroup(…)', [], () => purgeGroup(cache, 'g'))
  agent.destroy()
  await new Promise((resolve) => server.close(resolve))
  server.closeAllConnections?.()
  await closeCache(cache)
  return { routes: mounted.length, routeErrors }
}

const SURFACES = { cache: surfaceCache, views: surfaceViews, patterns: surfacePatterns, construct: surfaceConstruct, session: surfaceSession, express: surfaceExpress }

process.on('exit', (code) => {
  if (code !== 0) process.stderr.write(`fuzz child ${surface} exited ${code}; last calls:\n  ${recent.join('\n  ')}\n`)
})

SURFACES[surface](CALLS).then(async (extra) => {
  // Late throws and rejections still have time to end the process here.
  await new Promise((resolve) => setTimeout(resolve, 200))
  process.stdout.write(`RESULT ${JSON.stringify({ surface, redis: Boolean(redisUrl), seed: SEED, ...counts, ...extra, thrownBy, badSamples })}\n`)
  // Ends even if a user-side timer (a write-behind retry) is still pending.
  process.exit(0)
})
