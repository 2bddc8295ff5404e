'use strict'
// Which arguments are keys (keyIndexes) and which of them a command writes
// (writtenKeyIndexes): the tricky commands by hand, then every command of the
// table against @ioredis/commands' own getKeyIndexes over generated arguments.

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const fc = require('fast-check')
const { getKeyIndexes } = require('@ioredis/commands')

const { keyIndexes, writtenKeyIndexes, lookup, names } = require('../../../lib/commands')
const { MOVABLE_COMMANDS } = require('../../../lib/commands/keys')

describe('keyIndexes', () => {
  const cases = [
    ['get', ['k'], [0]],
    ['GET', ['k'], [0]],
    ['mset', ['a', 1, 'b', 2], [0, 2]],
    ['blpop', ['a', 'b', 0], [0, 1]],
    ['ping', [], []],
    ['eval', ['return 1', 2, 'a', 'b', 'arg'], [2, 3]],
    ['evalsha', ['sha', '0', 'arg'], []],
    ['fcall', ['fn', 1, 'a', 'arg'], [2]],
    ['eval', ['s', 5, 'a'], [2]], // numkeys past the end: only what is there
    ['eval', ['s', 'x', 'a'], []],
    ['zunionstore', ['dest', 2, 'a', 'b', 'WEIGHTS', 1, 2], [0, 2, 3]],
    ['zinterstore', ['dest', 1, 'a', 'AGGREGATE', 'MAX'], [0, 2]],
    ['zdiff', [2, 'a', 'b', 'WITHSCORES'], [1, 2]],
    ['zunion', [1, 'a'], [1]],
    ['sintercard', [2, 'a', 'b', 'LIMIT', 5], [1, 2]],
    ['lmpop', [2, 'a', 'b', 'LEFT', 'COUNT', 3], [1, 2]],
    ['blmpop', [0, 2, 'a', 'b', 'LEFT'], [2, 3]],
    ['bzmpop', [1.5, 1, 'z', 'MIN'], [2]],
    ['xread', ['COUNT', 2, 'BLOCK', 0, 'STREAMS', 's1', 's2', '0', '$'], [5, 6]],
    ['xreadgroup', ['GROUP', 'g', 'c', 'COUNT', 1, 'NOACK', 'STREAMS', 's', '>'], [7]],
    ['xreadgroup', ['GROUP', 'STREAMS', 'STREAMS', 'STREAMS', 's', '>'], [4]], // a group and consumer named STREAMS
    ['migrate', ['host', 6379, 'k', 0, 1000], [2]],
    ['migrate', ['host', 6379, '', 0, 1000, 'COPY', 'KEYS', 'a', 'b'], [7, 8]],
    ['migrate', ['host', 6379, '', 0, 1000, 'AUTH2', 'KEYS', 'KEYS', 'KEYS', 'a'], [9]], // a user and password named KEYS
    ['sort', ['list', 'BY', 'w_*', 'LIMIT', 0, 10, 'GET', '#', 'GET', 'o_*', 'ALPHA', 'STORE', 'dest'], [0, 2, 9, 12]],
    ['sort', ['list', 'LIMIT', 'GET', 'BY'], [0]], // LIMIT's values are not tokens
    ['sort_ro', ['list', 'by', 'w_*'], [0, 2]],
    ['georadius', ['g', 15, 37, 200, 'km', 'STORE', 's', 'STOREDIST', 'd'], [0, 6, 8]],
    ['georadiusbymember', ['g', 'm', 200, 'km', 'storedist', 'd'], [0, 5]],
    ['georadius', ['g', 15, 37, 200, 'km', 'WITHDIST'], [0]],
    ['msetex', [2, 'a', 1, 'b', 2, 'EX', 10], [1, 3]],
    ['object', ['ENCODING', 'k'], [1]],
    ['object', ['help'], []],
    ['memory', ['USAGE', 'k', 'SAMPLES', 5], [1]],
    ['memory', ['STATS'], []],
    ['xinfo', ['STREAM', 's', 'FULL'], [1]],
    ['xgroup', ['CREATE', 's', 'g', '$', 'MKSTREAM'], [1]],
    ['client', ['SETNAME', 'name'], []],
    ['no-such-command', ['a'], []]
  ]
  for (const [name, args, expected] of cases) {
    it(`${name} ${args.join(' ')} → [${expected}]`, () => assert.deepEqual(keyIndexes(name, args), expected))
  }

  it('has a rule for every movable-key command of the table, and none for another', () => {
    const movable = names().filter((n) => lookup(n).flags.includes('movablekeys'))
    assert.deepEqual([...MOVABLE_COMMANDS].sort(), movable)
  })
})

describe('writtenKeyIndexes', () => {
  const cases = [
    ['get', ['k'], []],
    ['exists', ['a', 'b'], []],
    ['set', ['k', 'v'], [0]],
    ['del', ['a', 'b'], [0, 1]],
    ['rename', ['a', 'b'], [0, 1]],
    ['smove', ['a', 'b', 'm'], [0, 1]],
    ['lmove', ['a', 'b', 'LEFT', 'RIGHT'], [0, 1]],
    ['copy', ['src', 'dst', 'REPLACE'], [1]],
    ['sort', ['list', 'BY', 'w_*', 'GET', 'o_*'], []],
    ['sort', ['list', 'BY', 'w_*', 'STORE', 'dst'], [4]],
    ['zunionstore', ['dst', 2, 'a', 'b'], [0]],
    ['sinterstore', ['dst', 'a', 'b'], [0]],
    ['bitop', ['AND', 'dst', 'a', 'b'], [1]],
    ['pfmerge', ['dst', 'a'], [0]],
    ['geosearchstore', ['dst', 'src', 'FROMMEMBER', 'm', 'BYRADIUS', 1, 'km'], [0]],
    ['zrangestore', ['dst', 'src', 0, -1], [0]],
    ['georadius', ['g', 15, 37, 200, 'km', 'STORE', 's'], [6]],
    ['georadius', ['g', 15, 37, 200, 'km'], []],
    ['expire', ['k', 10], [0]],
    ['persist', ['k'], [0]],
    ['eval', ['s', 2, 'a', 'b', 'x'], [2, 3]], // a script may write any key it is given
    ['eval_ro', ['s', 1, 'a'], []],
    ['pfcount', ['h'], [0]],
    ['blpop', ['a', 'b', 0], [0, 1]],
    ['xgroup', ['CREATE', 's', 'g', '$', 'MKSTREAM'], [1]],
    ['flushall', [], []],
    ['no-such-command', ['a'], []]
  ]
  for (const [name, args, expected] of cases) {
    it(`${name} ${args.join(' ')} → [${expected}]`, () => assert.deepEqual(writtenKeyIndexes(name, args), expected))
  }

  it('is a subset of the keys, for every command of the table', () => {
    for (const name of names()) {
      const args = ['a', 'b', 'c', 'd', 'e', 'f', 'g']
      const keys = new Set(keyIndexes(name, args))
      for (const i of writtenKeyIndexes(name, args)) assert.ok(keys.has(i), `${name}: ${i}`)
    }
  })
})

// Well-formed arguments for each command, so that both implementations read
// them the same way (on malformed input Redis refuses the command, and the
// two may differ: ioredis does not clamp numkeys, nor skip option values).
const word = fc.constantFrom('a', 'b', 'key', '0', '1', 'x:y', 'WEIGHTS', 'MIN')
const words = (min, max) => fc.array(word, { minLength: min, maxLength: max })
const numkeysThen = (before) => fc.tuple(words(before, before), words(1, 4), words(0, 3))
  .map(([head, keys, tail]) => [...head, String(keys.length), ...keys, ...tail])

const MOVABLE_ARGS = {
  zunionstore: numkeysThen(1),
  zinterstore: numkeysThen(1),
  zdiffstore: numkeysThen(1),
  georadius: fc.tuple(words(5, 5), fc.subarray(['STORE', 'STOREDIST'])).map(([head, opts]) => [...head, ...opts.flatMap((o) => [o, `${o}-key`])]),
  georadiusbymember: fc.tuple(words(4, 4), fc.subarray(['STORE', 'STOREDIST'])).map(([head, opts]) => [...head, ...opts.flatMap((o) => [o, `${o}-key`])]),
  sort: fc.array(fc.constantFrom(['BY', 'w_*'], ['GET', '#'], ['GET', 'o_*'], ['ASC'], ['ALPHA'], ['STORE', 'dst']), { maxLength: 4 })
    .map((opts) => ['list', ...opts.flat()]),
  migrate: fc.oneof(words(0, 2).map((tail) => ['h', '1', 'k', '0', '10', ...tail]),
    fc.tuple(fc.subarray(['COPY', 'REPLACE']), words(1, 3)).map(([opts, keys]) => ['h', '1', '', '0', '10', ...opts, 'KEYS', ...keys])),
  xread: fc.tuple(fc.subarray(['COUNT', 'BLOCK']), fc.integer({ min: 1, max: 3 }))
    .map(([opts, n]) => [...opts.flatMap((o) => [o, '5']), 'STREAMS', ...Array.from({ length: n }, (_, i) => `s${i}`), ...Array(n).fill('0')]),
  xreadgroup: fc.tuple(fc.subarray(['COUNT', 'BLOCK']), fc.integer({ min: 1, max: 3 }))
    .map(([opts, n]) => ['GROUP', 'g', 'c', ...opts.flatMap((o) => [o, '5']), 'STREAMS', ...Array.from({ length: n }, (_, i) => `s${i}`), ...Array(n).fill('>')]),
  msetex: fc.integer({ min: 1, max: 3 }).map((n) => [String(n), ...Array.from({ length: n }, (_, i) => [`k${i}`, 'v']).flat(), 'EX', '10'])
}
for (const name of ['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro', 'blmpop', 'bzmpop']) MOVABLE_ARGS[name] = numkeysThen(1)
for (const name of ['sintercard', 'zintercard', 'zunion', 'zinter', 'zdiff', 'lmpop', 'zmpop']) MOVABLE_ARGS[name] = numkeysThen(0)
MOVABLE_ARGS.sort_ro = MOVABLE_ARGS.sort.map((args) => args.filter((a, i) => a !== 'STORE' && args[i - 1] !== 'STORE'))

/** Arguments that satisfy the command's arity (exactly, or at least). */
function argsFor (name) {
  if (MOVABLE_ARGS[name]) return MOVABLE_ARGS[name]
  const { arity } = lookup(name)
  const min = Math.abs(arity) - 1
  return arity > 0 ? words(min, min) : words(min, min + 6)
}

describe('keyIndexes against @ioredis/commands', () => {
  // ioredis knows no keys in a container's subcommands (OBJECT ENCODING key):
  // it does not prefix them; the table does (see keys.test cases above).
  const compared = names().filter((n) => !lookup(n).subcommandKeys)

  it(`agrees on ${compared.length} commands over generated arguments`, () => {
    fc.assert(fc.property(fc.constantFrom(...compared).chain((name) => fc.tuple(fc.constant(name), argsFor(name))), ([name, args]) => {
      assert.deepEqual(keyIndexes(name, args), getKeyIndexes(name, args), `${name} ${args.join(' ')}`)
    }), { numRuns: 5000 })
  })
})
