'use strict'
// duplicate(overrides?): a new instance with the same constructor arguments
// (overrides merged into the options, as ioredis), its own connections; a
// named instance's duplicate shares its L1 store, an unnamed one's does not
// (and stays coherent through Redis's invalidations like any other client).

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')

const { startRedis } = require('../support/redis-server')
const { TierCache, throwsWith, sleep, uniqueName } = require('../support/helpers')

describe('duplicate()', () => {
  let server
  const caches = []
  const keep = (c) => { caches.push(c); return c }
  before(async () => { server = await startRedis() })
  after(async () => {
    for (const c of caches) c.disconnect()
    await server.stop()
  })

  test('same options, own connection; overrides merged; keyPrefix and db kept', async () => {
    const a = keep(new TierCache(server.url, { keyPrefix: 'dup:', db: 2, commandTimeout: 700 }))
    const b = keep(a.duplicate())
    const c = keep(a.duplicate({ keyPrefix: 'other:' }))
    await Promise.all([a.connect(), b.connect(), c.connect()])
    assert.notEqual(a, b)
    await a.set('k', 'from a')
    assert.equal(await b.l2.get('k'), 'from a', 'same server, database and prefix')
    assert.equal(await c.l2.get('k'), null, 'the overridden prefix')
    const raw = keep(new TierCache(`${server.url}/2`))
    assert.equal(await raw.get('dup:k'), 'from a')
    // A connection per instance in db 2: a, b, c and raw.
    const clients = (await raw.client('LIST')).split('\n').filter((l) => / db=2 /.test(l))
    assert.equal(clients.length, 4, clients.join('\n'))
    // Closing the duplicate leaves the original working.
    await b.quit()
    assert.equal(await a.l2.get('k'), 'from a')
    // The (port, host, options) form too.
    const d = keep(new TierCache(server.port, '127.0.0.1', { keyPrefix: 'dup:', db: 2 }).duplicate({ lazyConnect: true }))
    assert.equal(d.status, 'wait')
    assert.equal(await d.get('k'), 'from a')
  })

  test('a named instance\'s duplicate shares its L1 store; an unnamed one\'s has its own, kept coherent', async () => {
    const name = uniqueName('dup')
    const a = keep(new TierCache(server.url, { name }))
    const b = keep(a.duplicate())
    await Promise.all([a.connect(), b.connect()])
    a.local.set('only-local', 'x')
    assert.equal(b.local.get('only-local'), 'x', 'one shared L1')
    const u = keep(new TierCache(server.url))
    const v = keep(u.duplicate())
    await Promise.all([u.connect(), v.connect()])
    u.local.set('mine', 'x')
    assert.equal(v.local.get('mine'), undefined, 'separate L1 stores')
    await u.set('shared', 'one')
    // The invalidation of u's write may reach v after v's first read filled
    // its L1 (and drop that copy): read until the copy stays.
    const filled = Date.now() + 3000
    do {
      assert.equal(await v.get('shared'), 'one')
      assert.ok(Date.now() < filled, 'cached in v\'s L1')
      await sleep(10)
    } while (v.local.get('shared') !== 'one')
    await u.set('shared', 'two')
    const deadline = Date.now() + 3000
    while (v.local.get('shared') !== undefined) {
      assert.ok(Date.now() < deadline, 'the invalidation reached the duplicate')
      await sleep(10)
    }
    assert.equal(await v.get('shared'), 'two')
  })

  test('without Redis: a named cache\'s duplicate shares its store, overrides apply', async () => {
    const name = uniqueName('dup-l1')
    const a = keep(new TierCache({ name, maxEntries: 100 }))
    const b = keep(a.duplicate())
    a.local.set('k', 'v')
    assert.equal(b.local.get('k'), 'v')
    assert.equal(b.hasRedis, false)
    const c = keep(new TierCache().duplicate({ maxEntries: 10 }))
    assert.equal(c.options.maxEntries, 10)
    assert.equal(await c.set('x', '1'), 'OK')
  })

  test('overrides must be an object; the password is not kept on the instance', () => {
    const a = keep(new TierCache({ host: '127.0.0.1', port: server.port, password: 'hunter2', lazyConnect: true }))
    for (const bad of [null, 'x', 5, []]) {
      throwsWith(() => a.duplicate(bad), TierCache.TierCacheError, 'ERR_TIERCACHE_INVALID_ARGUMENT', String(bad))
    }
    const b = keep(a.duplicate())
    for (const c of [a, b]) {
      assert.ok(!JSON.stringify(Object.entries(c).map(([k, v]) => [k, typeof v === 'object' ? Object.keys(v ?? {}) : v])).includes('hunter2'))
      assert.ok(!require('node:util').inspect(c, { depth: 5, showHidden: true }).includes('hunter2'))
    }
  })
})
