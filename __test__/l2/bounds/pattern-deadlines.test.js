'use strict'
// docs/redis-tier.md "Failure behaviour": no call outlives commandTimeout. A pattern
// call makes several Redis round trips (read, tag generations, lease,
// store, release); they share ONE deadline, and the caller never waits on
// a write once the value is known. Checked with Redis stalled (SIGSTOP of
// its process) and blackholed (a proxy that answers nothing), cold cache.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const express = require('express')

const { TierCache, LoaderTimeoutError } = require('../../..')
const { startRedis } = require('../../support/redis-server')
const { startProxy } = require('../../support/tcp-proxy')

const COMMAND_TIMEOUT = 300
const SLACK = 250
const BOUND = COMMAND_TIMEOUT + SLACK
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** { ms, ok, value | error } of `fn()`, never longer than 10 s. */
async function timed (fn) {
  const t0 = Date.now()
  let out
  try {
    out = { ok: true, value: await fn() }
  } catch (error) {
    out = { ok: false, error }
  }
  out.ms = Date.now() - t0
  return out
}

function getOver (port, path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c) => { body += c })
      res.on('end', () => resolve({ status: res.statusCode, body }))
    }).on('error', reject)
  })
}

const FAULTS = ['stall (SIGSTOP)', 'blackhole (proxy)']

for (const fault of FAULTS) {
  describe(`pattern calls settle within commandTimeout with Redis ${fault}`, () => {
    let srv
    let proxy = null
    let cache
    let n = 0
    const key = (name) => `dl:${name}:${++n}`

    before(async () => {
      srv = await startRedis()
      if (fault.startsWith('blackhole')) proxy = await startProxy({ targetPort: srv.port })
    })
    after(async () => {
      if (proxy !== null) await proxy.close()
      await srv.stop()
    })

    // Each call on a fresh connection (a breaker opened by an earlier
    // timeout would answer the next calls at once), faulted after connecting.
    async function faulted (t) {
      const url = proxy === null ? srv.url : proxy.url
      cache = new TierCache({ redis: { url, commandTimeout: COMMAND_TIMEOUT } })
      await cache.ping()
      if (proxy !== null) await proxy.mode('blackhole')
      else process.kill(srv.pid, 'SIGSTOP')
      t.after(async () => {
        if (proxy === null) process.kill(srv.pid, 'SIGCONT')
        else await proxy.mode('pass')
        await cache.quit().catch(() => {})
      })
    }

    const report = (name, r) => console.log(`# ${fault} ${name}: ${r.ms} ms ${r.ok ? 'resolved' : 'rejected ' + (r.error && r.error.code)}`)

    // A cache with a loader answers the loaded value.
    const loaded = [
      ['getOrSet', (k) => cache.getOrSet(k, () => 'v')],
      ['getOrSet lock', (k) => cache.getOrSet(k, () => 'v', { lock: true })],
      ['getOrSet tags', (k) => cache.getOrSet(k, () => 'v', { tags: ['t1'] })],
      ['getOrSet lock+tags+ttl', (k) => cache.getOrSet(k, () => 'v', { lock: true, tags: ['t2'], ttl: 5000 })],
      ['wrap', (k) => cache.wrap(k, async () => 'v')]
    ]
    for (const [name, call] of loaded) {
      test(`${name} answers the loaded value within ${BOUND} ms`, async (t) => {
        await faulted(t)
        const r = await timed(() => call(key(name)))
        report(name, r)
        assert.equal(r.ok, true, r.error && r.error.message)
        assert.equal(r.value, 'v')
        assert.ok(r.ms <= BOUND, `${name} took ${r.ms} ms`)
      })
    }

    test('getOrSet lock + hardTimeout with a slow loader fails with LoaderTimeoutError within bound + hardTimeout', async (t) => {
      await faulted(t)
      const r = await timed(() => cache.getOrSet(key('hard'), () => sleep(2000).then(() => 'late'), { lock: true, hardTimeout: 500 }))
      report('lock+hardTimeout', r)
      assert.equal(r.ok, false)
      assert.ok(r.error instanceof LoaderTimeoutError, String(r.error))
      assert.ok(r.ms <= BOUND + 500, `took ${r.ms} ms`)
    })

    test('getOrSet lock + hardTimeout with a loader within it answers within bound + loader time', async (t) => {
      await faulted(t)
      const r = await timed(() => cache.getOrSet(key('hard-ok'), () => sleep(200).then(() => 'v'), { lock: true, hardTimeout: 500 }))
      report('lock+hardTimeout (200 ms loader)', r)
      assert.equal(r.ok, true, r.error && r.error.message)
      assert.equal(r.value, 'v')
      assert.ok(r.ms <= BOUND + 200, `took ${r.ms} ms`)
    })

    test('the store left to the background fails quietly: counted in storeErrors, no unhandled rejection', async (t) => {
      await faulted(t)
      const unhandled = []
      const onUnhandled = (err) => unhandled.push(err)
      process.on('unhandledRejection', onUnhandled)
      t.after(() => process.off('unhandledRejection', onUnhandled))
      const before = cache.stats().patterns.storeErrors
      assert.equal(await cache.getOrSet(key('bg'), () => 'v', { lock: true }), 'v')
      // The SET (and the lease acquire sent late) time out by themselves within commandTimeout.
      await sleep(COMMAND_TIMEOUT * 3)
      console.log(`# ${fault} storeErrors after one getOrSet: ${cache.stats().patterns.storeErrors - before}`)
      assert.equal(cache.stats().patterns.storeErrors, before + 1)
      assert.deepEqual(unhandled, [])
    })

    // Writes to Redis: they settle (either way) within the bound.
    const writes = [
      ['writeThrough', (k) => cache.writeThrough(k, 'v', async () => {})],
      ['set with tags', (k) => cache.set(k, 'v', { tags: ['t3'] })],
      ['invalidateTags', () => cache.invalidateTags(['t3'])],
      ['namespace clear', () => cache.namespace('ns').clear()]
    ]
    for (const [name, call] of writes) {
      test(`${name} settles within ${BOUND} ms`, async (t) => {
        await faulted(t)
        const r = await timed(() => call(key(name)))
        report(name, r)
        assert.ok(r.ms <= BOUND, `${name} took ${r.ms} ms`)
      })
    }

    test('a cold GET through the Express response cache answers within bound', async (t) => {
      await faulted(t)
      const app = express()
      app.get('/x', cache.middleware({ ttl: 10_000 }), (req, res) => res.send('fresh'))
      const server = app.listen(0, '127.0.0.1')
      await new Promise((resolve) => server.once('listening', resolve))
      t.after(() => new Promise((resolve) => server.close(resolve)))
      const r = await timed(() => getOver(server.address().port, '/x'))
      report('express cold GET', r)
      assert.equal(r.ok, true)
      assert.equal(r.value.status, 200)
      assert.equal(r.value.body, 'fresh')
      assert.ok(r.ms <= BOUND, `took ${r.ms} ms`)
    })
  })
}
