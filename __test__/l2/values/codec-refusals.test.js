'use strict'
// "What the codec cannot represent is refused at set, never mangled." A
// value stored through the JSON codec must come back equal (deepStrictEqual,
// after toJSON); everything else is refused with ERR_TIERCACHE_UNENCODABLE,
// whose message names the path of the offending value (never the value) and
// whose `cause` is the original error when one was thrown (a throwing toJSON
// or getter, a circular structure, the v8 serializer's DataCloneError).
// Nothing is stored by a refused set, in L1 or in Redis.

const { describe, test } = require('node:test')
const assert = require('node:assert/strict')

const { TierCache, open } = require('../../support/helpers')
const { useRedisWithClient } = require('../../support/redis-server')

const UNENCODABLE = 'ERR_TIERCACHE_UNENCODABLE'
const SECRET = 'do-not-show-me'

class Point {
  constructor () { this.x = 1 }
}

function throwingGetter (error) {
  const o = { ok: 1 }
  Object.defineProperty(o, 'bad', { enumerable: true, get () { throw error } })
  return o
}

/** [name, value, path the message must name] for the JSON codec. */
function jsonRefused () {
  const circular = { a: { list: [] } }
  circular.a.list.push(circular)
  return [
    ['boxed NaN (would read back as null: a miss)', new Number(NaN), 'the top level'],
    ['boxed Infinity inside an object', { a: new Number(Infinity) }, 'a'],
    ['boxed number', { n: [new Number(5)] }, 'n[0]'],
    ['boxed string', { s: new String(SECRET) }, 's'],
    ['boxed boolean', [new Boolean(false)], '[0]'],
    ['ArrayBuffer', new ArrayBuffer(8), 'the top level'],
    ['DataView', { view: new DataView(new ArrayBuffer(2)) }, 'view'],
    ['RegExp', { re: new RegExp(SECRET) }, 're'],
    ['Error', { e: new Error(SECRET) }, 'e'],
    ['WeakMap', new WeakMap(), 'the top level'],
    ['WeakSet', { w: new WeakSet() }, 'w'],
    ['Promise', { p: Promise.resolve(SECRET) }, 'p'],
    ['Float64Array', new Float64Array([1.5, 2]), 'the top level'],
    ['Int32Array nested', { deep: { t: new Int32Array(2) } }, 'deep.t'],
    ['Uint8Array nested (only a top-level one is raw bytes)', { u: new Uint8Array(2) }, 'u'],
    ['class instance without toJSON', { p: new Point() }, 'p'],
    ['Map nested', { m: new Map([[SECRET, 1]]) }, 'm'],
    ['Set at the top', new Set([SECRET]), 'the top level'],
    ['NaN nested in an array', { a: [1, NaN] }, 'a[1]'],
    ['-Infinity deep', { a: { b: { c: -Infinity } } }, 'a.b.c'],
    ['undefined in an object (JSON drops it)', { u: undefined, keep: 1 }, 'u'],
    ['sparse array (a hole reads back null)', { list: [1, , 3] }, 'list[1]'], // eslint-disable-line no-sparse-arrays
    ['function in an object', { f () { return SECRET } }, 'f'],
    ['symbol in an array', [Symbol(SECRET)], '[0]'],
    ['BigInt nested', { big: 10n }, 'big'],
    ['invalid Date (toJSON gives null)', { d: new Date(NaN) }, 'd'],
    ['invalid Date at the top', new Date(NaN), 'the top level'],
    ['odd key names are quoted in the path', { 'a b': { 'c.d': [NaN] } }, '["a b"]["c.d"][0]'],
    ['circular structure', circular, 'a.list[0]']
  ]
}

async function assertRefused (cache, name, value, path) {
  let err
  try {
    await cache.set('k', value)
  } catch (e) {
    err = e
  }
  assert.ok(err, `${name}: accepted (would read back ${JSON.stringify(await cache.get('k'))})`)
  assert.ok(err instanceof TierCache.TierCacheError, `${name}: ${err}`)
  assert.equal(err.code, UNENCODABLE, `${name}: ${err.message}`)
  if (path !== undefined) assert.ok(err.message.includes(` at ${path}`), `${name}: the message names ${path}: ${err.message}`)
  assert.ok(!err.message.includes(SECRET), `${name}: the value is not in the message: ${err.message}`)
  return err
}

describe('the JSON codec refuses what would not come back equal', () => {
  test('each class is refused at set, naming the path, storing nothing', async (t) => {
    const cache = open(t)
    for (const [name, value, path] of jsonRefused()) {
      await assertRefused(cache, name, value, path)
      await assert.rejects(cache.mset({ k: value }), (e) => e.code === UNENCODABLE, `mset ${name}`)
      await assert.rejects(cache.setex('k', 10, value), (e) => e.code === UNENCODABLE, `setex ${name}`)
      assert.throws(() => cache.local.set('k', value), (e) => e.code === UNENCODABLE, `local.set ${name}`)
      assert.equal(await cache.dbsize(), 0, `${name}: nothing stored`)
    }
  })

  test('a throwing toJSON or getter is reported as such, with the original error as cause', async (t) => {
    const cache = open(t)
    const boom = new Error('boom')
    const viaToJSON = await assertRefused(cache, 'toJSON', { a: [{ toJSON () { throw boom } }] }, 'a[0]')
    assert.equal(viaToJSON.cause, boom)
    assert.match(viaToJSON.message, /toJSON/)
    assert.doesNotMatch(viaToJSON.message, /circular/)
    const viaGetter = await assertRefused(cache, 'getter', { nested: throwingGetter(boom) }, 'nested.bad')
    assert.equal(viaGetter.cause, boom)
    assert.match(viaGetter.message, /getter/)
    const circular = await assertRefused(cache, 'circular', (() => { const o = {}; o.self = o; return o })(), 'self')
    assert.ok(circular.cause instanceof TypeError, 'the circularity TypeError is the cause')
  })

  test('what is accepted comes back equal (toJSON results as documented)', async (t) => {
    const cache = open(t)
    const getter = {}
    Object.defineProperty(getter, 'g', { enumerable: true, get: () => 42 })
    const nullProto = Object.assign(Object.create(null), { a: 1 })
    const cases = [
      [{ a: 1, b: 'two', c: [true, null, { d: -2.5e-300 }], e: {} }, { a: 1, b: 'two', c: [true, null, { d: -2.5e-300 }], e: {} }],
      [getter, { g: 42 }],
      [nullProto, { a: 1 }],
      [{ when: new Date(0) }, { when: '1970-01-01T00:00:00.000Z' }],
      [{ custom: { toJSON: () => ({ x: 1 }) } }, { custom: { x: 1 } }],
      [[[], [[]], [1, [2, [3]]]], [[], [[]], [1, [2, [3]]]]]
    ]
    for (const [value, expected] of cases) {
      await cache.set('k', value)
      assert.deepEqual(await cache.get('k'), expected)
    }
  })
})

describe('the v8 codec refuses what the structured clone cannot take', () => {
  test('functions, symbols, WeakMap, WeakSet, Promise: UNENCODABLE with the path and the cause', async (t) => {
    const cache = open(t, { codec: 'v8' })
    const cases = [
      ['function', { a: [1, () => SECRET] }, 'a[1]'],
      ['symbol', { s: Symbol(SECRET) }, 's'],
      ['WeakMap in a Map', new Map([[1, new WeakMap()]]), '<map value 0>'],
      ['WeakSet', { w: new WeakSet() }, 'w'],
      ['Promise', [Promise.resolve(SECRET)], '[0]']
    ]
    for (const [name, value, path] of cases) {
      const err = await assertRefused(cache, name, value, path)
      assert.ok(err.cause instanceof Error, `${name}: the serializer's error is the cause`)
    }
    assert.equal(await cache.dbsize(), 0)
  })

  test('what v8 represents still round-trips (boxed primitives, Map, typed arrays, Error)', async (t) => {
    const cache = open(t, { codec: 'v8' })
    const value = { n: new Number(NaN), m: new Map([['a', new Set([1])]]), f: new Float64Array([1.5]), big: 1n, d: new Date(0) }
    await cache.set('k', value)
    assert.deepEqual(await cache.get('k'), value)
  })
})

describe('with Redis, a refused set reaches neither tier', () => {
  const redis = useRedisWithClient()

  test('every JSON refusal class, nothing in Redis afterwards', async (t) => {
    const cache = open(t, { redis: redis.server.url })
    for (const [name, value, path] of jsonRefused()) await assertRefused(cache, name, value, path)
    assert.deepEqual(await redis.io.keys('*'), [])
  })
})
