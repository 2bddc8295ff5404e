'use strict'
// The Redis side of the benchmarks (scenarios "l2" and "tiers"): a private
// redis-server on a free loopback port (never 6379, which may be someone
// else's), the server's own ceiling as redis-benchmark sees it, the peers'
// versions, and tiercache's Redis tier opened so that a build without it
// shows up as "n/a" instead of failing the scenario.

const { execFile, execFileSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const { startRedis } = require('../../__test__/support/redis-server')
const fx = require('./fixtures')
const { progress } = require('./child')
const { versionOf } = require('./peers')

const ROOT = path.join(__dirname, '..', '..')

const FILLER = 'abcdefghijklmnopqrstuvwxyz0123456789'

/** A distinct 1,024-byte string value for entry `i` (flat, as read from a socket). */
function kbValue (i) {
  return fx.flat((`v${i}:` + FILLER.repeat(29)).slice(0, 1024))
}

/** The values both Redis scenarios store: short strings and 1 KB strings. */
const VALUE_KINDS = Object.freeze({
  '20B': { label: '20-byte strings', short: '20 B', value: fx.stringValue },
  '1KB': { label: '1 KB strings', short: '1 KB', value: kbValue }
})

/** The path of `name` on PATH, or null. */
function which (name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue
    const full = path.join(dir, name)
    try {
      fs.accessSync(full, fs.constants.X_OK)
      return full
    } catch {}
  }
  return null
}

/** "7.0.15" from `redis-server --version`, or null when there is none. */
function redisServerVersion () {
  if (which('redis-server') === null) return null
  try {
    const out = execFileSync('redis-server', ['--version'], { encoding: 'utf8', timeout: 5000 })
    const m = /v=(\S+)/.exec(out)
    return m ? m[1] : out.trim()
  } catch {
    return null
  }
}

/**
 * Starts a private redis-server (nothing persisted) and resolves with
 * { port, url, stop() }, or with null when redis-server is not installed.
 */
async function startServer () {
  if (which('redis-server') === null) return null
  return startRedis()
}

/** Resolves with `promise`, or rejects after `ms` with "`what`: no answer". */
function withTimeout (promise, ms, what) {
  let timer
  const late = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms} ms`)), ms)
  })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}

/**
 * `redis-benchmark -p <port> -t get -P 16 -q -n 200000`: GETs per second the
 * server answers to 50 pipelining clients written in C — the ceiling no Node
 * client on this machine can reach. Resolves with { rps, p50Ms, command } or
 * { skipped } (never rejects).
 */
function serverCeiling (port) {
  const args = ['-p', String(port), '-t', 'get', '-P', '16', '-q', '-n', '200000']
  const command = `redis-benchmark ${args.join(' ')}`
  if (which('redis-benchmark') === null) return Promise.resolve({ command, skipped: 'redis-benchmark not found on PATH' })
  return new Promise((resolve) => {
    execFile('redis-benchmark', args, { encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => {
      // -q rewrites a progress line with \r; the final figure is the last match.
      const text = `${stdout}\n${stderr}`
      const all = [...text.matchAll(/GET: ([\d.]+) requests per second(?:, p50=([\d.]+) msec)?/g)]
      if (all.length === 0) {
        return resolve({ command, skipped: err ? err.message.split('\n')[0] : `unexpected output: ${text.trim().slice(0, 200)}` })
      }
      const last = all[all.length - 1]
      resolve({ command, rps: Number(last[1]), p50Ms: last[2] === undefined ? null : Number(last[2]) })
    })
  })
}

/**
 * Writes `keys[i] = values[i]` into Redis as plain strings (SET semantics),
 * with ioredis, in pipelined MSETs of 1,000 keys.
 */
async function preload (url, keys, values) {
  const Redis = require('ioredis')
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 })
  try {
    await client.connect()
    const pipeline = client.pipeline()
    for (let i = 0; i < keys.length; i += 1000) {
      const args = []
      for (let j = i; j < Math.min(i + 1000, keys.length); j++) args.push(keys[j], values[j])
      pipeline.mset(...args)
    }
    const replies = await pipeline.exec()
    for (const [err] of replies) if (err) throw err
  } finally {
    client.disconnect()
  }
}

/**
 * Counts the commands the server processes: `await counter.count()` is the
 * server's total_commands_processed minus the INFO calls this counter made.
 * Used to show that a "memory-tier hit" row really sends nothing to Redis.
 */
async function commandCounter (url) {
  const Redis = require('ioredis')
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 })
  await client.connect()
  let ownCalls = 0
  return {
    async count () {
      const info = await client.info('stats')
      ownCalls++
      const m = /total_commands_processed:(\d+)/.exec(info)
      return m ? Number(m[1]) - ownCalls : NaN
    },
    /** Keys in the database (DBSIZE; not a counted command of interest). */
    async dbsize () {
      ownCalls++
      return client.dbsize()
    },
    close: () => client.disconnect()
  }
}

/** The first line of an error's message, for a table cell. */
function reason (err) {
  const text = err && err.message ? err.message : String(err)
  return text.split('\n')[0]
}

/**
 * Opens tiercache with the Redis tier: `new TierCache(options)` then
 * `await cache.connect()`. Resolves with { cache } or, when this build has no
 * Redis tier (or it fails to connect), with { error } after closing whatever
 * was opened — never rejects, so the peers' rows are still measured.
 */
async function openTiercache (options, { timeoutMs = 10_000 } = {}) {
  let cache
  try {
    const TierCache = require(ROOT)
    cache = new TierCache(options)
    if (typeof cache.on === 'function') cache.on('error', () => {})
    await withTimeout(cache.connect(), timeoutMs, 'tiercache connect()')
    return { cache }
  } catch (err) {
    if (cache !== undefined) await closeQuietly(() => cache.quit())
    return { error: reason(err) }
  }
}

/**
 * "- n/a: a, b: why" lines for the contestants that could not run, one line
 * per distinct reason. `unavailable` maps contestant id → reason.
 */
function unavailableNotes (unavailable, contestants) {
  const byReason = new Map()
  for (const [id, why] of Object.entries(unavailable)) {
    const c = contestants.find((x) => x.id === id)
    const name = (c ? c.name : id).replace(/\*\*/g, '')
    if (!byReason.has(why)) byReason.set(why, [])
    byReason.get(why).push(name)
  }
  return [...byReason].map(([why, names]) => `- n/a: ${names.join('; ')}: ${why}`)
}

/**
 * A Redis scenario's section: `body(server)` (its markdown) run against a
 * private redis-server, stopped afterwards whatever happened; `title` and a
 * line saying so when redis-server is not installed. `name` heads the
 * progress line.
 */
async function onPrivateServer (name, title, body) {
  const server = await startServer()
  if (server === null) return `${title}\n\n_Skipped: redis-server is not on PATH._\n`
  try {
    progress(`${name}: private redis-server on port ${server.port}`)
    return await body(server)
  } finally {
    await server.stop()
  }
}

/** Runs `close` (which may return a promise), waiting at most `ms`; never throws. */
async function closeQuietly (close, ms = 5000) {
  try {
    await withTimeout(Promise.resolve().then(close), ms, 'close')
  } catch {}
}

/** Versions of the Redis-tier peers and the server, for the results header. */
function peerVersions () {
  return {
    ioredis: versionOf('ioredis', '?'),
    redis: versionOf('redis', '?'),
    bentocache: versionOf('bentocache', '?'),
    cacheable: versionOf('cacheable', '?'),
    '@keyv/redis': versionOf('@keyv/redis', '?'),
    keyv: versionOf('keyv', '?'),
    'redis-server': redisServerVersion() ?? 'not installed'
  }
}

module.exports = {
  onPrivateServer,
  VALUE_KINDS,
  kbValue,
  which,
  startServer,
  serverCeiling,
  preload,
  commandCounter,
  openTiercache,
  closeQuietly,
  unavailableNotes,
  withTimeout,
  reason,
  peerVersions,
  redisServerVersion
}
