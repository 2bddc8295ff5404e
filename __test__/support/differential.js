'use strict'
// What the differential tests against ioredis share (differential-families,
// differential-pubsub-blocking): a call's outcome, a comparable picture of a
// reply, and how two outcomes differ.

const assert = require('node:assert/strict')

/** `{ ok: true, value }` or `{ ok: false, error }`: what `promise` settled to. */
async function settle (promise) {
  try {
    return { ok: true, value: await promise }
  } catch (error) {
    return { ok: false, error }
  }
}

/** A plain, comparable picture of a reply: errors as {error: class, message}, Buffers as hex. */
function picture (v) {
  if (v instanceof Error) return { error: v.name === 'ReplyError' ? 'ReplyError' : `${v.name} ${v.code}`, message: v.message }
  if (Array.isArray(v)) return v.map(picture)
  if (Buffer.isBuffer(v)) return { buffer: v.toString('hex') }
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, picture(x)]))
  return v
}

// A known difference: a double is read from RESP3 as an f64 and written back
// in the shortest form, as Redis >= 7.2 writes doubles over RESP2; Redis < 7.2
// writes them with %.17g ("0.10000000000000001"). Against such a server, a
// reply that differs only there is tallied, not failed; against 7.2+ it must
// match exactly.
const DOUBLE = /^[-+]?(\d+\.\d*|\d*\.\d+|\d+)(e[-+]?\d+)?$/i

/** Whether pictures `a` (tiercache) and `b` (ioredis) differ only by doubles Redis printed with %.17g. */
function sameUpToDoubles (a, b) {
  if (typeof a === 'string' && typeof b === 'string') {
    return a === b || (DOUBLE.test(a) && DOUBLE.test(b) && Number(a) === Number(b) && b.replace(/^[-+]?0*|\.|e.*$/gi, '').length >= 16)
  }
  if (a && b && typeof a.buffer === 'string' && typeof b.buffer === 'string') {
    return sameUpToDoubles(Buffer.from(a.buffer, 'hex').toString(), Buffer.from(b.buffer, 'hex').toString())
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameUpToDoubles(x, b[i]))
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a)
    return ka.length === Object.keys(b).length && ka.every((k) => sameUpToDoubles(a[k], b[k]))
  }
  return a === b
}

/**
 * How settled outcomes `tc` (tiercache) and `io` (ioredis) differ, or null:
 * values deep-equal with their types; errors a ReplyError on both sides with
 * the same message. `ttl`: positive numbers within 1 are the same TTL.
 * `oldDoubles` (a server before 7.2): a difference only in %.17g doubles is
 * tallied in `knownDiffs.doubles17g` instead.
 */
function difference (tc, io, { ttl = false, oldDoubles = false, knownDiffs } = {}) {
  if (tc.ok !== io.ok) return tc.ok ? 'only ioredis failed' : 'only tiercache failed'
  if (!tc.ok) {
    if (tc.error.name !== 'ReplyError' || !(tc.error instanceof Error)) return `tiercache failed with ${tc.error.name} ${tc.error.code}, not a ReplyError`
    return tc.error.message === io.error.message ? null : 'different error messages'
  }
  if (ttl && typeof tc.value === 'number' && io.value > 0) return Math.abs(tc.value - io.value) <= 1 ? null : 'TTLs differ'
  try {
    assert.deepStrictEqual(picture(tc.value), picture(io.value))
    return null
  } catch {
    if (oldDoubles && sameUpToDoubles(picture(tc.value), picture(io.value))) {
      if (knownDiffs !== undefined) knownDiffs.doubles17g++
      return null
    }
    return 'different replies'
  }
}

/** An outcome in one line, for a failure's history. */
const show = (r) => (r.ok ? JSON.stringify(picture(r.value)) : `error ${r.error.name} ${r.error.code || ''}: ${r.error.message}`)

/** Whether redis-server's INFO `server` text is of a version before 7.2 (doubles printed with %.17g). */
function printsOldDoubles (info) {
  const [major, minor] = /redis_version:(\d+)\.(\d+)/.exec(info).slice(1).map(Number)
  return major < 7 || (major === 7 && minor < 2)
}

module.exports = { settle, picture, sameUpToDoubles, difference, show, printsOldDoubles }
