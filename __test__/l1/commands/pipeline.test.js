'use strict'
// pipeline() and multi() without a server: what a transaction sends for its
// queued commands (lib/send-command.js's planTransaction over the queue, as
// `plan` plans one command), the batch and option errors, and pipelines on
// an L1-only cache (the string commands answer from L1, the others fail in
// their slot with NEEDS_REDIS; a transaction needs Redis).

const { test } = require('node:test')
const assert = require('node:assert/strict')

const { planTransaction } = require('../../../lib/send-command')
const { TierCache, rejectsWith } = require('../../support/helpers')

const { TierCacheError, NeedsRedisError } = TierCache

test('a transaction plans each command as the generic path does: argv, key positions, written keys, flush', () => {
  const cache = new TierCache()
  const m = cache.multi()
    .set('a', 1)
    .hset('h', { f: 1 })
    .call('SUNIONSTORE', 'dst', 's1', 's2')
    .getBuffer('a')
    .flushdb()
  const { plans, buffers } = planTransaction(m._transactionItems(), 'p:')
  assert.deepEqual(plans.map((p) => p.argv), [['set', 'a', '1'], ['hset', 'h', 'f', '1'], ['SUNIONSTORE', 'dst', 's1', 's2'], ['get', 'a'], ['flushdb']])
  assert.deepEqual(plans.map((p) => p.keys), [[1], [1], [1, 2, 3], [1], []])
  assert.deepEqual(plans.map((p) => p.written), [[1], [1], [1], [], []])
  assert.deepEqual(plans.map((p) => p.flush), [false, false, false, false, true])
  assert.equal(buffers, true, 'a …Buffer command: replies come as Buffers (the others are decoded back)')
  assert.equal(planTransaction(cache.multi().get('a')._transactionItems(), '').buffers, false)
  cache.close()
})

test('a defineCommand script is sent as EVAL in a transaction (EVALSHA could meet NOSCRIPT there), its KEYS as keys', () => {
  const cache = new TierCache()
  cache.defineCommand('two', { numberOfKeys: 2, lua: 'return 1' })
  cache.defineCommand('given', { lua: 'return 2', readOnly: true })
  const { plans } = planTransaction(cache.multi().two('k1', 'k2', 'arg').given(1, 'k', 'x')._transactionItems(), '')
  assert.deepEqual(plans[0].argv, ['eval', 'return 1', '2', 'k1', 'k2', 'arg'])
  assert.deepEqual(plans[0].keys, [3, 4])
  assert.deepEqual(plans[0].written, [3, 4])
  assert.deepEqual(plans[1].argv, ['eval_ro', 'return 2', '1', 'k', 'x'])
  assert.deepEqual(plans[1].keys, [3])
  cache.close()
})

test('a refused command makes the plan throw ERR_TIERCACHE_UNSUPPORTED; bad batches and options are refused', () => {
  const cache = new TierCache()
  assert.throws(() => planTransaction(cache.multi().call('subscribe', 'c')._transactionItems(), ''),
    (e) => e instanceof TierCacheError && e.code === 'ERR_TIERCACHE_UNSUPPORTED')
  // With keyPrefix, KEYS and SCAN in a transaction would list other prefixes' keys (their methods are scoped).
  for (const name of ['keys', 'scan']) {
    const args = name === 'keys' ? ['*'] : ['0']
    assert.throws(() => planTransaction(cache.multi()[name](...args)._transactionItems(), 'tenant:'),
      (e) => e.code === 'ERR_TIERCACHE_UNSUPPORTED' && /keyPrefix/.test(e.message), name)
    assert.equal(planTransaction(cache.multi()[name](...args)._transactionItems(), '').plans.length, 1)
  }
  assert.throws(() => cache.pipeline([['nope', 'a']]), (e) => e.code === 'ERR_TIERCACHE_UNSUPPORTED')
  assert.throws(() => cache.pipeline([['discard']]), (e) => e.code === 'ERR_TIERCACHE_UNSUPPORTED')
  assert.throws(() => cache.pipeline([[]]), (e) => e.code === 'ERR_TIERCACHE_INVALID_ARGUMENT')
  // The pipeline's own fields are not commands.
  for (const name of ['_queue', 'redis', 'length', 'constructor', '__proto__', 'toString']) {
    assert.throws(() => cache.pipeline([[name, 'a']]), (e) => e instanceof TierCacheError && e.code === 'ERR_TIERCACHE_UNSUPPORTED', name)
  }
  cache.defineCommand('batched', { lua: 'return 1' })
  assert.equal(cache.multi([['batched', 0], ['batchedBuffer', 0]]).length, 2)
  assert.throws(() => cache.defineCommand('x', null), (e) => e.code === 'ERR_TIERCACHE_INVALID_ARGUMENT')
  // A script may be redefined; a method may not be shadowed.
  cache.defineCommand('mine', { lua: 'return 1' })
  cache.defineCommand('mine', { lua: 'return 2' })
  for (const name of ['get', 'hset', 'pipeline', 'constructor', 'hgetall']) {
    assert.throws(() => cache.defineCommand(name, { lua: 'return 1' }), (e) => e.code === 'ERR_TIERCACHE_INVALID_ARGUMENT', name)
  }
  assert.equal(typeof TierCache.prototype.get.call, 'function')
  cache.close()
})

test('L1 only: a pipeline runs the string commands in L1, in order; the others fail in their slot; multi needs Redis', async () => {
  const cache = new TierCache()
  await cache.set('k', 'old')
  const res = await cache.pipeline().set('k', 'new').get('k').hset('h', 'f', 'v').del('k').get('k').exec()
  assert.deepEqual(res.slice(0, 2), [[null, 'OK'], [null, 'new']])
  assert.equal(res[2].length, 1)
  assert.ok(res[2][0] instanceof NeedsRedisError)
  assert.deepEqual(res.slice(3), [[null, 1], [null, null]])
  await rejectsWith(cache.multi().set('k', 'v').exec(), NeedsRedisError, 'ERR_TIERCACHE_NEEDS_REDIS')
  assert.equal(await cache.get('k'), null, 'nothing of the refused transaction ran')
  cache.close()
})
