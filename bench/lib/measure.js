'use strict'
// Throughput of several contestants doing the same thing, measured so that
// their RATIOS survive a shared, noisy machine: mitata times each function
// (batched, JIT-warmed, outliers trimmed), and the contestants take turns in
// several short rounds instead of one long run each, so a burst of noise
// from a neighbour hits all of them rather than whoever ran at that moment.

const { progress } = require('./child')

const ROUNDS = positive(process.env.BENCH_ROUNDS, 3)
const ROUND_MS = positive(process.env.BENCH_ROUND_MS, 200)

function positive (text, fallback) {
  const n = Number(text)
  return Number.isFinite(n) && n > 0 ? n : fallback
}

function median (values) {
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

let mitata
async function loadMitata () {
  // mitata is ESM-only; the suite is CommonJS like the package.
  mitata ??= await import('mitata')
  return mitata
}

/** Keeps a result alive so the JIT cannot drop the call that produced it. */
let blackhole
function sink (value) {
  blackhole = value
}

/**
 * @param {Array<{ id: string, fn: () => any, opsPerCall?: number }>} contestants
 *   `fn` performs `opsPerCall` operations (e.g. a Promise.all of 100 gets).
 * @returns {Promise<Map<string, { nsPerOp: number, opsPerSec: number, spread: number, rounds: number[] }>>}
 *   nsPerOp is the median over rounds of mitata's median sample;
 *   spread is (slowest round - fastest round) / median, a noise indicator.
 */
async function compare (label, contestants, { rounds = ROUNDS, roundMs = ROUND_MS } = {}) {
  const { measure } = await loadMitata()
  const perRound = new Map(contestants.map((c) => [c.id, []]))
  for (let r = 0; r < rounds; r++) {
    progress(`${label}: round ${r + 1}/${rounds}`)
    // Rotate the order so nobody always runs right after the same neighbour
    // (whose garbage it would pay for).
    for (let i = 0; i < contestants.length; i++) {
      const c = contestants[(i + r) % contestants.length]
      const stats = await measure(c.fn, { min_cpu_time: roundMs * 1e6 })
      perRound.get(c.id).push(stats.p50 / (c.opsPerCall ?? 1))
    }
  }
  sink(null)
  const out = new Map()
  for (const [id, values] of perRound) {
    const nsPerOp = median(values)
    out.set(id, {
      nsPerOp,
      opsPerSec: 1e9 / nsPerOp,
      spread: (Math.max(...values) - Math.min(...values)) / nsPerOp,
      rounds: values
    })
  }
  return out
}

/**
 * Each contestant's description merged with its result, minus the measured
 * function: what a child process sends back to the parent.
 */
function report (contestants, results) {
  return contestants.map((c) => {
    const row = { ...c, ...results.get(c.id) }
    delete row.fn
    return row
  })
}

module.exports = { compare, report, sink, median, ROUNDS, ROUND_MS, get blackhole () { return blackhole } }
