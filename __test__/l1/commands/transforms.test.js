'use strict'
// ioredis's argument and reply transformers (lib/commands/transform/), each
// by hand, then against ioredis's own Command class (no server: a Command
// transforms its arguments when built and its reply when given one).

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const fc = require('fast-check')
const { Command } = require('ioredis')

const { transformArguments, transformReply } = require('../../../lib/commands')
const { encodeArgument } = require('../../../lib/commands/transform/encode-argument')
const { msetArguments } = require('../../../lib/commands/transform/mset')
const { hsetArguments } = require('../../../lib/commands/transform/hset')
const { hgetallReply } = require('../../../lib/commands/transform/hgetall')

describe('argument transformers', () => {
  it('mset / msetnx: an object or a Map is flattened into key/value pairs; other forms pass as they are', () => {
    assert.deepEqual(msetArguments([{ a: 1, b: 'x' }]), ['a', 1, 'b', 'x'])
    assert.deepEqual(msetArguments([new Map([['a', 1], [2, 'y']])]), ['a', 1, 2, 'y'])
    assert.deepEqual(msetArguments(['a', 1]), ['a', 1])
    assert.deepEqual(transformArguments('MSETNX', [{ a: 1 }]), ['a', '1'])
    const bytes = Buffer.from('ab')
    assert.deepEqual(msetArguments([bytes]), [bytes], 'a lone Buffer is not an object of pairs (ioredis would set keys 0 and 1)')
  })

  it('hset / hmset: an object or a Map after the key is flattened into field/value pairs', () => {
    assert.deepEqual(hsetArguments(['h', { f: 1, g: 2 }]), ['h', 'f', 1, 'g', 2])
    assert.deepEqual(hsetArguments(['h', new Map([['f', Buffer.from('v')]])]), ['h', 'f', Buffer.from('v')])
    assert.deepEqual(hsetArguments(['h', 'f', 'v']), ['h', 'f', 'v'])
    assert.deepEqual(transformArguments('hmset', ['h', { f: 1 }]), ['h', 'f', '1'])
  })

  it('arguments are flattened one level, then encoded: strings and Buffers kept, null/undefined as empty, others as String()', () => {
    const buf = Buffer.from([0xff])
    assert.deepEqual(transformArguments('del', [['a', 'b'], 'c']), ['a', 'b', 'c'])
    assert.deepEqual(transformArguments('set', ['k', buf]), ['k', buf])
    assert.deepEqual([null, undefined, 1.5, true, 10n].map(encodeArgument), ['', '', '1.5', 'true', '10'])
    assert.deepEqual(transformArguments('constructor', ['a']), ['a'], 'no transformer from Object.prototype')
  })
})

describe('reply transformers', () => {
  it('hgetall: the flat reply becomes an object; hgetallBuffer keeps Buffer values', () => {
    assert.deepEqual(hgetallReply(['f', '1', 'g', '2']), { f: '1', g: '2' })
    assert.deepEqual(hgetallReply([]), {})
    const reply = transformReply('hgetall', [Buffer.from('f'), Buffer.from([1, 2])])
    assert.deepEqual(Object.keys(reply), ['f'])
    assert.ok(Buffer.isBuffer(reply.f))
    assert.equal(transformReply('hgetall', null), null)
    assert.equal(transformReply('get', 'v'), 'v')
  })

  it('hgetall: a field named __proto__ or constructor is an own property and changes no prototype', () => {
    const reply = hgetallReply(['__proto__', 'x', 'constructor', 'y'])
    assert.equal(Object.getPrototypeOf(reply), Object.prototype)
    assert.deepEqual(Object.keys(reply), ['__proto__', 'constructor'])
    assert.equal(Object.getOwnPropertyDescriptor(reply, '__proto__').value, 'x')
    assert.equal(reply.constructor, 'y')
  })
})

describe('against ioredis\'s Command', () => {
  const value = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.boolean(), fc.uint8Array({ maxLength: 3 }).map((a) => Buffer.from(a)))
  const field = fc.string({ minLength: 1, maxLength: 6 })
  // (no null-prototype objects: an argument with no String() fails either way)
  const pairsObject = fc.dictionary(field, value, { maxKeys: 5, noNullPrototype: true })
  const pairsMap = fc.array(fc.tuple(fc.oneof(field, fc.integer()), value), { maxLength: 5 }).map((e) => new Map(e))
  const flatArgs = fc.array(fc.oneof(value, fc.array(value, { maxLength: 3 })), { maxLength: 6 })


  it('transforms the arguments of mset, msetnx, hset, hmset and any other command as ioredis does', () => {
    fc.assert(fc.property(
      fc.constantFrom('mset', 'msetnx', 'hset', 'hmset', 'del', 'set', 'rpush'),
      fc.oneof(pairsObject.map((o) => [o]), pairsMap.map((m) => [m]), fc.tuple(field, pairsObject), fc.tuple(field, pairsMap), flatArgs),
      (name, args) => {
        // (a lone Buffer is the one deliberate difference: see lib/commands/transform/pairs.js)
        fc.pre(!(['mset', 'msetnx'].includes(name) && args.flat().length === 1 && Buffer.isBuffer(args.flat()[0])))
        fc.pre(!(['hset', 'hmset'].includes(name) && args.flat().length === 2 && Buffer.isBuffer(args.flat()[1])))
        assert.deepEqual(transformArguments(name, args), new Command(name, args).args)
      }), { numRuns: 2000 })
  })

  it('transforms hgetall replies as ioredis does', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.oneof(field, fc.constantFrom('__proto__', 'constructor', 'toString')), fc.string())), (entries) => {
      const reply = entries.flat()
      const ours = transformReply('hgetall', reply)
      const theirs = new Command('hgetall', ['h']).transformReply(reply)
      assert.deepEqual(Object.entries(ours), Object.entries(theirs))
      assert.equal(Object.getPrototypeOf(ours), Object.getPrototypeOf(theirs))
    }), { numRuns: 1000 })
  })
})

describe('error replies nested in an array reply', () => {
  // The addon hands a nested error slot over as napi_create_error makes it:
  // a plain Error whose code is ERR_TIERCACHE_REPLY.
  const nativeError = (message) => Object.assign(new Error(message), { code: 'ERR_TIERCACHE_REPLY' })

  it('become ReplyErrors in their slots, at any depth, as ioredis gives them (found by differential-families)', () => {
    const { ReplyError } = require('../../../lib/errors')
    const reply = transformReply('eval', [1, nativeError('ERR in slot'), ['x', nativeError('WRONGTYPE deep')], 'FINE'])
    assert.ok(reply[1] instanceof ReplyError)
    assert.equal(reply[1].name, 'ReplyError')
    assert.equal(reply[1].message, 'ERR in slot')
    assert.equal(reply[1].code, 'ERR_TIERCACHE_REPLY')
    assert.ok(reply[2][1] instanceof ReplyError)
    assert.equal(reply[2][1].message, 'WRONGTYPE deep')
    assert.deepEqual([reply[0], reply[2][0], reply[3]], [1, 'x', 'FINE'])
  })

  it('leave replies without errors as they are', () => {
    assert.equal(transformReply('get', 'v'), 'v')
    assert.deepEqual(transformReply('lrange', ['a', null, 3]), ['a', null, 3])
  })
})
