'use strict'
// Keys and string values mean one thing. A JS string may hold a lone UTF-16
// surrogate, which has no UTF-8 form: converted to bytes it becomes U+FFFD,
// so '\uD800', '\uDC00' and '\uFFFD' would name one key, and a string value
// would silently change. The rule: keys (and patterns, namespace names and
// the keyPrefix) and string values holding one are refused, INVALID_KEY /
// INVALID_VALUE; the front, L1 and Redis then trivially agree. Strings
// inside objects keep them (the codecs escape them). Attacker first: every
// hostile call is made on a cold cache, and nothing may be stored after it.

const { describe, test } = require('node:test')
const assert = require('node:assert/strict')

const { TierCache, open, runNode } = require('../../support/helpers')
const { useRedisWithClient } = require('../../support/redis-server')

const INVALID_KEY = 'ERR_TIERCACHE_INVALID_KEY'
const INVALID_VALUE = 'ERR_TIERCACHE_INVALID_VALUE'

const HIGH = '\uD800'
const LOW = '\uDC00'
/** Lone surrogates in every position, and a reversed pair. */
const BAD_KEYS = [HIGH, LOW, `a${HIGH}`, `${LOW}b`, `x${HIGH}y`, '\uDE00\uD83D', `ok:${'\uDBFF'}`, `${'a'.repeat(300)}${HIGH}`]
const PAIR = '\uD83D\uDE00' // 😀, well-formed

/** Every command taking a key, called with `key` (a string value where one is needed). */
function keyCalls (key) {
  return [
    ['get', (c) => c.get(key)],
    ['set', (c) => c.set(key, 'v')],
    ['set EX', (c) => c.set(key, 'v', 'EX', 10)],
    ['setex', (c) => c.setex(key, 10, 'v')],
    ['psetex', (c) => c.psetex(key, 10000, 'v')],
    ['setnx', (c) => c.setnx(key, 'v')],
    ['getBuffer', (c) => c.getBuffer(key)],
    ['getdel', (c) => c.getdel(key)],
    ['getex', (c) => c.getex(key, 'EX', 10)],
    ['del', (c) => c.del('fine', key)],
    ['unlink', (c) => c.unlink([key])],
    ['exists', (c) => c.exists(key)],
    ['expire', (c) => c.expire(key, 10)],
    ['pexpire', (c) => c.pexpire(key, 10000)],
    ['expireat', (c) => c.expireat(key, 4e9)],
    ['pexpireat', (c) => c.pexpireat(key, 4e12)],
    ['ttl', (c) => c.ttl(key)],
    ['pttl', (c) => c.pttl(key)],
    ['persist', (c) => c.persist(key)],
    ['incr', (c) => c.incr(key)],
    ['decr', (c) => c.decr(key)],
    ['incrby', (c) => c.incrby(key, 2)],
    ['decrby', (c) => c.decrby(key, 2)],
    ['incrbyfloat', (c) => c.incrbyfloat(key, 1.5)],
    ['mget', (c) => c.mget('fine', key)],
    ['mset pairs', (c) => c.mset('fine', 'v', key, 'v')],
    ['mset object', (c) => c.mset({ [key]: 'v' })],
    ['mset map', (c) => c.mset(new Map([[key, 'v']]))],
    ['keys', (c) => c.keys(key)],
    ['keys glob', (c) => c.keys(`*${key}*`)],
    ['scan MATCH', (c) => c.scan(0, 'MATCH', key)],
    ['scan object', (c) => c.scan(0, { MATCH: key })],
    ['scanIterator', (c) => c.scanIterator({ match: key }).next()],
    ['getOrSet', (c) => c.getOrSet(key, () => 'v')],
    ['wrap', (c) => c.wrap(key, () => 'v', 10000)],
    ['writeThrough', (c) => c.writeThrough(key, 'v', () => 'written')],
    ['set with tags', (c) => c.set(key, 'v', { tags: ['t'] })],
    ['invalidateTags', (c) => c.invalidateTags([key])],
    ['namespace key', (c) => c.namespace('ns').set(key, 'v')],
    ['namespace name', (c) => Promise.resolve().then(() => c.namespace(key).set('k', 'v'))],
    ['local.get', (c) => Promise.resolve().then(() => c.local.get(key))],
    ['local.set', (c) => Promise.resolve().then(() => c.local.set(key, 'v'))],
    ['local.del', (c) => Promise.resolve().then(() => c.local.del(key))],
    ['local.has', (c) => Promise.resolve().then(() => c.local.has(key))]
  ]
}

function l2Calls (key) {
  return [
    ['l2.get', (c) => c.l2.get(key)],
    ['l2.getBuffer', (c) => c.l2.getBuffer(key)],
    ['l2.mget', (c) => c.l2.mget('fine', key)]
  ]
}

async function refused (name, call, code) {
  let result, error
  try {
    result = await call()
  } catch (err) {
    error = err
  }
  assert.ok(error !== undefined, `${name}: accepted (answered ${JSON.stringify(result)})`)
  assert.ok(error instanceof TierCache.TierCacheError, `${name}: not a TierCacheError: ${error}`)
  assert.equal(error.code, code, `${name}: ${error.message}`)
  assert.ok(!error.message.includes(HIGH) && !error.message.includes(LOW), `${name}: the key is not in the message`)
}

/** What the store holds, whole: every key with its bytes. */
async function contents (cache) {
  const out = {}
  for (const k of (await cache.keys('*')).sort()) out[k] = (await cache.getBuffer(k)).toString('hex')
  return out
}

describe('lone surrogates, L1 only', () => {
  test('the finding: set(\\uD800) is refused, so \\uDC00 and \\uFFFD never read it', async (t) => {
    const cache = open(t)
    await refused('set', () => cache.set(HIGH, 'secret'), INVALID_KEY)
    await refused('get', () => cache.get(LOW), INVALID_KEY)
    assert.equal(await cache.get('\uFFFD'), null)
    assert.equal(cache.local.get('\uFFFD'), undefined)
    assert.equal(await cache.dbsize(), 0)
  })

  test('the front and the store cannot disagree: a write to \\uFFFD is seen by every read', async (t) => {
    const cache = open(t)
    // On the old main: set(\uD800) stored under \uFFFD, get(\uD800) filled
    // the front under \uD800, set(\uFFFD) forgot only \uFFFD, and
    // get(\uD800) kept answering the old value.
    await refused('set', () => cache.set(HIGH, 'first'), INVALID_KEY)
    await refused('get', () => cache.get(HIGH), INVALID_KEY)
    await cache.set('\uFFFD', 'second')
    await refused('get again', () => cache.get(HIGH), INVALID_KEY)
    assert.equal(await cache.get('\uFFFD'), 'second')
    assert.equal(cache.local.get('\uFFFD'), 'second')
  })

  test('every command taking a key or a pattern refuses a lone surrogate, and stores nothing', async (t) => {
    for (const frontSize of [1024, 0]) {
      const cache = open(t, { frontSize })
      for (const key of BAD_KEYS) {
        for (const [name, call] of keyCalls(key)) await refused(`${name}(${JSON.stringify(key).slice(0, 20)}) frontSize ${frontSize}`, () => call(cache), INVALID_KEY)
      }
      // Only the legitimate 'fine' key of mset/del may exist: nothing was written.
      assert.deepEqual(await contents(cache), {})
    }
  })

  test('surrogate pairs are ordinary characters: stored, read, matched', async (t) => {
    const cache = open(t)
    const key = `emoji:${PAIR}`
    assert.equal(await cache.set(key, `value ${PAIR}`), 'OK')
    assert.equal(await cache.get(key), `value ${PAIR}`)
    assert.equal(await cache.get(key), `value ${PAIR}`, 'front hit')
    assert.deepEqual(await cache.keys(`*${PAIR}`), [key])
    assert.equal((await cache.getBuffer(key)).toString('utf8'), `value ${PAIR}`)
  })

  test('string values with a lone surrogate are refused; inside objects they round-trip', async (t) => {
    for (const codec of ['json', 'v8']) {
      const cache = open(t, { codec })
      for (const bad of [HIGH, `a${LOW}`, `x${HIGH}y`, '\uDE00\uD83D']) {
        await refused('set', () => cache.set('k', bad), INVALID_VALUE)
        await refused('setex', () => cache.setex('k', 10, bad), INVALID_VALUE)
        await refused('mset', () => cache.mset('k', bad), INVALID_VALUE)
        await refused('set GET', () => cache.set('k', bad, 'GET'), INVALID_VALUE)
        await refused('local.set', () => Promise.resolve().then(() => cache.local.set('k', bad)), INVALID_VALUE)
        await refused('getOrSet', () => cache.getOrSet('g', () => bad), INVALID_VALUE)
        assert.deepEqual(await contents(cache), {}, codec)
        const obj = { s: bad, list: [bad] }
        await cache.set('obj', obj)
        assert.deepEqual(await cache.get('obj'), obj, `${codec}: the codec keeps lone surrogates`)
        await cache.del('obj')
      }
    }
  })

  test('Node 18 (no String.prototype.isWellFormed): the same rule through the fallback', () => {
    const r = runNode(`
      delete String.prototype.isWellFormed
      const TierCache = require('.')
      const cache = new TierCache()
      const codes = []
      for (const k of ['\\uD800', 'a\\uDC00', '\\uDE00\\uD83D']) {
        try { cache.local.set(k, 'v'); codes.push('accepted') } catch (e) { codes.push(e.code) }
        try { cache.local.set('k', k); codes.push('accepted') } catch (e) { codes.push(e.code) }
      }
      cache.local.set('\\uD83D\\uDE00', '\\uD83D\\uDE00')
      codes.push(cache.local.get('\\uD83D\\uDE00') === '\\uD83D\\uDE00' ? 'pair ok' : 'pair lost')
      console.log(JSON.stringify(codes))
      cache.quit()
    `)
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(JSON.parse(r.stdout), [INVALID_KEY, INVALID_VALUE, INVALID_KEY, INVALID_VALUE, INVALID_KEY, INVALID_VALUE, 'pair ok'])
  })

  test('a namespace name and a keyPrefix holding a lone surrogate are refused', async (t) => {
    const cache = open(t)
    assert.throws(() => cache.namespace(`ns${HIGH}`), (e) => e.code === INVALID_KEY)
    assert.throws(() => new TierCache({ redis: 'redis://127.0.0.1:1', keyPrefix: `p${HIGH}:`, lazyConnect: true }), (e) => e.code === INVALID_KEY)
  })
})

describe('lone surrogates, with Redis: front, L1 and Redis agree', () => {
  const redis = useRedisWithClient()

  test('every command refuses, and Redis holds nothing afterwards', async (t) => {
    await redis.io.flushall()
    const cache = open(t, { redis: redis.server.url, keyPrefix: 'tc:' })
    for (const key of BAD_KEYS.slice(0, 4)) {
      for (const [name, call] of [...keyCalls(key), ...l2Calls(key)]) {
        await refused(`${name}(${JSON.stringify(key)})`, () => call(cache), INVALID_KEY)
      }
      await refused('set value', () => cache.set('k', `v${key}`), INVALID_VALUE)
    }
    assert.deepEqual(await redis.io.keys('*'), [])
  })

  test('\\uFFFD written by another client is read as \\uFFFD only; a pair is the same key to ioredis', async (t) => {
    await redis.io.flushall()
    await redis.io.set('tc:\uFFFD', 'from-another-client')
    const cache = open(t, { redis: redis.server.url, keyPrefix: 'tc:' })
    await refused('get', () => cache.get(HIGH), INVALID_KEY)
    await refused('l2.get', () => cache.l2.get(LOW), INVALID_KEY)
    assert.equal(await cache.get('\uFFFD'), 'from-another-client')
    await cache.set(`e:${PAIR}`, PAIR)
    assert.equal(await redis.io.get(`tc:e:${PAIR}`), PAIR)
    const fresh = open(t, { redis: redis.server.url, keyPrefix: 'tc:' })
    assert.equal(await fresh.get(`e:${PAIR}`), PAIR)
    assert.equal(await cache.get(`e:${PAIR}`), PAIR)
  })
})
