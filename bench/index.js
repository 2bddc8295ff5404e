'use strict'
// The benchmark suite: `npm run bench` runs every scenario in order;
// `node --expose-gc bench/index.js traces memory` runs only those named.
// Tables go to stdout as each scenario finishes and, at the end, to
// bench/RESULTS.md (overwritten) with the machine they were measured on.

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

// Before any scenario requires a peer library: name the install command if one is missing.
require('./lib/peers').exitUnlessInstalled()

const { versions, addonIdentity } = require('./lib/caches')
const { addonsLoaded } = require('./lib/child')
const { ROUNDS, ROUND_MS } = require('./lib/measure')
const { peerVersions } = require('./lib/redis')
const patterns = require('./patterns')
const express = require('./express')

const SCENARIOS = [
  require('./hotpath'),
  require('./mget'),
  require('./memory'),
  require('./traces'),
  require('./profile'),
  require('./l2'),
  require('./coherence'),
  require('./tiers'),
  require('./replies'),
  require('./generic'),
  require('./cluster'),
  patterns,
  express
]
const RESULTS = path.join(__dirname, 'RESULTS.md')

function selected (argv) {
  if (argv.length === 0) return SCENARIOS
  const names = new Set(SCENARIOS.map((s) => s.name))
  for (const a of argv) {
    if (!names.has(a)) {
      console.error(`unknown scenario ${JSON.stringify(a)}; choose from: ${[...names].join(', ')}`)
      process.exit(2)
    }
  }
  return SCENARIOS.filter((s) => argv.includes(s.name))
}

/** The Redis-tier peers' versions, for runs that include l2 or tiers. */
function redisPeers () {
  const p = peerVersions()
  return `- Redis tier: redis-server ${p['redis-server']}; ioredis ${p.ioredis}, node-redis (redis) ${p.redis}, bentocache ${p.bentocache}, cacheable ${p.cacheable} with @keyv/redis ${p['@keyv/redis']} and keyv ${p.keyv}`
}

function header (chosen, started) {
  const cpus = os.cpus()
  const v = versions()
  const load = os.loadavg().map((l) => l.toFixed(2)).join(', ')
  return [
    '# tiercache benchmark results',
    '',
    `- date: ${started.toISOString()}`,
    `- node: ${process.version} (V8 ${process.versions.v8}), ${process.platform}-${process.arch}`,
    `- machine: ${cpus[0] ? cpus[0].model : 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}`,
    `- load average when the run started: ${load} (a shared machine: compare ratios, not absolute numbers)`,
    `- addon: ${addonIdentity()}`,
    `- libraries: tiercache ${v.tiercache}, lru-cache ${v['lru-cache']}, @isaacs/ttlcache ${v['@isaacs/ttlcache']}, node-cache ${v['node-cache']}; timing by mitata ${v.mitata}`,
    ...(chosen.some((s) => s.name === 'l2' || s.name === 'tiers') ? [redisPeers()] : []),
    ...(chosen.some((s) => s.name === 'patterns') ? [`- patterns peers: ${patterns.versionLine()}`] : []),
    ...(chosen.some((s) => s.name === 'express') ? [`- express peers: ${express.versionLine()}; load by autocannon in this process, ${express.CONNECTIONS} connections × ${express.SECONDS} s per variant (BENCH_HTTP_SECONDS)`] : []),
    `- timing: ${ROUNDS} interleaved rounds of ≥ ${ROUND_MS} ms per contestant, median reported (BENCH_ROUNDS, BENCH_ROUND_MS)`,
    `- scenarios: ${chosen.map((s) => s.name).join(', ')}`,
    ''
  ].join('\n')
}

async function main () {
  if (typeof global.gc !== 'function') {
    console.error('run with --expose-gc (npm run bench does)')
    process.exit(2)
  }
  const chosen = selected(process.argv.slice(2))
  const started = new Date()
  const t0 = performance.now()
  const head = header(chosen, started)
  console.log(head)
  const sections = []
  for (const scenario of chosen) {
    process.stderr.write(`▶ ${scenario.name}: ${scenario.title}\n`)
    const s0 = performance.now()
    const before = addonsLoaded.length
    const md = await scenario.run()
    const seconds = (performance.now() - s0) / 1e3
    const builds = [...new Set(addonsLoaded.slice(before))]
    const buildNote = builds.length > 1 ? ` ⚠ the addon was rebuilt during this scenario: its processes loaded ${builds.join('; ')}.` : ''
    const section = `${md}\n_${scenario.name} took ${seconds.toFixed(0)} s._${buildNote}\n`
    sections.push(section)
    console.log(section)
  }
  const total = (performance.now() - t0) / 1e3
  const builds = [...new Set(addonsLoaded)]
  const footer = [
    '---',
    '',
    `Total run time: ${Math.floor(total / 60)} min ${Math.round(total % 60)} s; load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(', ')}.`,
    builds.length > 1
      ? `⚠ The addon was rebuilt while this ran; the measuring processes loaded: ${builds.join('; ')}. Re-run for one build.`
      : `Every measuring process loaded ${builds[0] ?? addonIdentity()}.`,
    ''
  ].join('\n')
  console.log(footer)
  fs.writeFileSync(RESULTS, [head, ...sections, footer].join('\n'))
  process.stderr.write(`results written to ${path.relative(process.cwd(), RESULTS)}\n`)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
