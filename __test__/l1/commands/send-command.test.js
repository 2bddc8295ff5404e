'use strict'
// What the generic path sends for a command (lib/send-command.js's `plan`),
// without a server: the argv, the key positions the addon prefixes, the
// written keys L1 drops, whether L1 is emptied, and the refusals.

const { test } = require('node:test')
const assert = require('node:assert/strict')

const { plan } = require('../../../lib/send-command')
const { TierCacheError, TierCacheTypeError } = require('../../../lib/errors')

test('argv is the name then the arguments as ioredis sends them; positions count the name', () => {
  assert.deepEqual(plan('hset', ['h', { f: 1, g: null }], ''), {
    argv: ['hset', 'h', 'f', '1', 'g', ''],
    keys: [1],
    written: [1],
    flush: false,
    wait: undefined,
    cached: false
  })
  // A read of a hash, list, set or sorted set of a string key is answered through L1.
  assert.equal(plan('hgetall', ['h'], '').cached, true)
  assert.equal(plan('hgetall', [Buffer.from('h')], '').cached, false)
  assert.equal(plan('srandmember', ['s'], '').cached, false)
  const buf = Buffer.from([0xff])
  assert.deepEqual(plan('RPUSH', [['l', buf], 2], '').argv, ['RPUSH', 'l', buf, '2'])
})

test("EVAL's KEYS are keys, its script and ARGV are not; all its keys may be written", () => {
  const p = plan('eval', ['return 1', 2, 'a', 'b', 'arg'], 'app:')
  assert.deepEqual(p.keys, [3, 4])
  assert.deepEqual(p.written, [3, 4])
})

test('reads write nothing; *STORE and COPY write their destination only', () => {
  assert.deepEqual(plan('hgetall', ['h'], '').written, [])
  assert.deepEqual(plan('hgetall', ['h'], '').keys, [1])
  const store = plan('sunionstore', ['dest', 's1', 's2'], '')
  assert.deepEqual(store.keys, [1, 2, 3])
  assert.deepEqual(store.written, [1])
  assert.deepEqual(plan('copy', ['src', 'dst'], '').written, [2])
  assert.deepEqual(plan('rename', ['a', 'b'], '').written, [1, 2])
})

test('commands that may change the whole database empty L1', () => {
  for (const name of ['flushdb', 'FLUSHALL', 'swapdb']) assert.equal(plan(name, [], '').flush, true, name)
  assert.equal(plan('ping', [], '').flush, false)
})

test('a command the table does not know: every argument may be a written key without keyPrefix; refused with one', () => {
  assert.deepEqual(plan('mymodule.set', ['k', 'v'], ''), { argv: ['mymodule.set', 'k', 'v'], keys: [], written: [1, 2], flush: false, wait: undefined })
  assert.throws(() => plan('mymodule.set', ['k'], 'app:'), (e) => e instanceof TierCacheError && e.code === 'ERR_TIERCACHE_UNSUPPORTED')
})

test('WAIT runs with a timeout from 1 ms to half of commandTimeout; in a transaction (it does not block there) with any', () => {
  for (const args of [[1, 0], [1, 501], [1, -1], [1, 'soon'], [1, '1e3'], [1, 1.5]]) {
    assert.throws(() => plan('wait', args, '', 1000), (e) => e instanceof TierCacheError && e.code === 'ERR_TIERCACHE_UNSUPPORTED' && /half of commandTimeout/.test(e.message), String(args))
  }
  for (const args of [[1, 1], [0, 500], ['2', '100']]) assert.deepEqual(plan('wait', args, '', 1000).argv, ['wait', ...args.map(String)])
  assert.deepEqual(plan('wait', [1, 0], '').argv, ['wait', '1', '0'], 'in a transaction')
  assert.deepEqual(plan('wait', [1], '', 1000).argv, ['wait', '1'], 'another arity: Redis refuses it at once')
})

test('subscriber, transaction and connection-state commands, WAITAOF are refused', () => {
  const refused = [
    ['waitaof', [0, 0, 0]], ['ssubscribe', ['c']], ['unsubscribe', []], ['subscribe', ['c']], ['psubscribe', ['*']], ['monitor', []], ['multi', []], ['exec', []],
    ['select', [1]], ['hello', [2]], ['reset', []], ['quit', []], ['client', ['TRACKING', 'off']], ['client', ['reply', 'off']]]
  for (const [name, args] of refused) {
    assert.throws(() => plan(name, args, ''), (e) => e instanceof TierCacheError && e.code === 'ERR_TIERCACHE_UNSUPPORTED', name)
  }
  assert.equal(plan('xread', ['STREAMS', 's', '0'], '').keys.length, 1, 'XREAD without BLOCK is sent')
  assert.equal(plan('client', ['setname', 'x'], '').argv.length, 3, 'other CLIENT subcommands are sent')
  assert.equal(plan('publish', ['c', 'm'], '').keys.length, 0, 'PUBLISH is sent')
})

test('the name must be a non-empty string', () => {
  for (const name of ['', undefined, 1, null]) {
    assert.throws(() => plan(name, [], ''), (e) => e instanceof TierCacheTypeError && e.code === 'ERR_TIERCACHE_INVALID_ARGUMENT')
  }
})

test('an argument with no string form is refused as an argument error, not a crash', () => {
  const hostile = { toString () { throw new Error('no') } }
  for (const arg of [Object.create(null), hostile, [Object.create(null)]]) {
    assert.throws(() => plan('rpush', ['l', arg], ''), (e) => e instanceof TierCacheTypeError && e.code === 'ERR_TIERCACHE_INVALID_ARGUMENT')
  }
})

test('a lone surrogate is refused before anything is sent: INVALID_KEY at a key position, INVALID_VALUE elsewhere', () => {
  // Sent, both would be U+FFFD in UTF-8: 'k\uD800' and 'k\uDBFF' the same Redis key, two fields the same field.
  const code = (c) => (e) => e instanceof TierCacheTypeError && e.code === c
  assert.throws(() => plan('hset', ['k\uD800', 'f', 'v'], ''), code('ERR_TIERCACHE_INVALID_KEY'))
  assert.throws(() => plan('eval', ['return 1', 2, 'a', 'b\uDC00'], 'p:'), code('ERR_TIERCACHE_INVALID_KEY'))
  assert.throws(() => plan('not-a-known-command', ['x\uDBFF'], ''), code('ERR_TIERCACHE_INVALID_KEY'))
  assert.throws(() => plan('hset', ['k', 'f\uDC00', 'v'], ''), code('ERR_TIERCACHE_INVALID_VALUE'))
  assert.throws(() => plan('eval', ['return 1', 1, 'a', 'argv\uD800'], ''), code('ERR_TIERCACHE_INVALID_VALUE'))
  // Well-formed text and Buffers (any bytes) pass.
  assert.deepEqual(plan('hset', ['k\u{1F600}', Buffer.from([0xff]), 'v'], '').keys, [1])
})

test('blocking commands (the table\'s flag) are planned with their own deadline: timeout + margin, 0 for none', () => {
  const { BLOCKING_MARGIN_MS, TIMEOUT_AT } = require('../../../lib/commands/blocking')
  const commands = require('../../../lib/commands')
  // Every command the table flags blocking says where its timeout is.
  for (const name of commands.names()) {
    if (commands.lookup(name).flags.includes('blocking')) assert.ok(name in TIMEOUT_AT, name)
  }
  const m = BLOCKING_MARGIN_MS
  assert.equal(plan('blpop', ['l', 0], '').wait, 0, 'BLPOP 0 waits until answered')
  assert.equal(plan('BLPOP', ['a', 'b', 5], '').wait, 5000 + m)
  assert.equal(plan('brpoplpush', ['a', 'b', '0.25'], '').wait, 250 + m)
  assert.equal(plan('blmove', ['a', 'b', 'LEFT', 'RIGHT', 2], '').wait, 2000 + m)
  assert.equal(plan('blmpop', [3, 1, 'l', 'LEFT'], '').wait, 3000 + m, 'BLMPOP: the timeout comes first')
  assert.equal(plan('bzmpop', [1, 1, 'z', 'MIN'], '').wait, 1000 + m)
  assert.equal(plan('xread', ['COUNT', 1, 'BLOCK', 150, 'STREAMS', 's', '$'], '').wait, 150 + m, 'XREAD BLOCK is in ms')
  assert.equal(plan('xreadgroup', ['GROUP', 'g', 'c', 'BLOCK', 0, 'STREAMS', 's', '>'], '').wait, 0)
  assert.equal(plan('xread', ['STREAMS', 's', '0'], '').wait, undefined, 'XREAD without BLOCK is an ordinary command')
  assert.equal(plan('blpop', ['l', 'soon'], '').wait, m, 'a timeout Redis refuses: the margin alone')
  assert.equal(plan('blpop', ['l', -1], '').wait, m)
  // Keys are prefixed and written keys dropped from L1 as for any command.
  const p = plan('blmove', ['src', 'dst', 'LEFT', 'RIGHT', 0], 'app:')
  assert.deepEqual([p.keys, p.written], [[1, 2], [1, 2]])
})
