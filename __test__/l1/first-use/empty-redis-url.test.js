'use strict'
// `REDIS_URL=` (set, but empty) means what an unset REDIS_URL means: no
// Redis, L1 only. So does a URL of only whitespace (the URL parser would trim
// it to nothing): there is no host in it to connect to.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')
const TierCache = require('../../..')
const { open } = require('../../support/helpers')

const ROOT = path.join(__dirname, '..', '..', '..')

const BLANK_FORMS = {
  "new TierCache('')": () => new TierCache(''),
  "new TierCache('', { keyPrefix })": () => new TierCache('', { keyPrefix: 'app:' }),
  "new TierCache('  ')": () => new TierCache('  \t'),
  "new TierCache({ redis: '' })": () => new TierCache({ redis: '' }),
  "new TierCache({ url: '' })": () => new TierCache({ url: '' }),
  "createClient({ url: '' })": () => TierCache.createClient({ url: '' })
}

for (const [form, make] of Object.entries(BLANK_FORMS)) {
  test(`${form} is an L1-only cache`, async (t) => {
    const cache = make()
    t.after(() => cache.quit())
    assert.equal(cache.hasRedis, false)
    assert.equal(await cache.connect(), cache)
    assert.equal(await cache.set('k', { n: 1 }), 'OK')
    assert.deepEqual(await cache.get('k'), { n: 1 })
    assert.equal(cache.stats().l2, null)
  })
}

test('REDIS_URL= in the environment: new TierCache(process.env.REDIS_URL) runs L1 only', () => {
  const script = `
    const TierCache = require(${JSON.stringify(ROOT)})
    const cache = new TierCache(process.env.REDIS_URL, { keyPrefix: 'x:' })
    cache.set('k', 'v').then(() => cache.get('k')).then((v) => {
      console.log(JSON.stringify({ hasRedis: cache.hasRedis, v }))
      return cache.quit()
    })`
  const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, REDIS_URL: '' }, encoding: 'utf8', timeout: 20_000 })
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(JSON.parse(r.stdout), { hasRedis: false, v: 'v' })
})

test('a URL that is not blank is still parsed: a wrong one is refused, not taken as L1 only', (t) => {
  assert.throws(() => new TierCache(' x '), { name: 'TierCacheTypeError', code: 'ERR_TIERCACHE_INVALID_ARGUMENT' })
  const cache = open(t, ' redis://127.0.0.1:1 ', { lazyConnect: true })
  assert.equal(cache.hasRedis, true)
})
