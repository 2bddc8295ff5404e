'use strict'
// Real worker_threads: caches opened with the same `name` share one store
// (values, byte budget, statistics); other names are isolated; conflicting
// bounds are refused; and the per-thread front never serves a value that
// another thread has changed.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { Worker } = require('node:worker_threads')

const { TierCache, open, uniqueName, throwsWith } = require('../support/helpers')
const { runPendingTasks } = require('../../lib/testing')

const { TierCacheRangeError } = TierCache

const WORKER = path.join(__dirname, '..', 'support', 'fixtures', 'cache-worker.js')

/** Starts a worker with its own cache; resolves with a `call(cmd, ...args)` client. */
function startWorker (t, options) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: { options } })
    const pending = new Map()
    let nextId = 1
    let settled = false
    t.after(() => worker.terminate())
    worker.on('error', (err) => {
      if (!settled) { settled = true; reject(err) }
      for (const { reject: r } of pending.values()) r(err)
    })
    worker.on('exit', (code) => {
      for (const { reject: r } of pending.values()) r(new Error(`worker exited with ${code}`))
      pending.clear()
    })
    worker.on('message', (msg) => {
      if (!settled) {
        settled = true
        if (msg.ready) resolve(client)
        else resolve({ openError: msg.error, worker })
        return
      }
      const p = pending.get(msg.id)
      if (p === undefined) return
      pending.delete(msg.id)
      if ('error' in msg) {
        const err = new Error(`worker: ${msg.error.name}: ${msg.error.message}`)
        err.remote = msg.error
        p.reject(err)
      } else {
        p.resolve(msg.result)
      }
    })
    const client = {
      worker,
      call (cmd, ...args) {
        const id = nextId++
        return new Promise((resolve, reject) => {
          pending.set(id, { resolve, reject })
          worker.postMessage({ id, cmd, args })
        })
      }
    }
  })
}

test('a value set in the main thread is visible in a worker, and vice versa', async (t) => {
  const name = uniqueName('share')
  const main = open(t, { name })
  const w = await startWorker(t, { name })
  assert.equal(await main.set('from-main', 'hello from main'), 'OK')
  assert.equal(await w.call('get', 'from-main'), 'hello from main')
  assert.equal(await w.call('set', 'from-worker', 'hello from worker'), 'OK')
  assert.equal(await main.get('from-worker'), 'hello from worker')
  assert.equal(main.local.get('from-worker'), 'hello from worker')
  // Objects are decoded on whichever thread reads them.
  await w.call('set', 'obj', { list: [1, 2], text: 'é' })
  assert.deepEqual(await main.get('obj'), { list: [1, 2], text: 'é' })
  // TTLs are shared too.
  await main.set('ttl', 'v', 'EX', 100)
  assert.equal(await w.call('ttl', 'ttl'), 100)
  // Binary values arrive byte for byte.
  const bytes = Buffer.from([0, 1, 2, 0xff, 0xfe])
  await main.set('bin', bytes)
  assert.deepEqual(Buffer.from(await w.call('getBuffer', 'bin')), bytes)
  assert.deepEqual(await w.call('dbsize'), await main.dbsize())
})

test('two workers and the main thread share one store', async (t) => {
  const name = uniqueName('share3')
  const main = open(t, { name })
  const [a, b] = await Promise.all([startWorker(t, { name }), startWorker(t, { name })])
  await a.call('set', 'k', 'from a')
  assert.equal(await b.call('get', 'k'), 'from a')
  assert.equal(await main.get('k'), 'from a')
  await Promise.all([a.call('incrMany', 'counter', 200), b.call('incrMany', 'counter', 200)])
  assert.equal(await main.get('counter'), '400', 'INCR is atomic across threads')
  assert.deepEqual(await a.call('keys', '*').then((k) => k.sort()), ['counter', 'k'])
})

test('one byte budget: stats agree across threads', async (t) => {
  const name = uniqueName('budget')
  const main = open(t, { name, maxEntries: 1_000 })
  const w = await startWorker(t, { name, maxEntries: 1_000 })
  await w.call('setMany', 'w:', 50, 'x'.repeat(100))
  for (let i = 0; i < 30; i++) await main.set(`m:${i}`, 'y'.repeat(100))
  const mine = main.stats()
  const theirs = await w.call('stats')
  assert.equal(mine.entries, 80)
  assert.equal(theirs.entries, mine.entries)
  assert.equal(theirs.bytes, mine.bytes)
  assert.equal(theirs.sets, mine.sets)
  assert.equal(mine.sets, 80)
  assert.ok(mine.bytes >= 80 * 103, `bytes ${mine.bytes}`)
})

test('one bound for all threads: a worker\'s writes evict under the shared maxEntries', async (t) => {
  const name = uniqueName('bound')
  const main = open(t, { name, maxEntries: 20 })
  const w = await startWorker(t, { name, maxEntries: 20 })
  await w.call('setMany', 'w:', 100, 'v')
  for (let i = 0; i < 100; i++) await main.set(`m:${i}`, 'v')
  runPendingTasks(main)
  const s = main.stats()
  assert.ok(s.entries <= 20, `entries ${s.entries}`)
  assert.ok(await w.call('dbsize') <= 20)
  assert.ok(s.evictions >= 180, `evictions ${s.evictions}`)
})

test('different names are isolated', async (t) => {
  const nameA = uniqueName('iso-a')
  const nameB = uniqueName('iso-b')
  const a = open(t, { name: nameA })
  const w = await startWorker(t, { name: nameB })
  await a.set('k', 'in A')
  assert.equal(await w.call('get', 'k'), null)
  await w.call('set', 'k', 'in B')
  assert.equal(await a.get('k'), 'in A')
  assert.equal(await w.call('get', 'k'), 'in B')
  await w.call('flushall')
  assert.equal(await a.get('k'), 'in A')
  // Unnamed caches are private, even in one thread.
  const p1 = open(t)
  const p2 = open(t)
  await p1.set('k', 'p1')
  assert.equal(await p2.get('k'), null)
})

test('opening a name with different maxEntries throws RangeError ERR_TIERCACHE_OPTION_CONFLICT', async (t) => {
  const name = uniqueName('conflict')
  open(t, { name, maxEntries: 10 })
  throwsWith(() => new TierCache({ name, maxEntries: 20 }), TierCacheRangeError, 'ERR_TIERCACHE_OPTION_CONFLICT', 'same thread')
  throwsWith(() => new TierCache({ name }), TierCacheRangeError, 'ERR_TIERCACHE_OPTION_CONFLICT', 'no maxEntries')
  throwsWith(() => new TierCache({ name, maxEntries: 10, maxBytes: 1_000 }), TierCacheRangeError, 'ERR_TIERCACHE_OPTION_CONFLICT', 'other maxBytes')
  throwsWith(() => new TierCache({ name, maxEntries: 10, ttl: 1_000 }), TierCacheRangeError, 'ERR_TIERCACHE_OPTION_CONFLICT', 'other ttl')
  const w = await startWorker(t, { name, maxEntries: 20 })
  assert.ok(w.openError, 'the worker could not open the store')
  assert.equal(w.openError.code, 'ERR_TIERCACHE_OPTION_CONFLICT')
  assert.equal(w.openError.isRangeError, true)
  assert.equal(w.openError.isTierCacheError, true)
  // The same options are fine, from any thread.
  const same = await startWorker(t, { name, maxEntries: 10 })
  assert.equal(same.openError, undefined)
  assert.equal(await same.call('set', 'k', 'v'), 'OK')
})

test('a name can be opened with new options once every cache using it is closed', async (t) => {
  const name = uniqueName('reopen')
  const first = new TierCache({ name, maxEntries: 10 })
  await first.set('k', 'v')
  assert.equal(await first.quit(), 'OK')
  let second
  assert.doesNotThrow(() => { second = new TierCache({ name, maxEntries: 20 }) }, 'the closed cache no longer holds the name')
  t.after(() => second && second.quit())
  assert.equal(second.stats().maxEntries, 20)
})

test('closing every cache of a name frees its store: a new open starts empty', async (t) => {
  const name = uniqueName('free')
  const a = new TierCache({ name })
  const b = new TierCache({ name })
  await a.set('k', 'v')
  await a.quit()
  assert.equal(await b.get('k'), 'v', 'b still holds the store')
  await b.quit()
  const c = open(t, { name })
  assert.equal(await c.get('k'), null, 'the store was freed with its last cache')
  assert.equal(await c.dbsize(), 0)
})

test('front coherence: a worker overwrite is seen by the main thread at once', async (t) => {
  const name = uniqueName('front-set')
  const main = open(t, { name })
  const w = await startWorker(t, { name })
  await main.set('k', 'old')
  assert.equal(await main.get('k'), 'old')
  assert.equal(await main.get('k'), 'old') // now answered by the front
  assert.equal(main.local.get('k'), 'old')
  assert.equal(await w.call('set', 'k', 'new'), 'OK')
  assert.equal(await main.get('k'), 'new')
  assert.equal(main.local.get('k'), 'new')
  // And again, for a value written by the worker and read twice here.
  await w.call('set', 'k', 'newer')
  assert.equal(main.local.get('k'), 'newer')
  assert.equal(await main.get('k'), 'newer')
})

test('front coherence: a worker delete is seen by the main thread at once', async (t) => {
  const name = uniqueName('front-del')
  const main = open(t, { name })
  const w = await startWorker(t, { name })
  await main.set('k', 'v')
  assert.equal(await main.get('k'), 'v')
  assert.equal(await main.get('k'), 'v')
  assert.equal(await w.call('del', 'k'), 1)
  assert.equal(await main.get('k'), null)
  assert.equal(main.local.get('k'), undefined)
  await main.set('g', 'v')
  assert.equal(main.local.get('g'), 'v')
  assert.equal(await w.call('getdel', 'g'), 'v')
  assert.equal(main.local.get('g'), undefined)
  await main.set('f', 'v')
  assert.equal(await main.get('f'), 'v')
  await w.call('flushall')
  assert.equal(await main.get('f'), null)
})

test('front coherence: a worker incr is seen by the main thread at once', async (t) => {
  const name = uniqueName('front-incr')
  const main = open(t, { name })
  const w = await startWorker(t, { name })
  await main.set('counter', '1')
  assert.equal(await main.get('counter'), '1')
  assert.equal(await main.get('counter'), '1')
  assert.equal(await w.call('incr', 'counter'), 2)
  assert.equal(await main.get('counter'), '2')
  assert.equal(await w.call('incrby', 'counter', 10), 12)
  assert.equal(main.local.get('counter'), '12')
  assert.equal(await w.call('incrbyfloat', 'counter', '0.5'), '12.5')
  assert.equal(await main.get('counter'), '12.5')
})

test('front coherence: a worker expire / getex / mset is seen by the main thread', async (t) => {
  const name = uniqueName('front-misc')
  const main = open(t, { name })
  const w = await startWorker(t, { name })
  await main.set('e', 'v')
  assert.equal(await main.get('e'), 'v')
  assert.equal(await w.call('expire', 'e', -1), 1)
  assert.equal(await main.get('e'), null)
  await main.set('x', 'v')
  assert.equal(await main.get('x'), 'v')
  await w.call('getex', 'x', 'PXAT', 1)
  assert.equal(await main.get('x'), null)
  await main.set('m', 'old')
  assert.equal(await main.get('m'), 'old')
  await w.call('mset', { m: 'new' })
  assert.equal(await main.get('m'), 'new')
})

test('front coherence with frontObjects: a worker overwrite of an object is seen at once', async (t) => {
  const name = uniqueName('front-obj')
  const main = open(t, { name, frontObjects: true })
  const w = await startWorker(t, { name })
  await main.set('o', { v: 1 })
  assert.deepEqual(await main.get('o'), { v: 1 })
  assert.deepEqual(await main.get('o'), { v: 1 })
  await w.call('set', 'o', { v: 2 })
  assert.deepEqual(await main.get('o'), { v: 2 })
  await w.call('del', 'o')
  assert.equal(await main.get('o'), null)
})

test('front coherence between two instances of one name in the same thread', async (t) => {
  const name = uniqueName('front-same-thread')
  const a = open(t, { name })
  const b = open(t, { name })
  await a.set('k', 'one')
  assert.equal(await a.get('k'), 'one')
  assert.equal(await a.get('k'), 'one')
  await b.set('k', 'two')
  assert.equal(await a.get('k'), 'two')
  await b.incr('n')
  assert.equal(await a.get('n'), '1')
  await b.incr('n')
  assert.equal(await a.get('n'), '2')
  await b.del('k')
  assert.equal(a.local.get('k'), undefined)
})

test('a worker that ends does not take the store down with it', async (t) => {
  const name = uniqueName('worker-exit')
  const main = open(t, { name })
  const w = await startWorker(t, { name })
  await w.call('set', 'k', 'from worker')
  await w.worker.terminate()
  assert.equal(await main.get('k'), 'from worker')
  assert.equal(await main.set('k2', 'v'), 'OK')
})

test('a worker may quit its cache while the main thread keeps using the store', async (t) => {
  const name = uniqueName('worker-quit')
  const main = open(t, { name })
  const w = await startWorker(t, { name })
  await w.call('set', 'k', 'v')
  assert.equal(await w.call('quit'), 'OK')
  await assert.rejects(w.call('get', 'k'), (err) => err.remote && err.remote.code === 'ERR_TIERCACHE_CLOSED')
  assert.equal(await main.get('k'), 'v')
})

test('front coherence under concurrent increments: reads never go back and end at the final value', async (t) => {
  const name = uniqueName('front-race')
  const main = open(t, { name })
  const w = await startWorker(t, { name })
  await main.set('c', '0')
  const total = 3_000
  const done = w.call('incrMany', 'c', total)
  // A synchronous read loop on the main thread while the worker writes.
  const deadline = Date.now() + 10_000
  let last = 0
  let reads = 0
  while (Date.now() < deadline) {
    const v = Number(main.local.get('c'))
    reads++
    assert.ok(v >= last, `read ${v} after ${last}: a stale value was served`)
    last = v
    if (v === total) break
  }
  assert.equal(last, total, `the main thread saw ${last} of ${total} increments after ${reads} reads`)
  assert.equal(await done, total)
  assert.equal(await main.get('c'), String(total))
})

test('a worker hears the store events of writes made by the main thread', async (t) => {
  const name = uniqueName('worker-events')
  const main = open(t, { name, maxEntries: 5 })
  const w = await startWorker(t, { name, maxEntries: 5 })
  await w.call('listen')
  for (let i = 0; i < 40; i++) await main.set(`k${i}`, 'v')
  runPendingTasks(main)
  const evictions = main.stats().evictions
  assert.ok(evictions > 0)
  let events = []
  for (let i = 0; i < 500 && events.length < evictions; i++) {
    await new Promise((resolve) => setTimeout(resolve, 2))
    events = await w.call('events')
  }
  assert.equal(events.length, evictions)
  for (const e of events) {
    assert.equal(e[0], 'evict')
    assert.equal(typeof e[1], 'string', JSON.stringify(e))
    assert.equal(e[2], 'size')
  }
})

test('a worker that subscribed and ended leaves a store whose events still work', async (t) => {
  const name = uniqueName('worker-events-exit')
  const main = open(t, { name, maxEntries: 5 })
  const seen = []
  main.on('evict', (key) => seen.push(key))
  const w = await startWorker(t, { name, maxEntries: 5 })
  await w.call('listen')
  await w.call('setMany', 'w', 20, 'v')
  await w.worker.terminate()
  // Evictions after the worker's event loop is gone must not crash anything.
  for (let i = 0; i < 50; i++) await main.set(`m${i}`, 'v')
  runPendingTasks(main)
  await new Promise((resolve) => setTimeout(resolve, 30))
  assert.ok(seen.length > 0)
  assert.equal(await main.set('still', 'alive'), 'OK')
  assert.equal(await main.get('still'), 'alive')
})

test('SET NX is atomic across threads: exactly one worker wins each race', async (t) => {
  const name = uniqueName('nx-race')
  const main = open(t, { name })
  const workers = await Promise.all([1, 2, 3, 4].map(() => startWorker(t, { name })))
  for (let round = 0; round < 20; round++) {
    const replies = await Promise.all(workers.map((w, i) => w.call('set', `lock:${round}`, `owner-${i}`, 'NX')))
    const winners = replies.filter((r) => r === 'OK')
    assert.equal(winners.length, 1, `round ${round}: ${JSON.stringify(replies)}`)
    assert.equal(replies.filter((r) => r === null).length, workers.length - 1)
    const owner = await main.get(`lock:${round}`)
    assert.equal(owner, `owner-${replies.indexOf('OK')}`)
  }
})
