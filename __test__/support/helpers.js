'use strict'
// Shared helpers of the Node tests (not a test file itself: node --test only
// runs files named *.test.js). No mocks: every helper drives the real addon.

const assert = require('node:assert/strict')
const path = require('node:path')
const util = require('node:util')
const { spawnSync } = require('node:child_process')

const TierCache = require('../..')

const { TierCacheError } = TierCache

const ROOT = path.join(__dirname, '..', '..')

let counter = 0

/** A store name no other test (or earlier run in this process) uses. */
function uniqueName (prefix = 'store') {
  counter++
  return `tc-test:${prefix}:${process.pid}:${Date.now().toString(36)}:${counter}`
}

/**
 * A new cache that is closed when the test `t` ends, so tests never share
 * state and never leave a store open.
 */
function open (t, options) {
  const cache = new TierCache(options)
  t.after(() => cache.quit())
  return cache
}

/** Resolves on the next turn of the event loop (after nextTicks and promises). */
function tick () {
  return new Promise((resolve) => setImmediate(resolve))
}

function sleep (ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Polls `probe` (async) every 20 ms until it resolves true; fails the test
 * after `ms`, saying `what` and the last answer (or error).
 */
async function eventually (what, ms, probe) {
  const deadline = Date.now() + ms
  for (;;) {
    const last = await probe().catch((err) => err)
    if (last === true) return
    if (Date.now() > deadline) assert.fail(`${what} within ${ms} ms (last: ${util.inspect(last)})`)
    await sleep(20)
  }
}

/**
 * Runs `invoke(callback)` and resolves with what the Node-style callback got,
 * plus what `invoke` returned. Fails when the callback is not called within
 * 2 s or is called more than once.
 */
async function callbackResult (invoke) {
  let calls = 0
  let got
  let timer
  const called = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error('the callback was never called')), 2000)
    const returned = invoke((...cbArgs) => {
      calls++
      got = cbArgs
      // Wrapped: resolving with the returned promise itself would adopt it.
      resolve({ returned })
    })
  })
  let returned
  try {
    ({ returned } = await called)
  } finally {
    clearTimeout(timer)
  }
  await tick()
  assert.equal(calls, 1, 'the callback must be called exactly once')
  return { err: got[0], result: got[1], argCount: got.length, returned }
}

/** Asserts that `err` is a tiercache error of class `Class` with `code`. */
function assertTierError (err, Class, code, what = '') {
  assert.ok(err instanceof Error, `${what}: expected an Error, got ${String(err)}`)
  assert.ok(err instanceof Class, `${what}: expected ${Class.name}, got ${err && err.constructor && err.constructor.name}: ${err && err.message}`)
  assert.ok(err instanceof TierCacheError, `${what}: expected instanceof TierCacheError (${err.constructor.name}: ${err.message})`)
  assert.equal(err.code, code, `${what}: code of ${err.constructor.name}: ${err.message}`)
  assert.equal(typeof err.message, 'string')
  assert.ok(err.message.length > 0, `${what}: the message is empty`)
}

/** Awaits `promise`, which must reject with a tiercache error of `Class` and `code`. Returns the error. */
async function rejectsWith (promise, Class, code, what = '') {
  assert.ok(promise instanceof Promise, `${what}: expected a Promise, got ${typeof promise}`)
  let caught
  await assert.rejects(promise, (err) => {
    caught = err
    return true
  }, `${what}: expected a rejection`)
  assertTierError(caught, Class, code, what)
  return caught
}

/** `fn()` must throw synchronously a tiercache error of `Class` and `code`. Returns the error. */
function throwsWith (fn, Class, code, what = '') {
  let caught
  assert.throws(fn, (err) => {
    caught = err
    return true
  }, `${what}: expected a throw`)
  assertTierError(caught, Class, code, what)
  return caught
}

/**
 * `cache[method](...args)` must fail with `Class`/`code` both as a promise
 * rejection and through a trailing callback, never by throwing synchronously;
 * both paths give an error of the same class and code, and with a callback
 * the returned promise rejects with that same error object.
 */
async function failsBothWays (cache, method, args, Class, code) {
  const what = `${method}(${args.map(describeArg).join(', ')})`
  let p
  assert.doesNotThrow(() => { p = cache[method](...args) }, `${what} threw synchronously`)
  const viaPromise = await rejectsWith(p, Class, code, `${what} [promise]`)

  const { err, result, returned } = await callbackResult((cb) => cache[method](...args, cb))
  assertTierError(err, Class, code, `${what} [callback]`)
  assert.equal(result, undefined, `${what} [callback]: no result along with an error`)
  assert.equal(err.constructor, viaPromise.constructor, `${what}: same class via callback and promise`)
  assert.equal(err.code, viaPromise.code, `${what}: same code via callback and promise`)
  assert.ok(returned instanceof Promise, `${what} [callback]: still returns a promise`)
  await assert.rejects(returned, (e) => e === err, `${what} [callback]: the returned promise rejects with the callback's error`)
  return viaPromise
}

function describeArg (a) {
  if (typeof a === 'string') return a.length > 40 ? `'${a.slice(0, 10)}…'(${a.length})` : JSON.stringify(a)
  if (typeof a === 'symbol') return a.toString()
  if (typeof a === 'function') return 'function'
  if (typeof a === 'bigint') return `${a}n`
  if (a === null) return 'null'
  if (Array.isArray(a)) return '[…]'
  if (typeof a === 'object') return a.constructor ? a.constructor.name : 'object'
  return String(a)
}

/**
 * Runs a Node script in a child process (cwd: the package root) and returns
 * spawnSync's result. RUST_BACKTRACE=0 keeps forced panics short.
 */
function runNode (source, { timeout = 20000, env = {} } = {}) {
  return spawnSync(process.execPath, ['-e', source], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout,
    env: { ...process.env, RUST_BACKTRACE: '0', ...env }
  })
}

/** Resolves once `emitter` emitted `event` `count` times; the args of each emit. */
function collect (emitter, event) {
  const seen = []
  emitter.on(event, (...a) => seen.push(a))
  return seen
}

/**
 * Runs `body` with Date.now() sampled around it, up to `attempts` times,
 * until one run happened within a single wall-clock millisecond. Used by
 * boundary checks of the advanceable clock (real time + offset): a run that
 * crossed a millisecond is inconclusive and retried, a run that did not is
 * the real verdict. Returns body's result for that run.
 */
async function withinOneMillisecond (body, attempts = 200) {
  for (let i = 0; i < attempts; i++) {
    const before = Date.now()
    const result = await body(i)
    if (Date.now() === before) return result
  }
  throw new Error(`could not run the check within one millisecond in ${attempts} attempts`)
}

/**
 * `v` with objects of any prototype as plain ones, recursively (node-redis
 * makes some with a null prototype), and an error as { error, replies,
 * errorIndexes } (node-redis's MultiErrorReply fields): replies compared by
 * content between clients.
 */
function plainReply (v) {
  if (v instanceof Error) return { error: v.message, replies: plainReply(v.replies), errorIndexes: v.errorIndexes }
  if (Array.isArray(v)) return v.map(plainReply)
  if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) {
    const out = {}
    for (const k of Object.keys(v)) out[k] = plainReply(v[k])
    return out
  }
  return v
}

module.exports = {
  TierCache,
  plainReply,
  ROOT,
  uniqueName,
  open,
  tick,
  sleep,
  eventually,
  callbackResult,
  assertTierError,
  rejectsWith,
  throwsWith,
  failsBothWays,
  runNode,
  collect,
  withinOneMillisecond
}
