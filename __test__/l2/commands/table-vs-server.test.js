'use strict'
// The command table (generated from @ioredis/commands, no server needed)
// against a real redis-server's own COMMAND INFO and COMMAND GETKEYS: same
// arity, key positions and flags for every command both know, the same
// container subcommands taking a key, and the same keys for the movable-key
// commands. Commands newer than the server are skipped (and counted).

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')

const { useRedisWithClient } = require('../../support/redis-server')
const { lookup, names, keyIndexes } = require('../../../lib/commands')

// The flags that mean something to a client (the others are scheduling hints
// that move between server versions: ECHO gained `loading`, `stale`).
const MEANINGFUL_FLAGS = ['write', 'readonly', 'blocking', 'pubsub', 'noscript', 'movablekeys', 'admin', 'no_multi']
const meaningful = (flags) => flags.filter((f) => MEANINGFUL_FLAGS.includes(f)).sort()

describe('the command table against redis-server', () => {
  const redis = useRedisWithClient()

  /** COMMAND INFO of every command, by name. */
  async function serverCommands () {
    const info = await redis.io.command('INFO')
    return new Map(info.map((c) => [c[0], c]))
  }

  it('agrees on arity, key positions and flags of every command the server knows', async (t) => {
    const server = await serverCommands()
    const unknownToTable = []
    for (const [name, [, arity, flags, firstKey, lastKey, keyStep]] of server) {
      const entry = lookup(name)
      if (entry === undefined) {
        unknownToTable.push(name)
        continue
      }
      assert.equal(entry.arity, arity, `${name}: arity`)
      assert.deepEqual([entry.firstKey, entry.lastKey, entry.keyStep], [firstKey, lastKey, keyStep], `${name}: key positions`)
      assert.deepEqual(meaningful(entry.flags), meaningful(flags), `${name}: flags`)
    }
    assert.deepEqual(unknownToTable, [], 'commands the server has and the table lacks')
    t.diagnostic(`${server.size} commands compared; ${names().filter((n) => !server.has(n)).length} in the table are newer than this server`)
  })

  it('knows every container subcommand that takes a key, at the position the server gives', async () => {
    const server = await serverCommands()
    const fromServer = {}
    for (const [name, c] of server) {
      for (const [full, , , firstKey, lastKey, keyStep] of c[9] || []) {
        if (keyStep === 0) continue
        assert.equal(firstKey, lastKey, `${full}: one key`)
        fromServer[name] = { ...fromServer[name], [full.split('|')[1]]: firstKey - 1 }
      }
    }
    const fromTable = Object.fromEntries(names().filter((n) => lookup(n).subcommandKeys && server.has(n)).map((n) => [n, { ...lookup(n).subcommandKeys }]))
    assert.deepEqual(fromTable, fromServer)
  })

  const samples = [
    ['eval', 'return 1', '2', 'a', 'b', 'x'],
    ['fcall_ro', 'f', '1', 'a', 'x'],
    ['zunionstore', 'd', '2', 'a', 'b', 'WEIGHTS', '1', '2'],
    ['zdiff', '2', 'a', 'b'],
    ['sintercard', '2', 'a', 'b', 'LIMIT', '1'],
    ['lmpop', '2', 'a', 'b', 'LEFT'],
    ['blmpop', '0', '1', 'a', 'LEFT'],
    ['bzmpop', '0', '1', 'z', 'MIN'],
    ['xread', 'COUNT', '2', 'BLOCK', '0', 'STREAMS', 's1', 's2', '0', '0'],
    ['xreadgroup', 'GROUP', 'g', 'c', 'NOACK', 'STREAMS', 's', '>'],
    ['migrate', 'h', '1', '', '0', '10', 'COPY', 'KEYS', 'a', 'b'],
    ['migrate', 'h', '1', 'k', '0', '10'],
    ['georadius', 'g', '1', '2', '3', 'm', 'STORE', 's', 'STOREDIST', 'd'],
    ['georadiusbymember', 'g', 'm', '3', 'km', 'STORE', 's'],
    ['sort', 'l', 'LIMIT', '0', '1', 'ALPHA', 'STORE', 'd'],
    ['object', 'ENCODING', 'k'],
    ['memory', 'USAGE', 'k'],
    ['xgroup', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
    ['xinfo', 'GROUPS', 's'],
    ['mset', 'a', '1', 'b', '2'],
    ['blpop', 'a', 'b', '0']
  ]
  it(`finds the keys COMMAND GETKEYS finds (${samples.length} commands)`, async () => {
    for (const [name, ...args] of samples) {
      const fromServer = await redis.io.call('COMMAND', 'GETKEYS', name, ...args)
      assert.deepEqual(keyIndexes(name, args).map((i) => args[i]), fromServer, `${name} ${args.join(' ')}`)
    }
  })

  it('counts SORT\'s BY and GET patterns as keys, where the server does not (ioredis prefixes them)', async () => {
    const args = ['l', 'BY', 'w_*', 'GET', 'o_*', 'STORE', 'd']
    assert.deepEqual(await redis.io.call('COMMAND', 'GETKEYS', 'sort', ...args), ['l', 'd'])
    assert.deepEqual(keyIndexes('sort', args).map((i) => args[i]), ['l', 'w_*', 'o_*', 'd'])
  })
})
