'use strict'
// Differential test of the generic command path across every data-type family
// (the string family, served from L1, has its own: differential.test.js).
// fast-check generates sequences of hash, list, set, sorted-set, stream,
// bitmap/HyperLogLog, key-space, script/function and geo commands; each runs
// through tiercache (the generated method, `call`, or the `…Buffer` variant)
// and through ioredis's same-named method, and the replies are compared.
//
// The two sides share one private redis-server but not a database: tiercache
// uses db 1, ioredis db 2, so both can use the same key names and the same
// keyPrefix, and a reply that names a key (XREAD, …) is the same on both.
// FUNCTION LOAD and SCRIPT LOAD are server-wide: both sides load the same code.
//
// Modes (each a describe below): L1 at its default size; L1 tiny (maxEntries
// 2, so the L1 evicts all the time); keyPrefix 't:' on both clients; and a
// foreign writer: a third, plain ioredis client writes the same keys of both
// dbs between steps, behind tiercache's back, and every L1-served read
// (get/mget) must agree with Redis once the invalidation has arrived (polled,
// bounded by SETTLE_MS).
//
// Compared: values deep-equal with their types (numbers vs strings, null,
// Buffers byte for byte, arrays, hgetall's object); errors: a ReplyError on
// both sides with the same message (also inside an array reply, in its slot);
// replies that are sets (SMEMBERS, SINTER, …) sorted; TTLs within 1 s.
//
// A step may instead be a pipeline or a MULTI/EXEC of 1 to 6 generated
// commands (chained or in the array form): exec()'s answers are compared
// slot by slot, and a discarded transaction by its EXECABORT and queueing
// errors. Pub/sub and blocking commands have their own differential test
// (differential-pubsub-blocking.test.js).
//
// With DIFF_FAMILIES_TOPOLOGY=cluster (differential-cluster.test.js) the one
// mode is a Redis Cluster on each side (three primaries each, started here):
// tiercache's Cluster client against ioredis's. Each family's keys share a
// hash tag (one slot per family, families on different primaries), so
// commands within a family run and a key of another family makes both sides
// answer CROSSSLOT. Where tiercache splits what ioredis sends whole (EXISTS
// over two slots), ioredis's side is asked key by key; a pipeline or MULTI
// that ioredis refuses (keys on several primaries) or cannot route (a command
// it knows no key of) is not run on either side.
//
// Size: CI runs DIFF_FAMILIES_RUNS sequences (default 50, 20 to 40 steps) per mode; `npm run
// diff:full` (this file with --full) runs 2000 per mode, 75 to 150 steps, and shrinks a failure.
// A failure prints fast-check's seed and path: DIFF_FAMILIES_SEED=n reruns.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fc = require('fast-check')
const Redis = require('ioredis')
const TierCache = require('../..')
const { getKeyIndexes } = require('@ioredis/commands')
const { startRedis } = require('../support/redis-server')
const { startCluster } = require('../support/cluster')
const { sleep } = require('../support/helpers')
const { plan } = require('../../lib/send-command')
const { settle, picture, difference: compare, show, printsOldDoubles } = require('../support/differential')

const FULL = process.argv.includes('--full')
const RUNS = Number(process.env.DIFF_FAMILIES_RUNS || (FULL ? 2000 : 50))
const MAX_STEPS = FULL ? 150 : 40
const SEED = process.env.DIFF_FAMILIES_SEED === undefined ? undefined : Number(process.env.DIFF_FAMILIES_SEED)
const SETTLE_MS = 1000
const CLUSTER = process.env.DIFF_FAMILIES_TOPOLOGY === 'cluster'

// ---- what the sequences are made of -----------------------------------------

// A few keys per family, and an occasional key of another family (WRONGTYPE).
// On a cluster, a family's keys share a hash tag: one slot per family.
const family = (tag, keys) => (CLUSTER ? keys.map((k) => `{${tag}}${k}`) : keys)
const K = {
  str: family('s', ['s1', 's2']),
  hash: family('h', ['h1', 'h2']),
  list: family('l', ['l1', 'l2']),
  set: family('S', ['S1', 'S2']),
  zset: family('z', ['z1', 'z2']),
  stream: family('x', ['x1', 'x2']),
  bits: family('b', ['b1', 'b2']),
  hll: family('p', ['p1', 'p2']),
  geo: family('g', ['g1'])
}
const ALL_KEYS = Object.values(K).flat()
const key = (family) => fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...K[family]) }, { weight: 1, arbitrary: fc.constantFrom(...ALL_KEYS) })

const text = fc.constantFrom('', 'a', 'b', 'hello', 'héllo', '日本', '🙂', '10', '-3', '1.5', '0', 'x y')
const field = fc.constantFrom('f1', 'f2', 'f3', 'ü', '7')
const member = fc.constantFrom('m1', 'm2', 'm3', 'm4', 'é', '10')
const int = fc.constantFrom(0, 1, -1, 2, 5, -7, 100, '3', '-20')
const index = fc.constantFrom(0, 1, 2, -1, -2, 10, -100)
// Doubles as Redis prints them: near 1e21 (where JS switches to exponents),
// -0, inf, tiny, and decimal fractions that are not exact in binary.
const score = fc.constantFrom(0, 1, -1, 1.5, 0.1, '-0', 1e20, 1e21, 1.5e21, 123456789012345680000, '1e-7', 3.0000000000000004, 'inf', '-inf', '+inf', 2.5e-300)
const rangeBound = fc.constantFrom('-inf', '+inf', 0, 1, '(1', 1.5, '(0.1', 1e21)
const lexBound = fc.constantFrom('-', '+', '[m1', '(m2', '[é')
const upper = (s) => fc.constantFrom(s, s.toLowerCase())
const opt = (arb) => fc.option(arb, { nil: undefined, freq: 2 })
const flat = (...parts) => parts.flat().filter((a) => a !== undefined)

/** [name, args arbitrary, how the reply is compared]; compare: 'exact' | 'set' | 'ttl'. */
const C = (name, args, compare = 'exact') => fc.record({ name: fc.constant(name), args, compare: fc.constant(compare) })

const hashes = [
  C('hset', fc.oneof(
    fc.tuple(key('hash'), field, text).map(([k, f, v]) => [k, f, v]),
    fc.tuple(key('hash'), fc.dictionary(field, text, { minKeys: 1, maxKeys: 3 })).map(([k, o]) => [k, o]))),
  C('hget', fc.tuple(key('hash'), field)),
  C('hgetall', fc.tuple(key('hash'))),
  C('hmget', fc.tuple(key('hash'), field, field)),
  C('hdel', fc.tuple(key('hash'), field)),
  C('hincrby', fc.tuple(key('hash'), field, int)),
  C('hincrbyfloat', fc.tuple(key('hash'), field, score)),
  C('hlen', fc.tuple(key('hash'))),
  C('hkeys', fc.tuple(key('hash')), 'set'),
  C('hvals', fc.tuple(key('hash'))),
  C('hexists', fc.tuple(key('hash'), field)),
  C('hsetnx', fc.tuple(key('hash'), field, text)),
  C('hstrlen', fc.tuple(key('hash'), field))
]

const lists = [
  C('lpush', fc.tuple(key('list'), text, opt(text)).map((a) => flat(a))),
  C('rpush', fc.tuple(key('list'), text, opt(text)).map((a) => flat(a))),
  C('lpop', fc.tuple(key('list'), opt(fc.constantFrom(1, 2, 0))).map((a) => flat(a))),
  C('rpop', fc.tuple(key('list'), opt(fc.constantFrom(1, 3))).map((a) => flat(a))),
  C('lrange', fc.tuple(key('list'), index, index)),
  C('llen', fc.tuple(key('list'))),
  C('lindex', fc.tuple(key('list'), index)),
  C('lset', fc.tuple(key('list'), index, text)),
  C('linsert', fc.tuple(key('list'), upper('BEFORE'), text, text)),
  C('lrem', fc.tuple(key('list'), index, text)),
  C('ltrim', fc.tuple(key('list'), index, index)),
  C('lpos', fc.tuple(key('list'), text, opt(fc.constantFrom(['RANK', -1], ['COUNT', 0], ['MAXLEN', 2]))).map((a) => flat(a))),
  C('lmove', fc.tuple(key('list'), key('list'), fc.constantFrom('LEFT', 'RIGHT'), fc.constantFrom('LEFT', 'right')))
]

const sets = [
  C('sadd', fc.tuple(key('set'), member, opt(member)).map((a) => flat(a))),
  C('srem', fc.tuple(key('set'), member)),
  C('smembers', fc.tuple(key('set')), 'set'),
  C('sismember', fc.tuple(key('set'), member)),
  C('smismember', fc.tuple(key('set'), member, member)),
  C('scard', fc.tuple(key('set'))),
  C('sinter', fc.tuple(key('set'), key('set')), 'set'),
  C('sunion', fc.tuple(key('set'), key('set')), 'set'),
  C('sdiff', fc.tuple(key('set'), key('set')), 'set'),
  C('sinterstore', fc.tuple(key('set'), key('set'), key('set'))),
  C('smove', fc.tuple(key('set'), key('set'), member))
]

const zsets = [
  C('zadd', fc.tuple(key('zset'), opt(fc.constantFrom('NX', 'XX', 'GT', 'LT', 'CH', 'INCR', 'nx')), score, member).map((a) => flat(a))),
  C('zscore', fc.tuple(key('zset'), member)),
  C('zmscore', fc.tuple(key('zset'), member, member)),
  C('zincrby', fc.tuple(key('zset'), score, member)),
  C('zrange', fc.oneof(
    fc.tuple(key('zset'), index, index, opt(upper('WITHSCORES')), opt(fc.constant('REV'))).map((a) => flat(a)),
    fc.tuple(key('zset'), rangeBound, rangeBound, fc.constant('BYSCORE'), opt(fc.constant('REV')), opt(fc.constant(['LIMIT', 0, 2])), opt(fc.constant('WITHSCORES'))).map((a) => flat(a)),
    fc.tuple(key('zset'), lexBound, lexBound, fc.constant('BYLEX'), opt(fc.constant(['LIMIT', 1, 5]))).map((a) => flat(a)))),
  C('zrangebyscore', fc.tuple(key('zset'), rangeBound, rangeBound, opt(fc.constant('WITHSCORES')), opt(fc.constant(['LIMIT', 0, 3]))).map((a) => flat(a))),
  C('zrevrange', fc.tuple(key('zset'), index, index, opt(fc.constant('WITHSCORES'))).map((a) => flat(a))),
  C('zrank', fc.tuple(key('zset'), member)),
  C('zcard', fc.tuple(key('zset'))),
  C('zcount', fc.tuple(key('zset'), rangeBound, rangeBound)),
  C('zrem', fc.tuple(key('zset'), member)),
  C('zpopmin', fc.tuple(key('zset'), opt(fc.constantFrom(1, 2))).map((a) => flat(a))),
  C('zunionstore', fc.tuple(key('zset'), fc.constant(2), key('zset'), key('zset'), opt(fc.constant(['WEIGHTS', 2, 0.5]))).map((a) => flat(a))),
  C('zinter', fc.tuple(fc.constant(2), key('zset'), key('zset'), opt(fc.constant('WITHSCORES'))).map((a) => flat(a)))
]

// Stream IDs are explicit (`*` would differ between the two sides).
const streamId = fc.constantFrom('1-1', '1-2', '2-0', '5-*', '3-0', '0-1')
const streams = [
  C('xadd', fc.tuple(key('stream'), opt(fc.constantFrom(['MAXLEN', 3], ['NOMKSTREAM'])), streamId, field, text).map((a) => flat(a))),
  C('xrange', fc.tuple(key('stream'), fc.constantFrom('-', '1-2', '(1-1'), fc.constantFrom('+', '3'), opt(fc.constant(['COUNT', 2]))).map((a) => flat(a))),
  C('xrevrange', fc.tuple(key('stream'), fc.constantFrom('+'), fc.constantFrom('-'))),
  C('xlen', fc.tuple(key('stream'))),
  C('xdel', fc.tuple(key('stream'), streamId)),
  C('xtrim', fc.tuple(key('stream'), fc.constantFrom('MAXLEN', 'MINID'), fc.constantFrom(1, '2-0'))),
  C('xread', fc.tuple(opt(fc.constant(['COUNT', 2])), fc.constant('STREAMS'), key('stream'), fc.constantFrom('0', '1-1')).map((a) => flat(a))),
  C('xgroup', fc.oneof(
    fc.tuple(fc.constant('CREATE'), key('stream'), fc.constantFrom('g1', 'g2'), fc.constantFrom('0', '$'), opt(fc.constant('MKSTREAM'))).map((a) => flat(a)),
    fc.tuple(fc.constant('DESTROY'), key('stream'), fc.constant('g2')),
    fc.tuple(fc.constant('CREATECONSUMER'), key('stream'), fc.constant('g1'), fc.constant('c9')))),
  C('xreadgroup', fc.tuple(fc.constant('GROUP'), fc.constantFrom('g1', 'g2'), fc.constantFrom('c1', 'c2'), opt(fc.constant(['COUNT', 2])), fc.constant('STREAMS'), key('stream'), fc.constantFrom('>', '0')).map((a) => flat(a))),
  C('xack', fc.tuple(key('stream'), fc.constant('g1'), streamId)),
  C('xpending', fc.tuple(key('stream'), fc.constantFrom('g1', 'g2'))),
  C('xautoclaim', fc.tuple(key('stream'), fc.constant('g1'), fc.constant('c2'), fc.constant(0), fc.constant('0'), opt(fc.constant(['COUNT', 2]))).map((a) => flat(a))),
  C('xclaim', fc.tuple(key('stream'), fc.constant('g1'), fc.constant('c1'), fc.constant(0), streamId, opt(fc.constant('JUSTID'))).map((a) => flat(a))),
  C('xinfo', fc.tuple(fc.constantFrom('STREAM', 'GROUPS'), key('stream')))
]

const bits = [
  C('setbit', fc.tuple(key('bits'), fc.constantFrom(0, 1, 7, 100), fc.constantFrom(0, 1))),
  C('getbit', fc.tuple(key('bits'), fc.constantFrom(0, 1, 7, 100))),
  C('bitcount', fc.tuple(key('bits'))),
  C('bitpos', fc.tuple(key('bits'), fc.constantFrom(0, 1))),
  C('bitop', fc.tuple(fc.constantFrom('AND', 'OR', 'XOR'), key('bits'), key('bits'), key('bits'))),
  C('bitfield', fc.tuple(key('bits'), fc.constantFrom(['INCRBY', 'u8', 0, 200], ['GET', 'i8', 4], ['SET', 'u4', 0, 15], ['OVERFLOW', 'FAIL', 'INCRBY', 'u2', 0, 3])).map((a) => flat(a))),
  C('pfadd', fc.tuple(key('hll'), member, opt(member)).map((a) => flat(a))),
  C('pfcount', fc.tuple(key('hll'), opt(key('hll'))).map((a) => flat(a))),
  C('pfmerge', fc.tuple(key('hll'), key('hll')))
]

const anyKey = fc.constantFrom(...ALL_KEYS)
const keyspace = [
  C('set', fc.tuple(key('str'), text)),
  C('get', fc.tuple(key('str'))),
  C('append', fc.tuple(key('str'), text)),
  C('getrange', fc.tuple(key('str'), index, index)),
  C('setrange', fc.tuple(key('str'), fc.constantFrom(0, 2), text)),
  C('incrbyfloat', fc.tuple(key('str'), score)),
  C('lcs', fc.tuple(key('str'), key('str'), opt(fc.constantFrom('LEN', 'IDX', ['IDX', 'WITHMATCHLEN']))).map((a) => flat(a))),
  // GT and LT compare deadlines in ms: the same seconds sent twice is
  // "greater" only if a millisecond passed between the two runs (tiercache's
  // back-to-back steps can land in the same one, ioredis's did not: seen in
  // a full run). So they get amounts that do not repeat.
  C('expire', fc.oneof(
    fc.tuple(anyKey, fc.constantFrom(100, 1000, 0, -1), opt(fc.constantFrom('NX', 'XX'))),
    fc.tuple(anyKey, fc.noBias(fc.integer({ min: 2, max: 1_000_000 })), fc.constantFrom('GT', 'LT'))).map((a) => flat(a))),
  C('ttl', fc.tuple(anyKey), 'ttl'),
  C('persist', fc.tuple(anyKey)),
  C('type', fc.tuple(anyKey)),
  C('exists', fc.tuple(anyKey, anyKey)),
  C('del', fc.tuple(anyKey)),
  C('rename', fc.tuple(anyKey, anyKey)),
  C('renamenx', fc.tuple(anyKey, anyKey)),
  C('copy', fc.tuple(anyKey, anyKey, opt(fc.constant('REPLACE'))).map((a) => flat(a))),
  C('object', fc.tuple(fc.constantFrom('ENCODING', 'REFCOUNT'), anyKey)),
  C('memory', fc.tuple(fc.constant('USAGE'), anyKey)),
  // DUMP then RESTORE on the same side: the payload is that side's Buffer.
  C('dump-restore', fc.tuple(anyKey, anyKey, opt(fc.constant('REPLACE'))).map((a) => flat(a)))
]

const LIBRARY = [
  '#!lua name=difflib',
  "redis.register_function('dset', function(keys, args) return redis.call('SET', keys[1], args[1]) end)",
  "redis.register_function{function_name='dget', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}"
].join('\n')
const SCRIPTS = [
  'return redis.call("SET", KEYS[1], ARGV[1])',
  'return {1, "two", 3.7, false, true, {ARGV[1]}}',
  'return {1, redis.error_reply("ERR in slot"), redis.status_reply("FINE")}',
  'return redis.error_reply("MYERR top level")',
  'return redis.call("HGETALL", KEYS[1])',
  'return redis.pcall("INCR", KEYS[1])',
  'return {redis.pcall("INCR", KEYS[1])}',
  'return nil',
  'return redis.call("ZRANGE", KEYS[1], 0, -1, "WITHSCORES")'
]
const scripts = [
  C('eval', fc.tuple(fc.constantFrom(...SCRIPTS), fc.constant(1), anyKey, text)),
  C('evalsha-loaded', fc.tuple(fc.constantFrom(...SCRIPTS), fc.constant(1), anyKey, text)),
  C('fcall', fc.tuple(fc.constantFrom('dset', 'dget', 'nosuch'), fc.constant(1), key('str'), text))
]

const geo = [
  C('geoadd', fc.tuple(key('geo'), fc.constantFrom([13.361389, 38.115556, 'Palermo'], [15.087269, 37.502669, 'Catania'], [2.35, 48.85, 'Paris'], [200, 100, 'bad'])).map((a) => flat(a))),
  C('geopos', fc.tuple(key('geo'), fc.constant('Palermo'), fc.constant('nowhere'))),
  C('geodist', fc.tuple(key('geo'), fc.constant('Palermo'), fc.constantFrom('Catania', 'Paris'), opt(fc.constantFrom('km', 'mi'))).map((a) => flat(a))),
  C('geohash', fc.tuple(key('geo'), fc.constant('Palermo'), fc.constant('nowhere'))),
  C('geosearch', fc.tuple(key('geo'), fc.constant(['FROMLONLAT', 15, 37]), fc.constant(['BYRADIUS', 2000, 'km']), fc.constantFrom('ASC', 'DESC'), opt(fc.constant('WITHCOORD')), opt(fc.constant('WITHDIST')), opt(fc.constant('WITHHASH'))).map((a) => flat(a))),
  C('georadius', fc.tuple(key('geo'), fc.constant(15), fc.constant(37), fc.constant(300), fc.constant('km'), opt(fc.constant('WITHDIST')), fc.constant('ASC')).map((a) => flat(a)))
]

const FAMILIES = { hashes, lists, sets, zsets, streams, bits, keyspace, scripts, geo }
const command = fc.oneof(...Object.values(FAMILIES).flat())
// How tiercache is asked: its method, `call`, or the Buffer variant.
const via = fc.constantFrom('method', 'method', 'call', 'buffer')
// Pipelines and transactions of generated commands (DUMP-then-RESTORE is
// two round trips: not in them), each command asked as a single step is:
// chained, in the array form (`pipeline([[name, ...args], …])`), or as
// MULTI/EXEC chained or in the array form.
const GROUP_KINDS = ['pipeline', 'pipeline-array', 'multi', 'multi-array']
const group = fc.record({
  kind: fc.constantFrom(...GROUP_KINDS),
  parts: fc.array(fc.record({ cmd: command.filter((c) => c.name !== 'dump-restore'), via }), { minLength: 1, maxLength: 6 })
})
const step = fc.record({
  cmd: command,
  via,
  // When set, the step is this pipeline or transaction instead of `cmd`.
  group: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: group }),
  foreign: fc.option(fc.tuple(fc.constantFrom(...K.str), text), { freq: 4, nil: null })
})

// ---- running and comparing --------------------------------------------------

const sha1 = (s) => require('node:crypto').createHash('sha1').update(s).digest('hex')

/**
 * The method and arguments that ask `cmd` `via` the method, `call` or the
 * Buffer variant (the same on a client, a pipeline and a transaction).
 * `call` is given hset's object form flattened (ioredis's call() does not
 * apply it).
 */
function asked (cmd, via) {
  let name = cmd.name
  let args = cmd.args
  if (name === 'evalsha-loaded') {
    name = 'evalsha'
    args = [sha1(args[0]), ...args.slice(1)]
  }
  if (via === 'call') return ['call', [name, ...args.flatMap((a) => (typeof a === 'object' && !Buffer.isBuffer(a) && !Array.isArray(a) ? Object.entries(a).flat() : a))]]
  if (via === 'buffer') return [`${name}Buffer`, args]
  return [name, args]
}

/** Runs `cmd` on `client` (tiercache or ioredis: the same API) asked `via`. */
function send (client, cmd, via) {
  if (cmd.name === 'dump-restore') {
    const [from, to, replace] = cmd.args
    return (async () => {
      const payload = await client.dumpBuffer(from)
      if (payload === null) return null
      return [payload, await client.restore(to, 0, payload, ...(replace ? [replace] : []))]
    })()
  }
  const [method, args] = asked(cmd, via)
  return client[method](...args)
}

/**
 * Runs `group` (a generated pipeline or transaction) on `client`, each
 * part's command mapped by `adapt`; resolves with exec()'s answer.
 */
function sendGroup (client, group, adapt) {
  const calls = group.parts.map((p) => asked(adapt(p.cmd), p.via))
  const multi = group.kind.startsWith('multi')
  if (group.kind.endsWith('-array')) {
    // The array form names the method: `call` is not one of its commands.
    const list = calls.map(([method, args]) => (method === 'call' ? args : [method, ...args]))
    return (multi ? client.multi(list) : client.pipeline(list)).exec()
  }
  const chain = multi ? client.multi() : client.pipeline()
  for (const [method, args] of calls) chain[method](...args)
  return chain.exec()
}

// ioredis's call() does not apply hset's object form: flattened above for both.

/**
 * The command ioredis is sent, with `prefix`: ioredis does not prefix the
 * key of a container command (OBJECT ENCODING k, MEMORY USAGE k, XINFO
 * STREAM k: @ioredis/commands gives no key index), so with keyPrefix it
 * reads the unprefixed key. tiercache prefixes it (its table has the key:
 * the deliberate difference documented in docs/commands.md, "Any Redis command"). To compare
 * the replies, the ioredis side is given the key already prefixed; each
 * such step is tallied (knownDiffs.ioredisUnprefixed).
 */
function forIoredis (cmd, prefix, knownDiffs) {
  if (prefix === '' || cmd.name === 'dump-restore' || cmd.name === 'evalsha-loaded') return cmd
  const { argv, keys } = plan(cmd.name, cmd.args, '')
  const sent = argv.slice(1)
  if (keys.length === 0 || getKeyIndexes(cmd.name, sent).length > 0) return cmd
  knownDiffs.ioredisUnprefixed++
  return { ...cmd, args: sent.map((a, i) => (keys.includes(i + 1) ? prefix + a : a)) }
}

// DUMP's payload of a stream holds its consumers' seen-times and delivery
// times (Unix ms), which differ by the milliseconds between the two clients'
// runs: such a payload is compared by type and RESTORE's answer, not byte by byte.
const STREAM_RDB_TYPES = new Set([15, 19, 21])
// On a cluster the two sides are different processes, each with its own hash
// seed: a hash table's (a set's, a hash's) members come out in another order.
const HASH_TABLE_RDB_TYPES = new Set([2, 4])

function normalise (cmd, r) {
  if (!r.ok) return r
  if (cmd.compare === 'set' && Array.isArray(r.value)) return { ok: true, value: [...r.value].sort(cmpAny) }
  const unordered = (type) => STREAM_RDB_TYPES.has(type) || (CLUSTER && HASH_TABLE_RDB_TYPES.has(type))
  if (cmd.name === 'dump-restore' && Array.isArray(r.value) && Buffer.isBuffer(r.value[0]) && unordered(r.value[0][0])) {
    return { ok: true, value: [`a DUMP of RDB type ${r.value[0][0]}`, r.value[1]] }
  }
  return r
}

function cmpAny (a, b) {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}

// Doubles Redis < 7.2 prints with %.17g are a tallied difference (support/differential.js).
let OLD_DOUBLES = false
const knownDiffs = { doubles17g: 0, ioredisUnprefixed: 0, multiAcrossSlots: 0 }

/** How `cmd`'s settled replies differ, or null (support/differential.js; TTLs within 1 s). */
const difference = (cmd, tc, io) => compare(tc, io, { ttl: cmd.compare === 'ttl', oldDoubles: OLD_DOUBLES, knownDiffs })


/** exec()'s `[[err], [null, reply], …]` slot as a settled outcome. */
const outcome = (slot) => (slot[0] === null ? { ok: true, value: slot[1] } : { ok: false, error: slot[0] })

/**
 * How the exec() answers of `group` differ (tiercache `tc`, ioredis `io`,
 * both settled), or null: the same slots, each compared as its command
 * alone; a transaction Redis refused (EXECABORT) with the same queueing
 * errors.
 */
function groupDifference (group, tc, io) {
  // A MULTI over several slots: tiercache refuses it whole with CROSSSLOT
  // before sending; ioredis's Cluster sends it, and Redis discards it
  // (EXECABORT). Neither side wrote anything.
  if (CLUSTER && crossSlot(tc) && !io.ok && /^EXECABORT/.test(io.error.message)) {
    knownDiffs.multiAcrossSlots++
    return null
  }
  if (tc.ok !== io.ok || !tc.ok) {
    const why = difference({ compare: 'exact' }, tc, io)
    if (why !== null || tc.ok) return why
    const previous = (r) => JSON.stringify((r.error.previousErrors || []).map(picture))
    return previous(tc) === previous(io) ? null : 'different queueing errors'
  }
  if (tc.value === null || io.value === null) return tc.value === io.value ? null : 'only one transaction was discarded'
  if (tc.value.length !== io.value.length) return `${tc.value.length} replies, ioredis ${io.value.length}`
  for (const [i, part] of group.parts.entries()) {
    const why = difference(part.cmd, normalise(part.cmd, outcome(tc.value[i])), normalise(part.cmd, outcome(io.value[i])))
    if (why !== null) return `reply ${i} (${part.cmd.name}): ${why}`
  }
  return null
}

const describeGroup = (group) => `${group.kind}[${group.parts.map((p) => `${p.cmd.name}(${p.cmd.args.map((a) => JSON.stringify(a)).join(', ')}) via ${p.via}`).join('; ')}]`

// ---- the modes -----------------------------------------------------------------

const MODES = CLUSTER
  ? [{ name: 'a Redis Cluster on each side', options: {}, cluster: true }]
  : [
      { name: 'L1 default size', options: {} },
      { name: 'L1 tiny (maxEntries 2)', options: { maxEntries: 2 } },
      { name: "keyPrefix 't:' on both clients", options: { keyPrefix: 't:' }, ioOptions: { keyPrefix: 't:' } },
      { name: 'a foreign writer between steps', options: {}, foreign: true }
    ]

// What tiercache's Cluster client splits per slot where ioredis's sends the
// command whole (and Redis answers CROSSSLOT): asked of ioredis key by key.
const SPLIT_ON_A_CLUSTER = new Set(['exists', 'del', 'mget'])
const crossSlot = (r) => !r.ok && /CROSSSLOT/.test(r.error.message)
// ioredis's Cluster refuses a pipeline or MULTI whose keys are on several primaries.
const ioredisRefusedGroup = (r) => !r.ok && /same slots allocation group|same slot/i.test(r.error.message)

/**
 * Whether ioredis's Cluster cannot route `cmd`: it knows no key of it
 * (@ioredis/commands gives none: OBJECT ENCODING k, XGROUP CREATE k …) where
 * tiercache's table does. Alone, ioredis sends it to any node and follows
 * MOVED; in a pipeline it hands back that node's MOVED as the reply, and the
 * two sides would part. So such a pipeline is not run.
 */
function ioredisCannotRoute (cmd) {
  if (cmd.name === 'dump-restore' || cmd.name === 'evalsha-loaded') return false
  const { argv, keys } = plan(cmd.name, cmd.args, '')
  return keys.length > 0 && getKeyIndexes(cmd.name, argv.slice(1)).length === 0
}

/** `cmd` asked of ioredis one key at a time: what a split answers. */
async function keyByKey (client, cmd) {
  if (cmd.name === 'mget') return Promise.all(cmd.args.map(async (k) => (await client.mget(k))[0]))
  let n = 0
  for (const k of cmd.args) n += await client[cmd.name](k)
  return n
}

for (const mode of MODES) {
  describe(`L2 differential across families vs ioredis: ${mode.name}`, () => {
    let server, cache, io, foreignTc, foreignIo, clusters, admin
    const stats = { sequences: 0, commands: 0, groups: 0, foreignWrites: 0, staleReads: 0, askedKeyByKey: 0, groupsRefusedByIoredis: 0, groupsIoredisCannotRoute: 0 }
    /** Empties both sides (on a cluster: every primary of both). */
    const flushBoth = async () => {
      await cache.flushdb()
      if (mode.cluster) await Promise.all(io.nodes('master').map((n) => n.flushdb()))
      else await io.flushdb()
    }

    before(async () => {
      if (mode.cluster) {
        clusters = [await startCluster({ replicasPerMaster: 0 }), await startCluster({ replicasPerMaster: 0 })]
        cache = new TierCache.Cluster(clusters[0].seeds, { commandTimeout: 5000, ...mode.options })
        await cache.connect()
        io = new Redis.Cluster(clusters[1].seeds, { lazyConnect: true })
        await io.connect()
        // Functions and scripts are per node: loaded on every primary of both.
        admin = new Redis.Cluster(clusters[0].seeds, { lazyConnect: true })
        await admin.connect()
        for (const node of [...admin.nodes('master'), ...io.nodes('master')]) {
          await node.function('LOAD', 'REPLACE', LIBRARY)
          for (const s of SCRIPTS) await node.script('LOAD', s)
        }
        knownDiffs.doubles17g = 0
        knownDiffs.ioredisUnprefixed = 0
        knownDiffs.multiAcrossSlots = 0
        OLD_DOUBLES = printsOldDoubles(await io.info('server'))
        return
      }
      server = await startRedis()
      cache = new TierCache(`redis://127.0.0.1:${server.port}/1`, { commandTimeout: 5000, ...mode.options })
      await cache.connect()
      io = new Redis({ port: server.port, host: '127.0.0.1', db: 2, lazyConnect: true, ...mode.ioOptions })
      await io.connect()
      const prefix = (mode.ioOptions && mode.ioOptions.keyPrefix) || ''
      if (mode.foreign) {
        foreignTc = new Redis({ port: server.port, host: '127.0.0.1', db: 1, keyPrefix: prefix, lazyConnect: true })
        foreignIo = new Redis({ port: server.port, host: '127.0.0.1', db: 2, keyPrefix: prefix, lazyConnect: true })
        await foreignTc.connect()
        await foreignIo.connect()
      }
      knownDiffs.doubles17g = 0
      knownDiffs.ioredisUnprefixed = 0
      OLD_DOUBLES = printsOldDoubles(await io.info('server'))
      await io.function('LOAD', 'REPLACE', LIBRARY)
      for (const s of SCRIPTS) await io.script('LOAD', s)
    })

    after(async () => {
      for (const c of [cache, io, foreignTc, foreignIo, admin]) if (c) await c.quit().catch(() => c.disconnect())
      if (server) await server.stop()
      for (const c of clusters ?? []) await c.stop()
    })

    /** Every key, read through tiercache's L1-serving methods, agrees with Redis within SETTLE_MS. */
    async function checkL1 (history) {
      const start = Date.now()
      for (;;) {
        // GET of a key of another type fails (WRONGTYPE) where MGET answers
        // null: each is compared with the same command on the ioredis side.
        const [tcGet, tcMget, ioGet, ioMget] = await Promise.all([
          Promise.all(K.str.map((k) => settle(cache.get(k)))),
          settle(cache.mget(...K.str)),
          Promise.all(K.str.map((k) => settle(io.get(k)))),
          settle(io.mget(...K.str))
        ])
        const got = tcGet.map((r) => (r.ok ? r.value : `!${r.error.message}`))
        const expected = ioGet.map((r) => (r.ok ? r.value : `!${r.error.message}`))
        const agree = JSON.stringify(got) === JSON.stringify(expected) && tcMget.ok && ioMget.ok && JSON.stringify(tcMget.value) === JSON.stringify(ioMget.value)
        if (agree) return
        if (Date.now() - start > SETTLE_MS) {
          assert.fail(`L1 reads still disagree with Redis ${SETTLE_MS} ms after the foreign write: get ${JSON.stringify(got)}, mget ${show(tcMget)}; Redis: get ${JSON.stringify(expected)}, mget ${show(ioMget)}\n${history.slice(-10).join('\n')}`)
        }
        stats.staleReads++
        await sleep(5)
      }
    }

    test(`${RUNS} generated sequences, reply by reply`, { timeout: FULL ? 3_600_000 : 60_000 }, async (t) => {
      const report = await fc.check(fc.asyncProperty(fc.array(step, { minLength: Math.floor(MAX_STEPS / 2), maxLength: MAX_STEPS }), async (steps) => {
        await flushBoth()
        stats.sequences++
        const history = []
        for (const [i, s] of steps.entries()) {
          if (mode.foreign && s.foreign) {
            // Behind tiercache's back, on both dbs, so the sides stay equal.
            await foreignTc.set(s.foreign[0], s.foreign[1])
            await foreignIo.set(s.foreign[0], s.foreign[1])
            stats.foreignWrites++
            history.push(`${i}: foreign set ${s.foreign[0]} ${JSON.stringify(s.foreign[1])}`)
            await checkL1(history)
          }
          if (s.group !== null) {
            const prefix = (mode.ioOptions && mode.ioOptions.keyPrefix) || ''
            if (mode.cluster && s.group.parts.some((p) => ioredisCannotRoute(p.cmd))) {
              stats.groupsIoredisCannotRoute++
              continue
            }
            // ioredis first: on a cluster it may refuse the group before sending it.
            const ior = await settle(sendGroup(io, s.group, (cmd) => forIoredis(cmd, prefix, knownDiffs)))
            if (mode.cluster && ioredisRefusedGroup(ior)) {
              stats.groupsRefusedByIoredis++
              continue
            }
            const tc = await settle(sendGroup(cache, s.group, (cmd) => cmd))
            stats.commands += s.group.parts.length
            stats.groups++
            history.push(`${i}: ${describeGroup(s.group)} → tiercache ${show(tc)} | ioredis ${show(ior)}`)
            const why = groupDifference(s.group, tc, ior)
            if (why !== null) assert.fail(`${why}\n${history.slice(-10).join('\n')}`)
            continue
          }
          const ioVia = s.via === 'call' ? 'call' : s.via
          const tc = normalise(s.cmd, await settle(send(cache, s.cmd, s.via)))
          let ior = normalise(s.cmd, await settle(send(io, forIoredis(s.cmd, (mode.ioOptions && mode.ioOptions.keyPrefix) || '', knownDiffs), ioVia)))
          if (mode.cluster && crossSlot(ior) && tc.ok && SPLIT_ON_A_CLUSTER.has(s.cmd.name)) {
            stats.askedKeyByKey++
            ior = normalise(s.cmd, await settle(keyByKey(io, s.cmd)))
          }
          stats.commands++
          history.push(`${i}: ${s.cmd.name}(${s.cmd.args.map((a) => JSON.stringify(a)).join(', ')}) via ${s.via} → tiercache ${show(tc)} | ioredis ${show(ior)}`)
          const why = difference(s.cmd, tc, ior)
          if (why !== null) assert.fail(`${why}\n${history.slice(-10).join('\n')}`)
        }
        if (mode.foreign) await checkL1(history)
      }), { numRuns: RUNS, seed: SEED, endOnFailure: !FULL })
      if (report.failed) {
        assert.fail(`DIFF_FAMILIES_SEED=${report.seed} (path ${report.counterexamplePath}): ${report.errorInstance && report.errorInstance.message}`)
      }
      t.diagnostic(`${mode.name}: ${JSON.stringify({ ...stats, knownDiffs })}`)
    })
  })
}

// Replies with per-connection or time-dependent fields (idle times, client
// ids), and commands a sequence would not reach: run once, compared with the
// varying fields masked (by name in a flat field/value array, by position in
// XPENDING's entries). keyPrefix on both, so SORT's BY/GET patterns count.
describe('L2 differential vs ioredis: replies with varying fields, one command each', { skip: CLUSTER && 'single-server replies (this file on a cluster runs the generated sequences only)' }, () => {
  let server, cache, io
  const TIME_FIELDS = new Set(['idle', 'inactive', 'seen-time', 'active-time', 'delivery-time', 'age', 'id', 'addr', 'laddr', 'fd', 'name', 'db', 'tot-mem', 'qbuf', 'qbuf-free', 'argv-mem', 'obl', 'oll', 'omem', 'multi-mem', 'events', 'cmd', 'user', 'redir', 'resp', 'lib-name', 'lib-ver', 'rbs', 'rbp', 'net-i', 'net-o', 'tot-net-in', 'tot-net-out', 'tot-cmds', 'flags', 'sub', 'psub', 'ssub', 'watch'])

  /**
   * `v` with what varies masked: the value after a TIME_FIELDS name (flat
   * field/value arrays), millisecond timestamps (XINFO STREAM FULL's
   * delivery times), CLIENT INFO's values (its field names are kept).
   */
  function mask (v) {
    const text = Buffer.isBuffer(v) ? v.toString() : v
    if (typeof text === 'string' && /^id=\d+ addr=/.test(text)) return text.trim().split(' ').map((kv) => kv.split('=')[0]).join(' ')
    if (typeof v === 'number' && v > 1e12) return '<time>'
    if (!Array.isArray(v)) return v
    const name = (x) => (Buffer.isBuffer(x) ? x.toString() : x)
    return v.map((x, i) => (i > 0 && TIME_FIELDS.has(name(v[i - 1])) ? '<varies>' : mask(x)))
  }
  // XPENDING's extended entries: [id, consumer, idle ms, deliveries].
  const maskIdle = (v) => (Array.isArray(v) ? v.map((e) => [e[0], e[1], '<idle>', e[3]]) : v)

  before(async () => {
    server = await startRedis()
    cache = new TierCache(`redis://127.0.0.1:${server.port}/1`, { keyPrefix: 't:' })
    await cache.connect()
    io = new Redis({ port: server.port, host: '127.0.0.1', db: 2, keyPrefix: 't:', lazyConnect: true })
    await io.connect()
    const setup = [
      ['xadd', ['st', '1-1', 'a', '1']],
      ['xadd', ['st', '2-1', 'b', '2']],
      ['xgroup', ['CREATE', 'st', 'g', '0']],
      ['xreadgroup', ['GROUP', 'g', 'c1', 'STREAMS', 'st', '>']],
      ['rpush', ['list', 3, 1, 2]],
      ['mset', ['weight_1', 30, 'weight_2', 10, 'weight_3', 20, 'w_1', 'one', 'w_2', 'two', 'w_3', 'three']],
      ['set', ['k1', 'ohmytext']],
      ['set', ['k2', 'mynewtext']]
    ]
    for (const [name, args] of setup) {
      await send(cache, { name, args }, 'method')
      await send(io, forIoredis({ name, args }, 't:', { ioredisUnprefixed: 0 }), 'method')
    }
  })

  after(async () => {
    for (const c of [cache, io]) if (c) await c.quit().catch(() => c.disconnect())
    if (server) await server.stop()
  })

  const ONE_OFFS = [
    ['command', ['DOCS', 'GET']],
    ['command', ['INFO', 'GET', 'ZADD']],
    ['command', ['COUNT']],
    ['command', ['GETKEYS', 'SET', 'a', 'b']],
    ['config', ['GET', 'maxmemory-policy']],
    ['client', ['INFO']],
    ['xpending', ['st', 'g', '-', '+', 10], maskIdle],
    ['xinfo', ['CONSUMERS', 'st', 'g']],
    ['xinfo', ['STREAM', 'st', 'FULL']],
    ['lcs', ['k1', 'k2', 'IDX', 'MINMATCHLEN', 2, 'WITHMATCHLEN']],
    ['sort', ['list', 'BY', 'weight_*', 'GET', '#', 'GET', 'w_*']],
    ['sort', ['list', 'BY', 'nosort', 'LIMIT', 0, 2, 'DESC']],
    ['object', ['HELP']],
    ['memory', ['DOCTOR']],
    ['latency', ['LATEST']],
    ['function', ['LIST', 'LIBRARYNAME', 'difflib']],
    ['script', ['EXISTS', 'ffffffffffffffffffffffffffffffffffffffff']],
    ['eval', ['return redis.setresp(3) and redis.call("HGETALL", KEYS[1])', 1, 'nohash']],
    ['eval', ['redis.setresp(3); return {double=1.5}', 0]],
    ['eval', ['redis.setresp(3); return redis.call("ZSCORE", KEYS[1], "m")', 1, 'nozset']]
  ]

  for (const [name, args, masker = (v) => v] of ONE_OFFS) {
    for (const via of ['method', 'buffer']) {
      test(`${name} ${args.join(' ')} via ${via}`, async () => {
        if (name === 'function') for (const c of [cache, io]) await c.function('LOAD', 'REPLACE', LIBRARY)
        const tc = await settle(send(cache, { name, args }, via))
        const ior = await settle(send(io, forIoredis({ name, args }, 't:', { ioredisUnprefixed: 0 }), via))
        const why = difference({ name, compare: 'exact' }, tc.ok ? { ok: true, value: mask(masker(tc.value)) } : tc, ior.ok ? { ok: true, value: mask(masker(ior.value)) } : ior)
        assert.equal(why, null, `${why}\n  tiercache ${show(tc)}\n  ioredis   ${show(ior)}`)
      })
    }
  }
})
