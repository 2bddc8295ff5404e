'use strict'
// Bad input, on the promise path, the callback path and the synchronous
// `cache.local` path: each case fails with its class and stable code, every
// error is also a TierCacheError, nothing is written, and the process lives.

const { test, describe } = require('node:test')
const assert = require('node:assert/strict')

const { TierCache, open, failsBothWays, throwsWith, rejectsWith, runNode, assertTierError } = require('../support/helpers')

const { TierCacheError, TierCacheTypeError, TierCacheRangeError, ReplyError, ClosedError, InternalError, codes } = TierCache

const INVALID_KEY = 'ERR_TIERCACHE_INVALID_KEY'
const KEY_TOO_LARGE = 'ERR_TIERCACHE_KEY_TOO_LARGE'
const INVALID_TTL = 'ERR_TIERCACHE_INVALID_TTL'
const SYNTAX = 'ERR_TIERCACHE_SYNTAX'
const INVALID_VALUE = 'ERR_TIERCACHE_INVALID_VALUE'
const INVALID_ARGUMENT = 'ERR_TIERCACHE_INVALID_ARGUMENT'

// Every command that takes a key, with the key's place in its arguments.
// `variadic`: a trailing function would be taken as the callback, so a
// function cannot be tried as the (last) key. `listForm`: a lone array
// argument is the list of keys (ioredis), so an array is no bad key there.
const KEYED = [
  { method: 'get', args: (k) => [k] },
  { method: 'getBuffer', args: (k) => [k] },
  { method: 'set', args: (k) => [k, 'v'] },
  { method: 'set', args: (k) => [k, 'v', 'EX', 10, 'NX'] },
  { method: 'setex', args: (k) => [k, 10, 'v'] },
  { method: 'psetex', args: (k) => [k, 1000, 'v'] },
  { method: 'setnx', args: (k) => [k, 'v'] },
  { method: 'getdel', args: (k) => [k] },
  { method: 'getex', args: (k) => [k, 'EX', 10] },
  { method: 'del', args: (k) => [k], variadic: true, listForm: true },
  { method: 'del', args: (k) => ['ok', k], variadic: true },
  { method: 'unlink', args: (k) => [k], variadic: true, listForm: true },
  { method: 'exists', args: (k) => [k], variadic: true, listForm: true },
  { method: 'exists', args: (k) => [[k]] },
  { method: 'expire', args: (k) => [k, 10] },
  { method: 'pexpire', args: (k) => [k, 1000] },
  { method: 'expireat', args: (k) => [k, 2000000000] },
  { method: 'pexpireat', args: (k) => [k, 2000000000000] },
  { method: 'ttl', args: (k) => [k] },
  { method: 'pttl', args: (k) => [k] },
  { method: 'persist', args: (k) => [k] },
  { method: 'incr', args: (k) => [k] },
  { method: 'decr', args: (k) => [k] },
  { method: 'incrby', args: (k) => [k, 2] },
  { method: 'decrby', args: (k) => [k, 2] },
  { method: 'incrbyfloat', args: (k) => [k, 1.5] },
  { method: 'mget', args: (k) => ['ok', k], variadic: true },
  { method: 'mget', args: (k) => [['ok', k]] },
  { method: 'mset', args: (k) => [new Map([['ok', 'v'], [k, 'v']])] },
  { method: 'mset', args: (k) => [[['ok', 'v'], [k, 'v']]] }
]

const WRONG_KEY_TYPES = [
  ['undefined', undefined],
  ['null', null],
  ['an object', { a: 1 }],
  ['an array', ['a']],
  ['a symbol', Symbol('k')],
  ['a function', function key () {}],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['a boolean', true],
  ['a bigint', 1n]
]

/**
 * Runs `check(item)` for every item and fails once at the end with the first
 * line of every failed check, so one report shows every command affected.
 */
async function everyOne (items, check) {
  const problems = []
  for (const item of items) {
    try {
      await check(item)
    } catch (err) {
      problems.push(String(err && err.message).split('\n')[0])
    }
  }
  assert.deepEqual(problems, [], `${problems.length} of ${items.length} checks failed:\n  ${problems.join('\n  ')}`)
}

/** Nothing may have been written by a refused command. */
async function assertUntouched (cache) {
  assert.deepEqual(await cache.keys('*'), [], 'a refused command wrote nothing')
}

describe('wrong key types → TypeError ERR_TIERCACHE_INVALID_KEY', () => {
  for (const [label, key] of WRONG_KEY_TYPES) {
    test(`${label} as the key`, async (t) => {
      const cache = open(t)
      const cases = KEYED.filter((c) => !(typeof key === 'function' && c.variadic) && !(Array.isArray(key) && c.listForm))
      await everyOne(cases, (c) => failsBothWays(cache, c.method, c.args(key), TierCacheTypeError, INVALID_KEY))
      await assertUntouched(cache)
    })

    test(`${label} as the key of cache.local.*`, (t) => {
      const cache = open(t)
      throwsWith(() => cache.local.get(key), TierCacheTypeError, INVALID_KEY, 'local.get')
      throwsWith(() => cache.local.set(key, 'v'), TierCacheTypeError, INVALID_KEY, 'local.set')
      throwsWith(() => cache.local.set(key, 'v', 1000), TierCacheTypeError, INVALID_KEY, 'local.set ttl')
      throwsWith(() => cache.local.del(key), TierCacheTypeError, INVALID_KEY, 'local.del')
      throwsWith(() => cache.local.has(key), TierCacheTypeError, INVALID_KEY, 'local.has')
    })
  }

  test('a Buffer key that is not UTF-8', async (t) => {
    const cache = open(t)
    const key = Buffer.from([0xff, 0xfe])
    await failsBothWays(cache, 'get', [key], TierCacheTypeError, INVALID_KEY)
    await failsBothWays(cache, 'set', [key, 'v'], TierCacheTypeError, INVALID_KEY)
    throwsWith(() => cache.local.set(key, 'v'), TierCacheTypeError, INVALID_KEY)
    await assertUntouched(cache)
    // A UTF-8 Buffer key is its string.
    assert.equal(await cache.set(Buffer.from('bk'), 'v'), 'OK')
    assert.equal(await cache.get('bk'), 'v')
  })

  test('a key that is an object is not stringified to "[object Object]"', async (t) => {
    const cache = open(t)
    await cache.set('[object Object]', 'trap')
    await failsBothWays(cache, 'get', [{}], TierCacheTypeError, INVALID_KEY)
  })
})

describe('empty and oversized keys → RangeError', () => {
  test('empty key → RangeError ERR_TIERCACHE_INVALID_KEY', async (t) => {
    const cache = open(t)
    await everyOne(KEYED, (c) => failsBothWays(cache, c.method, c.args(''), TierCacheRangeError, INVALID_KEY))
    throwsWith(() => cache.local.get(''), TierCacheRangeError, INVALID_KEY)
    throwsWith(() => cache.local.set('', 'v'), TierCacheRangeError, INVALID_KEY)
    throwsWith(() => cache.local.del(''), TierCacheRangeError, INVALID_KEY)
    throwsWith(() => cache.local.has(''), TierCacheRangeError, INVALID_KEY)
    await failsBothWays(cache, 'set', [Buffer.alloc(0), 'v'], TierCacheRangeError, INVALID_KEY)
    await assertUntouched(cache)
  })

  test('key over 64 KiB → RangeError ERR_TIERCACHE_KEY_TOO_LARGE', async (t) => {
    const cache = open(t)
    const tooLong = [
      'k'.repeat(64 * 1024 + 1),
      'é'.repeat(32 * 1024 + 1), // 65 538 UTF-8 bytes in 32 769 characters
      '€'.repeat(21846), // 65 538 UTF-8 bytes in 21 846 characters
      '🙂'.repeat(16 * 1024 + 1)
    ]
    for (const key of tooLong) {
      await everyOne(KEYED, (c) => failsBothWays(cache, c.method, c.args(key), TierCacheRangeError, KEY_TOO_LARGE))
      throwsWith(() => cache.local.get(key), TierCacheRangeError, KEY_TOO_LARGE)
      throwsWith(() => cache.local.set(key, 'v'), TierCacheRangeError, KEY_TOO_LARGE)
      throwsWith(() => cache.local.del(key), TierCacheRangeError, KEY_TOO_LARGE)
      throwsWith(() => cache.local.has(key), TierCacheRangeError, KEY_TOO_LARGE)
    }
    await assertUntouched(cache)
  })

  test('a key of exactly 64 KiB is accepted', async (t) => {
    const cache = open(t)
    assert.equal(TierCache.MAX_KEY_BYTES, 64 * 1024)
    const ascii = 'k'.repeat(64 * 1024)
    const wide = 'é'.repeat(32 * 1024)
    const euro = '€'.repeat(21845) + 'x'
    for (const key of [ascii, wide, euro]) {
      assert.equal(Buffer.byteLength(key), 64 * 1024)
      assert.equal(await cache.set(key, 'v'), 'OK')
      assert.equal(await cache.get(key), 'v')
      assert.equal(cache.local.get(key), 'v')
    }
    assert.equal(await cache.dbsize(), 3)
  })
})

describe('bad TTLs → RangeError ERR_TIERCACHE_INVALID_TTL', () => {
  const cases = [
    ['set', ['k', 'v', 'EX', 1.5]],
    ['set', ['k', 'v', 'EX', -1]],
    ['set', ['k', 'v', 'EX', 0]],
    ['set', ['k', 'v', 'EX', NaN]],
    ['set', ['k', 'v', 'EX', Infinity]],
    ['set', ['k', 'v', 'EX', '1.5']],
    ['set', ['k', 'v', 'EX', 'ten']],
    // Past Redis's limits (values Redis accepts are in l2/values/numbers-as-redis.test.js).
    ['set', ['k', 'v', 'EX', 2 ** 54]],
    ['set', ['k', 'v', 'EX', '9223372036854776']],
    ['set', ['k', 'v', 'PX', '9223372036854775807']],
    ['set', ['k', 'v', 'PX', '9223372036854775808']],
    ['set', ['k', 'v', 'PX', 0]],
    ['set', ['k', 'v', 'PX', -100]],
    ['set', ['k', 'v', 'PX', 0.5]],
    ['set', ['k', 'v', 'EXAT', 0]],
    ['set', ['k', 'v', 'PXAT', -1]],
    ['set', ['k', 'v', 'PXAT', 1.5]],
    ['set', ['k', 'v', 'EXAT', 2 ** 60]],
    ['set', ['k', 'v', { EX: 0 }]],
    ['set', ['k', 'v', { PX: 1.5 }]],
    ['setex', ['k', 0, 'v']],
    ['setex', ['k', -1, 'v']],
    ['setex', ['k', 1.5, 'v']],
    ['setex', ['k', NaN, 'v']],
    ['setex', ['k', 2 ** 60, 'v']],
    ['psetex', ['k', 0, 'v']],
    ['psetex', ['k', -5, 'v']],
    ['psetex', ['k', 2.5, 'v']],
    ['psetex', ['k', '9223372036854775807', 'v']],
    ['getex', ['k', 'EX', 0]],
    ['getex', ['k', 'PX', -5]],
    ['getex', ['k', 'EX', 1.5]],
    ['getex', ['k', 'PX', NaN]],
    ['getex', ['k', 'PXAT', '9223372036854775808']],
    ['expire', ['k', NaN]],
    ['expire', ['k', 1.5]],
    ['expire', ['k', Infinity]],
    ['expire', ['k', 2 ** 60]],
    ['expire', ['k', 2 ** 54]],
    ['pexpire', ['k', '9223372036854775807']],
    ['pexpire', ['k', 0.5]],
    ['expireat', ['k', NaN]],
    ['pexpireat', ['k', '-9223372036854775809']]
  ]
  for (const [method, args] of cases) {
    test(`${method}(${args.map(String).join(', ')})`, async (t) => {
      const cache = open(t)
      await cache.set('existing', 'v')
      const withKey = args.map((a) => (a === 'k' ? 'existing' : a))
      await failsBothWays(cache, method, withKey, TierCacheRangeError, INVALID_TTL)
      assert.equal(await cache.get('existing'), 'v', 'a refused command changes nothing')
      assert.equal(await cache.ttl('existing'), -1)
      await failsBothWays(cache, method, args, TierCacheRangeError, INVALID_TTL)
      assert.deepEqual(await cache.keys('*'), ['existing'])
    })
  }

  test('cache.local.set with a bad ttlMs', (t) => {
    const cache = open(t)
    for (const ttl of [0, -1, 1.5, NaN, Infinity, '9223372036854775807', '1.5']) {
      throwsWith(() => cache.local.set('k', 'v', ttl), TierCacheRangeError, INVALID_TTL, `local.set ttl ${String(ttl)}`)
    }
    assert.equal(cache.local.has('k'), false)
  })

  test('a TTL of the wrong type is refused with ERR_TIERCACHE_INVALID_TTL', async (t) => {
    const cache = open(t)
    for (const bad of [null, {}, [], true]) {
      const viaPromise = await rejectsWith(cache.set('k', 'v', 'EX', bad), TierCacheError, INVALID_TTL, `EX ${String(bad)}`)
      assert.ok(viaPromise instanceof TypeError || viaPromise instanceof RangeError)
    }
    assert.equal(await cache.exists('k'), 0)
  })
})

describe('bad SET / GETEX / EXPIRE / SCAN options → TypeError ERR_TIERCACHE_SYNTAX', () => {
  const cases = [
    ['set', ['k', 'v', 'NX', 'XX']],
    ['set', ['k', 'v', 'XX', 'NX']],
    ['set', ['k', 'v', 'EX', 10, 'PX', 100]],
    ['set', ['k', 'v', 'PX', 100, 'EX', 10]],
    ['set', ['k', 'v', 'EX', 10, 'EX', 10]],
    ['set', ['k', 'v', 'EX', 10, 'EXAT', 2000000000]],
    ['set', ['k', 'v', 'KEEPTTL', 'EX', 10]],
    ['set', ['k', 'v', 'PX', 100, 'KEEPTTL']],
    ['set', ['k', 'v', 'EX']],
    ['set', ['k', 'v', 'PX']],
    ['set', ['k', 'v', 'NX', 'EX']],
    ['set', ['k', 'v', 'FOO']],
    ['set', ['k', 'v', 'EX', 10, 'FOO']],
    ['set', ['k', 'v', 10]],
    ['set', ['k', 'v', { FOO: 1 }]],
    ['set', ['k', 'v', { NX: true, XX: true }]],
    ['set', ['k', 'v', { EX: 10, PX: 100 }]],
    ['getex', ['k', 'FOO']],
    ['getex', ['k', 'EX']],
    ['getex', ['k', 'PERSIST', 'EX', 10]],
    ['getex', ['k', 'EX', 10, 'PX', 10]],
    ['expire', ['k', 10, 'FOO']],
    ['expire', ['k', 10, 'NX', 'XX']],
    ['pexpire', ['k', 10, 'GT', 'LT']],
    ['scan', ['0', 'FOO', 'bar']],
    ['scan', ['0', 'MATCH']]
  ]
  for (const [method, args] of cases) {
    test(`${method}(${args.map((a) => (typeof a === 'object' ? JSON.stringify(a) : String(a))).join(', ')})`, async (t) => {
      const cache = open(t)
      await cache.set('k', 'old')
      await failsBothWays(cache, method, args, TierCacheTypeError, SYNTAX)
      assert.equal(await cache.get('k'), 'old')
      assert.equal(await cache.ttl('k'), -1)
    })
  }
})

describe('bad values → TypeError ERR_TIERCACHE_INVALID_VALUE', () => {
  const values = [['undefined', undefined], ['null', null], ['a function', () => 'v'], ['a symbol', Symbol('v')]]
  for (const [label, value] of values) {
    test(`${label} as the value`, async (t) => {
      const cache = open(t)
      const calls = [
        ['set', ['k', value]],
        ['set', ['k', value, 'EX', 10]],
        ['setex', ['k', 10, value]],
        ['psetex', ['k', 1000, value]],
        ['setnx', ['k', value]],
        ['mset', [{ ok: 'v', k: value }]],
        ['mset', [new Map([['ok', 'v'], ['k', value]])]]
      ]
      if (typeof value !== 'function') calls.push(['mset', ['ok', 'v', 'k', value]])
      await everyOne(calls, ([method, args]) => failsBothWays(cache, method, args, TierCacheTypeError, INVALID_VALUE))
      throwsWith(() => cache.local.set('k', value), TierCacheTypeError, INVALID_VALUE, 'local.set')
      throwsWith(() => cache.local.set('k', value, 1000), TierCacheTypeError, INVALID_VALUE, 'local.set ttl')
      await assertUntouched(cache)
    })
  }
})

describe('other argument errors', () => {
  test('a callback that is not a function → TypeError ERR_TIERCACHE_INVALID_ARGUMENT', async (t) => {
    const cache = open(t)
    const calls = [['get', ['k', 'nope']], ['ttl', ['k', 42]], ['getBuffer', ['k', {}]], ['dbsize', ['x']], ['incr', ['k', null]]]
    await everyOne(calls, async ([method, args]) => {
      let p
      assert.doesNotThrow(() => { p = cache[method](...args) }, `${method}: threw synchronously instead of rejecting`)
      await rejectsWith(p, TierCacheTypeError, INVALID_ARGUMENT, method)
    })
  })

  test('commands without keys → TypeError ERR_TIERCACHE_INVALID_ARGUMENT', async (t) => {
    const cache = open(t)
    await failsBothWays(cache, 'del', [], TierCacheTypeError, INVALID_ARGUMENT)
    await failsBothWays(cache, 'exists', [], TierCacheTypeError, INVALID_ARGUMENT)
    await failsBothWays(cache, 'mget', [[]], TierCacheTypeError, INVALID_ARGUMENT)
    await failsBothWays(cache, 'mset', [], TierCacheTypeError, INVALID_ARGUMENT)
    await failsBothWays(cache, 'mset', ['a', '1', 'b'], TierCacheTypeError, INVALID_ARGUMENT)
    await failsBothWays(cache, 'mset', [{}], TierCacheTypeError, INVALID_ARGUMENT)
    await failsBothWays(cache, 'keys', [42], TierCacheTypeError, INVALID_ARGUMENT)
    await failsBothWays(cache, 'scan', ['abc'], TierCacheTypeError, INVALID_ARGUMENT)
    await failsBothWays(cache, 'scan', [-1], TierCacheTypeError, INVALID_ARGUMENT)
    await failsBothWays(cache, 'scan', ['0', 'COUNT', 0], TierCacheRangeError, INVALID_ARGUMENT)
    await failsBothWays(cache, 'scan', ['0', 'MATCH', 42], TierCacheTypeError, INVALID_ARGUMENT)
    await assertUntouched(cache)
  })

  test('an unknown SCAN cursor is Redis\'s "ERR invalid cursor"', async (t) => {
    const cache = open(t)
    const err = await failsBothWays(cache, 'scan', ['12345'], ReplyError, 'ERR_TIERCACHE_REPLY')
    assert.equal(err.message, 'ERR invalid cursor')
  })

  test('INCR errors reach callbacks and promises alike', async (t) => {
    const cache = open(t)
    await cache.set('s', 'abc')
    await cache.set('max', '9223372036854775807')
    await failsBothWays(cache, 'incr', ['s'], ReplyError, 'ERR_TIERCACHE_REPLY')
    await failsBothWays(cache, 'incrby', ['max', 1], ReplyError, 'ERR_TIERCACHE_REPLY')
    await failsBothWays(cache, 'incrby', ['s', 1.5], ReplyError, 'ERR_TIERCACHE_REPLY')
    await failsBothWays(cache, 'incrbyfloat', ['s', 1], ReplyError, 'ERR_TIERCACHE_REPLY')
  })
})

describe('constructor options', () => {
  test('unknown options → TypeError ERR_TIERCACHE_INVALID_ARGUMENT', () => {
    for (const options of [{ foo: 1 }, { maxentries: 10 }, { max_bytes: 10 }, { ttl: 1000, extra: true }]) {
      throwsWith(() => new TierCache(options), TierCacheTypeError, INVALID_ARGUMENT, JSON.stringify(options))
    }
  })

  test('bad option values are refused with ERR_TIERCACHE_INVALID_ARGUMENT', () => {
    const cases = [
      [{ maxEntries: 0 }, TierCacheRangeError],
      [{ maxEntries: -1 }, TierCacheRangeError],
      [{ maxEntries: 1.5 }, TierCacheRangeError],
      [{ maxEntries: '10' }, TierCacheRangeError],
      [{ maxBytes: 0 }, TierCacheRangeError],
      [{ maxBytes: NaN }, TierCacheRangeError],
      [{ maxValueBytes: -5 }, TierCacheRangeError],
      [{ ttl: 0 }, TierCacheRangeError],
      [{ ttl: 1.5 }, TierCacheRangeError],
      [{ frontSize: -1 }, TierCacheRangeError],
      [{ name: '' }, TierCacheTypeError],
      [{ name: 42 }, TierCacheTypeError],
      [{ codec: 'xml' }, TierCacheTypeError],
      [{ codec: { encode () {} } }, TierCacheTypeError],
      [{ frontObjects: 'yes' }, TierCacheTypeError],
      [[], TierCacheTypeError],
      [true, TierCacheTypeError]
    ]
    for (const [options, Class] of cases) {
      throwsWith(() => new TierCache(options), Class, INVALID_ARGUMENT, JSON.stringify(options))
    }
  })

  test('unsupported Redis connection forms → TypeError ERR_TIERCACHE_UNSUPPORTED', () => {
    // (The supported forms are tested against a real Redis in l2/tier.test.js.)
    for (const options of [{ path: '/tmp/redis.sock' }, { redis: 'rediss://h', tls: { ciphers: 'x' } }, { socket: { path: '/x' } }]) {
      throwsWith(() => new TierCache(options), TierCacheTypeError, 'ERR_TIERCACHE_UNSUPPORTED', JSON.stringify(options))
    }
  })

  test('undefined, null and {} are the defaults', async (t) => {
    for (const options of [undefined, null, {}, { maxEntries: undefined }]) {
      const cache = open(t, options)
      assert.equal(await cache.set('k', 'v'), 'OK')
      assert.equal(cache.options.maxBytes, TierCache.DEFAULTS.maxBytes)
    }
  })
})

describe('error classes', () => {
  test('every error class is a TierCacheError; argument errors are TypeError / RangeError', () => {
    const samples = [
      [new TierCacheTypeError('x'), TypeError],
      [new TierCacheRangeError('x'), RangeError],
      [new ReplyError('ERR x'), TierCacheError],
      [new ClosedError(), TierCacheError],
      [new InternalError('x'), TierCacheError]
    ]
    for (const [err, Base] of samples) {
      assert.ok(err instanceof TierCacheError, err.name)
      assert.ok(err instanceof Base, err.name)
      assert.ok(err instanceof Error)
      assert.equal(typeof err.code, 'string')
      assert.ok(err.code.startsWith('ERR_TIERCACHE'))
    }
    assert.ok(!(new TypeError('plain') instanceof TierCacheError), 'plain errors are not TierCacheErrors')
    assert.ok(!(new Error('plain') instanceof TierCacheError))
    assert.ok(!(null instanceof TierCacheError))
    assert.ok(!(new TierCacheTypeError('x') instanceof RangeError))
    assert.ok(!(new ReplyError('x') instanceof ClosedError))
    assert.equal(new ClosedError().code, codes.CLOSED)
    assert.equal(new InternalError('x').code, codes.INTERNAL)
    assert.equal(new ReplyError('x').code, codes.REPLY)
  })

  test('the codes table is frozen and lists the engine\'s codes (src/core/error_code.rs), each ERR_TIERCACHE_<its name>', () => {
    assert.ok(Object.isFrozen(codes))
    const names = Object.keys(codes)
    for (const name of ['INVALID_ARGUMENT', 'INVALID_KEY', 'KEY_TOO_LARGE', 'INVALID_VALUE', 'VALUE_TOO_LARGE', 'UNENCODABLE', 'INVALID_TTL', 'SYNTAX', 'OPTION_CONFLICT', 'UNSUPPORTED', 'REPLY', 'CLOSED', 'INTERNAL']) {
      assert.ok(names.includes(name), name)
    }
    for (const name of names) assert.equal(codes[name], `ERR_TIERCACHE_${name}`)
  })

  test('lib/error-codes.d.ts is what scripts/gen-error-typings.js generates (run it after changing the codes)', () => {
    const { render, OUT } = require('../../scripts/gen-error-typings')
    assert.equal(require('node:fs').readFileSync(OUT, 'utf8'), render())
  })

  test('an engine error keeps its code and becomes its class (KEY_TOO_LARGE is the engine\'s own code, not read from the message)', () => {
    const { fromNative } = require('../../lib/errors')
    const native = require('../../binding.js')
    for (const [, code] of native.errorCodes()) {
      const err = fromNative(Object.assign(new Error('from the engine'), { code }))
      assert.ok(err instanceof TierCacheError, code)
      if (code !== codes.INTERNAL && [codes.REPLY, codes.CLOSED, codes.INVALID_KEY, codes.KEY_TOO_LARGE, codes.VALUE_TOO_LARGE, codes.PATTERN_TOO_LONG, codes.OPTION_CONFLICT, codes.INVALID_ARGUMENT].includes(code)) {
        assert.equal(err.code, code)
      }
    }
    assert.ok(fromNative(Object.assign(new Error('key is longer than 65536 bytes'), { code: codes.KEY_TOO_LARGE })) instanceof TierCacheRangeError)
  })
})

describe('robustness', () => {
  test('a barrage of bad input in a child process: every call fails cleanly and the process exits 0', () => {
    const source = `
      'use strict'
      const TierCache = require('.')
      const { TierCacheError } = TierCache
      const cache = new TierCache({ maxEntries: 100 })
      const badKeys = [undefined, null, {}, [], Symbol('s'), () => {}, NaN, '', 'k'.repeat(70000), Buffer.from([0xff])]
      const badValues = [undefined, null, () => {}, Symbol('v'), { b: 1n }, { n: NaN }]
      const badTtls = [0, -1, 1.5, NaN, Infinity, 2 ** 60, 'x', null, {}]
      const flags = ['NX', 'XX', 'EX', 'PX', 'EXAT', 'PXAT', 'KEEPTTL', 'GET', 'FOO', 1, null]
      let failures = 0
      let wrongClass = 0
      const check = (err) => { failures++; if (!(err instanceof TierCacheError)) wrongClass++ }
      ;(async () => {
        const promises = []
        for (const k of badKeys) {
          const calls = [['get'], ['set', 'v'], ['del'], ['exists'], ['incr'], ['ttl'], ['expire', 10], ['getdel'], ['getex', 'EX', 10], ['mget', 'x']]
          for (const [m, ...rest] of calls) {
            promises.push(cache[m](k, ...rest).then(() => {}, check))
          }
          try { cache.local.get(k) } catch (e) { check(e) }
        }
        for (const v of badValues) {
          promises.push(cache.set('k', v).then(() => {}, check))
          try { cache.local.set('k', v) } catch (e) { check(e) }
        }
        for (const ttl of badTtls) {
          promises.push(cache.set('k', 'v', 'EX', ttl).then(() => {}, check))
          promises.push(cache.setex('k', ttl, 'v').then(() => {}, check))
        }
        for (const a of flags) for (const b of flags) promises.push(cache.set('f', 'v', a, b).catch(check))
        await Promise.all(promises)
        if (failures < 100 || wrongClass !== 0) { console.log('unexpected', failures, wrongClass); process.exit(3) }
        if (await cache.set('k', 'v') !== 'OK' || await cache.get('k') !== 'v') process.exit(4)
        console.log('survived', failures)
      })()
    `
    const r = runNode(source)
    assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr}`)
    assert.equal(r.status, 0, `exit ${r.status}\n${r.stdout}\n${r.stderr}`)
    assert.match(r.stdout, /^survived \d+/m)
  })

  test('errors carry no stack-free surprises: messages are strings and codes are stable', async (t) => {
    const cache = open(t)
    const err = await cache.get(undefined).catch((e) => e)
    assertTierError(err, TierCacheTypeError, INVALID_KEY)
    assert.equal(typeof err.stack, 'string')
    assert.equal(err.name, 'TierCacheTypeError')
  })
})

test('options with an own __proto__ key (as JSON.parse makes them) are refused, and lend nothing', () => {
  const hostile = (inner) => JSON.parse(`{"__proto__": ${JSON.stringify(inner)}}`)
  // Without the fix the copy's prototype became the attacker's object:
  // maxEntries 1 (or a keyPrefix) would apply though no option named it.
  for (const make of [
    () => new TierCache(hostile({ maxEntries: 1 })),
    () => TierCache.createClient(hostile({ keyPrefix: 'other:' })),
    () => new TierCache({ redis: hostile({ keyPrefix: 'other:' }), lazyConnect: true })
  ]) {
    assert.throws(make, (err) => err instanceof TierCacheTypeError && err.code === codes.INVALID_ARGUMENT && /__proto__/.test(err.message))
  }
})
