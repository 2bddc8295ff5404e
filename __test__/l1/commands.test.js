'use strict'
// Every command against the examples of its redis.io page, with ioredis's
// reply shapes: 'OK', null, numbers for integer replies, strings for bulk
// replies, [cursor, keys] for SCAN.

const { test, describe } = require('node:test')
const assert = require('node:assert/strict')

const { TierCache, open, callbackResult } = require('../support/helpers')
const { advanceClock } = require('../../lib/testing')

const { ReplyError, TierCacheError } = TierCache

const sorted = (list) => [...list].sort()

describe('SET / GET', () => {
  test('SET and GET (redis.io SET example)', async (t) => {
    const redis = open(t)
    assert.equal(await redis.set('mykey', 'Hello'), 'OK')
    assert.equal(await redis.get('mykey'), 'Hello')
    assert.equal(await redis.set('anotherkey', 'will expire in a minute', 'EX', 60), 'OK')
    assert.equal(await redis.ttl('anotherkey'), 60)
    assert.equal(await redis.get('anotherkey'), 'will expire in a minute')
  })

  test('GET of a missing key is null (redis.io GET example)', async (t) => {
    const redis = open(t)
    assert.equal(await redis.get('nonexisting'), null)
    assert.equal(await redis.set('mykey', 'Hello'), 'OK')
    assert.equal(await redis.get('mykey'), 'Hello')
    // Twice: the second read may come from the per-thread front.
    assert.equal(await redis.get('mykey'), 'Hello')
  })

  test('SET overwrites the value and clears the TTL', async (t) => {
    const redis = open(t)
    await redis.set('k', 'one', 'EX', 100)
    assert.equal(await redis.get('k'), 'one')
    assert.equal(await redis.set('k', 'two'), 'OK')
    assert.equal(await redis.get('k'), 'two')
    assert.equal(await redis.ttl('k'), -1)
  })

  test('SET NX / XX reply null when refused', async (t) => {
    const redis = open(t)
    assert.equal(await redis.set('k', 'a', 'XX'), null)
    assert.equal(await redis.get('k'), null)
    assert.equal(await redis.set('k', 'a', 'NX'), 'OK')
    assert.equal(await redis.set('k', 'b', 'NX'), null)
    assert.equal(await redis.get('k'), 'a')
    assert.equal(await redis.set('k', 'c', 'XX'), 'OK')
    assert.equal(await redis.get('k'), 'c')
    // Lower-case tokens, as ioredis users write them.
    assert.equal(await redis.set('k', 'd', 'nx'), null)
    assert.equal(await redis.set('k', 'd', 'xx'), 'OK')
    assert.equal(await redis.get('k'), 'd')
  })

  test('SET … GET replies the old value (null when there was none)', async (t) => {
    const redis = open(t)
    assert.equal(await redis.set('mykey', 'Hello', 'GET'), null)
    assert.equal(await redis.set('mykey', 'World', 'GET'), 'Hello')
    assert.equal(await redis.get('mykey'), 'World')
    // NX with GET: refused, old value still replied, nothing written.
    assert.equal(await redis.set('mykey', 'Other', 'NX', 'GET'), 'World')
    assert.equal(await redis.get('mykey'), 'World')
    // XX with GET on a missing key: null and nothing written.
    assert.equal(await redis.set('missing', 'x', 'XX', 'GET'), null)
    assert.equal(await redis.exists('missing'), 0)
  })

  test('SET EX / PX / EXAT / PXAT set the TTL', async (t) => {
    const redis = open(t)
    assert.equal(await redis.set('ex', 'v', 'EX', 100), 'OK')
    assert.equal(await redis.ttl('ex'), 100)
    assert.equal(await redis.set('px', 'v', 'PX', 5000), 'OK')
    const pxLeft = await redis.pttl('px')
    assert.ok(pxLeft > 4900 && pxLeft <= 5000, `pttl ${pxLeft}`)
    const nowSec = Math.floor(Date.now() / 1000)
    assert.equal(await redis.set('exat', 'v', 'EXAT', nowSec + 100), 'OK')
    const exatLeft = await redis.ttl('exat')
    assert.ok(exatLeft >= 99 && exatLeft <= 100, `ttl ${exatLeft}`)
    assert.equal(await redis.set('pxat', 'v', 'PXAT', Date.now() + 5000), 'OK')
    const pxatLeft = await redis.pttl('pxat')
    assert.ok(pxatLeft > 4900 && pxatLeft <= 5000, `pttl ${pxatLeft}`)
    // Numeric strings are accepted, as ioredis sends everything as strings.
    assert.equal(await redis.set('exs', 'v', 'EX', '100'), 'OK')
    assert.equal(await redis.ttl('exs'), 100)
  })

  test('SET KEEPTTL keeps the deadline, plain SET drops it', async (t) => {
    const redis = open(t)
    await redis.set('k', 'a', 'EX', 100)
    assert.equal(await redis.set('k', 'b', 'KEEPTTL'), 'OK')
    assert.equal(await redis.get('k'), 'b')
    assert.equal(await redis.ttl('k'), 100)
    assert.equal(await redis.set('k', 'c'), 'OK')
    assert.equal(await redis.ttl('k'), -1)
    // KEEPTTL on a missing key: no TTL.
    assert.equal(await redis.set('new', 'x', 'KEEPTTL'), 'OK')
    assert.equal(await redis.ttl('new'), -1)
  })

  test('SET takes node-redis option objects', async (t) => {
    const redis = open(t)
    assert.equal(await redis.set('k', 'v', { EX: 100 }), 'OK')
    assert.equal(await redis.ttl('k'), 100)
    assert.equal(await redis.set('k', 'w', { NX: true }), null)
    assert.equal(await redis.set('k', 'w', { XX: true, GET: true }), 'v')
    assert.equal(await redis.set('k2', 'v', { expiration: { type: 'PX', value: 5000 } }), 'OK')
    const left = await redis.pttl('k2')
    assert.ok(left > 4900 && left <= 5000, `pttl ${left}`)
    assert.equal(await redis.set('k2', 'v2', { expiration: 'KEEPTTL' }), 'OK')
    assert.ok(await redis.pttl('k2') > 4900)
    assert.equal(await redis.set('k3', 'v', { condition: 'NX' }), 'OK')
    assert.equal(await redis.set('k3', 'v', { condition: 'NX' }), null)
  })

  test('numbers, bigints and booleans are stored as their strings', async (t) => {
    const redis = open(t)
    await redis.set('n', 42)
    await redis.set('f', 1.5)
    await redis.set('b', 12345678901234567890n)
    await redis.set('t', true)
    assert.equal(await redis.get('n'), '42')
    assert.equal(await redis.get('f'), '1.5')
    assert.equal(await redis.get('b'), '12345678901234567890')
    assert.equal(await redis.get('t'), 'true')
    // A JSON-looking string stays a string.
    await redis.set('s', '{"a":1}')
    assert.equal(await redis.get('s'), '{"a":1}')
    // Numeric keys are their decimal strings, as ioredis sends them.
    await redis.set(7, 'seven')
    assert.equal(await redis.get('7'), 'seven')
  })

  test('strings are stored byte for byte (unicode, empty, NUL)', async (t) => {
    const redis = open(t)
    const values = ['', 'héllo wörld', '日本語', '🙂 emoji 👍🏽', 'a\u0000b', 'x'.repeat(100000)]
    for (const [i, v] of values.entries()) {
      await redis.set(`k${i}`, v)
      assert.equal(await redis.get(`k${i}`), v)
      assert.deepEqual(await redis.getBuffer(`k${i}`), Buffer.from(v, 'utf8'))
    }
    // Unicode keys too.
    await redis.set('ключ:🙂', 'v')
    assert.equal(await redis.get('ключ:🙂'), 'v')
    assert.deepEqual(await redis.keys('ключ:*'), ['ключ:🙂'])
  })

  test('Buffers with arbitrary bytes come back identical from getBuffer', async (t) => {
    const redis = open(t)
    const all = Buffer.alloc(256)
    for (let i = 0; i < 256; i++) all[i] = i
    const buf = Buffer.concat([all, Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0xe2, 0x82, 0xf0, 0x9f, 0x98])])
    assert.equal(await redis.set('bin', buf), 'OK')
    const back = await redis.getBuffer('bin')
    assert.ok(Buffer.isBuffer(back))
    assert.ok(back.equals(buf), 'getBuffer returns the same bytes')
    // Each call returns its own copy.
    back[0] = 0x55
    assert.ok((await redis.getBuffer('bin')).equals(buf))
    assert.equal(await redis.getBuffer('missing'), null)
    // A Uint8Array view with an offset stores only the viewed bytes.
    const view = new Uint8Array(all.buffer, all.byteOffset + 10, 5)
    await redis.set('view', view)
    assert.deepEqual([...await redis.getBuffer('view')], [10, 11, 12, 13, 14])
  })

  test('get of a non-UTF-8 Buffer equals buf.toString()', async (t) => {
    const redis = open(t)
    const samples = [
      Buffer.from([0xff, 0xfe, 0x80]),
      Buffer.from([0x61, 0xc3, 0x28, 0x62]),
      Buffer.from([0xe2, 0x82, 0x61, 0xf0, 0x9f, 0x98]),
      Buffer.from([0xed, 0xa0, 0x80, 0x63]), // an encoded surrogate
      Buffer.from([0xf4, 0x90, 0x80, 0x80, 0xc0, 0xaf, 0x64]), // > U+10FFFF, overlong
      Buffer.from([0xf0, 0x9f, 0x98, 0x80, 0xf0, 0x9f])
    ]
    for (const [i, buf] of samples.entries()) {
      await redis.set(`b${i}`, buf)
      assert.equal(await redis.get(`b${i}`), buf.toString(), `sample ${i}: ${buf.toString('hex')}`)
      assert.ok((await redis.getBuffer(`b${i}`)).equals(buf))
    }
    // Via MGET as well.
    assert.deepEqual(await redis.mget('b0', 'b1'), [samples[0].toString(), samples[1].toString()])
  })
})

describe('SETEX / PSETEX / SETNX', () => {
  test('SETEX (redis.io example)', async (t) => {
    const redis = open(t)
    assert.equal(await redis.setex('mykey', 10, 'Hello'), 'OK')
    assert.equal(await redis.ttl('mykey'), 10)
    assert.equal(await redis.get('mykey'), 'Hello')
  })

  test('PSETEX (redis.io example)', async (t) => {
    const redis = open(t)
    assert.equal(await redis.psetex('mykey', 1000, 'Hello'), 'OK')
    const left = await redis.pttl('mykey')
    assert.ok(left > 900 && left <= 1000, `pttl ${left}`)
    assert.equal(await redis.get('mykey'), 'Hello')
  })

  test('SETNX (redis.io example)', async (t) => {
    const redis = open(t)
    assert.equal(await redis.setnx('mykey', 'Hello'), 1)
    assert.equal(await redis.setnx('mykey', 'World'), 0)
    assert.equal(await redis.get('mykey'), 'Hello')
  })

  test('SETEX replaces an existing value and its TTL', async (t) => {
    const redis = open(t)
    await redis.set('k', 'old')
    assert.equal(await redis.setex('k', 100, 'new'), 'OK')
    assert.equal(await redis.get('k'), 'new')
    assert.equal(await redis.ttl('k'), 100)
  })
})

describe('GETDEL / GETEX', () => {
  test('GETDEL (redis.io example)', async (t) => {
    const redis = open(t)
    await redis.set('mykey', 'Hello')
    assert.equal(await redis.get('mykey'), 'Hello')
    assert.equal(await redis.getdel('mykey'), 'Hello')
    assert.equal(await redis.get('mykey'), null)
    assert.equal(await redis.getdel('mykey'), null)
  })

  test('GETEX (redis.io example)', async (t) => {
    const redis = open(t)
    await redis.set('mykey', 'Hello')
    assert.equal(await redis.getex('mykey'), 'Hello')
    assert.equal(await redis.ttl('mykey'), -1)
    assert.equal(await redis.getex('mykey', 'EX', 60), 'Hello')
    assert.equal(await redis.ttl('mykey'), 60)
  })

  test('GETEX PX / EXAT / PXAT / PERSIST', async (t) => {
    const redis = open(t)
    await redis.set('k', 'v')
    assert.equal(await redis.getex('k', 'PX', 5000), 'v')
    let left = await redis.pttl('k')
    assert.ok(left > 4900 && left <= 5000, `pttl ${left}`)
    assert.equal(await redis.getex('k', 'EXAT', Math.floor(Date.now() / 1000) + 100), 'v')
    left = await redis.ttl('k')
    assert.ok(left >= 99 && left <= 100, `ttl ${left}`)
    assert.equal(await redis.getex('k', 'PXAT', Date.now() + 5000), 'v')
    left = await redis.pttl('k')
    assert.ok(left > 4900 && left <= 5000, `pttl ${left}`)
    assert.equal(await redis.getex('k', 'PERSIST'), 'v')
    assert.equal(await redis.ttl('k'), -1)
    assert.equal(await redis.getex('missing', 'EX', 10), null)
    assert.equal(await redis.exists('missing'), 0)
  })

  test('GETEX with a past EXAT replies the value and deletes the key', async (t) => {
    const redis = open(t)
    await redis.set('k', 'v')
    assert.equal(await redis.getex('k', 'PXAT', Date.now() - 1000), 'v')
    assert.equal(await redis.get('k'), null)
    assert.equal(await redis.exists('k'), 0)
  })
})

describe('DEL / UNLINK / EXISTS', () => {
  test('DEL (redis.io example)', async (t) => {
    const redis = open(t)
    await redis.set('key1', 'Hello')
    await redis.set('key2', 'World')
    assert.equal(await redis.del('key1', 'key2', 'key3'), 2)
    assert.equal(await redis.get('key1'), null)
    assert.equal(await redis.del('key1'), 0)
    await redis.set('dup', 'v')
    assert.equal(await redis.del('dup', 'dup'), 1, 'a key named twice is deleted once')
  })

  test('DEL takes an array of keys (ioredis)', async (t) => {
    const redis = open(t)
    await redis.mset('a', '1', 'b', '2', 'c', '3')
    assert.equal(await redis.del(['a', 'b', 'missing']), 2)
    assert.deepEqual(await redis.mget('a', 'b', 'c'), [null, null, '3'])
  })

  test('UNLINK (redis.io example)', async (t) => {
    const redis = open(t)
    await redis.set('key1', 'Hello')
    await redis.set('key2', 'World')
    assert.equal(await redis.unlink('key1', 'key2', 'key3'), 2)
    assert.equal(await redis.exists('key1', 'key2'), 0)
  })

  test('EXISTS (redis.io example)', async (t) => {
    const redis = open(t)
    await redis.set('key1', 'Hello')
    assert.equal(await redis.exists('key1'), 1)
    assert.equal(await redis.exists('nosuchkey'), 0)
    await redis.set('key2', 'World')
    assert.equal(await redis.exists('key1', 'key2', 'nosuchkey'), 2)
    // A key named twice counts twice.
    assert.equal(await redis.exists('key1', 'key1'), 2)
    assert.equal(await redis.exists(['key1', 'key2']), 2)
  })
})

describe('EXPIRE family / TTL / PTTL / PERSIST', () => {
  test('EXPIRE with NX / XX (redis.io example)', async (t) => {
    const redis = open(t)
    await redis.set('mykey', 'Hello')
    assert.equal(await redis.expire('mykey', 10), 1)
    assert.equal(await redis.ttl('mykey'), 10)
    await redis.set('mykey', 'Hello World')
    assert.equal(await redis.ttl('mykey'), -1)
    assert.equal(await redis.expire('mykey', 10, 'XX'), 0)
    assert.equal(await redis.ttl('mykey'), -1)
    assert.equal(await redis.expire('mykey', 10, 'NX'), 1)
    assert.equal(await redis.ttl('mykey'), 10)
  })

  test('EXPIRE GT / LT (no TTL counts as infinite)', async (t) => {
    const redis = open(t)
    await redis.set('k', 'v')
    assert.equal(await redis.expire('k', 100, 'GT'), 0, 'GT never applies to a key without TTL')
    assert.equal(await redis.ttl('k'), -1)
    assert.equal(await redis.expire('k', 100, 'LT'), 1, 'LT always applies to a key without TTL')
    assert.equal(await redis.ttl('k'), 100)
    assert.equal(await redis.expire('k', 50, 'GT'), 0)
    assert.equal(await redis.ttl('k'), 100)
    assert.equal(await redis.expire('k', 200, 'GT'), 1)
    assert.equal(await redis.ttl('k'), 200)
    assert.equal(await redis.expire('k', 300, 'LT'), 0)
    assert.equal(await redis.ttl('k'), 200)
    assert.equal(await redis.expire('k', 150, 'LT'), 1)
    assert.equal(await redis.ttl('k'), 150)
    assert.equal(await redis.expire('k', 120, 'NX'), 0)
    assert.equal(await redis.expire('k', 120, 'XX'), 1)
    assert.equal(await redis.ttl('k'), 120)
    assert.equal(await redis.expire('missing', 10), 0)
    assert.equal(await redis.expire('missing', 10, 'NX'), 0)
  })

  test('PEXPIRE with NX / XX (redis.io example)', async (t) => {
    const redis = open(t)
    await redis.set('mykey', 'Hello')
    assert.equal(await redis.pexpire('mykey', 1500), 1)
    advanceClock(redis, 1) // the docs' reply was taken a moment later
    assert.equal(await redis.ttl('mykey'), 1)
    const left = await redis.pttl('mykey')
    assert.ok(left >= 1400 && left <= 1499, `pttl ${left}`)
    assert.equal(await redis.pexpire('mykey', 1000, 'XX'), 1)
    assert.equal(await redis.ttl('mykey'), 1)
    assert.equal(await redis.pexpire('mykey', 1000, 'NX'), 0)
    assert.equal(await redis.ttl('mykey'), 1)
  })

  test('EXPIREAT (redis.io example)', async (t) => {
    const redis = open(t)
    await redis.set('mykey', 'Hello')
    assert.equal(await redis.exists('mykey'), 1)
    assert.equal(await redis.expireat('mykey', 1293840000), 1)
    assert.equal(await redis.exists('mykey'), 0)
  })

  test('EXPIREAT in the future', async (t) => {
    const redis = open(t)
    await redis.set('k', 'v')
    assert.equal(await redis.expireat('k', Math.floor(Date.now() / 1000) + 100), 1)
    const left = await redis.ttl('k')
    assert.ok(left >= 99 && left <= 100, `ttl ${left}`)
  })

  test('PEXPIREAT (redis.io example)', async (t) => {
    const redis = open(t)
    await redis.set('mykey', 'Hello')
    assert.equal(await redis.pexpireat('mykey', 1555555555005), 1)
    assert.equal(await redis.ttl('mykey'), -2)
    assert.equal(await redis.pttl('mykey'), -2)
  })

  test('PEXPIREAT in the future', async (t) => {
    const redis = open(t)
    await redis.set('k', 'v')
    assert.equal(await redis.pexpireat('k', Date.now() + 5000), 1)
    const left = await redis.pttl('k')
    assert.ok(left > 4900 && left <= 5000, `pttl ${left}`)
  })

  test('TTL (redis.io example) and its -1 / -2 replies', async (t) => {
    const redis = open(t)
    assert.equal(await redis.ttl('mykey'), -2)
    assert.equal(await redis.pttl('mykey'), -2)
    await redis.set('mykey', 'Hello')
    assert.equal(await redis.ttl('mykey'), -1)
    assert.equal(await redis.pttl('mykey'), -1)
    assert.equal(await redis.expire('mykey', 10), 1)
    assert.equal(await redis.ttl('mykey'), 10)
  })

  test('PTTL (redis.io example)', async (t) => {
    const redis = open(t)
    await redis.set('mykey', 'Hello')
    assert.equal(await redis.expire('mykey', 1), 1)
    const left = await redis.pttl('mykey')
    assert.equal(typeof left, 'number')
    assert.ok(left > 900 && left <= 1000, `pttl ${left}`)
  })

  test('PERSIST (redis.io example)', async (t) => {
    const redis = open(t)
    await redis.set('mykey', 'Hello')
    assert.equal(await redis.expire('mykey', 10), 1)
    assert.equal(await redis.ttl('mykey'), 10)
    assert.equal(await redis.persist('mykey'), 1)
    assert.equal(await redis.ttl('mykey'), -1)
    assert.equal(await redis.persist('mykey'), 0, 'no TTL to remove')
    assert.equal(await redis.persist('missing'), 0)
    assert.equal(await redis.get('mykey'), 'Hello')
  })
})

describe('INCR family', () => {
  test('INCR (redis.io example)', async (t) => {
    const redis = open(t)
    await redis.set('mykey', '10')
    assert.equal(await redis.incr('mykey'), 11)
    assert.equal(await redis.get('mykey'), '11')
  })

  test('INCR of a missing key starts at 0', async (t) => {
    const redis = open(t)
    assert.equal(await redis.incr('counter'), 1)
    assert.equal(await redis.incr('counter'), 2)
    assert.equal(await redis.decr('fresh'), -1)
    assert.equal(await redis.get('counter'), '2')
    assert.equal(await redis.get('fresh'), '-1')
  })

  test('INCRBY (redis.io example)', async (t) => {
    const redis = open(t)
    await redis.set('mykey', '10')
    assert.equal(await redis.incrby('mykey', 5), 15)
    assert.equal(await redis.incrby('mykey', '-20'), -5)
    assert.equal(await redis.incrby('mykey', 10n), 5)
  })

  test('DECR (redis.io example) and its "not an integer" error', async (t) => {
    const redis = open(t)
    await redis.set('mykey', '10')
    assert.equal(await redis.decr('mykey'), 9)
    await redis.set('mykey', '234293482390480948029348230948')
    await assert.rejects(redis.decr('mykey'), (e) => {
      assert.ok(e instanceof ReplyError)
      assert.ok(e instanceof TierCacheError)
      assert.equal(e.message, 'ERR value is not an integer or out of range')
      assert.equal(e.code, 'ERR_TIERCACHE_REPLY')
      return true
    })
    assert.equal(await redis.get('mykey'), '234293482390480948029348230948', 'a failed DECR changes nothing')
  })

  test('DECRBY (redis.io example)', async (t) => {
    const redis = open(t)
    await redis.set('mykey', '10')
    assert.equal(await redis.decrby('mykey', 3), 7)
    assert.equal(await redis.decrby('mykey', -3), 10)
    assert.equal(await redis.decrby('mykey', 0), 10)
  })

  test('INCR on non-integers replies Redis\'s error', async (t) => {
    const redis = open(t)
    for (const bad of ['abc', '1.5', ' 1', '1 ', '+1', '01', '', '9223372036854775808']) {
      await redis.set('k', bad)
      for (const run of [() => redis.incr('k'), () => redis.incrby('k', 2), () => redis.decr('k'), () => redis.decrby('k', 2)]) {
        await assert.rejects(run(), (e) => {
          assert.ok(e instanceof ReplyError, `${JSON.stringify(bad)}: ${e}`)
          assert.equal(e.message, 'ERR value is not an integer or out of range')
          return true
        })
      }
      assert.equal(await redis.get('k'), bad)
    }
    // A JSON-encoded object is not an integer either.
    await redis.set('obj', { a: 1 })
    await assert.rejects(redis.incr('obj'), ReplyError)
  })

  test('INCRBY with a non-integer increment replies Redis\'s error', async (t) => {
    const redis = open(t)
    await redis.set('k', '1')
    for (const bad of [1.5, 'abc', '1.0', NaN, Infinity, '99999999999999999999']) {
      await assert.rejects(redis.incrby('k', bad), (e) => {
        assert.ok(e instanceof ReplyError, String(bad))
        assert.equal(e.message, 'ERR value is not an integer or out of range')
        return true
      })
    }
    assert.equal(await redis.get('k'), '1')
  })

  test('INCR overflow replies "increment or decrement would overflow"', async (t) => {
    const redis = open(t)
    await redis.set('max', '9223372036854775807')
    await assert.rejects(redis.incr('max'), (e) => {
      assert.ok(e instanceof ReplyError)
      assert.equal(e.message, 'ERR increment or decrement would overflow')
      return true
    })
    assert.equal(await redis.get('max'), '9223372036854775807')
    await redis.set('min', '-9223372036854775808')
    await assert.rejects(redis.decr('min'), (e) => e instanceof ReplyError && /overflow/.test(e.message))
    await assert.rejects(redis.decrby('min', 1), (e) => e instanceof ReplyError && /overflow/.test(e.message))
    assert.equal(await redis.get('min'), '-9223372036854775808')
  })

  test('INCR keeps the key\'s TTL', async (t) => {
    const redis = open(t)
    await redis.set('k', '1', 'EX', 100)
    assert.equal(await redis.incr('k'), 2)
    assert.equal(await redis.ttl('k'), 100)
  })

  test('INCRBYFLOAT (redis.io example)', async (t) => {
    const redis = open(t)
    await redis.set('mykey', '10.50')
    assert.equal(await redis.incrbyfloat('mykey', 0.1), '10.6')
    assert.equal(await redis.incrbyfloat('mykey', -5), '5.6')
    assert.equal(await redis.get('mykey'), '5.6')
    await redis.set('mykey', '5.0e3')
    assert.equal(await redis.incrbyfloat('mykey', '2.0e2'), '5200')
    assert.equal(await redis.get('mykey'), '5200')
  })

  test('INCRBYFLOAT of a missing key, and its errors', async (t) => {
    const redis = open(t)
    assert.equal(await redis.incrbyfloat('f', 1.5), '1.5')
    assert.equal(await redis.incrbyfloat('f', '-1.5'), '0')
    await redis.set('s', 'abc')
    await assert.rejects(redis.incrbyfloat('s', 1), (e) => e instanceof ReplyError && e.message === 'ERR value is not a valid float')
    await assert.rejects(redis.incrbyfloat('f', 'abc'), (e) => e instanceof ReplyError && e.message === 'ERR value is not a valid float')
    await assert.rejects(redis.incrbyfloat('f', Infinity), (e) => e instanceof ReplyError && e.message === 'ERR increment would produce NaN or Infinity')
    await redis.set('big', '1.7e308')
    await assert.rejects(redis.incrbyfloat('big', 1.7e308), (e) => e instanceof ReplyError && e.message === 'ERR increment would produce NaN or Infinity')
    assert.equal(await redis.get('big'), '1.7e308')
  })
})

describe('MGET / MSET', () => {
  test('MGET (redis.io example)', async (t) => {
    const redis = open(t)
    await redis.set('key1', 'Hello')
    await redis.set('key2', 'World')
    assert.deepEqual(await redis.mget('key1', 'key2', 'nonexisting'), ['Hello', 'World', null])
    assert.deepEqual(await redis.mget(['key1', 'key2', 'nonexisting']), ['Hello', 'World', null])
  })

  test('MSET varargs (redis.io example)', async (t) => {
    const redis = open(t)
    assert.equal(await redis.mset('key1', 'Hello', 'key2', 'World'), 'OK')
    assert.equal(await redis.get('key1'), 'Hello')
    assert.equal(await redis.get('key2'), 'World')
  })

  test('MSET object, Map, flat array and pairs (ioredis forms)', async (t) => {
    const redis = open(t)
    assert.equal(await redis.mset({ o1: 'a', o2: 'b' }), 'OK')
    assert.equal(await redis.mset(new Map([['m1', 'c'], ['m2', 'd']])), 'OK')
    assert.equal(await redis.mset(['f1', 'e', 'f2', 'f']), 'OK')
    assert.equal(await redis.mset([['p1', 'g'], ['p2', 'h']]), 'OK')
    assert.deepEqual(
      await redis.mget('o1', 'o2', 'm1', 'm2', 'f1', 'f2', 'p1', 'p2'),
      ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']
    )
  })

  test('MSET overwrites, drops TTLs, and takes numbers, Buffers and objects', async (t) => {
    const redis = open(t)
    await redis.set('a', 'old', 'EX', 100)
    await redis.mset({ a: 1, b: Buffer.from('buf'), c: { deep: [1, 2] } })
    assert.deepEqual(await redis.mget('a', 'b', 'c'), ['1', 'buf', { deep: [1, 2] }])
    assert.equal(await redis.ttl('a'), -1)
  })
})

describe('KEYS / SCAN', () => {
  test('KEYS (redis.io example)', async (t) => {
    const redis = open(t)
    await redis.mset('firstname', 'Jack', 'lastname', 'Stuntman', 'age', '35')
    assert.deepEqual(sorted(await redis.keys('*name*')), ['firstname', 'lastname'])
    assert.deepEqual(await redis.keys('a??'), ['age'])
    assert.deepEqual(sorted(await redis.keys('*')), ['age', 'firstname', 'lastname'])
  })

  test('KEYS glob patterns of the redis.io page', async (t) => {
    const redis = open(t)
    const words = ['hello', 'hallo', 'hxllo', 'hllo', 'heeeello', 'hillo', 'hbllo', 'hcllo', 'h[llo', 'other']
    for (const w of words) await redis.set(w, '1')
    assert.deepEqual(sorted(await redis.keys('h?llo')), sorted(['hello', 'hallo', 'hxllo', 'hillo', 'hbllo', 'hcllo', 'h[llo']))
    assert.deepEqual(sorted(await redis.keys('h*llo')), sorted(['hello', 'hallo', 'hxllo', 'hllo', 'heeeello', 'hillo', 'hbllo', 'hcllo', 'h[llo']))
    assert.deepEqual(sorted(await redis.keys('h[ae]llo')), ['hallo', 'hello'])
    assert.deepEqual(sorted(await redis.keys('h[^e]llo')), sorted(['hallo', 'hxllo', 'hillo', 'hbllo', 'hcllo', 'h[llo']))
    assert.deepEqual(sorted(await redis.keys('h[a-b]llo')), ['hallo', 'hbllo'])
    assert.deepEqual(await redis.keys('h\\[llo'), ['h[llo'])
    assert.deepEqual(await redis.keys('nothing*'), [])
  })

  test('KEYS does not list expired keys', async (t) => {
    const redis = open(t)
    await redis.set('live', '1')
    await redis.set('dying', '1', 'PX', 100)
    advanceClock(redis, 100)
    assert.deepEqual(await redis.keys('*'), ['live'])
  })

  test('SCAN with MATCH and COUNT: iterate until cursor "0", every key returned', async (t) => {
    const redis = open(t)
    const users = []
    for (let i = 0; i < 250; i++) users.push(`user:${i}`)
    const pairs = {}
    for (const k of users) pairs[k] = 'u'
    for (let i = 0; i < 60; i++) pairs[`session:${i}`] = 's'
    await redis.mset(pairs)

    let cursor = '0'
    const seen = []
    let calls = 0
    do {
      const reply = await redis.scan(cursor, 'MATCH', 'user:*', 'COUNT', 20)
      calls++
      assert.ok(Array.isArray(reply) && reply.length === 2)
      const [next, keys] = reply
      assert.equal(typeof next, 'string')
      assert.match(next, /^\d+$/)
      assert.ok(Array.isArray(keys))
      for (const k of keys) assert.ok(k.startsWith('user:'), k)
      seen.push(...keys)
      cursor = next
      assert.ok(calls < 1000, 'SCAN must terminate')
    } while (cursor !== '0')
    assert.ok(calls > 1, 'COUNT 20 over 310 keys takes several calls')
    assert.deepEqual(sorted(new Set(seen)), sorted(users))
  })

  test('SCAN without options, with a numeric cursor, and node-redis options', async (t) => {
    const redis = open(t)
    const expected = []
    for (let i = 0; i < 35; i++) {
      expected.push(`k${i}`)
      await redis.set(`k${i}`, 'v')
    }
    let cursor = 0
    const seen = new Set()
    let calls = 0
    do {
      const [next, keys] = await redis.scan(cursor)
      keys.forEach((k) => seen.add(k))
      cursor = next
      calls++
    } while (cursor !== '0' && calls < 1000)
    assert.equal(cursor, '0')
    assert.deepEqual(sorted(seen), sorted(expected))

    cursor = '0'
    seen.clear()
    calls = 0
    do {
      const [next, keys] = await redis.scan(cursor, { MATCH: 'k1*', COUNT: 5 })
      keys.forEach((k) => seen.add(k))
      cursor = next
      calls++
    } while (cursor !== '0' && calls < 1000)
    assert.deepEqual(sorted(seen), sorted(expected.filter((k) => k.startsWith('k1'))))
  })

  test('SCAN returns every key present for the whole iteration, despite writes in between', async (t) => {
    const redis = open(t)
    const stable = []
    for (let i = 0; i < 100; i++) stable.push(`stable:${i}`)
    await redis.mset(Object.fromEntries(stable.map((k) => [k, 'v'])))
    for (let i = 0; i < 50; i++) await redis.set(`doomed:${i}`, 'v')
    let cursor = '0'
    const seen = new Set()
    let page = 0
    do {
      const [next, keys] = await redis.scan(cursor, 'COUNT', 10)
      keys.forEach((k) => seen.add(k))
      cursor = next
      // Churn between pages: new keys, deletions, overwrites.
      await redis.set(`new:${page}`, 'v')
      await redis.del(`doomed:${page}`)
      await redis.set(`stable:${page}`, 'rewritten')
      page++
    } while (cursor !== '0' && page < 1000)
    assert.equal(cursor, '0')
    for (const k of stable) assert.ok(seen.has(k), `${k} was not returned`)
    for (const k of seen) assert.ok(/^(stable|doomed|new):\d+$/.test(k), k)
  })

  test('SCAN: many interleaved iterations each return every key', async (t) => {
    const redis = open(t)
    const expected = []
    for (let i = 0; i < 60; i++) expected.push(`k:${i}`)
    await redis.mset(Object.fromEntries(expected.map((k) => [k, 'v'])))
    const iterations = Array.from({ length: 24 }, () => ({ cursor: '0', seen: new Set(), done: false }))
    for (let round = 0; round < 1000 && iterations.some((it) => !it.done); round++) {
      for (const it of iterations) {
        if (it.done) continue
        const [next, keys] = await redis.scan(it.cursor, 'COUNT', 4)
        keys.forEach((k) => it.seen.add(k))
        it.cursor = next
        it.done = next === '0'
      }
    }
    for (const [i, it] of iterations.entries()) {
      assert.ok(it.done, `iteration ${i} terminated`)
      assert.deepEqual(sorted(it.seen), sorted(expected), `iteration ${i}`)
    }
  })

  test('SCAN on an empty store replies ["0", []]', async (t) => {
    const redis = open(t)
    assert.deepEqual(await redis.scan('0'), ['0', []])
    assert.deepEqual(await redis.scan(0, 'MATCH', '*', 'COUNT', 100), ['0', []])
  })

  test('scanIterator yields every key', async (t) => {
    const redis = open(t)
    const expected = []
    for (let i = 0; i < 40; i++) expected.push(`it:${i}`)
    await redis.mset(Object.fromEntries(expected.map((k) => [k, 'v'])))
    await redis.set('skip', 'v')
    const seen = new Set()
    for await (const k of redis.scanIterator({ match: 'it:*', count: 7 })) seen.add(k)
    assert.deepEqual(sorted(seen), sorted(expected))
  })
})

describe('FLUSHALL / FLUSHDB / DBSIZE', () => {
  test('DBSIZE counts keys; FLUSHALL and FLUSHDB empty the store', async (t) => {
    const redis = open(t)
    assert.equal(await redis.dbsize(), 0)
    await redis.mset('a', '1', 'b', '2', 'c', '3')
    assert.equal(await redis.dbsize(), 3)
    await redis.get('a') // in the front
    assert.equal(await redis.flushall(), 'OK')
    assert.equal(await redis.dbsize(), 0)
    assert.equal(await redis.get('a'), null)
    assert.equal(await redis.exists('a', 'b', 'c'), 0)
    await redis.set('d', '4')
    assert.equal(await redis.get('d'), '4')
    assert.equal(await redis.flushdb(), 'OK')
    assert.equal(await redis.dbsize(), 0)
    assert.equal(await redis.get('d'), null)
    // ioredis passes ASYNC / SYNC through.
    await redis.set('e', '5')
    assert.equal(await redis.flushall('ASYNC'), 'OK')
    assert.equal(await redis.dbsize(), 0)
  })

  test('DBSIZE does not count a deleted key', async (t) => {
    const redis = open(t)
    await redis.set('a', '1')
    await redis.set('b', '1')
    await redis.del('a')
    assert.equal(await redis.dbsize(), 1)
    await redis.getdel('b')
    assert.equal(await redis.dbsize(), 0)
  })
})

describe('callbacks and aliases', () => {
  // [command, args, expected reply] run on the state `prepare` leaves.
  async function prepare (redis) {
    await redis.set('s', 'Hello')
    await redis.set('n', '10')
    await redis.set('f', '10.50')
    await redis.set('ttl', 'v', 'EX', 100)
  }
  const cases = [
    ['get', ['s'], 'Hello'],
    ['get', ['missing'], null],
    ['set', ['k', 'v'], 'OK'],
    ['set', ['s', 'v', 'NX'], null],
    ['set', ['s', 'v', 'GET'], 'Hello'],
    ['set', ['k', 'v', 'EX', 10, 'NX'], 'OK'],
    ['setex', ['k', 10, 'v'], 'OK'],
    ['psetex', ['k', 1000, 'v'], 'OK'],
    ['setnx', ['s', 'v'], 0],
    ['setnx', ['k', 'v'], 1],
    ['getBuffer', ['s'], Buffer.from('Hello')],
    ['getdel', ['s'], 'Hello'],
    ['getex', ['s', 'EX', 10], 'Hello'],
    ['getex', ['s'], 'Hello'],
    ['del', ['s', 'n', 'missing'], 2],
    ['unlink', ['s', 'missing'], 1],
    ['exists', ['s', 'n', 'missing'], 2],
    ['expire', ['s', 100], 1],
    ['expire', ['s', 100, 'XX'], 0],
    ['pexpire', ['s', 100000], 1],
    ['expireat', ['s', 1293840000], 1],
    ['pexpireat', ['missing', 1555555555005], 0],
    ['ttl', ['ttl'], 100],
    ['ttl', ['s'], -1],
    ['pttl', ['missing'], -2],
    ['persist', ['ttl'], 1],
    ['incr', ['n'], 11],
    ['incrby', ['n', 5], 15],
    ['decr', ['n'], 9],
    ['decrby', ['n', 3], 7],
    ['incrbyfloat', ['f', 0.1], '10.6'],
    ['mget', ['s', 'missing', 'n'], ['Hello', null, '10']],
    ['mset', ['a', '1', 'b', '2'], 'OK'],
    ['mset', [{ a: '1' }], 'OK'],
    ['keys', ['?'], ['f', 'n', 's']],
    ['dbsize', [], 4],
    ['flushall', [], 'OK'],
    ['flushdb', [], 'OK']
  ]

  for (const [command, args, expected] of cases) {
    test(`${command}(${args.map((a) => JSON.stringify(a)).join(', ')}) answers ${JSON.stringify(expected)} by promise and by callback`, async (t) => {
      const a = open(t)
      await prepare(a)
      let viaPromise = await a[command](...args)
      if (command === 'keys') viaPromise = sorted(viaPromise)
      assert.deepEqual(viaPromise, expected)

      const b = open(t)
      await prepare(b)
      const { err, result, returned } = await callbackResult((cb) => b[command](...args, cb))
      assert.equal(err, null, 'the callback gets null as its error')
      assert.deepEqual(command === 'keys' ? sorted(result) : result, expected)
      assert.ok(returned instanceof Promise, 'a promise is returned along with the callback')
      const fromReturned = await returned
      assert.deepEqual(command === 'keys' ? sorted(fromReturned) : fromReturned, expected)
    })
  }

  test('scan answers [cursor, keys] through a callback', async (t) => {
    const redis = open(t)
    await redis.mset('a', '1', 'b', '2')
    const { err, result } = await callbackResult((cb) => redis.scan('0', 'COUNT', 100, cb))
    assert.equal(err, null)
    assert.equal(result[0], '0')
    assert.deepEqual(sorted(result[1]), ['a', 'b'])
  })

  test('a command error reaches the callback as the same class and code as the rejection', async (t) => {
    const redis = open(t)
    await redis.set('s', 'abc')
    const rejected = await redis.incr('s').then(() => null, (e) => e)
    const { err, result } = await callbackResult((cb) => redis.incr('s', cb))
    assert.ok(rejected instanceof ReplyError)
    assert.ok(err instanceof ReplyError)
    assert.equal(err.constructor, rejected.constructor)
    assert.equal(err.code, rejected.code)
    assert.equal(err.message, rejected.message)
    assert.equal(result, undefined)
  })

  test('node-redis camelCase aliases are the same commands', async (t) => {
    const redis = open(t)
    const aliases = {
      setEx: 'setex',
      pSetEx: 'psetex',
      setNX: 'setnx',
      getDel: 'getdel',
      getEx: 'getex',
      pExpire: 'pexpire',
      expireAt: 'expireat',
      pExpireAt: 'pexpireat',
      pTTL: 'pttl',
      incrBy: 'incrby',
      decrBy: 'decrby',
      incrByFloat: 'incrbyfloat',
      mGet: 'mget',
      mSet: 'mset',
      flushAll: 'flushall',
      flushDb: 'flushdb',
      dbSize: 'dbsize'
    }
    for (const [alias, target] of Object.entries(aliases)) {
      assert.equal(typeof redis[alias], 'function', alias)
      assert.equal(redis[alias], redis[target], `${alias} is ${target}`)
    }
    assert.equal(await redis.setEx('a', 100, 'v'), 'OK')
    assert.equal(await redis.ttl('a'), 100)
    assert.equal(await redis.pSetEx('b', 5000, 'v'), 'OK')
    assert.ok(await redis.pTTL('b') > 4900)
    assert.equal(await redis.setNX('a', 'x'), 0)
    assert.equal(await redis.getEx('a', 'PERSIST'), 'v')
    assert.equal(await redis.ttl('a'), -1)
    assert.equal(await redis.pExpire('a', 5000), 1)
    assert.equal(await redis.expireAt('a', Math.floor(Date.now() / 1000) + 100), 1)
    assert.equal(await redis.pExpireAt('a', Date.now() + 100000), 1)
    assert.equal(await redis.getDel('a'), 'v')
    assert.equal(await redis.incrBy('n', 5), 5)
    assert.equal(await redis.decrBy('n', 2), 3)
    assert.equal(await redis.incrByFloat('n', 0.5), '3.5')
    assert.equal(await redis.mSet({ x: '1', y: '2' }), 'OK')
    assert.deepEqual(await redis.mGet(['x', 'y']), ['1', '2'])
    assert.equal(await redis.dbSize(), 4)
    assert.equal(await redis.flushAll(), 'OK')
    await redis.set('z', '1')
    assert.equal(await redis.flushDb(), 'OK')
    assert.equal(await redis.dbSize(), 0)
  })
})
