'use strict'
// The main connection is read on the JS thread that opened the instance
// (src/binding/poller.rs; docs/internals.md, "The transport"). What that
// must not cost, against a private redis-server:
// - an L1 shared with other threads stays coherent while the reading thread
//   is blocked (the I/O thread reads what it leaves, every 5 ms);
// - a worker thread whose instance reads on its own loop ends, terminated
//   or not, without taking the process down (libuv aborts a worker whose
//   loop closes with a handle of ours still open);
// - replies and invalidations keep their order whichever thread reads them,
//   and commands run by the I/O thread and written by the JS thread mix;
// - a long burst is written in pieces as it is submitted, so Redis starts on
//   it before the tick that submits it ends, and still answers in order.

const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const { Worker } = require('node:worker_threads')

const { useRedisWithClient } = require('../support/redis-server')
const { TierCache, uniqueName, sleep } = require('../support/helpers')

const ROOT = path.join(__dirname, '../..')
const BLOCKED_MS = 1500

/**
 * Runs `source` in a worker (workerData: { tiercache, url, name, ...data });
 * resolves with its exit code and messages. The worker is terminated when
 * the test ends, whatever happened (a worker left running would keep the
 * test file's process alive).
 */
function runWorker (t, source, workerData, onMessage = () => {}) {
  return new Promise((resolve, reject) => {
    const messages = []
    const w = new Worker(source, { eval: true, workerData: { tiercache: ROOT, ...workerData } })
    t.after(() => w.terminate())
    w.on('message', (m) => { messages.push(m); onMessage(m, w) })
    w.once('error', reject)
    w.once('exit', (code) => resolve({ code, messages }))
  })
}

describe('the JS thread reads the main connection', () => {
  const redis = useRedisWithClient()

  test('while that thread is blocked, a foreign write still reaches the L1 another thread reads', async (t) => {
    const name = uniqueName('js-reads-blocked')
    const key = `blocked:${process.pid}`
    const cache = new TierCache({ redis: redis.server.url, name })
    await cache.connect()
    try {
      // The set puts 'old' in L1 (it runs on the I/O thread, which reads its
      // reply); the read from Redis after it is written by this thread,
      // whose loop then polls the connection.
      await cache.set(key, 'old')
      assert.equal(await cache.l2.get(key), 'old')
      const signal = new Int32Array(new SharedArrayBuffer(4))
      let ready
      const workerReady = new Promise((resolve) => { ready = resolve })
      const done = runWorker(t, `
        const { workerData, parentPort } = require('node:worker_threads')
        const { TierCache } = require(workerData.tiercache)
        const Redis = require(require.resolve('ioredis', { paths: [workerData.tiercache] }))
        ;(async () => {
          // The main thread's store (same name and server), never connected:
          // no invalidation reaches it but through the main thread's connection.
          const local = new TierCache({ redis: workerData.url, name: workerData.name, lazyConnect: true })
          const writer = new Redis(workerData.url)
          await writer.ping()
          parentPort.postMessage({ before: local.local.get(workerData.key) })
          // The main thread blocks once it sees this.
          while (Atomics.load(workerData.signal, 0) === 0) await new Promise((r) => setTimeout(r, 1))
          await writer.set(workerData.key, 'new')
          const t0 = Date.now()
          while (local.local.get(workerData.key) === 'old' && Date.now() - t0 < 5000) {
            await new Promise((r) => setTimeout(r, 1))
          }
          parentPort.postMessage({ after: local.local.get(workerData.key), ms: Date.now() - t0 })
          writer.disconnect()
          local.disconnect()
        })().catch((e) => parentPort.postMessage({ error: String(e && e.stack) }))
      `, { url: redis.server.url, name, key, signal }, (m) => { if ('before' in m || 'error' in m) ready(m) })
      const first = await workerReady
      assert.equal(first.error, undefined)
      assert.equal(first.before, 'old', 'the worker reads the main thread\'s L1')
      // The main thread is blocked (not in its event loop) from here.
      Atomics.store(signal, 0, 1)
      const until = Date.now() + BLOCKED_MS
      while (Date.now() < until) Atomics.wait(signal, 0, 1, 10)
      const { code, messages } = await done
      const result = messages.find((m) => 'after' in m || 'error' in m)
      assert.equal(result.error, undefined)
      assert.equal(code, 0)
      assert.notEqual(result.after, 'old', 'the invalidation reached L1')
      // Read by the I/O thread within 5 ms (plus a loaded machine's delays),
      // not once this thread woke up.
      assert.ok(result.ms < BLOCKED_MS / 2, `seen after ${result.ms} ms of ${BLOCKED_MS} ms blocked`)
    } finally {
      await cache.quit()
    }
  })

  test('a worker reading its connection ends cleanly: by itself, terminated mid-traffic, or by process.exit', async (t) => {
    const source = `
      const { workerData, parentPort } = require('node:worker_threads')
      const { TierCache } = require(workerData.tiercache)
      const cache = new TierCache({ redis: workerData.url, name: workerData.name })
      ;(async () => {
        await cache.connect()
        for (let i = 0; i < 50; i++) {
          await cache.set('w:' + i, 'v' + i)
          await cache.get('w:' + i)
          await cache.hset('wh', 'f' + i, 'v')
        }
        if (workerData.how === 'traffic') {
          parentPort.postMessage('busy')
          for (;;) await Promise.all([cache.get('w:1'), cache.hgetall('wh'), cache.set('w:2', 'x')])
        }
        if (workerData.how === 'exit') process.exit(0)
        // 'idle': nothing keeps the loop alive; the connection is left open.
        parentPort.postMessage('idle')
      })().catch((e) => parentPort.postMessage({ error: String(e && e.stack) }))
    `
    for (const how of ['idle', 'traffic', 'exit']) {
      const { code, messages } = await runWorker(t, source, { url: redis.server.url, name: uniqueName(`js-reads-${how}`), how }, (m, w) => {
        if (m === 'busy') setTimeout(() => w.terminate(), 50)
      })
      assert.deepEqual(messages.filter((m) => m.error !== undefined), [], how)
      assert.equal(code, how === 'traffic' ? 1 : 0, how)
    }
    // Still here, and the server still answers this process.
    assert.equal(await redis.io.ping(), 'PONG')
  })

  test('reads written by this thread and writes run by the I/O thread, interleaved, see every write in order', async () => {
    const cache = new TierCache({ redis: redis.server.url, name: uniqueName('js-reads-mixed') })
    await cache.connect()
    try {
      const key = `mixed:${process.pid}`
      for (let i = 0; i < 300; i++) {
        // set: run by the I/O thread (which then reads); l2.get and hget:
        // written here (and read here); now and then a foreign write.
        await cache.set(key, `v${i}`)
        assert.equal(await cache.l2.get(key), `v${i}`, `round ${i}`)
        const [, field] = await Promise.all([cache.hset(`${key}:h`, 'f', `v${i}`), cache.hget(`${key}:h`, 'f')])
        assert.equal(field, `v${i}`, `round ${i}, hash`)
        if (i % 3 === 0) {
          await redis.io.set(key, `foreign${i}`)
          let seen
          const until = Date.now() + 2000
          while ((seen = await cache.get(key)) !== `foreign${i}` && Date.now() < until) await sleep(1)
          assert.equal(seen, `foreign${i}`, `foreign write ${i}`)
        }
      }
      assert.equal(cache.stats().l2.errors, 0)
    } finally {
      await cache.quit()
    }
  })

  test('a long burst reaches Redis while the tick that submits it still runs, and answers in order', async () => {
    const cache = new TierCache({ redis: redis.server.url, name: uniqueName('js-reads-early') })
    await cache.connect()
    try {
      const key = `early:${process.pid}`
      await cache.del(key)
      // 100 INCRs in one tick, then this thread is blocked before the tick
      // ends: what Redis ran meanwhile was written while JS submitted. Read
      // from another process (this thread cannot await).
      const replies = []
      for (let i = 0; i < 100; i++) replies.push(cache.incr(key))
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300)
      const seen = Number(execFileSync(process.execPath, ['-e', `
        const Redis = require('ioredis')
        const r = new Redis(${redis.server.port}, '127.0.0.1')
        r.get(${JSON.stringify(key)}).then((v) => { process.stdout.write(String(v ?? 0)); r.disconnect() })
      `], { cwd: ROOT, encoding: 'utf8', timeout: 10_000 }))
      assert.ok(seen >= 16 && seen < 100, `Redis had run ${seen} of the 100 INCRs before the submitting tick ended (expected its first pieces, not all)`)
      assert.deepEqual(await Promise.all(replies), Array.from({ length: 100 }, (_, i) => i + 1))
      assert.equal(await redis.io.get(key), '100')
    } finally {
      await cache.quit()
    }
  })
})
