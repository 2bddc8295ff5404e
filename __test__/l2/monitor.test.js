'use strict'
// monitor(): MONITOR on a client of its own (lib/monitor.js,
// src/core/tier/monitor.rs), beside ioredis's monitor() on the same private
// redis-server: the same commands with the same arguments, source and
// database; arguments Redis escaped come back as they were sent; a tenant
// with keyPrefix is refused before anything is opened; a killed MONITOR
// connection is reported and opened again; quit() ends it; the node-redis
// flavour's monitor(callback) gets Redis's lines.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const IORedis = require('ioredis')

const TierCache = require('../..')
const { startRedis } = require('../support/redis-server')
const { rejectsWith, runNode, sleep } = require('../support/helpers')
const { TierCacheError, NeedsRedisError, CODES } = require('../../lib/errors')

/** Polls until `ok()`, for at most 5 s. */
async function until (ok, what) {
  const deadline = Date.now() + 5000
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

/** The MONITOR connections Redis holds (CLIENT LIST flag O). */
async function monitors (io) {
  const list = await io.client('LIST')
  return list.split('\n').filter((line) => /\bflags=\S*O/.test(line))
}

describe('monitor()', () => {
  let server, io, writer
  const open = []
  const keep = (c) => { open.push(c); return c }
  before(async () => {
    server = await startRedis()
    io = new IORedis({ port: server.port, lazyConnect: true })
    await io.connect()
    writer = new IORedis({ port: server.port, lazyConnect: true, db: 3 })
    await writer.connect()
  })
  after(async () => {
    for (const c of open) c.disconnect()
    await io.quit()
    await writer.quit()
    await server.stop()
  })

  test('sees what ioredis\'s monitor sees: the commands, their arguments, source and database', async () => {
    const cache = keep(new TierCache(server.url))
    const ours = keep(await cache.monitor())
    const theirs = keep(await io.monitor())
    const seen = { ours: [], theirs: [] }
    ours.on('monitor', (time, args, source, database) => seen.ours.push({ args, source, database, time: typeof time }))
    theirs.on('monitor', (time, args, source, database) => seen.theirs.push({ args, source, database, time: typeof time }))
    await writer.set('plain', 'value')
    await writer.hset('hash', 'field', 'value', 'other', '1')
    await writer.lpush('list', 'a', 'b')
    const want = (s) => s.filter((m) => ['set', 'hset', 'lpush'].includes(m.args[0]))
    await until(() => want(seen.ours).length === 3 && want(seen.theirs).length === 3, 'three commands on both monitors')
    assert.deepEqual(want(seen.ours), want(seen.theirs))
    assert.equal(want(seen.ours)[0].database, '3')
    assert.equal(want(seen.ours)[0].time, 'string')
  })

  test('arguments Redis escaped come back as they were sent', async () => {
    const cache = keep(new TierCache(server.url))
    const ours = keep(await cache.monitor())
    const seen = []
    ours.on('monitor', (time, args) => seen.push(args))
    const tricky = ['say "hi"', 'back\\slash', 'line\nbreak\r\ttab', 'é 😀 ü', '" "', '\\x41', '']
    await writer.rpush('tricky', ...tricky)
    await until(() => seen.some((a) => a[0] === 'rpush'), 'the rpush')
    assert.deepEqual(seen.find((a) => a[0] === 'rpush'), ['rpush', 'tricky', ...tricky])
  })

  test('the callback form, as ioredis\'s', async () => {
    const cache = keep(new TierCache(server.url))
    const monitor = await new Promise((resolve, reject) => cache.monitor((err, m) => (err ? reject(err) : resolve(m))))
    keep(monitor)
    assert.ok(monitor instanceof TierCache)
    const seen = []
    monitor.on('monitor', (time, args) => seen.push(args))
    await writer.incr('counter')
    await until(() => seen.some((a) => a[0] === 'incr'), 'the incr')
  })

  test('a tenant with keyPrefix is refused before any MONITOR connection opens; without Redis it needs Redis', async () => {
    const before = (await monitors(io)).length
    const tenant = keep(new TierCache({ redis: server.url, keyPrefix: 'tenant-a:' }))
    await tenant.connect()
    const err = await rejectsWith(tenant.monitor(), TierCacheError, CODES.UNSUPPORTED)
    assert.match(err.message, /keyPrefix/)
    await sleep(100)
    assert.equal((await monitors(io)).length, before, 'no MONITOR connection was opened')
    const local = keep(new TierCache())
    await rejectsWith(local.monitor(), NeedsRedisError, CODES.NEEDS_REDIS)
  })

  test('a killed MONITOR connection is reported, opened again, and the lines flow again', async () => {
    const cache = keep(new TierCache(server.url))
    const before = await monitors(io)
    const ours = keep(await cache.monitor())
    const errors = []
    let started = 0
    ours.on('error', (e) => errors.push(e))
    ours.on('monitoring', () => started++)
    const seen = []
    ours.on('monitor', (time, args) => seen.push(args))
    const idOf = (line) => /\bid=(\d+)/.exec(line)[1]
    const known = new Set(before.map(idOf))
    const mine = (await monitors(io)).filter((line) => !known.has(idOf(line)))
    assert.equal(mine.length, 1)
    const addr = /\baddr=(\S+)/.exec(mine[0])[1]
    await io.client('KILL', 'ADDR', addr)
    await until(() => errors.length > 0 && started > 0, 'the loss reported and MONITOR opened again')
    assert.equal(errors[0].code, CODES.L2_UNAVAILABLE)
    await writer.set('after-kill', '1')
    await until(() => seen.some((a) => a[0] === 'set' && a[1] === 'after-kill'), 'a command after the reconnection')
  })

  test('quit() ends the MONITOR connection, and a script that disconnects its monitor exits', async () => {
    const before = (await monitors(io)).length
    const cache = keep(new TierCache(server.url))
    const ours = await cache.monitor()
    await until(async () => (await monitors(io)).length === before + 1, 'the MONITOR connection')
    await ours.quit()
    await until(async () => (await monitors(io)).length === before, 'the MONITOR connection closed')
    const r = runNode(`
      const TierCache = require('.')
      ;(async () => {
        const cache = new TierCache(${JSON.stringify(server.url)})
        const monitor = await cache.monitor()
        monitor.disconnect()
        cache.disconnect()
        console.log('done')
      })()
    `, { timeout: 10000 })
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout.trim(), 'done')
  })

  test('node-redis flavour: monitor(callback) gets Redis\'s lines until the client closes', async () => {
    const before = (await monitors(io)).length
    const client = TierCache.createClient({ url: server.url })
    await client.connect()
    const lines = []
    await client.monitor((line) => lines.push(line))
    await writer.set('nr-key', 'nr "value"')
    await until(() => lines.some((l) => l.includes('"nr-key"')), 'the set line')
    assert.match(lines.find((l) => l.includes('"nr-key"')), /^\d+\.\d+ \[3 \S+\] "set" "nr-key" "nr \\"value\\""$/)
    assert.equal(await client.get('nr-key'), null, 'the client still runs commands (database 0)')
    await client.quit()
    await until(async () => (await monitors(io)).length === before, 'its MONITOR connection closed with it')
  })
})
