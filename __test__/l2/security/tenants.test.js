'use strict'
// Caches opened with the same `name` share one L1 store only when their
// keys mean the same thing: same Redis server, database, ACL user and
// keyPrefix (or, without Redis, the same keyPrefix). Every test here is
// attacker first: tenant A caches a secret, and tenant B's very first
// operation is to read it. B must miss (and, where Redis holds nothing for
// B, get null), in one thread or from another worker thread.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const { Worker } = require('node:worker_threads')
const { once } = require('node:events')
const path = require('node:path')

const { TierCache } = require('../../..')
const { startRedis } = require('../../support/redis-server')
const { uniqueName } = require('../../support/helpers')

const SECRET = 'tenant A secret'
const opened = []
function cacheOf (...args) {
  const c = new TierCache(...args)
  opened.push(c)
  return c
}
after(async () => {
  await Promise.all(opened.map((c) => c.quit().catch(() => {})))
})

/** Resolves once `cache` is connected (its L1 is emptied on connecting). */
async function ready (cache) {
  if (cache.hasRedis && cache.status !== 'ready') await once(cache, 'ready')
  return cache
}

/** B's first reads of `key`: through the cache, its L1 view, and a scan of L1. */
async function assertMisses (b, key) {
  assert.equal(b.local.get(key), undefined, "B's L1 holds A's secret")
  assert.equal(await b.get(key), null, 'B read A\'s secret')
  assert.equal(b.local.get(key), undefined)
}

describe('L1 only: keyPrefix separates the tenants of one name', () => {
  test('B (other prefix) never reads what A cached; B (same prefix) does', async () => {
    const name = uniqueName('tenant-l1')
    const a = cacheOf({ name, keyPrefix: 'a:' })
    await a.set('secret', SECRET)
    const b = cacheOf({ name, keyPrefix: 'b:' })
    await assertMisses(b, 'secret')
    // B's writes do not reach A either.
    await b.set('secret', 'B value')
    assert.equal(await a.get('secret'), SECRET)
    // No prefix is a prefix of its own.
    const none = cacheOf({ name })
    await assertMisses(none, 'secret')
    // The same prefix is the same tenant: it shares (so the test above can fail).
    const a2 = cacheOf({ name, keyPrefix: 'a:' })
    assert.equal(a2.local.get('secret'), SECRET)
  })

  test('options still conflict within a partition, not across partitions', () => {
    const name = uniqueName('tenant-bounds')
    cacheOf({ name, keyPrefix: 'a:', maxEntries: 10 })
    assert.throws(() => cacheOf({ name, keyPrefix: 'a:', maxEntries: 20 }), { code: 'ERR_TIERCACHE_OPTION_CONFLICT' })
    const other = cacheOf({ name, keyPrefix: 'b:', maxEntries: 20 })
    assert.equal(other.options.maxEntries, 20)
  })

  test('one worker thread per tenant, same name: B never reads A\'s secret', async () => {
    const name = uniqueName('tenant-workers')
    const tiercache = path.join(__dirname, '..', '..', '..')
    // Each worker runs `steps` in order and answers with their results.
    const run = (keyPrefix, steps) => new Promise((resolve, reject) => {
      const w = new Worker(`
        const { workerData, parentPort } = require('node:worker_threads')
        const { TierCache } = require(workerData.tiercache)
        ;(async () => {
          const cache = new TierCache({ name: workerData.name, keyPrefix: workerData.keyPrefix })
          const out = []
          for (const [op, ...args] of workerData.steps) {
            if (op === 'hold') await new Promise((resolve) => parentPort.once('message', resolve))
            else if (op === 'local.get') out.push(cache.local.get(...args) ?? null)
            else out.push(await cache[op](...args))
          }
          await cache.quit()
          return out
        })().then((out) => parentPort.postMessage({ out }), (err) => parentPort.postMessage({ error: String(err) }))
      `, { eval: true, workerData: { tiercache, name, keyPrefix, steps } })
      w.once('error', reject)
      w.on('message', (m) => {
        if (m.ready) return
        if (m.error) reject(new Error(m.error))
        else resolve(m.out)
      })
      run.last = w
    })
    // A writes and keeps its store open (holds) while B reads.
    const aDone = run('a:', [['set', 'secret', SECRET], ['local.get', 'secret'], ['hold'], ['get', 'secret']])
    const aWorker = run.last
    // Wait for A's write to be visible to A's own partition (a third, same-prefix opener in this thread).
    const sameAsA = cacheOf({ name, keyPrefix: 'a:' })
    for (let i = 0; i < 500 && sameAsA.local.get('secret') === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 5))
    assert.equal(sameAsA.local.get('secret'), SECRET, 'A\'s thread shares its partition with a same-prefix cache')
    const bOut = await run('b:', [['local.get', 'secret'], ['get', 'secret'], ['set', 'secret', 'B value']])
    assert.deepEqual(bOut, [null, null, 'OK'])
    aWorker.postMessage('go')
    assert.deepEqual(await aDone, ['OK', SECRET, SECRET])
  })
})

describe('with Redis: server, db, user and keyPrefix separate the tenants of one name', () => {
  let srv
  let other
  before(async () => {
    srv = await startRedis({ args: ['--user', 'alice', 'on', '>alice-pw', '~*', '&*', '+@all', '--user', 'bob', 'on', '>bob-pw', '~*', '&*', '+@all'] })
    other = await startRedis()
  })
  after(async () => {
    await Promise.all(opened.splice(0).map((c) => c.quit().catch(() => {})))
    await srv?.stop()
    await other?.stop()
  })

  const cases = [
    ['keyPrefix', (u) => ({ redis: u, keyPrefix: 'a:' }), (u) => ({ redis: u, keyPrefix: 'b:' })],
    ['db', (u) => ({ redis: u + '/0' }), (u) => ({ redis: u + '/1' })],
    ['server', (u) => ({ redis: u }), (u, o) => ({ redis: o })],
    ['L1 only (same prefix)', (u) => ({ redis: u, keyPrefix: 'a:' }), () => ({ keyPrefix: 'a:' })],
    ['ACL user', (u) => ({ redis: u.replace('redis://', 'redis://alice:alice-pw@') }), (u) => ({ redis: u.replace('redis://', 'redis://bob:bob-pw@') })]
  ]
  for (const [what, optsA, optsB] of cases) {
    test(`other ${what}: B's first read misses A's secret (A's L1 and Redis hold it)`, async () => {
      const name = uniqueName('tenant-' + what)
      const a = await ready(cacheOf({ name, ...optsA(srv.url, other.url) }))
      await a.set('secret', SECRET)
      assert.equal(a.local.get('secret'), SECRET)
      // B's first act, before it even connected: read.
      const b = cacheOf({ name, ...optsB(srv.url, other.url) })
      assert.equal(b.local.get('secret'), undefined, "B's L1 holds A's secret")
      const viaB = await b.get('secret')
      if (what === 'ACL user') assert.equal(viaB, SECRET, 'both users may read the key in Redis') // same key, read from Redis
      else assert.equal(viaB, null, "B read A's secret")
      await ready(b)
      // A's copy is A's own: B's write of the same user key never lands in it
      // (Redis's broadcast invalidations carry no db, so A may drop its copy: safe).
      await b.set('secret', 'B value')
      assert.notEqual(a.local.get('secret'), 'B value')
      if (what !== 'ACL user') assert.equal(await a.get('secret'), SECRET)
    })
  }

  test('every way to list keys stays within keyPrefix: B\'s first act lists, and never sees A\'s keys', async () => {
    const a = await ready(cacheOf({ redis: srv.url, keyPrefix: 'ta:' }))
    await a.set('secret', SECRET)
    await a.hset('secret-hash', 'f', SECRET)
    // B, cold, lists before anything else: through every surface that sends KEYS or SCAN.
    const b = cacheOf({ redis: srv.url, keyPrefix: 'tb:' })
    const nr = TierCache.createClient({ url: srv.url, keyPrefix: 'tb:' })
    opened.push(nr)
    const listings = {
      keys: await b.keys('*'),
      "call('keys')": await b.call('keys', '*'),
      "callBuffer('keys')": (await b.callBuffer('keys', '*')).map(String),
      "call('scan')": (await b.call('scan', '0', 'COUNT', '1000'))[1],
      "call('scan', MATCH)": (await b.call('scan', 0, 'MATCH', '*secret*', 'COUNT', 1000))[1],
      "send_command('KEYS')": await b.send_command('KEYS', '*'),
      'pipeline keys': (await b.pipeline().keys('*').exec())[0][1],
      "node-redis sendCommand(['KEYS'])": await nr.sendCommand(['KEYS', '*']),
      "node-redis sendCommand(['SCAN'])": (await nr.sendCommand(['SCAN', '0', 'COUNT', '1000']))[1]
    }
    for (const [how, keys] of Object.entries(listings)) {
      assert.ok(!keys.some((k) => String(k).includes('secret')), `${how} listed A's keys: ${keys}`)
    }
    // B's own keys are listed, without the prefix, as by the typed methods.
    await b.set('mine', '1')
    assert.deepEqual(await b.call('keys', '*'), ['mine'])
    assert.deepEqual((await b.call('scan', '0', 'COUNT', '1000'))[1], ['mine'])
    await assert.rejects(b.multi().keys('*').exec(), { code: 'ERR_TIERCACHE_UNSUPPORTED' })
    // RANDOMKEY has no pattern to scope: refused rather than naming A's keys.
    await assert.rejects(b.randomkey(), { code: 'ERR_TIERCACHE_UNSUPPORTED' })
    await assert.rejects(b.call('randomkey'), { code: 'ERR_TIERCACHE_UNSUPPORTED' })
  })

  test('an invalidation for another prefix never touches this partition', async () => {
    const name = uniqueName('tenant-inval')
    // A has no prefix, so Redis reports B's writes to it too (as key 'b:x').
    const a = await ready(cacheOf({ name, redis: srv.url }))
    const b = await ready(cacheOf({ name, redis: srv.url, keyPrefix: 'b:' }))
    await a.set('x', 'A value')
    await b.set('x', 'B value')
    await a.set('b:x', 'A holds b:x')
    await b.set('x', 'B again') // Redis key 'b:x': A's copy of 'b:x' must go, A's 'x' must stay
    for (let i = 0; i < 200 && a.local.get('b:x') !== undefined; i++) await new Promise((resolve) => setTimeout(resolve, 5))
    assert.equal(a.local.get('b:x'), undefined, 'A dropped its copy of the Redis key b:x')
    assert.equal(a.local.get('x'), 'A value')
    // B's own copy is the value B wrote, or gone: the invalidation of b:x
    // that A's write caused may reach B after B's second write filled L1
    // (dropping a copy is always safe; what B holds is never an old value).
    assert.ok([undefined, 'B again'].includes(b.local.get('x')), `B holds ${b.local.get('x')}`)
    assert.equal(await b.get('x'), 'B again')
    assert.equal(await a.get('b:x'), 'B again')
  })

  test('same partition, other bounds: ERR_TIERCACHE_OPTION_CONFLICT; the password shows nowhere', () => {
    const name = uniqueName('tenant-conflict')
    const url = srv.url.replace('redis://', 'redis://alice:alice-pw@')
    const a = cacheOf({ name, redis: url, maxEntries: 10, lazyConnect: true })
    let err
    try {
      cacheOf({ name, redis: url, maxEntries: 20, lazyConnect: true })
    } catch (e) { err = e }
    assert.equal(err?.code, 'ERR_TIERCACHE_OPTION_CONFLICT')
    assert.ok(!util.inspect(err, { depth: 5 }).includes('alice-pw'))
    assert.ok(!util.inspect(a, { depth: 5 }).includes('alice-pw'))
    // Another db is another partition: its own bounds are fine.
    cacheOf({ name, redis: url + '/3', maxEntries: 20, lazyConnect: true })
  })
})
