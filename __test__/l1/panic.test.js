'use strict'
// A Rust panic inside the addon surfaces as an InternalError
// (ERR_TIERCACHE_INTERNAL) and never aborts Node.

const { test } = require('node:test')
const assert = require('node:assert/strict')

const { TierCache, runNode, assertTierError } = require('../support/helpers')
const testing = require('../../lib/testing')

const { InternalError } = TierCache

test('a forced panic returns an InternalError and the process keeps working', async () => {
  const cache = new TierCache()
  await cache.set('before', 'v')
  const err = testing.panic('x')
  assertTierError(err, InternalError, 'ERR_TIERCACHE_INTERNAL', 'panic')
  assert.match(err.message, /x/)
  // Again: a panic leaves nothing poisoned.
  const again = testing.panic('second')
  assert.equal(again.code, 'ERR_TIERCACHE_INTERNAL')
  // The existing cache and a new one still answer.
  assert.equal(await cache.get('before'), 'v')
  assert.equal(await cache.set('after', 'w'), 'OK')
  assert.equal(await cache.incr('n'), 1)
  const fresh = new TierCache({ maxEntries: 10 })
  assert.equal(await fresh.set('k', 'v'), 'OK')
  assert.equal(await fresh.get('k'), 'v')
  await fresh.quit()
  await cache.quit()
})

test('a forced panic in a child process: exit code 0, not an abort', () => {
  const r = runNode(`
    const TierCache = require('.')
    const testing = require('./lib/testing')
    ;(async () => {
      const cache = new TierCache()
      await cache.set('k', 'v')
      const err = testing.panic('boom in child')
      if (err.code !== 'ERR_TIERCACHE_INTERNAL') { console.log('wrong code', err.code); process.exit(2) }
      if (!(err instanceof TierCache.InternalError)) process.exit(3)
      const again = testing.panic('boom again')
      if (again.code !== 'ERR_TIERCACHE_INTERNAL') process.exit(4)
      if (await cache.get('k') !== 'v') process.exit(5)
      if (await cache.set('k2', 'v2') !== 'OK') process.exit(6)
      const other = new TierCache({ name: 'after-panic' })
      if (await other.set('x', 'y') !== 'OK' || await other.get('x') !== 'y') process.exit(7)
      console.log('alive after panic')
    })()
  `)
  assert.equal(r.error, undefined, String(r.error))
  assert.equal(r.signal, null, `the child was killed by ${r.signal} (an abort?)\n${r.stderr}`)
  assert.equal(r.status, 0, `exit ${r.status}\n${r.stdout}\n${r.stderr}`)
  assert.match(r.stdout, /alive after panic/)
})

test('a forced panic inside a worker thread does not take the process down', () => {
  const r = runNode(`
    const { Worker } = require('node:worker_threads')
    const w = new Worker(\`
      const { parentPort } = require('node:worker_threads')
      const testing = require(\${JSON.stringify(require.resolve('./lib/testing'))})
      const TierCache = require(\${JSON.stringify(require.resolve('.'))})
      const err = testing.panic('in a worker')
      const c = new TierCache()
      c.set('k', 'v').then(() => c.get('k')).then((v) => parentPort.postMessage(err.code + ' ' + v))
    \`, { eval: true })
    w.on('message', (m) => { console.log(m); w.terminate() })
    w.on('error', (e) => { console.log('worker error', e); process.exit(9) })
  `)
  assert.equal(r.signal, null, `killed by ${r.signal}\n${r.stderr}`)
  assert.equal(r.status, 0, `exit ${r.status}\n${r.stdout}\n${r.stderr}`)
  assert.match(r.stdout, /ERR_TIERCACHE_INTERNAL v/)
})
