'use strict'
// Every ioredis option is accepted (lib/ioredis-options.js): used, accepted
// with no effect, or refused unless at its default. The table is checked
// against ioredis's own option list (its option interfaces and
// DEFAULT_REDIS_OPTIONS), so a new ioredis option is noticed, and against
// docs/redis-tier.md. Plus the ioredis markers: `options` (ioredis's
// defaults merged with the user's, never the password), `isCluster`,
// `status`. connectionName with Redis, and the process kept alive while a
// connection attempt is under way: __test__/l2/ioredis-options.test.js.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const util = require('node:util')

const TierCache = require('../..')
const { IOREDIS_OPTIONS, NO_EFFECT, REFUSED, USED } = require('../../lib/ioredis-options')

const IOREDIS = path.dirname(require.resolve('ioredis/package.json'))

/** The property names of interface/type `name` in ioredis's declaration file `file`. */
function declared (file, name) {
  const text = fs.readFileSync(path.join(IOREDIS, 'built', file), 'utf8')
  const start = text.search(new RegExp(`(interface|type) ${name}\\b`))
  assert.ok(start >= 0, `${name} in ${file}`)
  const body = text.slice(start, text.indexOf('\n}', start))
  return [...body.matchAll(/^ {4}(\w+)\??:/gm)].map((m) => m[1])
}

function ioredisOptionNames () {
  const { DEFAULT_REDIS_OPTIONS } = require(path.join(IOREDIS, 'built', 'redis', 'RedisOptions.js'))
  return new Set([
    ...Object.keys(DEFAULT_REDIS_OPTIONS),
    ...declared('redis/RedisOptions.d.ts', 'CommonRedisOptions'),
    ...declared('connectors/SentinelConnector/index.d.ts', 'SentinelConnectionOptions'),
    ...declared('connectors/StandaloneConnector.d.ts', 'StandaloneConnectionOptions'),
    ...declared('utils/Commander.d.ts', 'CommanderOptions')
  ])
}

test('every ioredis option is in the table, with ioredis\'s default', () => {
  const names = ioredisOptionNames()
  assert.ok(names.size > 40, `ioredis's options found: ${names.size}`)
  for (const name of names) assert.ok(Object.hasOwn(IOREDIS_OPTIONS, name), `ioredis option ${name} is not in lib/ioredis-options.js`)
  const { DEFAULT_REDIS_OPTIONS } = require(path.join(IOREDIS, 'built', 'redis', 'RedisOptions.js'))
  for (const [name, value] of Object.entries(DEFAULT_REDIS_OPTIONS)) {
    const expected = typeof value === 'function' ? null : value
    assert.deepEqual(IOREDIS_OPTIONS[name][0], expected, `default of ${name}`)
  }
})

test('docs/redis-tier.md shows every option with what tiercache does', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'redis-tier.md'), 'utf8')
  for (const [name, [, effect]] of Object.entries(IOREDIS_OPTIONS)) {
    const row = doc.split('\n').find((line) => line.startsWith(`| \`${name}\` |`))
    assert.ok(row !== undefined, `docs/redis-tier.md has no row for ${name}`)
    assert.ok(row.includes(`| ${effect} |`), `the row of ${name} says ${effect}`)
  }
})

test('options with no effect are accepted, with or without Redis', async () => {
  const values = { family: 6, keepAlive: 1000, noDelay: false, disconnectTimeout: 10, socketTimeout: 5, disableClientInfo: true, clientInfoTag: 'x', enableReadyCheck: false, reconnectOnError: () => true, enableAutoPipelining: true, autoPipeliningIgnoredCommands: ['get'], showFriendlyErrorStack: true, autoResubscribe: false, autoResendUnfulfilledCommands: false, maxLoadingRetryTime: 5, blockingTimeout: 5, blockingTimeoutGrace: 5, offlineQueue: true, commandQueue: true, sentinelRetryStrategy: () => 1, sentinelReconnectStrategy: () => 1, failoverDetector: true, sentinelMaxConnections: 3 }
  for (const [name, [, effect]] of Object.entries(IOREDIS_OPTIONS)) {
    if (effect === NO_EFFECT) assert.ok(name in values, `a value to try for ${name}`)
  }
  for (const [name, value] of Object.entries(values)) {
    const l1 = new TierCache({ [name]: value })
    const l2 = new TierCache('redis://127.0.0.1:1', { lazyConnect: true, [name]: value })
    assert.equal(l2.status, 'wait')
    await l1.quit()
    await l2.quit()
  }
})

test('refused options: at their default accepted, otherwise ERR_TIERCACHE_UNSUPPORTED', async () => {
  const other = { Connector: class {}, readOnly: true, stringNumbers: true, monitor: true, scripts: { x: { lua: 'return 1' } }, sentinels: [{ host: 'h', port: 1 }], role: 'slave', sentinelRetryStrategy: () => 1, sentinelReconnectStrategy: () => 1, natMap: {}, enableTLSForSentinelMode: true, updateSentinels: false, failoverDetector: true, sentinelMaxConnections: 3, sentinelUsername: 'u', sentinelPassword: 'p', sentinelTLS: {}, sentinelCommandTimeout: 5, preferredSlaves: [] }
  for (const [name, [d, effect]] of Object.entries(IOREDIS_OPTIONS)) {
    if (effect !== REFUSED) continue
    assert.ok(name in other, `a value to try for ${name}`)
    const atDefault = new TierCache({ [name]: d })
    await atDefault.quit()
    assert.throws(() => new TierCache({ [name]: other[name] }), (err) => err instanceof TierCache.TierCacheError && err.code === 'ERR_TIERCACHE_UNSUPPORTED', name)
  }
  assert.throws(() => new TierCache({ connectionName: 'has space' }), (err) => err.code === 'ERR_TIERCACHE_INVALID_ARGUMENT')
  assert.throws(() => new TierCache({ connectionName: 5 }), (err) => err.code === 'ERR_TIERCACHE_INVALID_ARGUMENT')
  // Not an ioredis option, not ours: still refused.
  assert.throws(() => new TierCache({ conectionName: 'typo' }), (err) => err.code === 'ERR_TIERCACHE_INVALID_ARGUMENT')
})

test('options: ioredis\'s defaults merged with what was given, never the password; isCluster; status', async () => {
  const cache = new TierCache('redis://:pw-secret-123@127.0.0.1:1/3', { lazyConnect: true, keyPrefix: 'app:', connectionName: 'web', maxEntries: 10 })
  const o = cache.options
  assert.ok(Object.isFrozen(o))
  assert.equal(o.port, 1)
  assert.equal(o.host, '127.0.0.1')
  assert.equal(o.db, 3)
  assert.equal(o.keyPrefix, 'app:')
  assert.equal(o.connectionName, 'web')
  assert.equal(o.lazyConnect, true)
  assert.equal(o.maxEntries, 10)
  assert.equal(o.enableAutoPipelining, false)
  assert.equal(o.maxRetriesPerRequest, 20)
  assert.equal(o.password, undefined)
  for (const shown of [util.inspect(cache, { depth: 9, showHidden: true }), util.inspect(o, { showHidden: true }), JSON.stringify(o)]) {
    assert.ok(!shown.includes('pw-secret-123'), 'the password is never shown')
  }
  assert.equal(cache.isCluster, false)
  assert.equal(cache.status, 'wait')
  await cache.quit()
  assert.equal(cache.status, 'end')
  const plain = new TierCache()
  assert.equal(plain.options.keyPrefix, '')
  assert.equal(plain.options.port, 6379)
  assert.equal(plain.options.host, 'localhost')
  assert.equal(plain.isCluster, false)
  await plain.quit()
  for (const [name, [, effect]] of Object.entries(IOREDIS_OPTIONS)) {
    if (effect === USED && name !== 'password' && IOREDIS_OPTIONS[name][0] !== undefined) assert.ok(name in plain.options, name)
  }
})
