'use strict'
// Property-based fuzz of the whole public surface (fast-check): every method
// of TierCache.prototype (aliases included), cache.local, cache.l2, the
// patterns, the constructor and createClient, the session store and the
// Express response cache over real HTTP; each without and with Redis.
//
// Each surface runs in a child process (child.js) under Node's default
// settings, with no 'unhandledRejection' / 'uncaughtException' handler: an
// unhandled rejection or an uncaught exception ends it with a non-zero code.
// Asserted per child: it exits 0 having made all its calls, no call outlived
// its bound, and every failure was a TierCacheError with a code from
// TierCache.codes (or the fuzzer's own hostile error, see child.js).
//
// CI size by default; the full run (≥ 100,000 calls):
//   npm run fuzz                  (node __test__/l2/fuzz/api.fuzz.test.js --full)
//   FUZZ_SEED=123 npm run fuzz    (replay a seed; FUZZ_CALLS=n sets the total)

const { test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { spawn } = require('node:child_process')
const { startRedis } = require('../../support/redis-server')

const FULL = process.argv.includes('--full')
const TOTAL = Number(process.env.FUZZ_CALLS) || (FULL ? 120_000 : 45_000)
const SEED = Number(process.env.FUZZ_SEED) || Date.now() % 1_000_000
const CHILD = path.join(__dirname, 'child.js')

// Share of the total calls per surface (each run once without, once with Redis).
const SURFACES = { cache: 0.3, views: 0.12, patterns: 0.2, construct: 0.1, session: 0.14, express: 0.14 }

function runChild (surface, calls, redisUrl) {
  return new Promise((resolve) => {
    const argv = [CHILD, surface, String(SEED), String(calls)]
    if (redisUrl) argv.push(redisUrl)
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (c) => { out += c })
    child.stderr.on('data', (c) => { err += c })
    // A child that never ends is a hang: killed, and reported as such.
    const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(120_000, calls * 20))
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      const line = out.split('\n').find((l) => l.startsWith('RESULT '))
      resolve({ code, signal, result: line ? JSON.parse(line.slice(7)) : null, stderr: err })
    })
  })
}

test(`fuzz every public surface (seed ${SEED}, ${TOTAL} calls)`, { timeout: FULL ? 3_600_000 : 300_000 }, async (t) => {
  const redis = await startRedis()
  t.after(() => redis.stop())
  const started = Date.now()
  const rows = []
  const failures = []
  for (const [surface, share] of Object.entries(SURFACES)) {
    const calls = Math.max(50, Math.round((TOTAL * share) / 2))
    for (const url of [undefined, redis.url]) {
      const { code, signal, result, stderr } = await runChild(surface, calls, url)
      const label = `${surface}${url ? '+redis' : ''}`
      const row = { surface: label, calls: result ? result.calls : 0, exit: signal || code, bad: result ? result.bad : '?', hangs: result ? result.hangs : '?', hostile: result ? result.hostile : '?' }
      rows.push(row)
      if (code !== 0 || result === null) {
        failures.push(`${label}: the child died (exit ${signal || code}): an unhandled rejection or uncaught exception\n${stderr.slice(-3000)}`)
        continue
      }
      if (result.calls < calls) failures.push(`${label}: made ${result.calls} of ${calls} calls`)
      if (result.bad > 0 || result.hangs > 0) failures.push(`${label}: ${result.bad} non-TierCacheError failures, ${result.hangs} hangs\n  ${result.badSamples.join('\n  ')}`)
    }
  }
  const calls = rows.reduce((n, r) => n + r.calls, 0)
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  const perSurface = rows.map((r) => `${r.surface}=${r.calls}`).join(' ')
  t.diagnostic(`fuzz seed=${SEED} calls=${calls} in ${seconds}s: ${perSurface}`)
  // The summary line (also when run by `npm run fuzz`).
  console.log(`fuzz: seed=${SEED} calls=${calls} failures=${failures.length} time=${seconds}s\n  ${perSurface}\n  bad/hangs/hostile: ${rows.map((r) => `${r.surface}=${r.bad}/${r.hangs}/${r.hostile}`).join(' ')}`)
  assert.deepEqual(failures, [], `seed ${SEED} (replay with FUZZ_SEED=${SEED})`)
  assert.ok(calls >= TOTAL * 0.95, `made ${calls} calls of ${TOTAL}`)
})
