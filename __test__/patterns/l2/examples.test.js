'use strict'
// The cache-pattern examples (examples/cache-aside.js, write-through.js,
// refresh-ahead.js) run as their own processes, as a user would run them:
// L1 only, and with REDIS_URL pointing at a private redis-server. Each must
// end by itself with exit code 0 and print what the pattern promises.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')

const { startRedis } = require('../../support/redis-server')
const { startScript, within } = require('../../support/child')

const EXAMPLES = path.join(__dirname, '..', '..', '..', 'examples')
const EXIT_TIMEOUT_MS = 30_000

/** Runs examples/<name> to its end; resolves { code, stdout, stderr }. */
async function run (t, name, redisUrl) {
  const env = { ...process.env }
  delete env.REDIS_URL
  if (redisUrl !== undefined) env.REDIS_URL = redisUrl
  const ex = startScript(t, path.join(EXAMPLES, name), env)
  const { code } = await within(ex.exited, EXIT_TIMEOUT_MS, () => `${name} did not end within ${EXIT_TIMEOUT_MS} ms\n${ex.describeOutput()}`)
  return { code, ...ex.out }
}

const CHECKS = {
  'cache-aside.js' (out) {
    assert.match(out, /100 concurrent requests → 1 database query; name: Ada/)
    assert.match(out, /another request → still 1 query/)
    assert.match(out, /after the update → Ada Lovelace \(2 queries\)/)
    assert.match(out, /database down, entry stale → served Grace from the grace period/)
    assert.match(out, /5 lookups of a missing user → 1 query/)
  },
  'write-through.js' (out) {
    assert.match(out, /writeThrough → \{ saved: 'acme' \} · cached: \{ plan: 'pro', seats: 20 \}/)
    assert.match(out, /refused: constraint violated: seats must be ≤ 100 · cached: null/)
    assert.match(out, /read after the refused write: \{ plan: 'pro', seats: 20 \}/)
  },
  'refresh-ahead.js' (out) {
    const m = /(\d+) requests in 2 s, (\d+) waited for the feed, (\d+) feed queries \((\d+) background refreshes\)/.exec(out)
    assert.ok(m, out)
    const [requests, waited, queries, refreshes] = m.slice(1).map(Number)
    // 2 s at one request per ≥ 10 ms; a 400 ms ttl refreshed at half-life: ~7 queries.
    assert.ok(requests > 20, out)
    assert.ok(waited <= Math.max(1, requests * 0.05), `too many requests waited for the feed: ${out}`)
    assert.ok(refreshes >= 2 && queries <= 20, out)
  }
}

describe('cache-pattern examples', { timeout: 120_000 }, () => {
  let srv
  before(async () => { srv = await startRedis() })
  after(async () => { if (srv) await srv.stop() })

  for (const [name, check] of Object.entries(CHECKS)) {
    for (const withRedis of [false, true]) {
      test(`${name} · ${withRedis ? 'L1 + Redis' : 'L1 only'}`, async (t) => {
        const r = await run(t, name, withRedis ? srv.url : undefined)
        assert.equal(r.code, 0, `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`)
        check(r.stdout)
      })
    }
  }
})
