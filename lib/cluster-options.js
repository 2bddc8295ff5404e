'use strict'
// Redis Cluster's constructor arguments, in ioredis's and node-redis's shapes:
//   new TierCache.Cluster([{ host, port }, 7001, 'host:7002'], { redisOptions, keyPrefix, … })
//   createCluster({ rootNodes: [{ url }], defaults: { password } })
// turned into TierCache options whose connection part names the nodes to
// start from (under a symbol: no user option can set it). The addon reads
// the slot map from them and opens a tier per primary (src/core/tier/cluster.rs).

const { TierCacheTypeError, TierCacheRangeError, CODES } = require('./errors')
const { USED, NO_EFFECT, REFUSED, atDefault } = require('./ioredis-options')
const { setOwn } = require('./args')

const CLUSTER_NODES = Symbol('tiercache.clusterNodes')

// ioredis's ClusterOptions: [ioredis's default, what tiercache does, why].
const CLUSTER_OPTIONS = Object.freeze({
  redisOptions: [undefined, USED, 'the connection options of every node (password, username, tls, timeouts, …)'],
  clusterRetryStrategy: [null, USED, 'the retryStrategy of the cluster\'s reconnections'],
  clusterNodeRetryStrategy: [null, NO_EFFECT, 'each primary\'s reconnection is paced by clusterRetryStrategy'],
  enableOfflineQueue: [true, USED, ''],
  lazyConnect: [false, USED, ''],
  keyPrefix: ['', USED, 'hash tags in the prefix decide the slot, as in ioredis'],
  scripts: [undefined, USED, 'each defined as defineCommand defines it'],
  scaleReads: ['master', REFUSED, 'replica reads are not supported'],
  natMap: [null, REFUSED, 'not supported on a cluster yet'],
  dnsLookup: [null, REFUSED, 'node addresses are used as the cluster gives them'],
  useSRVRecords: [false, REFUSED, 'not supported'],
  resolveSrv: [null, REFUSED, 'not supported'],
  enableReadyCheck: [true, NO_EFFECT, 'ready means every primary is connected'],
  maxRedirections: [16, NO_EFFECT, 'at most 16 MOVED / ASK redirections per command'],
  retryDelayOnFailover: [100, NO_EFFECT, 'a command for a failed primary waits within commandTimeout'],
  retryDelayOnClusterDown: [100, NO_EFFECT, 'see retryDelayOnFailover'],
  retryDelayOnTryAgain: [100, NO_EFFECT, 'see retryDelayOnFailover'],
  retryDelayOnMoved: [0, NO_EFFECT, 'MOVED is followed at once'],
  slotsRefreshTimeout: [1000, NO_EFFECT, 'the slot map is read within connectTimeout'],
  slotsRefreshInterval: [undefined, NO_EFFECT, 'the slot map is read again after MOVED and when a primary is lost'],
  enableAutoPipelining: [false, NO_EFFECT, 'always: each primary\'s commands share one pipelined connection'],
  autoPipeliningIgnoredCommands: [[], NO_EFFECT, 'see enableAutoPipelining'],
  shardedSubscribers: [false, NO_EFFECT, 'sharded channels are subscribed on their slot\'s primary']
})

function invalid (message) {
  return new TierCacheTypeError(message, CODES.INVALID_ARGUMENT)
}

function isPlainObject (v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** One startup node: `{ host, port }`, a port, `'host:port'` or a redis:// URL. */
function startupNode (node, i) {
  const what = `startupNodes[${i}]`
  let host = '127.0.0.1'
  let port = 6379
  if (typeof node === 'number') port = node
  else if (typeof node === 'string') {
    const text = /^rediss?:\/\//.test(node) ? node : `redis://${node}`
    let url
    try {
      url = new URL(text)
    } catch {
      throw invalid(`${what} must be { host, port }, a port, "host:port" or a redis:// URL`)
    }
    if (url.hostname !== '') host = url.hostname.replace(/^\[(.*)\]$/, '$1')
    if (url.port !== '') port = Number(url.port)
  } else if (isPlainObject(node)) {
    if (node.host !== undefined) host = node.host
    if (node.port !== undefined) port = typeof node.port === 'string' && /^\d+$/.test(node.port) ? Number(node.port) : node.port
  } else {
    throw invalid(`${what} must be { host, port }, a port, "host:port" or a redis:// URL`)
  }
  if (typeof host !== 'string' || host.length === 0 || /[\s/@]/.test(host)) throw invalid(`${what}.host must be a host name or IP address`)
  if (!Number.isSafeInteger(port) || port < 1 || port > 65535) {
    throw new TierCacheRangeError(`${what}.port must be an integer from 1 to 65535`, CODES.INVALID_ARGUMENT)
  }
  return { host, port }
}

function startupNodes (nodes) {
  if (!Array.isArray(nodes) || nodes.length === 0) throw invalid('a cluster needs startupNodes: a non-empty array of { host, port }')
  return nodes.map(startupNode)
}

/** `new Cluster(startupNodes, options)`'s arguments as TierCache options. */
function clusterArguments (nodes, options) {
  const o = options === undefined || options === null ? {} : options
  if (!isPlainObject(o)) throw invalid('new Cluster(startupNodes, options): options must be an object')
  const { redisOptions, clusterRetryStrategy } = o
  if (redisOptions !== undefined && redisOptions !== null && !isPlainObject(redisOptions)) throw invalid('redisOptions must be an object')
  // The used options and tiercache's own pass on; the others are refused
  // unless at their default, or dropped (no effect).
  const out = {}
  for (const key of Object.keys(o)) {
    const entry = Object.hasOwn(CLUSTER_OPTIONS, key) ? CLUSTER_OPTIONS[key] : undefined
    if (entry === undefined || entry[1] === USED) {
      if (key !== 'redisOptions' && key !== 'clusterRetryStrategy') setOwn(out, key, o[key])
    } else if (entry[1] === REFUSED && !atDefault(entry[0], o[key])) {
      throw new TierCacheTypeError(`the ioredis Cluster option ${key} is not supported: ${entry[2]}`, CODES.UNSUPPORTED)
    }
  }
  const merged = { ...(redisOptions ?? {}), ...out }
  for (const key of ['host', 'port', 'url', 'sentinels']) {
    if (merged[key] !== undefined) throw invalid(`a cluster's nodes are its startupNodes: ${key} is not a cluster option`)
  }
  if (merged.db !== undefined && merged.db !== 0) throw invalid('a cluster has only database 0 (db must be 0)')
  if (clusterRetryStrategy !== undefined && clusterRetryStrategy !== null) merged.retryStrategy = clusterRetryStrategy
  merged[CLUSTER_NODES] = startupNodes(nodes)
  return merged
}

/** node-redis's `createCluster({ rootNodes, defaults, … })` as createClient options. */
function nodeRedisClusterArguments (options) {
  if (!isPlainObject(options)) throw invalid('createCluster(options): options must be an object')
  const { rootNodes, defaults, useReplicas, minimizeConnections, maxCommandRedirections, nodeAddressMap, RESP } = options
  for (const key of Object.keys(options)) {
    if (!['rootNodes', 'defaults', 'useReplicas', 'minimizeConnections', 'maxCommandRedirections', 'nodeAddressMap', 'RESP'].includes(key)) {
      throw invalid(`unknown createCluster option ${JSON.stringify(key)}`)
    }
  }
  if (useReplicas) throw new TierCacheTypeError('createCluster: useReplicas is not supported (replica reads)', CODES.UNSUPPORTED)
  if (nodeAddressMap !== undefined && nodeAddressMap !== null) {
    throw new TierCacheTypeError('createCluster: nodeAddressMap is not supported on a cluster yet', CODES.UNSUPPORTED)
  }
  void minimizeConnections // accepted: one connection per primary either way
  void maxCommandRedirections // accepted: at most 16 redirections
  if (!Array.isArray(rootNodes)) throw invalid('createCluster: rootNodes must be an array of { url } or { socket: { host, port } }')
  const nodes = rootNodes.map((n, i) => {
    if (!isPlainObject(n)) throw invalid(`rootNodes[${i}] must be an object`)
    if (n.url !== undefined) return n.url
    return { host: n.socket?.host, port: n.socket?.port }
  })
  const merged = { ...(defaults ?? {}), RESP }
  if (merged.RESP === undefined) delete merged.RESP
  merged[CLUSTER_NODES] = startupNodes(nodes)
  return merged
}

module.exports = { CLUSTER_NODES, CLUSTER_OPTIONS, clusterArguments, nodeRedisClusterArguments }
