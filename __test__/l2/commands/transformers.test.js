'use strict'
// Command.setArgumentTransformer / setReplyTransformer, as ioredis's: an
// application's transformers apply to the generic path's commands on every
// client, beside ioredis with the same transformers on the same server.
// A cacheable read whose reply transformer is registered after L1 cached
// its reply (the front holds the old shape) answers in the new shape at
// once, and each hit gets a reply of its own.

const { describe, test, after } = require('node:test')
const assert = require('node:assert/strict')
const IORedis = require('ioredis')

const { useRedisWithClient, useCache } = require('../../support/redis-server')
const { TierCache, rejectsWith } = require('../../support/helpers')
const { TierCacheTypeError, CODES } = require('../../../lib/errors')
const { REPLY_TRANSFORMERS, ARGUMENT_TRANSFORMERS } = require('../../../lib/commands/transform')

// The tables are the process's: put back what the tests changed.
const saved = { reply: { ...REPLY_TRANSFORMERS }, argument: { ...ARGUMENT_TRANSFORMERS } }
after(() => {
  for (const table of [REPLY_TRANSFORMERS, ARGUMENT_TRANSFORMERS]) for (const k of Object.keys(table)) delete table[k]
  Object.assign(REPLY_TRANSFORMERS, saved.reply)
  Object.assign(ARGUMENT_TRANSFORMERS, saved.argument)
})

const setToArgs = (args) => (args.length === 2 && args[1] instanceof Set ? [args[0], ...args[1]] : args)
const toSet = (reply) => (Array.isArray(reply) ? new Set(reply) : reply)
const pairs = (reply) => {
  if (!Array.isArray(reply)) return reply
  const out = []
  for (let i = 0; i < reply.length; i += 2) out.push([reply[i], reply[i + 1]])
  return out
}

describe('transformers registered by the application', () => {
  const redis = useRedisWithClient()
  const box = useCache(redis)

  test('an argument and a reply transformer answer as ioredis\'s do', async () => {
    const { cache } = box
    const io = redis.io
    for (const Command of [TierCache.Command, IORedis.Command]) {
      Command.setArgumentTransformer('sadd', setToArgs)
      Command.setReplyTransformer('smembers', toSet)
    }
    assert.equal(await cache.sadd('tc:tags', new Set(['a', 'b'])), await io.sadd('io:tags', new Set(['a', 'b'])))
    const expected = await io.smembers('io:tags')
    assert.ok(expected instanceof Set)
    for (let i = 0; i < 3; i++) {
      // Repeated reads may come from L1: still the transformer's shape, a Set of its own each time.
      const got = await cache.smembers('tc:tags')
      assert.ok(got instanceof Set, `read ${i}`)
      assert.deepEqual([...got].sort(), [...expected].sort())
      got.add('mutated')
    }
    assert.ok(!(await cache.smembers('tc:tags')).has('mutated'))
    // On every client of the process, and through call().
    const other = new TierCache({ redis: redis.server.url })
    try {
      assert.ok((await other.call('smembers', 'tc:tags')) instanceof Set)
    } finally {
      await other.quit()
    }
  })

  test('a reply transformer registered after L1 cached the reply: the next read has the new shape', async () => {
    const { cache } = box
    await cache.hset('h', { f: 'v', g: 'w' })
    // Cached (front and store) in the built-in object shape first.
    assert.deepEqual(await cache.hgetall('h'), { f: 'v', g: 'w' })
    assert.deepEqual(await cache.hgetall('h'), { f: 'v', g: 'w' })
    TierCache.Command.setReplyTransformer('hgetall', pairs)
    assert.deepEqual((await cache.hgetall('h')).sort(), [['f', 'v'], ['g', 'w']])
    assert.deepEqual((await cache.hgetall('h')).sort(), [['f', 'v'], ['g', 'w']])
  })

  test('bad registrations throw; a transformer that throws fails its command only', async () => {
    const { cache } = box
    assert.throws(() => TierCache.Command.setReplyTransformer('get', 'not a function'),
      (err) => err instanceof TierCacheTypeError && err.code === CODES.INVALID_ARGUMENT)
    assert.throws(() => TierCache.Command.setArgumentTransformer('', () => []),
      (err) => err instanceof TierCacheTypeError && err.code === CODES.INVALID_ARGUMENT)
    const boom = new Error('boom')
    TierCache.Command.setArgumentTransformer('lpush', () => { throw boom })
    const err = await rejectsWith(cache.lpush('l', 'x'), TierCacheTypeError, CODES.INVALID_ARGUMENT)
    assert.equal(err.cause, boom)
    TierCache.Command.setReplyTransformer('llen', () => { throw boom })
    await assert.rejects(cache.llen('l'), (e) => e === boom)
    // The client goes on.
    assert.equal(await cache.rpush('r', 'x'), 1)
  })
})
