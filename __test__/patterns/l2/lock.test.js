'use strict'
// getOrSet's `lock` across processes: N instances, each with its own L1,
// share one loader call through a Redis lease; the others are woken when the
// value lands (not by polling); a holder that dies or hangs costs the others
// at most the lease, then one of them loads.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { spawn } = require('node:child_process')
const path = require('node:path')
const readline = require('node:readline')

const { startRedis } = require('../../support/redis-server')

const PEER = path.join(__dirname, '..', '..', 'support', 'fixtures', 'stampede-peer.js')
const TEST_TIMEOUT_MS = 60_000

/** Starts a peer; resolves once it is connected. `next(pred)` waits for a message. */
async function startPeer (t, env) {
  const child = spawn(process.execPath, [PEER], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit']
  })
  const messages = []
  const waiters = []
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    let m
    try {
      m = JSON.parse(line)
    } catch {
      return
    }
    messages.push(m)
    for (const w of waiters.slice()) {
      if (w.pred(m)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(m)
      }
    }
  })
  const exited = new Promise((resolve) => child.on('close', resolve))
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    return exited
  })
  const next = (pred) => {
    const seen = messages.find(pred)
    if (seen !== undefined) return Promise.resolve(seen)
    return new Promise((resolve) => waiters.push({ pred, resolve }))
  }
  await next((m) => m.ready === true)
  return { child, next, go: () => child.stdin.write('go\n'), exited }
}

/** 4 peers with `env`, started together: their final messages. */
async function stampede (t, env) {
  const peers = await Promise.all([0, 1, 2, 3].map(() => startPeer(t, env)))
  for (const p of peers) p.go()
  return Promise.all(peers.map((p) => p.next((m) => m.done !== undefined)))
}

describe('getOrSet lock across processes', { timeout: TEST_TIMEOUT_MS }, () => {
  let srv
  before(async () => { srv = await startRedis() })
  after(async () => { if (srv) await srv.stop() })

  test('4 processes × 250 concurrent cold calls: 1 loader call in total with lock', async (t) => {
    const env = { REDIS_URL: srv.url, KEY: 'stampede:locked', CALLS: '250', LOADER_MS: '100', LOCK: 'on', LEASE_MS: '5000', WAIT_MS: '5000' }
    const results = await stampede(t, env)
    for (const r of results) assert.equal(r.done, true, r.error)
    const total = results.reduce((n, r) => n + r.loaderCalls, 0)
    assert.equal(total, 1, `loader calls per process: ${results.map((r) => r.loaderCalls)}`)
    const values = new Set(results.flatMap((r) => r.values))
    assert.equal(values.size, 1, 'every caller in every process got the one loaded value')
    // The waiters were woken by Redis's invalidation, not by the 5 s lease backstop.
    for (const r of results) assert.ok(r.ms < 2500, `a process took ${r.ms} ms`)
    assert.ok(results.some((r) => r.stats.lockWaits > 0))
  })

  test('without lock: one loader call per process (single flight in each)', async (t) => {
    const env = { REDIS_URL: srv.url, KEY: 'stampede:unlocked', CALLS: '250', LOADER_MS: '100', LOCK: 'off' }
    const results = await stampede(t, env)
    for (const r of results) assert.equal(r.loaderCalls, 1)
  })

  test('a lease holder killed mid-load: another process loads once the lease runs out', async (t) => {
    const key = 'stampede:holder-dies'
    const holder = await startPeer(t, { REDIS_URL: srv.url, KEY: key, CALLS: '1', LOADER_MS: 'HANG', LOCK: 'on', LEASE_MS: '600', WAIT_MS: '10000' })
    holder.go()
    await holder.next((m) => m.loading === true)
    const waiter = await startPeer(t, { REDIS_URL: srv.url, KEY: key, CALLS: '20', LOADER_MS: '10', LOCK: 'on', LEASE_MS: '600', WAIT_MS: '10000' })
    waiter.go()
    holder.child.kill('SIGKILL')
    const r = await waiter.next((m) => m.done !== undefined)
    assert.equal(r.done, true, r.error)
    assert.equal(r.loaderCalls, 1)
    assert.deepEqual(r.values, [`value from ${waiter.child.pid}`])
    // Bounded by the lease (600 ms) plus scheduling, far below WAIT_MS.
    assert.ok(r.ms < 5000, `took ${r.ms} ms`)
  })

  test('a holder slower than lock.wait: the waiter loads itself after wait', async (t) => {
    const key = 'stampede:holder-slow'
    const holder = await startPeer(t, { REDIS_URL: srv.url, KEY: key, CALLS: '1', LOADER_MS: 'HANG', LOCK: 'on', LEASE_MS: '20000', WAIT_MS: '20000' })
    holder.go()
    await holder.next((m) => m.loading === true)
    const waiter = await startPeer(t, { REDIS_URL: srv.url, KEY: key, CALLS: '5', LOADER_MS: '10', LOCK: 'on', LEASE_MS: '20000', WAIT_MS: '300' })
    waiter.go()
    const r = await waiter.next((m) => m.done !== undefined)
    assert.equal(r.done, true, r.error)
    assert.equal(r.loaderCalls, 1)
    assert.ok(r.ms >= 250 && r.ms < 5000, `took ${r.ms} ms`)
  })
})
