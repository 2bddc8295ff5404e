'use strict'
// The generic command path (lib/send-command.js) against a private
// redis-server: the command methods of the table and `call`, compared with
// ioredis on the same server; keyPrefix at every key position; L1 following
// the writes it sends; Redis's errors; L1-only mode.
//
// L1 is observed with `cache.local.get(key)` (undefined: L1 does not hold it).

const { describe, test } = require('node:test')
const assert = require('node:assert/strict')

const native = require('../../../binding.js')
const { useRedisWithClient, useCache } = require('../../support/redis-server')
const { TierCache, rejectsWith, failsBothWays, callbackResult } = require('../../support/helpers')

const { ReplyError, NeedsRedisError, TierCacheError } = TierCache

let counter = 0
/** A key no other test uses. */
const fresh = (what) => `${what}:${process.pid}:${++counter}`

describe('commands of every family, as methods and through call, reply as ioredis does', () => {
  const redis = useRedisWithClient()
  const box = useCache(redis)

  // Each step runs on tiercache and on ioredis, on keys of their own, and
  // the replies must be equal. `k` names the step's key for the client.
  const STEPS = [
    ['hashes', (c, k) => [c.hset(k, 'f1', 'a', 'f2', 'b'), c.hget(k, 'f1'), c.hgetall(k), c.hmget(k, 'f1', 'nope'),
      c.hincrby(k, 'n', 5), c.hexists(k, 'f2'), c.hlen(k), c.hdel(k, 'f1'), c.hkeys(k), c.hgetall(`${k}:none`)]],
    ['hash object form', (c, k) => [c.hset(k, { x: '1', y: 2 }), c.hgetall(k), c.hsetnx(k, 'x', 'z')]],
    ['lists', (c, k) => [c.rpush(k, 'a', 'b', 'c'), c.lpush(k, ['z', 'y']), c.lrange(k, 0, -1), c.llen(k), c.lindex(k, 1),
      c.lpop(k), c.rpop(k, 2), c.lrange(k, 0, -1), c.lpop(`${k}:none`)]],
    ['sets', (c, k) => [c.sadd(k, 'a', 'b', 'c'), c.sismember(k, 'b'), c.scard(k), c.srem(k, 'a'), c.smismember(k, 'a', 'b')]],
    ['sorted sets', (c, k) => [c.zadd(k, 1, 'a', 2.5, 'b', 10, 'c'), c.zrange(k, 0, -1), c.zrange(k, 0, -1, 'WITHSCORES'),
      c.zscore(k, 'b'), c.zincrby(k, 0.25, 'a'), c.zrevrangebyscore(k, '+inf', '-inf', 'WITHSCORES'), c.zrank(k, 'c'),
      c.zcard(k), c.zpopmin(k, 2), c.zmscore(k, 'c', 'none'), c.zscore(k, 'none')]],
    ['strings the table adds', (c, k) => [c.set(k, 'hello'), c.append(k, ' world'), c.strlen(k), c.getrange(k, 0, 4),
      c.setrange(k, 0, 'J'), c.get(k), c.type(k)]],
    ['scripts', (c, k) => [c.eval("return {KEYS[1] == KEYS[1], ARGV[1], 3, redis.call('set', KEYS[1], ARGV[1])}", 1, k, 'v'),
      c.eval('return true', 0), c.eval('return false', 0), c.eval("return redis.call('get', KEYS[1])", 1, k)]]
  ]

  for (const [family, steps] of STEPS) {
    test(`${family}: methods reply as ioredis`, async () => {
      const key = fresh(family.replace(/ /g, '-'))
      const ours = await Promise.all(steps(box.cache, `tc:${key}`))
      const theirs = await Promise.all(steps(redis.io, `io:${key}`))
      // Replies that contain the key name differ by the key only.
      assert.deepEqual(JSON.parse(JSON.stringify(ours).replaceAll('tc:', 'io:')), theirs)
    })
  }

  test('the same through call and send_command, name in any case', async () => {
    const k = fresh('call')
    const c = box.cache
    assert.equal(await c.call('HSET', k, 'f', 'v'), 1)
    assert.deepEqual(await c.call('hgetall', k), { f: 'v' })
    assert.deepEqual(await c.send_command('hmget', [k, 'f', 'g']), ['v', null])
    assert.equal(await c.call('zadd', `${k}:z`, 1.5, 'm'), 1)
    assert.deepEqual(await c.call('ZRANGE', `${k}:z`, 0, -1, 'WITHSCORES'), ['m', '1.5'])
    assert.deepEqual(await c.call('rpush', `${k}:l`, ['a', 'b'], 'c'), 3)
    assert.equal(await c.call('ping'), 'PONG')
  })

  test('…Buffer methods and callBuffer answer Buffers for bulk replies; numbers stay numbers', async () => {
    const k = fresh('buffers')
    const c = box.cache
    await c.rpush(k, Buffer.from([0xff, 0x00]), 'b')
    assert.deepEqual(await c.lrangeBuffer(k, 0, -1), [Buffer.from([0xff, 0x00]), Buffer.from('b')])
    assert.deepEqual(await c.callBuffer('lindex', k, 1), Buffer.from('b'))
    assert.equal(await c.llenBuffer(k), 2)
    assert.deepEqual(await c.hgetallBuffer(`${k}:none`), {})
  })

  test('the callback form gets the reply, or the error', async () => {
    const k = fresh('cb')
    const c = box.cache
    await c.sadd(k, 'x')
    const ok = await callbackResult((cb) => c.smembers(k, cb))
    assert.equal(ok.err, null)
    assert.deepEqual(ok.result, ['x'])
    const viaCall = await callbackResult((cb) => c.call('scard', k, cb))
    assert.equal(viaCall.result, 1)
    const bad = await callbackResult((cb) => c.hget(k, 'f', cb))
    assert.ok(bad.err instanceof ReplyError)
  })

  test("Redis's errors reject with Redis's message (WRONGTYPE, wrong arity, unknown command)", async () => {
    const k = fresh('wrongtype')
    const c = box.cache
    await c.set(k, 'a string')
    const err = await rejectsWith(c.hget(k, 'f'), ReplyError, 'ERR_TIERCACHE_REPLY', 'hget on a string')
    assert.match(err.message, /^WRONGTYPE Operation against a key holding the wrong kind of value/)
    const viaCall = await rejectsWith(c.call('lpush', k, 'x'), ReplyError, 'ERR_TIERCACHE_REPLY', 'lpush on a string')
    assert.match(viaCall.message, /^WRONGTYPE/)
    const arity = await rejectsWith(c.call('hget', k), ReplyError, 'ERR_TIERCACHE_REPLY', 'hget without a field')
    assert.match(arity.message, /wrong number of arguments/)
    // Not in the table and no keyPrefix: sent as it is, and Redis refuses it.
    const unknown = await rejectsWith(c.call('nosuchcommand', 'a'), ReplyError, 'ERR_TIERCACHE_REPLY', 'unknown')
    assert.match(unknown.message, /unknown command/)
  })

  test('an error inside an array reply is a ReplyError in its slot, the command succeeds (as ioredis)', async () => {
    const c = box.cache
    for (const reply of [
      await c.eval('return {1, redis.error_reply("ERR in slot"), {redis.pcall("INCR", KEYS[1])}}', 1, fresh('nested')),
      await c.evalBuffer('return {1, redis.error_reply("ERR in slot"), {redis.pcall("INCR", KEYS[1])}}', 1, fresh('nested'))
    ]) {
      assert.equal(reply[0], 1)
      assert.ok(reply[1] instanceof ReplyError, 'a ReplyError in its slot')
      assert.equal(reply[1].message, 'ERR in slot')
      assert.equal(reply[1].code, 'ERR_TIERCACHE_REPLY')
      assert.equal(reply[2][0], 1, 'a pcall that succeeded')
    }
    const deep = await c.eval('redis.call("SET", KEYS[1], "s"); return {{redis.pcall("LPUSH", KEYS[1], "x")}}', 1, fresh('nested'))
    assert.ok(deep[0][0] instanceof ReplyError, 'at any depth')
    assert.match(deep[0][0].message, /^WRONGTYPE/)
  })

  test('doubles are written as Redis writes them over RESP2: exponent form from 1e17 (ZINCRBY, ZSCORE)', async () => {
    const c = box.cache
    const k = fresh('doubles')
    assert.equal(await c.zincrby(k, 1e20, 'm'), '1e+20')
    assert.equal(await c.zscore(k, 'm'), '1e+20')
    assert.equal(await c.zadd(k, 'INCR', '-1e20', 'm'), '0')
    assert.equal(await c.zadd(k, 'INCR', '1e16', 'm'), '10000000000000000')
    assert.equal(await c.zincrby(k, '-inf', 'm'), '-inf')
  })

  test('MONITOR sent as a command (monitor() is the way), transaction and connection-state commands, WAIT are refused for now, before anything is sent', async () => {
    const c = box.cache
    for (const [name, ...args] of [['monitor'],
      ['multi'], ['select', 1], ['client', 'tracking', 'off'], ['wait', 0, 0]]) {
      const err = await rejectsWith(c.call(name, ...args), TierCacheError, 'ERR_TIERCACHE_UNSUPPORTED', name)
      assert.match(err.message, /cannot be sent through tiercache/)
    }
    // XREAD without BLOCK does not block: it is sent.
    assert.equal(await c.xread('STREAMS', fresh('stream'), '0'), null)
    // The connection still works, in its database.
    assert.equal(await c.call('ping'), 'PONG')
  })
})

describe('keyPrefix at every key position', () => {
  const redis = useRedisWithClient()
  const box = useCache(redis, { keyPrefix: 'app:' })

  test('keys of hashes, lists, sets and zsets are prefixed, as a raw ioredis client sees', async () => {
    const k = fresh('prefixed')
    const c = box.cache
    await c.hset(`${k}:h`, 'f', 'v')
    await c.rpush(`${k}:l`, 'a')
    await c.call('sadd', `${k}:s`, 'm')
    await c.zadd(`${k}:z`, 1, 'm')
    assert.deepEqual(await redis.io.hgetall(`app:${k}:h`), { f: 'v' })
    assert.deepEqual(await redis.io.lrange(`app:${k}:l`, 0, -1), ['a'])
    assert.deepEqual(await redis.io.smembers(`app:${k}:s`), ['m'])
    assert.equal(await redis.io.zscore(`app:${k}:z`, 'm'), '1')
    assert.equal(await redis.io.exists(`${k}:h`, `${k}:l`, `${k}:s`, `${k}:z`), 0, 'nothing written unprefixed')
    // Every key of a multi-key command: SUNIONSTORE dest src.
    await c.sunionstore(`${k}:dest`, `${k}:s`)
    assert.deepEqual(await redis.io.smembers(`app:${k}:dest`), ['m'])
  })

  test("EVAL's KEYS are prefixed, its ARGV are not", async () => {
    const k = fresh('eval')
    const c = box.cache
    const reply = await c.eval("redis.call('set', KEYS[1], ARGV[1]) return {KEYS[1], KEYS[2], ARGV[1]}", 2, k, `${k}:2`, 'not-a-key')
    assert.deepEqual(reply, [`app:${k}`, `app:${k}:2`, 'not-a-key'])
    assert.equal(await redis.io.get(`app:${k}`), 'not-a-key')
    assert.equal(await c.get(k), 'not-a-key')
  })

  test('a command the table does not know is refused with keyPrefix (its keys cannot be found)', async () => {
    const err = await rejectsWith(box.cache.call('nosuchcommand', 'a'), TierCacheError, 'ERR_TIERCACHE_UNSUPPORTED', 'unknown with keyPrefix')
    assert.match(err.message, /keyPrefix/)
  })
})

describe('L1 follows the writes sent through the generic path', () => {
  const redis = useRedisWithClient()
  const box = useCache(redis, { keyPrefix: 'l1:' })

  /**
   * A key L1 holds, with `value` in Redis: written through the cache (L1 keeps
   * what Redis acknowledged; a foreign write's invalidation could race a read's fill).
   */
  async function held (value) {
    const k = fresh('held')
    await box.cache.set(k, value)
    assert.equal(await redis.io.get(`l1:${k}`), value)
    assert.equal(box.cache.local.get(k), value, 'L1 holds the key after a set')
    return k
  }

  test('APPEND drops the copy as it is sent; the next get is fresh', async () => {
    const k = await held('a')
    const p = box.cache.append(k, 'b')
    assert.equal(box.cache.local.get(k), undefined, 'dropped before Redis answers')
    assert.equal(await p, 2)
    assert.equal(await box.cache.get(k), 'ab')
  })

  test('RENAME drops both keys; COPY … REPLACE drops the destination only', async () => {
    const src = await held('s')
    const dest = await held('d')
    await box.cache.call('rename', src, dest)
    assert.equal(box.cache.local.get(src), undefined)
    assert.equal(box.cache.local.get(dest), undefined)
    assert.equal(await box.cache.get(dest), 's')
    assert.equal(await box.cache.get(src), null)

    const from = await held('new')
    const to = await held('old')
    assert.equal(await box.cache.copy(from, to, 'REPLACE'), 1)
    assert.equal(box.cache.local.get(from), 'new', 'the source is only read: its copy stays')
    assert.equal(box.cache.local.get(to), undefined)
    assert.equal(await box.cache.get(to), 'new')
  })

  test('a write of another type (HSET on a string key L1 holds, after DEL) leaves no stale string', async () => {
    const k = await held('a string')
    await box.cache.call('del', k)
    assert.equal(await box.cache.hset(k, 'f', 'v'), 1)
    assert.equal(box.cache.local.get(k), undefined)
    await rejectsWith(box.cache.get(k), ReplyError, 'ERR_TIERCACHE_REPLY', 'get of a hash')
  })

  test("EVAL drops its KEYS' copies", async () => {
    const k = await held('before')
    await box.cache.eval("return redis.call('set', KEYS[1], ARGV[1])", 1, k, 'after')
    assert.equal(box.cache.local.get(k), undefined)
    assert.equal(await box.cache.get(k), 'after')
  })

  test('EXPIRE through call drops the copy (L1 does not parse its deadline); the next read refills with the TTL', async () => {
    const k = await held('v')
    assert.equal(await box.cache.call('pexpire', k, 60000), 1)
    assert.equal(box.cache.local.get(k), undefined)
    assert.equal(await box.cache.get(k), 'v')
    const ttl = native.pttl(box.cache._h, k) // L1's own TTL for the key
    assert.ok(ttl > 0 && ttl <= 60000, `L1's copy follows Redis's TTL (${ttl})`)
  })

  test('FLUSHDB through call empties L1', async () => {
    const a = await held('1')
    const b = await held('2')
    assert.equal(await box.cache.call('flushdb'), 'OK')
    assert.equal(box.cache.local.get(a), undefined)
    assert.equal(box.cache.local.get(b), undefined)
    assert.equal(await box.cache.get(a), null)
  })

  test('reads through the generic path never fill L1 (only the hand-written string reads do)', async () => {
    const k = fresh('read')
    await redis.io.set(`l1:${k}`, 'x')
    assert.equal(await box.cache.call('get', k), 'x')
    assert.equal(box.cache.local.get(k), undefined)
  })
})

describe('without Redis (L1 only)', () => {
  test('the generated methods and call reject with ERR_TIERCACHE_NEEDS_REDIS, promise and callback, naming the fix', async (t) => {
    const cache = new TierCache()
    t.after(() => cache.quit())
    for (const [method, args] of [['hset', ['h', 'f', 'v']], ['lpush', ['l', 'a']], ['zaddBuffer', ['z', 1, 'm']],
      ['eval', ['return 1', 0]], ['call', ['hget', 'h', 'f']], ['send_command', ['sadd', 's', 'm']], ['callBuffer', ['get', 'k']]]) {
      const err = await failsBothWays(cache, method, args, NeedsRedisError, 'ERR_TIERCACHE_NEEDS_REDIS')
      assert.match(err.message, /pass a Redis URL/)
    }
  })

  test('the string family keeps working, as methods and through call', async (t) => {
    const cache = new TierCache()
    t.after(() => cache.quit())
    assert.equal(await cache.call('set', 'k', 'v'), 'OK')
    assert.equal(await cache.call('GET', 'k'), 'v')
    assert.equal(await cache.get('k'), 'v')
    assert.equal(await cache.send_command('del', ['k']), 1)
    const viaCallback = await callbackResult((cb) => cache.call('incr', 'n', cb))
    assert.equal(viaCallback.result, 1)
  })
})
