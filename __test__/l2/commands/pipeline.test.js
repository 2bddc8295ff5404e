'use strict'
// pipeline(), multi() and defineCommand against a private redis-server:
// ioredis's reply shapes, order and atomicity on the shared connection,
// L1 following the writes of a transaction and of scripts, keyPrefix on
// every key (scripts' KEYS included), and a differential against ioredis on
// the same server (fast-check).
//
// L1 is observed with `cache.local.get(key)` (undefined: L1 does not hold it).

const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const fc = require('fast-check')

const { useRedisWithClient, useCache } = require('../../support/redis-server')
const { TierCache, rejectsWith, callbackResult } = require('../../support/helpers')

const { ReplyError, TierCacheError } = TierCache

let counter = 0
/** A key no other test uses. */
const fresh = (what) => `${what}:${process.pid}:${++counter}`

describe('pipeline()', () => {
  const redis = useRedisWithClient()
  const box = useCache(redis)

  test('chained and array forms resolve [[err, reply], …] in order; length; empty exec', async () => {
    const c = box.cache
    const [a, h] = [fresh('p'), fresh('ph')]
    const p = c.pipeline().set(a, 1).get(a).hset(h, 'f', 'v').hgetall(h)
    assert.equal(p.length, 4)
    assert.deepEqual(await p.exec(), [[null, 'OK'], [null, '1'], [null, 1], [null, { f: 'v' }]])
    assert.deepEqual(await c.pipeline([['set', a, '2'], ['get', a], ['getBuffer', a], ['call', 'strlen', a]]).exec(),
      [[null, 'OK'], [null, '2'], [null, Buffer.from('2')], [null, 1]])
    assert.deepEqual(await c.pipeline().exec(), [])
  })

  test('an error reply sits in its slot; the other commands run', async () => {
    const c = box.cache
    const h = fresh('ph')
    await c.hset(h, 'f', 'v')
    const res = await c.pipeline().incr(h).hget(h, 'f').exec()
    assert.equal(res[0].length, 1)
    assert.ok(res[0][0] instanceof ReplyError)
    assert.match(res[0][0].message, /^WRONGTYPE/)
    assert.deepEqual(res[1], [null, 'v'])
  })

  test('order is kept: a set then a get sees the new value although L1 held an older copy', async () => {
    const c = box.cache
    const k = fresh('order')
    await c.set(k, 'old')
    assert.equal(await c.get(k), 'old')
    assert.equal(c.local.get(k), 'old') // the attacker: L1 warm with the old value
    const res = await c.pipeline().set(k, 'new').get(k).call('get', k).exec()
    assert.deepEqual(res, [[null, 'OK'], [null, 'new'], [null, 'new']])
    assert.equal(await redis.io.get(k), 'new')
  })

  test('per-command callbacks and the exec callback, as ioredis', async () => {
    const c = box.cache
    const k = fresh('cb')
    let seen
    const p = c.pipeline().set(k, 'x').get(k, (err, v) => { seen = [err, v] })
    const { err, result } = await callbackResult((cb) => p.exec(cb))
    assert.deepEqual([err, result], [null, [[null, 'OK'], [null, 'x']]])
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(seen, [null, 'x'])
  })

  test('bad batches and a second exec are TierCacheErrors', async () => {
    const c = box.cache
    assert.throws(() => c.pipeline([['exec']]), (e) => e instanceof TierCacheError && e.code === 'ERR_TIERCACHE_UNSUPPORTED')
    assert.throws(() => c.pipeline(['get']), (e) => e.code === 'ERR_TIERCACHE_INVALID_ARGUMENT')
    assert.throws(() => c.pipeline('get'), (e) => e.code === 'ERR_TIERCACHE_INVALID_ARGUMENT')
    const p = c.pipeline().ping()
    await p.exec()
    await rejectsWith(p.exec(), TierCacheError, 'ERR_TIERCACHE_INVALID_ARGUMENT')
  })
})

describe('multi()', () => {
  const redis = useRedisWithClient()
  const box = useCache(redis)

  test('exec resolves [[null, reply], …] as ioredis; array form; empty', async () => {
    const c = box.cache
    const k = fresh('m')
    assert.deepEqual(await c.multi().set(k, 1).incr(k).get(k).exec(), [[null, 'OK'], [null, 2], [null, '2']])
    assert.deepEqual(await c.multi([['set', k, 'a'], ['getBuffer', k], ['get', k]]).exec(),
      [[null, 'OK'], [null, Buffer.from('a')], [null, 'a']])
    assert.deepEqual(await c.multi().exec(), [])
  })

  test('a command refused when queued: exec rejects with EXECABORT and previousErrors; nothing ran', async () => {
    const c = box.cache
    const k = fresh('abort')
    const err = await rejectsWith(c.multi().set(k, 'x').call('set', k).exec(), ReplyError, 'ERR_TIERCACHE_REPLY')
    assert.match(err.message, /^EXECABORT/)
    assert.equal(err.previousErrors.length, 1)
    assert.ok(err.previousErrors[0] instanceof ReplyError)
    assert.match(err.previousErrors[0].message, /wrong number of arguments/)
    assert.equal(await redis.io.exists(k), 0)
  })

  test('an error at run time sits in its slot; the others ran', async () => {
    const c = box.cache
    const [h, k] = [fresh('mh'), fresh('mk')]
    await c.hset(h, 'f', 'v')
    const res = await c.multi().incr(h).set(k, 'y').exec()
    assert.ok(res[0][0] instanceof ReplyError)
    assert.match(res[0][0].message, /^WRONGTYPE/)
    assert.deepEqual(res[1], [null, 'OK'])
    assert.equal(await redis.io.get(k), 'y')
  })

  test('atomic on the shared connection: commands sent meanwhile never land inside the transaction', async () => {
    const c = box.cache
    for (let round = 0; round < 20; round++) {
      const k = fresh('atomic')
      const others = []
      // Other callers of the same instance, in the same tick before and after.
      for (let i = 0; i < 10; i++) others.push(c.call('set', k, 'other'))
      const m = c.multi().set(k, '0').incr(k).incr(k).get(k).exec()
      for (let i = 0; i < 10; i++) others.push(c.call('set', k, 'other'))
      assert.deepEqual(await m, [[null, 'OK'], [null, 1], [null, 2], [null, '2']])
      await Promise.all(others)
    }
  })

  test('L1 follows every write of the transaction', async () => {
    const c = box.cache
    const [a, b] = [fresh('l1a'), fresh('l1b')]
    await c.mset(a, 'old-a', b, 'old-b')
    assert.equal(await c.get(a), 'old-a')
    assert.equal(await c.get(b), 'old-b')
    const m = c.multi().set(a, 'new-a').del(b).exec()
    // Dropped when queued for sending, before Redis answers.
    assert.equal(c.local.get(a), undefined)
    assert.equal(c.local.get(b), undefined)
    await m
    assert.equal(await c.get(a), 'new-a')
    assert.equal(await c.get(b), null)
  })

  test('a read sent just before a transaction that writes its key never leaves the old value in L1', async () => {
    const c = box.cache
    for (let round = 0; round < 20; round++) {
      const k = fresh('race')
      await redis.io.set(k, 'old') // not in L1
      const read = c.get(k) // sent first: Redis answers 'old'
      const tx = c.multi().set(k, 'new').exec()
      assert.equal(await read, 'old')
      await tx
      assert.notEqual(c.local.get(k), 'old', `round ${round}: the read's fill of 'old' was refused`)
      assert.equal(await c.get(k), 'new')
    }
  })

  test('reads inside a transaction are answered by Redis, never by L1 (a pipeline get is the client\'s: L1 answers it)', async () => {
    const c = box.cache
    const k = fresh('read')
    await c.set(k, 'v')
    assert.equal(await c.get(k), 'v')
    assert.equal(c.local.get(k), 'v')
    const hits = () => c.stats().l1.hits
    const before = hits()
    assert.deepEqual(await c.multi().get(k).getBuffer(k).exec(), [[null, 'v'], [null, Buffer.from('v')]])
    assert.equal(hits(), before, 'no L1 lookup inside MULTI')
    assert.deepEqual(await c.pipeline().get(k).exec(), [[null, 'v']])
    assert.ok(hits() > before, 'the pipeline get went through the client\'s get, which L1 answered')
  })

  test('multi({ pipeline: false }) answers as ioredis: QUEUED, then exec\'s replies; discard; errors', async () => {
    const IORedis = require('ioredis')
    const io = new IORedis({ host: '127.0.0.1', port: redis.server.port, lazyConnect: true })
    await io.connect()
    const run = async (client, k) => {
      const out = []
      out.push(await client.multi({ pipeline: false }))
      out.push(await client.set(k, 'bar'))
      out.push(await client.get(k))
      out.push(await new Promise((resolve) => client.incr(`${k}:n`, (err, v) => resolve([err, v]))))
      out.push(await client.hset(`${k}:h`, 'f', 'v'))
      out.push(await client.exec())
      out.push(await client.multi({ pipeline: false }))
      client.set(k, 'dropped')
      out.push(await client.discard())
      out.push(await client.get(k))
      out.push(await client.exec().catch((e) => e.message))
      out.push(await client.discard().catch((e) => e.message))
      return out
    }
    try {
      assert.deepEqual(await run(box.cache, 'tc:pf'), await run(io, 'io:pf'))
    } finally {
      await io.quit()
    }
  })

  test('inline transactions in a pipeline (pipeline().get().multi()….exec().get().exec()) answer as ioredis', async () => {
    const IORedis = require('ioredis')
    const io = new IORedis({ host: '127.0.0.1', port: redis.server.port, lazyConnect: true })
    await io.connect()
    const run = async (client, k) => {
      await client.set(k, 'x')
      return client.pipeline().get(k).multi().set(k, 'bar').incr(`${k}:n`).get(k).exec().get(k).exec()
    }
    try {
      const expected = await run(io, 'io:inline')
      assert.deepEqual(await run(box.cache, 'tc:inline'), expected)
      assert.deepEqual(expected[5], [null, ['OK', 1, 'bar']])
    } finally {
      await io.quit()
    }
  })

  test('MULTI through call is refused, saying why', async () => {
    const c = box.cache
    const m = await rejectsWith(c.call('multi'), TierCacheError, 'ERR_TIERCACHE_UNSUPPORTED')
    assert.match(m.message, /client\.multi\(\)/)
    assert.equal(typeof c.watch, 'function', 'WATCH runs on the client\'s own connection (watch.test.js)')
  })

  test('a refused command in a transaction rejects exec before anything is sent', async () => {
    const c = box.cache
    const k = fresh('refused')
    await rejectsWith(c.multi().set(k, 'x').call('subscribe', 'ch').exec(), TierCacheError, 'ERR_TIERCACHE_UNSUPPORTED')
    assert.equal(await redis.io.exists(k), 0)
  })

  test('discard() drops the queue; exec after it rejects as Redis does', async () => {
    const c = box.cache
    const k = fresh('discard')
    const m = c.multi().set(k, 'x').discard()
    assert.equal(m.length, 0)
    const err = await rejectsWith(m.exec(), ReplyError, 'ERR_TIERCACHE_REPLY')
    assert.match(err.message, /EXEC without MULTI/)
    assert.equal(await redis.io.exists(k), 0)
  })
})

describe('keyPrefix on pipelines, transactions and scripts', () => {
  const redis = useRedisWithClient()
  const box = useCache(redis, { keyPrefix: 'tenant:' })

  test('pipeline, multi, eval, evalsha and defineCommand keys are prefixed; ARGV is not', async () => {
    const c = box.cache
    const k = fresh('pk')
    await c.pipeline().set(k, 'p').exec()
    assert.equal(await redis.io.get(`tenant:${k}`), 'p')
    await c.multi().set(k, 'm').hset(`${k}:h`, 'f', 'v').exec()
    assert.equal(await redis.io.get(`tenant:${k}`), 'm')
    assert.equal(await redis.io.hget(`tenant:${k}:h`, 'f'), 'v')
    const lua = "redis.call('set', KEYS[1], ARGV[1]) return KEYS[1]"
    assert.equal(await c.eval(lua, 1, k, 'e'), `tenant:${k}`)
    assert.equal(await redis.io.get(`tenant:${k}`), 'e')
    const sha = await c.script('load', lua)
    assert.equal(await c.evalsha(sha, 1, k, 's'), `tenant:${k}`)
    assert.equal(await redis.io.get(`tenant:${k}`), 's')
    c.defineCommand('setAndName', { numberOfKeys: 1, lua })
    assert.equal(await c.setAndName(k, 'd'), `tenant:${k}`)
    assert.equal(await redis.io.get(`tenant:${k}`), 'd')
    assert.deepEqual(await c.multi().setAndName(k, 'dm').exec(), [[null, `tenant:${k}`]])
    assert.equal(await redis.io.get(`tenant:${k}`), 'dm')
    assert.equal(await redis.io.exists(k), 0)
    assert.equal(await redis.io.exists('d'), 0)
  })
})

describe('keyPrefix: no crossing through pipelines and transactions', () => {
  const redis = useRedisWithClient()
  const box = useCache(redis, { keyPrefix: 'tenant-a:' })

  test('a pipeline\'s keys is scoped to the prefix; KEYS and SCAN in a transaction are refused, nothing sent', async () => {
    const c = box.cache
    await redis.io.set('tenant-b:secret', 'x')
    await c.set('mine', '1')
    assert.deepEqual(await c.pipeline().keys('*').exec(), [[null, ['mine']]])
    const k = fresh('nokeys')
    await rejectsWith(c.multi().set(k, 'x').keys('*').exec(), TierCacheError, 'ERR_TIERCACHE_UNSUPPORTED')
    await rejectsWith(c.multi().scan('0').exec(), TierCacheError, 'ERR_TIERCACHE_UNSUPPORTED')
    assert.equal(await redis.io.exists(`tenant-a:${k}`), 0)
  })
})

describe('scripts', () => {
  const redis = useRedisWithClient()
  const box = useCache(redis)

  test('eval, evalsha and fcall drop L1 copies of their KEYS (a script may write any of them)', async () => {
    const c = box.cache
    const k = fresh('script')
    const lua = "redis.call('set', KEYS[1], ARGV[1]) return 1"
    await c.set(k, 'old')
    assert.equal(await c.get(k), 'old')
    await c.eval(lua, 1, k, 'by-eval')
    assert.equal(c.local.get(k), undefined)
    assert.equal(await c.get(k), 'by-eval')
    const sha = await c.script('load', lua)
    await c.evalsha(sha, 1, k, 'by-evalsha')
    assert.equal(c.local.get(k), undefined)
    assert.equal(await c.get(k), 'by-evalsha')
    await c.call('function', 'load', 'REPLACE', "#!lua name=tclib\nredis.register_function('tcset', function(keys, args) redis.call('set', keys[1], args[1]) return 1 end)")
    await c.fcall('tcset', 1, k, 'by-fcall')
    assert.equal(c.local.get(k), undefined)
    assert.equal(await c.get(k), 'by-fcall')
  })

  test('defineCommand: EVALSHA, EVAL after NOSCRIPT, numberOfKeys given by the caller, Buffer form, readOnly, pipelines', async () => {
    const c = box.cache
    const k = fresh('def')
    c.defineCommand('echoKey', { numberOfKeys: 1, lua: 'return {KEYS[1], ARGV[1]}' })
    assert.deepEqual(await c.echoKey(k, 'v'), [k, 'v'])
    await redis.io.script('flush') // Redis forgets it: the next call falls back to EVAL
    assert.deepEqual(await c.echoKey(k, 'w'), [k, 'w'])
    assert.deepEqual(await c.echoKeyBuffer(k, 'x'), [Buffer.from(k), Buffer.from('x')])
    c.defineCommand('countKeys', { lua: 'return #KEYS' })
    assert.equal(await c.countKeys(2, 'a', 'b', 'arg'), 2)
    c.defineCommand('readIt', { numberOfKeys: 1, lua: "return redis.call('get', KEYS[1])", readOnly: true })
    await c.set(k, 'ro')
    assert.equal(await c.readIt(k), 'ro')
    const wr = await rejectsWith(c.call('eval_ro', "return redis.call('set', KEYS[1], 'x')", 1, k), ReplyError, 'ERR_TIERCACHE_REPLY')
    assert.match(wr.message, /write/i)
    assert.deepEqual(await c.pipeline().echoKey(k, 'p').countKeys(1, k).exec(), [[null, [k, 'p']], [null, 1]])
    const { err, result } = await callbackResult((cb) => c.echoKey(k, 'cb', cb))
    assert.deepEqual([err, result], [null, [k, 'cb']])
    assert.throws(() => c.defineCommand('', { lua: 'return 1' }), (e) => e.code === 'ERR_TIERCACHE_INVALID_ARGUMENT')
    // Any other name, as ioredis (bullmq's are 'name:version').
    c.defineCommand('one:1.0', { numberOfKeys: 0, lua: 'return 1' })
    assert.equal(await c['one:1.0'](), 1)
    assert.throws(() => c.defineCommand('x', { lua: '' }), (e) => e.code === 'ERR_TIERCACHE_INVALID_ARGUMENT')
    assert.throws(() => c.defineCommand('x', { lua: 'return 1', numberOfKeys: -1 }), (e) => e.code === 'ERR_TIERCACHE_INVALID_ARGUMENT')
  })
})

describe('differential: the same pipelines and transactions through ioredis and tiercache give the same replies', () => {
  const redis = useRedisWithClient()
  const box = useCache(redis)

  // Commands over one string key, one hash and one list (each client has
  // keys of its own); some fail (WRONGTYPE), some are refused at queue time.
  const command = fc.oneof(
    fc.tuple(fc.constant('set'), fc.constant('s'), fc.string({ maxLength: 4 })),
    fc.tuple(fc.constant('get'), fc.constantFrom('s', 'h', 'l')),
    fc.tuple(fc.constant('incr'), fc.constantFrom('s', 'h')),
    fc.tuple(fc.constant('del'), fc.constantFrom('s', 'h', 'l')),
    fc.tuple(fc.constant('hset'), fc.constant('h'), fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 })),
    fc.tuple(fc.constant('hgetall'), fc.constantFrom('h', 's')),
    fc.tuple(fc.constant('rpush'), fc.constant('l'), fc.string({ maxLength: 3 })),
    fc.tuple(fc.constant('lrange'), fc.constantFrom('l', 's'), fc.constant(0), fc.constant(-1)),
    fc.tuple(fc.constant('strlen'), fc.constantFrom('s', 'l')),
    fc.tuple(fc.constant('append'), fc.constant('s'), fc.string({ maxLength: 3 }))
  )
  const batch = fc.record({ multi: fc.boolean(), commands: fc.array(command, { maxLength: 6 }), badArity: fc.boolean() })

  const shape = (r) => r.map(([err, v]) => (err ? ['error', err.message] : [null, v]))

  async function run (client, prefix, { multi, commands, badArity }) {
    const p = multi ? client.multi() : client.pipeline()
    for (const [name, key, ...args] of commands) p[name](`${prefix}${key}`, ...args)
    if (badArity) p.call('set', `${prefix}s`)
    try {
      return ['ok', shape(await p.exec())]
    } catch (err) {
      return ['rejected', err.message, (err.previousErrors || []).map((e) => e.message)]
    }
  }

  test('generated batches (CI size)', async () => {
    let round = 0
    await fc.assert(fc.asyncProperty(batch, async (b) => {
      const tag = `diff:${process.pid}:${++round}:`
      const ours = await run(box.cache, `t:${tag}`, b)
      const theirs = await run(redis.io, `i:${tag}`, b)
      assert.deepEqual(ours, theirs)
    }), { numRuns: Number(process.env.FUZZ_RUNS) || 60 })
  })
})

describe('Command and sendCommand, as ioredis\'s', () => {
  const redis = useRedisWithClient()
  const box = useCache(redis)
  const IoRedis = require('ioredis')

  test('the same Commands through ioredis and tiercache give the same replies (Buffers by default, replyEncoding)', async () => {
    // Each client on keys of its own.
    const base = fresh('cmd')
    const key = (who) => `${who}:${base}`
    await box.cache.hset(`${key('t')}:h`, 'f', 'v')
    await redis.io.hset(`${key('i')}:h`, 'f', 'v')
    const steps = [
      ['set', (k) => [k, 'v']], ['get', (k) => [k]], ['get', (k) => [k], 'utf8'], ['hgetall', (k) => [`${k}:h`]],
      ['hgetall', (k) => [`${k}:h`], 'utf8'], ['lpush', (k) => [`${k}:l`, ['a', 'b']]], ['lrange', (k) => [`${k}:l`, 0, -1], 'utf8'],
      ['incr', (k) => [k]]
    ]
    for (const [name, args, replyEncoding] of steps) {
      const ours = new TierCache.Command(name, args(key('t')), { replyEncoding })
      const theirs = new IoRedis.Command(name, args(key('i')), { replyEncoding })
      const [a, b] = await Promise.all([
        box.cache.sendCommand(ours).then((v) => [null, v], (e) => [e.message]),
        redis.io.sendCommand(theirs).then(() => theirs.promise).then((v) => [null, v], (e) => [e.message])
      ])
      assert.deepEqual(a, b, `${name} ${replyEncoding}`)
      assert.deepEqual(await ours.promise.then((v) => [null, v], (e) => [e.message]), a)
    }
  })

  test('keyPrefix and L1 as call; bad Commands are TierCacheErrors; a callback gets the reply', async () => {
    const prefixed = new TierCache({ redis: redis.server.url, keyPrefix: 'cmdp:' })
    await prefixed.connect()
    try {
      const k = fresh('cmdk')
      await prefixed.set(k, 'old')
      assert.equal(await prefixed.get(k), 'old')
      await prefixed.sendCommand(new TierCache.Command('set', [k, 'new']))
      assert.equal(prefixed.local.get(k), undefined)
      assert.equal(await redis.io.get(`cmdp:${k}`), 'new')
      let got
      const c = new TierCache.Command('get', [k], { replyEncoding: 'utf8' }, (err, v) => { got = [err, v] })
      await prefixed.sendCommand(c)
      await new Promise((resolve) => setImmediate(resolve))
      assert.deepEqual(got, [null, 'new'])
      await rejectsWith(prefixed.sendCommand(c), TierCacheError, 'ERR_TIERCACHE_INVALID_ARGUMENT')
      await rejectsWith(prefixed.sendCommand({ name: 'get', args: [k] }), TierCacheError, 'ERR_TIERCACHE_INVALID_ARGUMENT')
      await rejectsWith(prefixed.sendCommand(new TierCache.Command('monitor', [])), TierCacheError, 'ERR_TIERCACHE_UNSUPPORTED')
      assert.throws(() => new TierCache.Command('get', [k], { replyEncoding: 'nope' }), (e) => e.code === 'ERR_TIERCACHE_INVALID_ARGUMENT')
      assert.throws(() => new TierCache.Command(''), (e) => e.code === 'ERR_TIERCACHE_INVALID_ARGUMENT')
    } finally {
      await prefixed.quit()
    }
  })
})
