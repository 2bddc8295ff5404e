'use strict'
// Redis Cluster (issue 13): three primaries with a replica each, of our own
// (support/cluster.js), one cluster for the file. tiercache's Cluster client
// must send every command to the primary of its keys' slot (checked on that
// primary directly), split what ioredis would refuse only where Redis's
// answer is unambiguous, keep L1 coherent with foreign writes on every
// shard, follow MOVED when a slot moves, and ride a primary's SIGKILL:
// no failed read of what L1 holds, writes resuming after the promotion,
// nothing stale once settled. Hostile or wrong usage comes first.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const Redis = require('ioredis')
const TierCache = require('../..')
const { startCluster, keyslot } = require('../support/cluster')
const { sleep, eventually } = require('../support/helpers')

/** A key whose slot its primary is `master` (a handle), tagged so that `{tag}x` variants share it. */
async function keyOn (cluster, master, prefix) {
  for (let i = 0; ; i++) {
    const key = `${prefix}${i}`
    if ((await cluster.masterOf(key)).port === master.port) return key
  }
}

describe('Redis Cluster', { timeout: 240000 }, () => {
  let cluster
  let io
  const clients = []
  const open = (options = {}, nodes) => {
    // Every node as a startup node, as ioredis advises: a test below SIGKILLs one.
    const c = new TierCache.Cluster(nodes ?? cluster.seeds, options)
    c.on('error', () => {})
    clients.push(c)
    return c
  }
  /** A direct connection to the node `handle`. */
  const direct = (handle) => {
    const r = new Redis(handle.port, '127.0.0.1', { lazyConnect: true })
    r.on('error', () => {})
    clients.push(r)
    return r
  }

  before(async () => {
    cluster = await startCluster()
    io = new Redis.Cluster(cluster.seeds)
    io.on('error', () => {})
  })

  after(async () => {
    for (const c of clients) {
      if (c instanceof TierCache) await c.quit().catch(() => {})
      else c.disconnect()
    }
    io?.disconnect()
    await cluster?.stop()
  })

  test('bad cluster settings are refused at construction, with the option named', () => {
    const refused = (nodes, options, code, pattern) => assert.throws(() => new TierCache.Cluster(nodes, options),
      (err) => err instanceof TierCache.TierCacheError && err.code === code && pattern.test(err.message))
    refused([], {}, 'ERR_TIERCACHE_INVALID_ARGUMENT', /startupNodes/)
    refused('127.0.0.1:7000', {}, 'ERR_TIERCACHE_INVALID_ARGUMENT', /startupNodes/)
    refused([{ host: 'a b', port: 1 }], {}, 'ERR_TIERCACHE_INVALID_ARGUMENT', /startupNodes\[0\]\.host/)
    refused([70000], {}, 'ERR_TIERCACHE_INVALID_ARGUMENT', /startupNodes\[0\]\.port/)
    refused([7000], { redisOptions: { db: 2 } }, 'ERR_TIERCACHE_INVALID_ARGUMENT', /database 0/)
    refused([7000], { scaleReads: 'slave' }, 'ERR_TIERCACHE_UNSUPPORTED', /replica reads/)
    refused([7000], { natMap: { 'a:1': { host: 'b', port: 2 } } }, 'ERR_TIERCACHE_UNSUPPORTED', /natMap/)
    refused([7000], { redisOptions: { host: 'x' } }, 'ERR_TIERCACHE_INVALID_ARGUMENT', /startupNodes: host/)
    assert.throws(() => TierCache.createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:7000' }], useReplicas: true }), (err) => err.code === 'ERR_TIERCACHE_UNSUPPORTED')
  })

  test('a cluster nobody answers for: commands fail with a clear error within their bound', async () => {
    const c = open({ commandTimeout: 500, retryStrategy: () => 200 }, [{ host: '127.0.0.1', port: 1 }])
    const started = Date.now()
    const err = await c.set('a', '1').then(() => null, (e) => e)
    assert.ok(err instanceof TierCache.TierCacheError, util.inspect(err))
    assert.ok(['ERR_TIERCACHE_L2_UNAVAILABLE', 'ERR_TIERCACHE_L2_TIMEOUT'].includes(err.code), err.code)
    assert.ok(Date.now() - started < 5000)
  })

  test('every command goes to the primary of its keys\' slot, for every family', async () => {
    const c = open()
    const masters = await cluster.masters()
    assert.equal(masters.length, 3)
    for (const master of masters) {
      const key = await keyOn(cluster, master, 'route:')
      const tag = `{${key}}`
      assert.equal(await c.set(key, 'v'), 'OK')
      assert.equal(await c.hset(`${tag}h`, 'f', 'v'), 1)
      assert.equal(await c.lpush(`${tag}l`, 'a', 'b'), 2)
      assert.equal(await c.zadd(`${tag}z`, 1, 'm'), 1)
      assert.equal(await c.incr(`${tag}n`), 1)
      assert.equal(await c.eval("return redis.call('SET', KEYS[1], ARGV[1])", 1, `${tag}e`, 'x'), 'OK')
      // On that primary, without redirection.
      const on = direct(master)
      assert.equal(await on.get(key), 'v')
      assert.deepEqual(await on.hgetall(`${tag}h`), { f: 'v' })
      assert.deepEqual(await on.lrange(`${tag}l`, 0, -1), ['b', 'a'])
      assert.equal(await on.zscore(`${tag}z`, 'm'), '1')
      assert.equal(await on.get(`${tag}n`), '1')
      assert.equal(await on.get(`${tag}e`), 'x')
      // And read back through tiercache (L1 for the cacheable reads).
      assert.equal(await c.get(key), 'v')
      assert.deepEqual(await c.hgetall(`${tag}h`), { f: 'v' })
      assert.deepEqual(await c.lrange(`${tag}l`, 0, -1), ['b', 'a'])
    }
    assert.equal(c.isCluster, true)
    assert.equal(c.nodes('master').length, 3)
    assert.deepEqual(c.nodes('slave'), [])
    assert.equal(await c.nodes('master')[0].ping(), 'PONG')
  })

  test('keys of several slots: MGET, DEL, EXISTS, MSET are split; other commands and MULTI answer CROSSSLOT, as Redis does', async () => {
    const c = open()
    const keys = Array.from({ length: 30 }, (_, i) => `multi:${i}`)
    assert.ok(new Set(keys.map(keyslot)).size > 20)
    assert.equal(await c.mset(Object.fromEntries(keys.map((k) => [k, `v-${k}`]))), 'OK')
    assert.deepEqual(await c.mget(...keys, 'multi:absent'), [...keys.map((k) => `v-${k}`), null])
    assert.equal(await c.exists(...keys, 'multi:absent'), 30)
    assert.deepEqual(await io.mget(keys.slice(0, 1)), ['v-multi:0'], 'written where ioredis finds them')
    assert.equal(await c.del(...keys.slice(0, 10), 'multi:absent'), 10)
    assert.equal(await c.del('multi:absent', 'multi:also-absent'), 0)
    assert.equal(await c.exists(...keys.slice(0, 10)), 0)
    // Not split: a generic command or a transaction over two slots.
    const [a, b] = ['multi:10', 'multi:11']
    assert.notEqual(keyslot(a), keyslot(b))
    await assert.rejects(c.sunionstore(a + 'x', a, b), /CROSSSLOT/)
    await assert.rejects(c.multi().set(a, '1').set(b, '2').exec(), /CROSSSLOT/)
    // A pipeline is split per node, each command answered in its place.
    const p = c.pipeline()
    for (const k of keys.slice(10)) p.get(k)
    p.set('{t}p', '1').incr('{t}q')
    const replies = await p.exec()
    assert.deepEqual(replies.map(([err, v]) => err ?? v), [...keys.slice(10).map((k) => `v-${k}`), 'OK', 1])
    // A transaction within one slot.
    assert.deepEqual(await c.multi().set('{t}a', 'x').incr('{t}b').get('{t}a').exec(), [[null, 'OK'], [null, 1], [null, 'x']])
    // What needs a single node says so.
    await assert.rejects(c.watch('{t}a'), (err) => err.code === 'ERR_TIERCACHE_UNSUPPORTED')
    await assert.rejects(c.scan('0'), (err) => err.code === 'ERR_TIERCACHE_UNSUPPORTED' && /nodes\('master'\)/.test(err.message))
    assert.equal(await c.dbsize(), await io.nodes('master').reduce(async (sum, n) => (await sum) + await n.dbsize(), 0))
  })

  test('foreign writes on every shard reach L1', async () => {
    const c = open()
    const masters = await cluster.masters()
    const keys = []
    for (const master of masters) keys.push(await keyOn(cluster, master, 'coherent:'))
    for (const k of keys) await c.set(k, 'mine')
    for (const k of keys) assert.equal(await c.get(k), 'mine')
    for (const k of keys) await io.set(k, 'theirs')
    for (const k of keys) await eventually(`the foreign write of ${k} to reach L1`, 2000, async () => (await c.get(k)) === 'theirs')
    await io.del(keys[0])
    await eventually('the foreign DEL to reach L1', 2000, async () => (await c.get(keys[0])) === null)
  })

  test('a slot moved to another primary: MOVED is followed, nothing stale', async () => {
    const c = open()
    const key = 'moving:{slot}'
    await c.set(key, 'before')
    assert.equal(await c.get(key), 'before')
    const from = await cluster.masterOf(key)
    const to = (await cluster.masters()).find((m) => m.port !== from.port)
    await cluster.migrateSlot(keyslot(key), to)
    assert.equal((await cluster.masterOf(key)).port, to.port)
    // The write goes to the old owner first, which answers MOVED.
    assert.equal(await c.set(key, 'after'), 'OK')
    assert.equal(await direct(to).get(key), 'after')
    assert.equal(await c.get(key), 'after')
    await io.set(key, 'foreign')
    await eventually('the foreign write on the new owner to reach L1', 2000, async () => (await c.get(key)) === 'foreign')
    assert.equal(await c.hset('moving:{slot}:h', 'f', '1'), 1)
  })

  test('a slot migrated key by key while two clients read and write it: ASK followed, 0 stale reads once settled', async () => {
    const a = open()
    const b = open()
    const keys = Array.from({ length: 20 }, (_, i) => `{mig}k${i}`)
    for (const k of keys) await a.set(k, '0')
    for (const k of keys) assert.equal(await b.get(k), '0') // b's L1 holds them
    const from = await cluster.masterOf(keys[0])
    const to = (await cluster.masters()).find((m) => m.port !== from.port)
    const steps = await cluster.migrateSlotInSteps(keyslot(keys[0]), to)
    const errors = []
    let written = 0
    let stop = false
    const writer = (async () => {
      for (let round = 1; !stop; round++) {
        for (const k of keys) {
          await a.set(k, String(round)).catch((err) => errors.push(`set: ${err.message}`))
          written = round
        }
      }
    })()
    const reader = (async () => {
      while (!stop) {
        for (const k of keys) await b.get(k).catch((err) => errors.push(`get: ${err.message}`))
        // Reads L1 answers resolve at once: without a turn of the event loop,
        // this loop would run on microtasks alone and starve everything else.
        await new Promise(setImmediate)
      }
    })()
    await steps.beginImport()
    await sleep(50)
    await steps.moveKeys({ limit: 10, batch: 3 })
    await sleep(100) // half the keys on each side: ASK redirections meanwhile
    await steps.finish()
    await sleep(100)
    stop = true
    await Promise.all([writer, reader])
    assert.deepEqual(errors, [], 'no command failed during the migration')
    assert.ok(written >= 2, `the writer went on through it (${written} rounds)`)
    // Settled: both clients read what Redis holds.
    const on = direct(to)
    for (const k of keys) {
      const truth = await on.get(k)
      await eventually(`${k} to read as Redis holds it`, 2000, async () => (await b.get(k)) === truth && (await a.get(k)) === truth)
    }
  })

  test('the connection to one primary reset (CLIENT KILL): reconnected by itself, L1 starts afresh, nothing stale', async () => {
    const c = open({ connectionName: 'reset-me' })
    const masters = await cluster.masters()
    const key = await keyOn(cluster, masters[1], 'reset:')
    await c.set(key, 'before')
    assert.equal(await c.get(key), 'before')
    const on = direct(masters[1])
    assert.ok(await on.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes') >= 1)
    // Written while tiercache's connection (and its invalidations) is down.
    await on.set(key, 'during')
    await eventually('the read to give the value written while disconnected', 5000, async () => (await c.get(key)) === 'during')
    assert.equal(await c.set(key, 'after'), 'OK')
    assert.equal(await on.get(key), 'after')
  })

  test('a primary SIGKILLed under load: no failed read of what L1 holds, writes resume after the promotion, nothing stale once settled', async () => {
    const c = open({ commandTimeout: 1000 })
    const masters = await cluster.masters()
    const victim = masters[0]
    const held = await keyOn(cluster, victim, 'held:')
    const other = await keyOn(cluster, masters[1], 'held:')
    const write = `{${held}}w`
    await c.set(held, 'v1')
    await c.set(other, 'v1')
    assert.equal(await c.get(held), 'v1')
    assert.equal(await c.get(other), 'v1')
    const s = { reads: 0, readFailures: [], writes: 0, writeFailures: 0, writeCodes: new Set(), issued: 0, settled: 0 }
    let i = 0
    const timer = setInterval(() => {
      s.issued += 3
      for (const k of [held, other]) {
        c.get(k).then((v) => { s.reads++; if (v !== 'v1') s.readFailures.push(`${k}: ${util.inspect(v)}`) },
          (err) => s.readFailures.push(`${k}: ${err.code}`)).finally(() => s.settled++)
      }
      c.set(write, String(++i)).then(() => s.writes++, (err) => {
        s.writeFailures++
        s.writeCodes.add(err.code)
      }).finally(() => s.settled++)
    }, 10)
    const started = Date.now()
    const { promoted } = await cluster.killMaster(victim)
    const promotedMs = Date.now() - started
    await eventually('a write to the failed shard to succeed', 20000, async () => (await c.set(write, 'resumed')) === 'OK')
    const resumedMs = Date.now() - started
    await sleep(300)
    clearInterval(timer)
    await eventually('every call to settle', 15000, async () => s.settled === s.issued)
    assert.equal(await c.set(write, 'resumed'), 'OK')
    assert.deepEqual(s.readFailures, [], 'every read of a key L1 holds answered, with its value')
    assert.ok(s.reads > 100)
    // A write for the failed primary fails as Redis being unavailable or slow, never as a closed client.
    for (const code of s.writeCodes) assert.ok(['ERR_TIERCACHE_L2_UNAVAILABLE', 'ERR_TIERCACHE_L2_TIMEOUT'].includes(code), code)
    const on = direct(promoted)
    assert.equal(await on.get(write), 'resumed')
    await io.set(held, 'v2')
    await eventually('a foreign write on the promoted primary to reach L1', 3000, async () => (await c.get(held)) === 'v2')
    console.log(`# SIGKILL of a primary: promoted after ${promotedMs} ms, writes to its slots resumed after ${resumedMs} ms; ${s.reads} reads of L1-held keys, 0 failed; ${s.writes} writes ok, ${s.writeFailures} failed (${[...s.writeCodes].join(', ')})`)
  })

  test('the cache patterns on a cluster: getOrSet with a lock and tags, invalidateTags from another client', async () => {
    const c = open()
    const other = open()
    let loads = 0
    const load = async () => { loads++; return { n: loads } }
    // Keys and tags on different primaries: the lease, the value and the tag generations each go to their own.
    const keys = ['pattern:a', 'pattern:b', 'pattern:c']
    assert.ok(new Set(keys.map(keyslot)).size === 3)
    for (const k of keys) assert.deepEqual(await c.getOrSet(k, load, { ttl: 60000, tags: ['group-x', 'group-y'], lock: true }), { n: loads })
    assert.equal(loads, 3)
    for (const k of keys) assert.ok((await c.getOrSet(k, load, { ttl: 60000, tags: ['group-x', 'group-y'] })).n <= 3)
    assert.equal(loads, 3, 'served from the cache')
    await other.invalidateTags(['group-y'])
    await eventually('the tag invalidation to reach the first client', 2000, async () => (await c.getOrSet(keys[0], load, { ttl: 60000, tags: ['group-x', 'group-y'] })).n === 4)
  })

  test('node-redis\'s createCluster: a client on the cluster', async () => {
    // Every node as a root: one of them was SIGKILLed above.
    const client = TierCache.createCluster({ rootNodes: cluster.seeds.map(({ port }) => ({ url: `redis://127.0.0.1:${port}` })) })
    client.on('error', () => {})
    clients.push(client)
    await client.connect()
    assert.equal(await client.set('nr:{a}', 'v'), 'OK')
    assert.equal(await client.get('nr:{a}'), 'v')
    assert.deepEqual(await client.mGet(['nr:{a}', 'nr:other']), ['v', null])
    assert.equal(await io.get('nr:{a}'), 'v')
  })
})
