'use strict'
// Codecs: JSON by default (strict: refuses what it cannot give back), 'v8'
// for structured-clone values, custom { encode, decode }; entries are tagged
// with the codec that wrote them; decoding never pollutes prototypes.

const { test, describe } = require('node:test')
const assert = require('node:assert/strict')

const { TierCache, open, failsBothWays, throwsWith, uniqueName } = require('../support/helpers')

const { TierCacheTypeError } = TierCache
const UNENCODABLE = 'ERR_TIERCACHE_UNENCODABLE'

describe('the default JSON codec', () => {
  test('objects round-trip: nested objects, arrays, unicode, numbers, null', async (t) => {
    const cache = open(t)
    const value = {
      id: 42,
      name: 'Zoë — 日本語 — 🙂👍🏽',
      tags: ['a', 'b', { deep: [1, 2, [3, [4]]] }],
      nested: { a: { b: { c: { d: 'deep' } } } },
      numbers: [0, -1, 1.5, 1e300, -2.5e-300, Number.MAX_SAFE_INTEGER],
      flags: [true, false, null],
      empty: {},
      emptyList: [],
      text: 'line\nbreak "quoted" \\ back\u0000nul'
    }
    assert.equal(await cache.set('obj', value), 'OK')
    const back = await cache.get('obj')
    assert.deepEqual(back, value)
    assert.notEqual(back, value, 'a decoded copy, not the same object')
    // A second read (possibly from the front) is equal too.
    assert.deepEqual(await cache.get('obj'), value)
    assert.deepEqual(cache.local.get('obj'), value)
    // Top-level arrays.
    await cache.set('arr', [1, 'two', { three: 3 }])
    assert.deepEqual(await cache.get('arr'), [1, 'two', { three: 3 }])
  })

  test('objects round-trip through every reading command', async (t) => {
    const cache = open(t)
    const value = { a: [1, { b: 'é' }] }
    await cache.mset({ m1: value, m2: 'raw' })
    assert.deepEqual(await cache.mget('m1', 'm2', 'none'), [value, 'raw', null])
    await cache.setex('sx', 100, value)
    assert.deepEqual(await cache.getex('sx', 'PERSIST'), value)
    assert.deepEqual(await cache.set('sx', { other: true }, 'GET'), value)
    assert.deepEqual(await cache.getdel('sx'), { other: true })
    cache.local.set('l', value, 10_000)
    assert.deepEqual(cache.local.get('l'), value)
    // getBuffer gives the encoded bytes.
    await cache.set('j', { x: 1 })
    assert.deepEqual(JSON.parse((await cache.getBuffer('j')).toString()), { x: 1 })
  })

  test('mutating a read value does not change the stored one', async (t) => {
    const cache = open(t)
    await cache.set('k', { list: [1, 2] })
    const first = await cache.get('k')
    first.list.push(3)
    first.added = true
    assert.deepEqual(await cache.get('k'), { list: [1, 2] })
  })

  const refused = [
    ['a BigInt', () => ({ n: 10n })],
    ['a nested BigInt', () => ({ a: [{ b: 1n }] })],
    ['a circular structure', () => { const o = { a: 1 }; o.self = o; return o }],
    ['a circular array', () => { const a = [1]; a.push(a); return a }],
    ['a function', () => ({ f () {} })],
    ['a symbol', () => ({ s: Symbol('x') })],
    ['undefined', () => ({ u: undefined })],
    ['undefined in an array', () => [1, undefined]],
    ['NaN', () => ({ n: NaN })],
    ['Infinity', () => ({ n: [Infinity] })],
    ['-Infinity', () => ({ n: -Infinity })],
    ['a Map', () => ({ m: new Map([['a', 1]]) })],
    ['a Set', () => ({ s: new Set([1]) })],
    ['a top-level Map', () => new Map([['a', 1]])],
    ['a top-level Set', () => new Set([1])]
  ]
  for (const [label, make] of refused) {
    test(`${label} is refused at set with TypeError ERR_TIERCACHE_UNENCODABLE`, async (t) => {
      const cache = open(t)
      await cache.set('k', 'old')
      await failsBothWays(cache, 'set', ['k', make()], TierCacheTypeError, UNENCODABLE)
      await failsBothWays(cache, 'setex', ['k', 10, make()], TierCacheTypeError, UNENCODABLE)
      await failsBothWays(cache, 'mset', [{ other: 'x', k: make() }], TierCacheTypeError, UNENCODABLE)
      throwsWith(() => cache.local.set('k', make()), TierCacheTypeError, UNENCODABLE, 'local.set')
      assert.equal(await cache.get('k'), 'old', 'the old value is untouched')
      assert.equal(await cache.exists('other'), 0, 'a refused MSET writes nothing')
    })
  }

  test('a JSON-decoded "__proto__" never pollutes Object.prototype nor swaps a prototype', async (t) => {
    const cache = open(t)
    const evil = JSON.parse('{"__proto__": {"polluted": true}, "nested": {"__proto__": {"pollutedToo": true}}, "ok": 1}')
    assert.equal(Object.prototype.hasOwnProperty.call(evil, '__proto__'), true, 'the setup holds an own "__proto__"')
    await cache.set('evil', evil)
    for (let i = 0; i < 2; i++) {
      const value = await cache.get('evil')
      assert.equal(value.ok, 1)
      const merged = Object.assign({}, value)
      const deep = Object.assign({}, value.nested)
      assert.equal(merged.polluted, undefined, 'Object.assign target keeps its prototype')
      assert.equal(deep.pollutedToo, undefined)
      assert.equal(Object.getPrototypeOf(merged), Object.prototype)
      assert.equal(({}).polluted, undefined)
      assert.equal(({}).pollutedToo, undefined)
      assert.equal(Object.prototype.polluted, undefined)
      assert.equal(Object.getPrototypeOf(value), Object.prototype)
    }
    const [viaMget] = await cache.mget('evil')
    assert.equal(Object.assign({}, viaMget).polluted, undefined)
    assert.equal(Object.assign({}, cache.local.get('evil')).polluted, undefined)
    assert.equal(({}).polluted, undefined)
  })

  test('a raw string that looks like JSON with "__proto__" stays a string', async (t) => {
    const cache = open(t)
    const raw = '{"__proto__":{"polluted":1}}'
    await cache.set('raw', raw)
    assert.equal(await cache.get('raw'), raw)
    assert.equal(({}).polluted, undefined)
  })

  test('strings, Buffers, numbers, bigints and booleans never go through the codec', async (t) => {
    let encodes = 0
    const cache = open(t, { codec: { encode: (v) => { encodes++; return JSON.stringify(v) }, decode: (b) => JSON.parse(b.toString()) } })
    await cache.set('s', 'text')
    await cache.set('b', Buffer.from('buf'))
    await cache.set('n', 3.25)
    await cache.set('i', 7n)
    await cache.set('t', false)
    assert.equal(encodes, 0)
    assert.deepEqual(await cache.mget('s', 'b', 'n', 'i', 't'), ['text', 'buf', '3.25', '7', 'false'])
  })

  test('a Date comes back as its JSON string (JSON semantics)', async (t) => {
    const cache = open(t)
    const d = new Date(Date.UTC(2024, 1, 29, 12, 0, 0))
    await cache.set('d', { d })
    assert.deepEqual(await cache.get('d'), { d: d.toISOString() })
  })
})

describe("codec: 'v8'", () => {
  test('round-trips Date, Map, Set, BigInt, typed arrays, RegExp, nested cycles', async (t) => {
    const cache = open(t, { codec: 'v8' })
    const circular = { name: 'loop' }
    circular.self = circular
    const value = {
      date: new Date(Date.UTC(2020, 0, 2, 3, 4, 5, 678)),
      map: new Map([['a', 1], [2, { b: [3] }]]),
      set: new Set(['x', 1, 2n]),
      big: 123456789012345678901234567890n,
      u8: new Uint8Array([1, 2, 255]),
      f64: new Float64Array([1.5, -0, NaN, Infinity]),
      i32: new Int32Array([-1, 2 ** 31 - 1]),
      nan: NaN,
      undef: undefined,
      regexp: /ab+c/gi,
      circular
    }
    assert.equal(await cache.set('k', value), 'OK')
    const back = await cache.get('k')
    assert.ok(back.date instanceof Date)
    assert.equal(back.date.getTime(), value.date.getTime())
    assert.ok(back.map instanceof Map)
    assert.deepEqual(back.map, value.map)
    assert.ok(back.set instanceof Set)
    assert.deepEqual(back.set, value.set)
    assert.equal(back.big, value.big)
    assert.ok(back.u8 instanceof Uint8Array)
    assert.deepEqual([...back.u8], [1, 2, 255])
    assert.ok(back.f64 instanceof Float64Array)
    assert.ok(Object.is(back.f64[1], -0))
    assert.ok(Number.isNaN(back.f64[2]))
    assert.equal(back.f64[3], Infinity)
    assert.ok(back.i32 instanceof Int32Array)
    assert.deepEqual([...back.i32], [-1, 2 ** 31 - 1])
    assert.ok(Number.isNaN(back.nan))
    assert.ok('undef' in back)
    assert.equal(back.undef, undefined)
    assert.ok(back.regexp instanceof RegExp)
    assert.equal(back.regexp.source, 'ab+c')
    assert.equal(back.regexp.flags, 'gi')
    assert.equal(back.circular.self, back.circular)
  })

  test('top-level Date, Map, Set and typed arrays round-trip', async (t) => {
    const cache = open(t, { codec: 'v8' })
    const date = new Date(0)
    await cache.set('date', date)
    await cache.set('map', new Map([[1, 'one']]))
    await cache.set('set', new Set([1, 2]))
    await cache.set('f32', new Float32Array([0.5, 2]))
    const gotDate = await cache.get('date')
    assert.ok(gotDate instanceof Date)
    assert.equal(gotDate.getTime(), 0)
    assert.deepEqual(await cache.get('map'), new Map([[1, 'one']]))
    assert.deepEqual(await cache.get('set'), new Set([1, 2]))
    const f32 = await cache.get('f32')
    assert.ok(f32 instanceof Float32Array)
    assert.deepEqual([...f32], [0.5, 2])
  })

  test('functions and symbols are refused with ERR_TIERCACHE_UNENCODABLE', async (t) => {
    const cache = open(t, { codec: 'v8' })
    await failsBothWays(cache, 'set', ['k', { f () {} }], TierCacheTypeError, UNENCODABLE)
    await failsBothWays(cache, 'set', ['k', { s: Symbol('x') }], TierCacheTypeError, UNENCODABLE)
    throwsWith(() => cache.local.set('k', { f: () => 1 }), TierCacheTypeError, UNENCODABLE)
    assert.equal(await cache.exists('k'), 0)
  })

  test('strings stay raw under the v8 codec', async (t) => {
    const cache = open(t, { codec: 'v8' })
    await cache.set('s', 'plain')
    assert.equal(await cache.get('s'), 'plain')
    assert.deepEqual(await cache.getBuffer('s'), Buffer.from('plain'))
  })
})

describe('custom codecs', () => {
  test('a custom { encode, decode } codec is used for objects', async (t) => {
    const calls = { encode: 0, decode: 0 }
    const codec = {
      encode (value) {
        calls.encode++
        return 'custom:' + JSON.stringify(value)
      },
      decode (buf) {
        calls.decode++
        assert.ok(Buffer.isBuffer(buf) || buf instanceof Uint8Array, 'decode gets the stored bytes')
        const text = Buffer.from(buf).toString()
        assert.ok(text.startsWith('custom:'))
        return { decoded: JSON.parse(text.slice('custom:'.length)) }
      }
    }
    const cache = open(t, { codec })
    await cache.set('k', { a: 1 })
    assert.equal(calls.encode, 1)
    assert.equal((await cache.getBuffer('k')).toString(), 'custom:{"a":1}')
    assert.deepEqual(await cache.get('k'), { decoded: { a: 1 } })
    assert.ok(calls.decode >= 1)
  })

  test('a custom codec may encode to a Buffer', async (t) => {
    const cache = open(t, {
      codec: {
        encode: (v) => Buffer.from(JSON.stringify(v)).reverse(),
        decode: (b) => JSON.parse(Buffer.from(b).reverse().toString())
      }
    })
    await cache.set('k', { list: [1, 2, 3] })
    assert.deepEqual(await cache.get('k'), { list: [1, 2, 3] })
  })

  test('a custom codec that encodes to something else is refused with ERR_TIERCACHE_UNENCODABLE', async (t) => {
    const cache = open(t, { codec: { encode: () => 42, decode: () => null } })
    await failsBothWays(cache, 'set', ['k', { a: 1 }], TierCacheTypeError, UNENCODABLE)
    assert.equal(await cache.exists('k'), 0)
  })

  test('an exception thrown by a custom encode rejects the command and writes nothing', async (t) => {
    const boom = new Error('cannot encode')
    const cache = open(t, { codec: { encode: () => { throw boom }, decode: () => null } })
    await cache.set('k', 'old')
    const err = await cache.set('k', { a: 1 }).then(() => null, (e) => e)
    assert.ok(err instanceof Error)
    // The application's own error (or one that names it as its cause), not
    // a report of a bug inside tiercache.
    assert.ok(err === boom || err.cause === boom, `got ${err}`)
    assert.notEqual(err.code, 'ERR_TIERCACHE_INTERNAL', `${err.name}: ${err.message}`)
    assert.equal(await cache.get('k'), 'old')
  })
})

test('an exception thrown by a custom decode rejects the read with the application\'s error', async (t) => {
  const boom = new Error('cannot decode')
  const cache = open(t, { codec: { encode: (v) => JSON.stringify(v), decode: () => { throw boom } } })
  await cache.set('k', { a: 1 })
  const err = await cache.get('k').then(() => null, (e) => e)
  assert.ok(err instanceof Error)
  assert.ok(err === boom || err.cause === boom, `got ${err}`)
  assert.notEqual(err.code, 'ERR_TIERCACHE_INTERNAL', `${err.name}: ${err.message}`)
  // The entry itself is fine: its bytes are still there.
  assert.equal((await cache.getBuffer('k')).toString(), '{"a":1}')
})

describe('codec tags on shared stores', () => {
  test("a value written with codec 'v8' is readable by a default-codec instance of the same store", async (t) => {
    const name = uniqueName('codec-tags')
    const writer = open(t, { name, codec: 'v8' })
    const reader = open(t, { name })
    const value = { when: new Date(86_400_000), ids: new Set([1, 2]), big: 9007199254740993n }
    await writer.set('k', value)
    const back = await reader.get('k')
    assert.ok(back.when instanceof Date)
    assert.equal(back.when.getTime(), 86_400_000)
    assert.deepEqual(back.ids, new Set([1, 2]))
    assert.equal(back.big, 9007199254740993n)
    assert.deepEqual(await reader.mget('k'), [back])
  })

  test('a JSON value written by a default instance is readable by a v8 instance', async (t) => {
    const name = uniqueName('codec-tags2')
    const writer = open(t, { name })
    const reader = open(t, { name, codec: 'v8' })
    await writer.set('k', { a: [1, 'é'] })
    assert.deepEqual(await reader.get('k'), { a: [1, 'é'] })
    await writer.set('s', 'raw')
    assert.equal(await reader.get('s'), 'raw')
  })

  test("codecs are per instance: 'codec' is not one of the store's fixed options", async (t) => {
    const name = uniqueName('codec-options')
    const a = open(t, { name, codec: 'json' })
    const b = open(t, { name, codec: 'v8', frontSize: 0 })
    await b.set('m', new Map([['x', 1]]))
    assert.deepEqual(await a.get('m'), new Map([['x', 1]]))
  })
})

describe('frontObjects', () => {
  test('with frontObjects, reads of an object are served decoded and stay correct after writes', async (t) => {
    const cache = open(t, { frontObjects: true })
    await cache.set('k', { v: 1 })
    assert.deepEqual(await cache.get('k'), { v: 1 })
    assert.deepEqual(await cache.get('k'), { v: 1 })
    await cache.set('k', { v: 2 })
    assert.deepEqual(await cache.get('k'), { v: 2 })
    await cache.del('k')
    assert.equal(await cache.get('k'), null)
  })

  test('without a front (frontSize 0) objects round-trip too', async (t) => {
    const cache = open(t, { frontSize: 0 })
    await cache.set('k', { v: [1] })
    assert.deepEqual(await cache.get('k'), { v: [1] })
    assert.equal(await cache.get('missing'), null)
    await cache.set('s', 'str')
    assert.equal(await cache.get('s'), 'str')
  })
})
