'use strict'
// The node-redis flavour's overrides (lib/node-redis/overrides), without a
// server: each turns node-redis's arguments into the words Redis takes and
// Redis's RESP2 reply into node-redis's shape. The differential test
// (__test__/l2/node-redis/differential.test.js) checks the same against
// node-redis itself on a real server.

const { test } = require('node:test')
const assert = require('node:assert/strict')

const { doubleReply, doubleArrayReply, doubleArgument } = require('../../../lib/node-redis/overrides/double')
const { sortedSetReply, poppedReply } = require('../../../lib/node-redis/overrides/sorted-set')
const { zAddArguments } = require('../../../lib/node-redis/overrides/zadd')
const { zRangeArguments, zRangeByScoreArguments } = require('../../../lib/node-redis/overrides/zrange')
const { evalArguments } = require('../../../lib/node-redis/overrides/eval')
const { getExArguments } = require('../../../lib/node-redis/overrides/getex')
const scan = require('../../../lib/node-redis/overrides/scan')
const { OVERRIDES } = require('../../../lib/node-redis/overrides')
const NAMES = require('../../../lib/node-redis/names.json')
const { TierCacheError } = require('../../..')

const refused = (fn, code) => assert.throws(fn, (err) => err instanceof TierCacheError && err.code === code)

test('double replies: numbers, ±Infinity for Redis\'s inf, null kept', () => {
  assert.equal(doubleReply('1.5'), 1.5)
  assert.equal(doubleReply('inf'), Infinity)
  assert.equal(doubleReply('-inf'), -Infinity)
  assert.equal(doubleReply(null), null)
  assert.deepEqual(doubleArrayReply(['1', null, '-2.25']), [1, null, -2.25])
  assert.equal(doubleArgument(Infinity), '+inf')
  assert.equal(doubleArgument(-Infinity), '-inf')
  assert.equal(doubleArgument(2), 2)
})

test('sorted-set replies: [{ value, score }], a pop is one member or null', () => {
  assert.deepEqual(sortedSetReply(['a', '1', 'b', 'inf']), [{ value: 'a', score: 1 }, { value: 'b', score: Infinity }])
  assert.deepEqual(sortedSetReply([]), [])
  assert.deepEqual(poppedReply(['a', '2']), { value: 'a', score: 2 })
  assert.equal(poppedReply([]), null)
})

test('zAdd: members one or many, options in both spellings', () => {
  assert.deepEqual(zAddArguments('z', { score: 1, value: 'a' }), ['z', 1, 'a'])
  assert.deepEqual(zAddArguments('z', [{ score: 1, value: 'a' }, { score: Infinity, value: 'b' }], { condition: 'NX', comparison: 'GT', CH: true }),
    ['z', 'NX', 'GT', 'CH', 1, 'a', '+inf', 'b'])
  assert.deepEqual(zAddArguments('z', { score: 1, value: 'a' }, { XX: true, LT: true }), ['z', 'XX', 'LT', 1, 'a'])
  refused(() => zAddArguments('z', ['a']), 'ERR_TIERCACHE_INVALID_ARGUMENT')
  refused(() => zAddArguments('z', { score: 1, value: 'a' }, 'NX'), 'ERR_TIERCACHE_INVALID_ARGUMENT')
})

test('zRange / zRangeByScore options', () => {
  assert.deepEqual(zRangeArguments('z', 0, -1), ['z', 0, -1])
  assert.deepEqual(zRangeArguments('z', -Infinity, Infinity, { BY: 'SCORE', REV: true, LIMIT: { offset: 1, count: 2 } }),
    ['z', '-inf', '+inf', 'BYSCORE', 'REV', 'LIMIT', '1', '2'])
  assert.deepEqual(zRangeArguments('z', '[a', '[c', { BY: 'LEX' }), ['z', '[a', '[c', 'BYLEX'])
  assert.deepEqual(zRangeByScoreArguments('z', 1, 2, { LIMIT: { offset: 0, count: 5 } }), ['z', 1, 2, 'LIMIT', '0', '5'])
  assert.deepEqual(OVERRIDES.zRangeWithScores.append, ['WITHSCORES'])
})

test('eval family: { keys, arguments } become numkeys, keys, arguments', () => {
  assert.deepEqual(evalArguments('return 1'), ['return 1', 0])
  assert.deepEqual(evalArguments('s', { keys: ['a', 'b'], arguments: ['x'] }), ['s', 2, 'a', 'b', 'x'])
  refused(() => evalArguments('s', 1), 'ERR_TIERCACHE_INVALID_ARGUMENT')
  refused(() => evalArguments('s', { keys: 'a' }), 'ERR_TIERCACHE_INVALID_ARGUMENT')
  for (const name of ['eval', 'evalRo', 'evalSha', 'evalShaRo', 'fCall', 'fCallRo']) assert.equal(OVERRIDES[name].args, evalArguments, name)
})

test('getEx: { type, value }, { EX }, PERSIST, Dates for EXAT/PXAT', () => {
  assert.deepEqual(getExArguments('k', { type: 'EX', value: 5 }), ['k', 'EX', 5])
  assert.deepEqual(getExArguments('k', { type: 'PERSIST' }), ['k', 'PERSIST'])
  assert.deepEqual(getExArguments('k', { PX: 100 }), ['k', 'PX', 100])
  assert.deepEqual(getExArguments('k', { PERSIST: true }), ['k', 'PERSIST'])
  assert.deepEqual(getExArguments('k', { EXAT: new Date(5000) }), ['k', 'EXAT', 5])
  assert.deepEqual(getExArguments('k', { type: 'PXAT', value: new Date(5000) }), ['k', 'PXAT', 5000])
  refused(() => getExArguments('k'), 'ERR_TIERCACHE_INVALID_ARGUMENT')
  refused(() => getExArguments('k', {}), 'ERR_TIERCACHE_INVALID_ARGUMENT')
})

test('scan family: words and reply shapes', () => {
  assert.deepEqual(scan.scanWords('0', { MATCH: 'a*', COUNT: 5, TYPE: 'hash' }, true), ['0', 'MATCH', 'a*', 'COUNT', 5, 'TYPE', 'hash'])
  assert.deepEqual(scan.scanWords('7', undefined, true), ['7'])
  // node-redis leaves COUNT: 0 out.
  assert.deepEqual(scan.scanWords('0', { COUNT: 0 }, true), ['0'])
  refused(() => scan.scanWords('0', { TYPE: 'hash' }, false), 'ERR_TIERCACHE_SYNTAX')
  refused(() => scan.scanWords('0', { match: 'a*' }, true), 'ERR_TIERCACHE_SYNTAX')
  refused(() => scan.scanWords('0', 'MATCH', true), 'ERR_TIERCACHE_INVALID_ARGUMENT')
  assert.deepEqual(scan.keyScanArguments('h', '0', { MATCH: 'f*' }), ['h', '0', 'MATCH', 'f*'])
  assert.deepEqual(scan.scanReply(['12', ['a', 'b']]), { cursor: '12', keys: ['a', 'b'] })
  assert.deepEqual(scan.hScanReply(['0', ['f', 'v', 'g', 'w']]), { cursor: '0', entries: [{ field: 'f', value: 'v' }, { field: 'g', value: 'w' }] })
  assert.deepEqual(scan.hScanNoValuesReply(['0', ['f', 'g']]), { cursor: '0', fields: ['f', 'g'] })
  assert.deepEqual(scan.sScanReply(['3', ['m']]), { cursor: '3', members: ['m'] })
  assert.deepEqual(scan.zScanReply(['0', ['m', '1.5']]), { cursor: '0', members: [{ value: 'm', score: 1.5 }] })
})

test('every override names a node-redis method (names.json)', () => {
  for (const name of Object.keys(OVERRIDES)) assert.ok(name in NAMES, name)
})

const { STREAM_OVERRIDES } = require('../../../lib/node-redis/overrides/stream')

test('streams: node-redis option objects become Redis words', () => {
  const S = STREAM_OVERRIDES
  assert.deepEqual(S.xAdd.args('k', '*', { a: '1', b: '2' }, { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: 100, limit: 5 } }),
    ['k', 'MAXLEN', '~', 100, 'LIMIT', 5, '*', 'a', '1', 'b', '2'])
  assert.deepEqual(S.xAddNoMkStream.args('k', '*', { a: '1' }), ['k', 'NOMKSTREAM', '*', 'a', '1'])
  assert.deepEqual(S.xRead.args([{ key: 'a', id: '0' }, { key: 'b', id: '$' }], { COUNT: 2, BLOCK: 0 }),
    ['COUNT', 2, 'BLOCK', 0, 'STREAMS', 'a', 'b', '0', '$'])
  assert.deepEqual(S.xReadGroup.args('g', 'c', { key: 'a', id: '>' }, { NOACK: true }), ['GROUP', 'g', 'c', 'NOACK', 'STREAMS', 'a', '>'])
  assert.deepEqual(S.xRange.args('k', '-', '+', { COUNT: 3 }), ['k', '-', '+', 'COUNT', 3])
  assert.deepEqual(S.xClaim.args('k', 'g', 'c', 10, ['1-1', '2-1'], { FORCE: true, TIME: new Date(5) }), ['k', 'g', 'c', 10, '1-1', '2-1', 'TIME', 5, 'FORCE'])
  assert.deepEqual(S.xGroupCreate.args('k', 'g', '$', { MKSTREAM: true }), ['k', 'g', '$', 'MKSTREAM'])
  assert.deepEqual(S.xTrim.args('k', 'MINID', '5-0', { strategyModifier: '=' }), ['k', 'MINID', '=', '5-0'])
  assert.deepEqual(S.xPendingRange.args('k', 'g', '-', '+', 10, { IDLE: 100, consumer: 'c' }), ['k', 'g', 'IDLE', 100, '-', '+', 10, 'c'])
})

test('streams: RESP2 replies become node-redis objects', () => {
  const S = STREAM_OVERRIDES
  assert.deepEqual(S.xRange.reply([['1-1', ['a', '1']], ['2-1', []]]), [{ id: '1-1', message: { a: '1' } }, { id: '2-1', message: {} }])
  assert.equal(S.xRead.reply(null), null)
  assert.deepEqual(S.xRead.reply([['s', [['1-1', ['f', 'v']]]]]), [{ name: 's', messages: [{ id: '1-1', message: { f: 'v' } }] }])
  assert.deepEqual(S.xClaim.reply([null, ['1-1', ['f', 'v']]]), [null, { id: '1-1', message: { f: 'v' } }])
  assert.deepEqual(S.xAutoClaim.reply(['0-0', [['1-1', ['f', 'v']]], ['2-1']]), { nextId: '0-0', messages: [{ id: '1-1', message: { f: 'v' } }], deletedMessages: ['2-1'] })
  assert.deepEqual(S.xPending.reply([0, null, null, null]), { pending: 0, firstId: null, lastId: null, consumers: null })
  assert.deepEqual(S.xPending.reply([2, '1-1', '2-1', [['alice', '2']]]), { pending: 2, firstId: '1-1', lastId: '2-1', consumers: [{ name: 'alice', deliveriesCounter: 2 }] })
  assert.deepEqual(S.xInfoStream.reply(['length', 1, 'first-entry', ['1-1', ['f', 'v']], 'last-entry', null]),
    { length: 1, 'first-entry': { id: '1-1', message: { f: 'v' } }, 'last-entry': null })
  // A field named __proto__ is an own field of the message, never its prototype.
  const m = S.xRange.reply([['1-1', ['__proto__', 'x', 'a', '1']]])[0].message
  assert.equal(Object.getPrototypeOf(m), Object.prototype)
  assert.deepEqual(Object.entries(m), [['__proto__', 'x'], ['a', '1']])
})
