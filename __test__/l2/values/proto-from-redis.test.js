'use strict'
// Values read back from Redis are untrusted, whoever wrote them. Another
// client (here ioredis, attacker first, on a cold cache) writes raw bytes in
// exactly the format tiercache reads (src/core/tier/wire.rs: 0xF5 'T' 'C'
// then the kind digit; lib/codec.js and lib/patterns/envelope.js for the
// payloads), with a `__proto__` key spelled so that a naive check misses it:
// JSON \u escapes, a v8 two-byte (UTF-16) string. Whatever reads the value
// (get, mget, l2.get, getdel, set … GET, getOrSet, the front), no decoded
// object may carry an own `__proto__`, so Object.assign cannot swap a prototype.

const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const v8 = require('node:v8')

const { open } = require('../../support/helpers')
const { useRedisWithClient } = require('../../support/redis-server')

const KIND = { JSON: 1, V8: 2, META_TEXT: 4 }

function tagged (kind, payload) {
  return Buffer.concat([Buffer.from([0xF5]), Buffer.from(`TC${kind}`, 'latin1'), Buffer.from(payload)])
}

// Every way JSON can spell the key, at the top, nested and in arrays.
const SPELLINGS = ['\\u005f_proto__', '__pro\\u0074o__', '\\u005F\\u005Fproto\\u005F\\u005F', '\\u005f\\u005f\\u0070\\u0072\\u006f\\u0074\\u006f\\u005f\\u005f', '__proto__']

function hostileJson (spelling) {
  const bad = `"${spelling}": {"polluted": true, "isAdmin": true}`
  return `{${bad}, "nested": {${bad}, "deeper": {${bad}}}, "list": [{${bad}}, [{${bad}}]], "ok": 1}`
}

/** A v8 serialization whose keys are the two-byte string '__proto__'. */
function hostileV8 () {
  const marker = '\u0100_proto__' // two-byte because of U+0100; same length as __proto__
  const payload = { [marker]: { polluted: true }, nested: { [marker]: { polluted: true } }, list: [{ [marker]: { polluted: true } }], ok: 1 }
  const bytes = v8.serialize(payload)
  const needle = Buffer.from(marker, 'utf16le')
  const twoByteProto = Buffer.from('__proto__', 'utf16le')
  let n = 0
  for (let i = bytes.indexOf(needle); i >= 0; i = bytes.indexOf(needle, i + 1)) {
    twoByteProto.copy(bytes, i)
    n++
  }
  assert.equal(n, 3)
  // Sanity: the bytes do carry an own __proto__ for a plain deserialize.
  assert.ok(Object.prototype.hasOwnProperty.call(v8.deserialize(bytes), '__proto__'))
  return bytes
}

/** Fails if any object reachable from `value` has an own __proto__, or merging it swaps a prototype. */
function assertClean (value, what) {
  assert.equal(({}).polluted, undefined, `${what}: Object.prototype polluted`)
  const seen = new Set()
  const walk = (v, path) => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return
    seen.add(v)
    assert.ok(!Object.prototype.hasOwnProperty.call(v, '__proto__'), `${what}: own __proto__ at ${path}`)
    if (!Array.isArray(v)) {
      const merged = Object.assign({}, v)
      assert.equal(Object.getPrototypeOf(merged), Object.prototype, `${what}: Object.assign swaps the prototype at ${path}`)
      assert.equal(merged.isAdmin, undefined, `${what}: isAdmin inherited at ${path}`)
    }
    for (const k of Object.keys(v)) walk(v[k], `${path}.${k}`)
  }
  walk(value, '$')
  assert.equal(value.ok, 1, `${what}: the rest of the value is kept`)
}

describe('__proto__ written by another client never reaches a decoded object', () => {
  const redis = useRedisWithClient()

  /** The entries an attacker writes first: name → bytes. */
  function attackerEntries () {
    const entries = {}
    SPELLINGS.forEach((s, i) => {
      entries[`json${i}`] = tagged(KIND.JSON, hostileJson(s))
      // A getOrSet / tagged-set entry: header line then a JSON body.
      entries[`env${i}`] = tagged(KIND.META_TEXT, `j|0|0|\n${hostileJson(s)}`)
    })
    entries.v8 = tagged(KIND.V8, hostileV8())
    entries.envV8 = Buffer.concat([tagged(5, 'v|0|0|\n'), hostileV8()])
    return entries
  }

  for (const codec of ['json', 'v8']) {
    for (const frontObjects of [false, true]) {
      test(`read by every command (instance codec ${codec}, frontObjects ${frontObjects})`, async (t) => {
        await redis.io.flushall()
        const entries = attackerEntries()
        for (const [k, bytes] of Object.entries(entries)) await redis.io.set(`tc:${k}`, bytes)
        const cache = open(t, { redis: redis.server.url, keyPrefix: 'tc:', codec, frontObjects })
        const names = Object.keys(entries)
        for (const k of names) {
          assertClean(await cache.l2.get(k), `l2.get ${k}`)
          assertClean(await cache.get(k), `get ${k} (from Redis)`)
          assertClean(await cache.get(k), `get ${k} (L1 / front)`)
          assertClean(cache.local.get(k), `local.get ${k}`)
        }
        for (const v of await cache.mget(names)) assertClean(v, 'mget')
        for (const v of await cache.l2.mget(names)) assertClean(v, 'l2.mget')
        // A fresh instance, cold L1: mget and getOrSet read Redis first.
        const cold = open(t, { redis: redis.server.url, keyPrefix: 'tc:', codec })
        for (const v of await cold.mget(names)) assertClean(v, 'cold mget')
        const cold2 = open(t, { redis: redis.server.url, keyPrefix: 'tc:', codec })
        for (const k of names.filter((n) => n.startsWith('env'))) {
          assertClean(await cold2.getOrSet(k, () => ({ ok: 2 })), `getOrSet ${k}`)
        }
        for (const k of names) assertClean(await cold2.set(k, 'x', 'GET'), `set GET ${k}`)
        await redis.io.set('tc:last', entries.json0)
        assertClean(await cold2.getdel('last'), 'getdel')
      })
    }
  }

  test('L1 only: the same bytes stored as an object entry decode clean', async (t) => {
    // The decoders are shared: a value set through this instance holding an
    // own __proto__ (JSON.parse makes one) reads back without it.
    const cache = open(t)
    await cache.set('k', JSON.parse('{"\\u005f_proto__": {"polluted": true, "isAdmin": true}, "ok": 1}'))
    assertClean(await cache.get('k'), 'get')
  })
})
