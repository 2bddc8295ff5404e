'use strict'
// The command table (lib/commands/table.json) is what its generator makes of
// the installed @ioredis/commands, every command has an L1 effect, and the
// lookup finds commands in any case.

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const generator = require('../../../scripts/gen-command-table')
const { L1, lookup, names } = require('../../../lib/commands')
const source = require('@ioredis/commands/built/commands.json')

describe('the command table', () => {
  it('is current: the generator rebuilds the committed table.json byte for byte', () => {
    const rebuilt = generator.renderTable(generator.buildTable())
    assert.equal(fs.readFileSync(generator.TABLE_PATH, 'utf8'), rebuilt,
      'table.json is stale: run `node scripts/gen-command-table.js`')
  })

  it('is listed, current, in docs/commands.md (`node scripts/gen-command-table.js --docs`)', () => {
    const docs = fs.readFileSync(generator.DOCS_PATH, 'utf8')
    assert.equal(generator.spliceDocs(docs, generator.renderDocs(generator.buildTable())), docs,
      'the command table in docs/commands.md is stale: run `node scripts/gen-command-table.js --docs`')
    for (const name of names()) assert.ok(docs.includes(`| \`${name}\` |`), `${name} is not in docs/commands.md`)
  })

  it('holds every command of @ioredis/commands, sorted', () => {
    assert.deepEqual(names(), Object.keys(source).sort())
  })

  it('gives every command an L1 effect, a boolean cacheable and Redis\'s arity and key positions', () => {
    const effects = new Set(Object.values(L1))
    for (const name of names()) {
      const entry = lookup(name)
      assert.ok(effects.has(entry.l1), `${name}: l1 ${entry.l1}`)
      assert.equal(typeof entry.cacheable, 'boolean', name)
      assert.equal(entry.arity, source[name].arity, name)
      assert.deepEqual([entry.firstKey, entry.lastKey, entry.keyStep], [source[name].keyStart, source[name].keyStop, source[name].step], name)
      for (const flag of source[name].flags) assert.ok(entry.flags.includes(flag), `${name} lost ${flag}`)
    }
  })

  it('says what L1 does today for the commands the typed paths handle', () => {
    const expected = {
      get: L1.SERVE,
      mget: L1.SERVE,
      getex: L1.SERVE,
      set: L1.INVALIDATE,
      del: L1.INVALIDATE,
      incrbyfloat: L1.INVALIDATE,
      getdel: L1.INVALIDATE,
      expire: L1.RETIME,
      pexpireat: L1.RETIME,
      persist: L1.RETIME,
      flushdb: L1.FLUSH,
      flushall: L1.FLUSH,
      swapdb: L1.FLUSH,
      ttl: L1.NONE,
      exists: L1.NONE,
      ping: L1.NONE,
      hgetall: L1.REPLY,
      lrange: L1.REPLY,
      srandmember: L1.NONE,
      getrange: L1.NONE,
      eval: L1.INVALIDATE,
      eval_ro: L1.NONE,
      pfcount: L1.INVALIDATE
    }
    for (const [name, l1] of Object.entries(expected)) assert.equal(lookup(name).l1, l1, name)
  })

  it('invalidates on every command flagged write, except the retime and flush ones', () => {
    for (const name of names()) {
      const entry = lookup(name)
      if (!entry.flags.includes('write')) continue
      assert.ok([L1.INVALIDATE, L1.RETIME, L1.FLUSH].includes(entry.l1) || name === 'getex', `${name}: ${entry.l1}`)
    }
  })

  it('marks the reads issue 12 §8 will cache, and no write, random, timed or blocking command', () => {
    for (const name of ['get', 'mget', 'hget', 'hmget', 'hgetall', 'hexists', 'hlen', 'sismember', 'smembers', 'scard',
      'zscore', 'zrange', 'zcard', 'zrank', 'lrange', 'llen', 'lindex', 'strlen']) {
      assert.equal(lookup(name).cacheable, true, name)
    }
    for (const name of ['set', 'hset', 'ttl', 'pttl', 'srandmember', 'hrandfield', 'blpop', 'xread', 'eval_ro', 'keys',
      'scan', 'hscan', 'sinter', 'sort_ro', 'touch', 'pfcount', 'exists']) {
      assert.equal(lookup(name).cacheable, false, name)
    }
    for (const name of names()) {
      const entry = lookup(name)
      if (entry.cacheable) assert.ok(entry.flags.includes('readonly') && !entry.flags.includes('keyless'), name)
    }
  })

  it('marks as cacheable what node-redis\'s client-side cache caches, narrowed to single-key reads', () => {
    // @redis/client (node-redis v6, a devDependency through `redis`) decides its
    // cache eligibility from Redis's command metadata (flags and tips).
    const client = path.dirname(require.resolve('@redis/client/package.json', { paths: [path.dirname(require.resolve('redis'))] }))
    const { COMMAND_METADATA } = require(path.join(client, 'dist/lib/command-metadata/command-metadata-data.js'))
    const { isCacheable } = require(path.join(client, 'dist/lib/command-metadata/predicates.js'))
    const theirs = names().filter((n) => COMMAND_METADATA.std[n] && isCacheable(COMMAND_METADATA.std[n]))
    const ours = names().filter((n) => lookup(n).cacheable)
    assert.deepEqual(ours.filter((n) => !theirs.includes(n)), [], 'cacheable here, not in node-redis')
    const notHere = {
      multiKey: ['exists', 'lcs', 'sdiff', 'sinter', 'sintercard', 'sort_ro', 'sunion', 'zdiff', 'zinter', 'zintercard', 'zunion'],
      retimed: ['expiretime', 'hexpiretime', 'hpexpiretime', 'pexpiretime'],
      sideEffects: ['pfcount', 'touch'],
      cursors: ['arnext', 'arscan'],
      modules: ['vcard', 'vdim', 'vemb', 'vgetattr', 'vinfo', 'vismember', 'vlinks', 'vrandmember', 'vrange', 'vsim']
    }
    assert.deepEqual(theirs.filter((n) => !ours.includes(n)), Object.values(notHere).flat().sort())
  })

  it('derives the keyless and script flags', () => {
    assert.ok(lookup('ping').flags.includes('keyless'))
    assert.ok(!lookup('get').flags.includes('keyless'))
    assert.ok(!lookup('eval').flags.includes('keyless'), 'movable keys are keys')
    assert.ok(!lookup('object').flags.includes('keyless'), 'OBJECT ENCODING takes a key')
    for (const name of ['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']) assert.ok(lookup(name).flags.includes('script'), name)
    assert.ok(!lookup('script').flags.includes('script'), 'SCRIPT LOAD runs nothing')
  })

  it('looks commands up in any case, and containers stand for their subcommands', () => {
    assert.equal(lookup('GET'), lookup('get'))
    assert.equal(lookup('hGetAll').name, 'hgetall')
    assert.equal(lookup('CLIENT').name, 'client')
    assert.equal(lookup('script').name, 'script')
    assert.equal(lookup('no-such-command'), undefined)
    assert.equal(lookup('constructor'), undefined)
    assert.equal(lookup('__proto__'), undefined)
    assert.ok(Object.isFrozen(lookup('get')) && Object.isFrozen(lookup('get').flags))
  })
})
