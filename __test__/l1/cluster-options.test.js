'use strict'
// ioredis's Cluster options (lib/cluster-options.js): every option ioredis's
// Cluster has is known here, docs/redis-tier.md shows what each does, refused
// ones throw ERR_TIERCACHE_UNSUPPORTED unless at their default, and the
// startup nodes' forms are checked before anything connects. No server.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { DEFAULT_CLUSTER_OPTIONS } = require('ioredis/built/cluster/ClusterOptions')
const TierCache = require('../..')
const { CLUSTER_OPTIONS, clusterArguments, CLUSTER_NODES } = require('../../lib/cluster-options')
const { REFUSED } = require('../../lib/ioredis-options')

test('every option of ioredis\'s Cluster is known, and docs/redis-tier.md shows it', () => {
  for (const name of Object.keys(DEFAULT_CLUSTER_OPTIONS)) assert.ok(Object.hasOwn(CLUSTER_OPTIONS, name), `ioredis's Cluster option ${name}`)
  const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'redis-tier.md'), 'utf8').split('\n')
  for (const [name, [, effect]] of Object.entries(CLUSTER_OPTIONS)) {
    const row = doc.find((line) => line.startsWith(`| \`${name}\` |`) && line.includes(`| ${effect} |`))
    assert.ok(row !== undefined, `docs/redis-tier.md shows ${name} as ${effect}`)
  }
})

test('refused Cluster options: accepted at their default, otherwise ERR_TIERCACHE_UNSUPPORTED', async () => {
  const other = { scaleReads: 'slave', natMap: { 'a:1': { host: 'b', port: 2 } }, dnsLookup: () => {}, useSRVRecords: true, resolveSrv: () => {} }
  for (const [name, [d, effect]] of Object.entries(CLUSTER_OPTIONS)) {
    if (effect !== REFUSED) continue
    assert.ok(name in other, `a value to try for ${name}`)
    const atDefault = new TierCache.Cluster([7000], { lazyConnect: true, [name]: d })
    await atDefault.quit()
    assert.throws(() => new TierCache.Cluster([7000], { [name]: other[name] }), (err) => err.code === 'ERR_TIERCACHE_UNSUPPORTED' && err.message.includes(name))
  }
})

test('startup nodes in every form ioredis takes; redisOptions under the top-level options', () => {
  const o = clusterArguments([7000, '10.0.0.2:7001', 'redis://[::1]:7002', { host: 'h', port: '7003' }, {}], {
    redisOptions: { password: 'pw', keyPrefix: 'inner:' }, keyPrefix: 'outer:', clusterRetryStrategy: () => 5, maxRedirections: 3
  })
  assert.deepEqual(o[CLUSTER_NODES], [
    { host: '127.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }, { host: '::1', port: 7002 }, { host: 'h', port: 7003 }, { host: '127.0.0.1', port: 6379 }
  ])
  assert.equal(o.password, 'pw')
  assert.equal(o.keyPrefix, 'outer:')
  assert.equal(o.retryStrategy(1), 5)
  assert.equal(o.maxRedirections, undefined, 'options with no effect are not passed on')
  for (const bad of [[], [0], ['nota url:'], [{ host: '' }], [null], 'x']) {
    assert.throws(() => clusterArguments(bad), (err) => err.code === 'ERR_TIERCACHE_INVALID_ARGUMENT', JSON.stringify(bad))
  }
})

test('a Cluster client is one before it connects: isCluster, no password shown, duplicate is a Cluster', async () => {
  const cluster = new TierCache.Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true, redisOptions: { password: 'cluster-secret-991' } })
  assert.equal(cluster.isCluster, true)
  assert.equal(cluster.status, 'wait')
  assert.ok(!require('node:util').inspect(cluster, { depth: 9, showHidden: true }).includes('cluster-secret-991'))
  assert.ok(!JSON.stringify(cluster.options).includes('cluster-secret-991'))
  const twin = cluster.duplicate()
  assert.ok(twin instanceof TierCache.Cluster)
  assert.equal(twin.isCluster, true)
  await twin.quit()
  await cluster.quit()
})
