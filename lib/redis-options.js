'use strict'
// Where the Redis tier connects and how it behaves, from the forms ioredis
// and node-redis users already write:
//   new TierCache('redis://user:pass@host:6379/2')     ioredis URL
//   new TierCache(6380, 'host', { keyPrefix: 'app:' }) ioredis port, host
//   new TierCache({ host, port, password, db, tls })   ioredis options
//   new TierCache({ redis: url | { host, port, … } })  tiercache's own
//   createClient({ url, socket: { host, port, tls } }) node-redis
// The result is split in two: the cache's own options, and a normalized
// Redis configuration (or null: L1 only). Errors never quote a URL, since
// it may carry a password.

const { createHash } = require('node:crypto')
const { TierCacheTypeError, TierCacheRangeError, CODES } = require('./errors')
const { wellFormedKey, setOwn } = require('./args')
const { SENTINEL_KEYS, normalizeSentinel } = require('./sentinel-options')
const { CLUSTER_NODES } = require('./cluster-options')

const CONNECTION_KEYS = new Set(['host', 'port', 'username', 'password', 'db', 'tls', 'path', 'url', 'socket', 'database',
  ...SENTINEL_KEYS, CLUSTER_NODES])
const BEHAVIOUR_DEFAULTS = Object.freeze({
  keyPrefix: '',
  connectTimeout: 10000,
  commandTimeout: 1000,
  lazyConnect: false,
  enableOfflineQueue: true,
  maxOfflineQueue: 1000,
  maxRetriesPerRequest: undefined,
  retryStrategy: undefined,
  breaker: undefined,
  offlineMode: 'reject',
  offlineGrace: 30000,
  healthCheckInterval: 1000,
  l1Ttl: undefined,
  connectionName: undefined,
  // Subscribe again to every channel and pattern after the subscriber
  // connection was lost (lib/pubsub.js), as ioredis.
  autoResubscribe: true
})
const BEHAVIOUR_KEYS = new Set(Object.keys(BEHAVIOUR_DEFAULTS))
const TLS_KEYS = new Set(['ca', 'cert', 'key', 'rejectUnauthorized', 'servername'])
const BREAKER_DEFAULTS = Object.freeze({ threshold: 5, cooldown: 1000 })

function invalid (message) {
  return new TierCacheTypeError(message, CODES.INVALID_ARGUMENT)
}

function range (message) {
  return new TierCacheRangeError(message, CODES.INVALID_ARGUMENT)
}

function isPlainObject (v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array)
}

/**
 * Whether `value` is a URL that says nothing: an empty string (or only
 * whitespace, which the URL parser would trim to empty). `REDIS_URL=` in the
 * environment means "no Redis", as an unset variable does.
 */
function isBlankUrl (value) {
  return typeof value === 'string' && value.trim() === ''
}

/** A user name or password from the URL, percent-decoded. */
function decodeCredential (text, part) {
  try {
    return decodeURIComponent(text)
  } catch {
    // Never quote it: it is (part of) a secret.
    throw invalid(`the Redis URL's ${part} has a malformed percent-encoding (a % must start %XX, a UTF-8 byte in hex): ` +
      `write a literal % as %25, or pass the ${part} as its own option ({ ${part}: '…' })`)
  }
}

/** Parses a redis:// or rediss:// URL into connection fields. */
function parseUrl (text) {
  let url
  try {
    url = new URL(text)
  } catch {
    throw invalid('the Redis URL is not a valid URL (expected redis://[user:password@]host[:port][/db])')
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw invalid(`the Redis URL must start with redis:// or rediss://, not ${url.protocol}//`)
  }
  const out = { host: url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost' }
  if (url.port !== '') out.port = Number(url.port)
  if (url.username !== '') out.username = decodeCredential(url.username, 'username')
  if (url.password !== '') out.password = decodeCredential(url.password, 'password')
  const path = url.pathname.replace(/^\//, '')
  if (path !== '') {
    if (!/^\d+$/.test(path)) throw range('the Redis URL\'s path must be a database number, as in redis://host:6379/2')
    out.db = Number(path)
  }
  const db = url.searchParams.get('db')
  if (db !== null) {
    if (!/^\d+$/.test(db)) throw range('the Redis URL\'s db parameter must be a database number')
    out.db = Number(db)
  }
  if (url.protocol === 'rediss:') out.tls = {}
  return out
}

function integerIn (value, name, min, max) {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw range(`${name} must be an integer from ${min} to ${max}, got ${typeof value === 'number' ? value : typeof value}`)
  }
  return value
}

function pemList (value, name) {
  if (value === undefined) return undefined
  const list = Array.isArray(value) ? value : [value]
  const parts = list.map((v) => {
    if (typeof v === 'string') return Buffer.from(v)
    if (v instanceof Uint8Array) return Buffer.from(v)
    throw invalid(`tls.${name} must be a PEM string or Buffer (or an array of them)`)
  })
  return Buffer.concat(parts.flatMap((p) => [p, Buffer.from('\n')]))
}

function normalizeTls (tls, host) {
  if (tls === undefined || tls === null || tls === false) return null
  if (tls === true) tls = {}
  if (!isPlainObject(tls)) throw invalid('tls must be true or an object of TLS options (ca, cert, key, rejectUnauthorized)')
  for (const k of Object.keys(tls)) {
    if (!TLS_KEYS.has(k)) {
      throw new TierCacheTypeError(`tls.${k} is not supported (supported: ${[...TLS_KEYS].join(', ')})`, CODES.UNSUPPORTED)
    }
  }
  if (tls.servername !== undefined && tls.servername !== host) {
    throw new TierCacheTypeError('tls.servername must equal the host: the certificate is checked against the host name', CODES.UNSUPPORTED)
  }
  if ((tls.cert === undefined) !== (tls.key === undefined)) throw invalid('tls.cert and tls.key go together')
  if (tls.rejectUnauthorized !== undefined && typeof tls.rejectUnauthorized !== 'boolean') {
    throw invalid('tls.rejectUnauthorized must be a boolean')
  }
  return {
    ca: pemList(tls.ca, 'ca'),
    cert: pemList(tls.cert, 'cert'),
    key: pemList(tls.key, 'key'),
    rejectUnauthorized: tls.rejectUnauthorized !== false
  }
}

/**
 * Splits the constructor's arguments into [cacheOptions, redisSource], where
 * redisSource gathers every connection field given, or is null.
 */
function splitArguments (argList) {
  const list = argList.slice()
  let options = {}
  const source = {}
  let wantsRedis = false
  if (isBlankUrl(list[0])) list[0] = undefined // new TierCache(process.env.REDIS_URL) with REDIS_URL=
  // ioredis: (port, host, options), (url, options), (options)
  if (typeof list[0] === 'number') {
    Object.assign(source, { port: list.shift() })
    if (typeof list[0] === 'string') source.host = list.shift()
    wantsRedis = true
  } else if (typeof list[0] === 'string') {
    Object.assign(source, parseUrl(list.shift()))
    wantsRedis = true
  } else if (list[0] === undefined && list.length > 1) {
    list.shift() // new TierCache(process.env.REDIS_URL, options) with no URL set
  }
  if (list.length > 1) throw invalid('new TierCache: too many arguments')
  if (list[0] !== undefined && list[0] !== null) {
    if (!isPlainObject(list[0])) throw invalid('new TierCache(options): options must be an object')
    options = { ...list[0] }
  }
  const redis = options.redis
  delete options.redis
  if (redis !== undefined && redis !== null && redis !== false && !isBlankUrl(redis)) {
    wantsRedis = true
    if (typeof redis === 'string') Object.assign(source, parseUrl(redis))
    else if (isPlainObject(redis)) Object.assign(source, gatherConnection({ ...redis }, true))
    else throw invalid('options.redis must be a redis:// URL or an object of connection options')
  }
  const own = gatherConnection(options, false)
  if (Object.keys(own).length > 0 || own[CLUSTER_NODES] !== undefined) wantsRedis = true
  Object.assign(source, own)
  // Behaviour options given inside `redis: {…}` count as given at the top.
  for (const k of BEHAVIOUR_KEYS) {
    if (source[k] !== undefined) {
      if (options[k] === undefined) options[k] = source[k]
      delete source[k]
    }
  }
  return [options, wantsRedis ? source : null]
}

/**
 * Moves connection fields out of `o` (node-redis's `url` and `socket`
 * included). With `all`, behaviour fields are moved too.
 */
function gatherConnection (o, all) {
  const out = {}
  if (o.url !== undefined && o.url !== null && !isBlankUrl(o.url)) {
    if (typeof o.url === 'string') Object.assign(out, parseUrl(o.url))
    else throw invalid('options.url must be a redis:// URL')
  }
  delete o.url
  if (o.socket === undefined || o.socket === null) delete o.socket
  if (o.socket !== undefined) {
    const s = o.socket
    if (!isPlainObject(s)) throw invalid('options.socket must be an object')
    for (const k of Object.keys(s)) {
      if (k === 'host' || k === 'port' || k === 'tls' || k === 'connectTimeout' || k === 'ca' || k === 'cert' || k === 'key' || k === 'rejectUnauthorized') continue
      if (k === 'reconnectStrategy') continue
      throw new TierCacheTypeError(`options.socket.${k} is not supported`, CODES.UNSUPPORTED)
    }
    if (s.host !== undefined) out.host = s.host
    if (s.port !== undefined) out.port = s.port
    if (s.tls === true || isPlainObject(s.tls)) {
      out.tls = isPlainObject(s.tls) ? { ...s.tls } : {}
      for (const k of ['ca', 'cert', 'key', 'rejectUnauthorized']) if (s[k] !== undefined) out.tls[k] = s[k]
    }
    if (s.connectTimeout !== undefined && o.connectTimeout === undefined) o.connectTimeout = s.connectTimeout
    if (typeof s.reconnectStrategy === 'function' && o.retryStrategy === undefined) {
      const strategy = s.reconnectStrategy
      // node-redis returns a delay, or an Error/false to stop.
      o.retryStrategy = (times) => {
        const d = strategy(times)
        return typeof d === 'number' ? d : null
      }
    }
    delete o.socket
  }
  for (const k of CONNECTION_KEYS) {
    if (k === 'url' || k === 'socket') continue
    // An option given as undefined (`{ url: process.env.REDIS_URL }` with
    // nothing set) is as good as absent.
    if (o[k] !== undefined) out[k === 'database' ? 'db' : k] = o[k]
    delete o[k]
  }
  if (all) {
    for (const k of Object.keys(o)) {
      if (BEHAVIOUR_KEYS.has(k)) {
        out[k] = o[k]
        delete o[k]
      } else {
        throw invalid(`unknown Redis option ${JSON.stringify(k)}`)
      }
    }
  }
  return out
}

/** The validated Redis configuration: connection fields plus behaviour. */
function normalizeRedis (source, options) {
  if (source.path !== undefined) {
    throw new TierCacheTypeError('Unix socket paths are not supported; connect over TCP (host and port)', CODES.UNSUPPORTED)
  }
  const host = source.host === undefined ? 'localhost' : source.host
  if (typeof host !== 'string' || host.length === 0 || /[\s/@]/.test(host)) throw invalid('host must be a host name or IP address')
  const port = integerIn(source.port === undefined ? 6379 : typeof source.port === 'string' && /^\d+$/.test(source.port) ? Number(source.port) : source.port, 'port', 1, 65535)
  const db = integerIn(source.db === undefined ? 0 : source.db, 'db', 0, 1 << 30)
  for (const k of ['username', 'password']) {
    if (source[k] !== undefined && source[k] !== null && typeof source[k] !== 'string') throw invalid(`${k} must be a string`)
  }
  const b = {}
  for (const k of BEHAVIOUR_KEYS) b[k] = options[k] === undefined ? BEHAVIOUR_DEFAULTS[k] : options[k]
  if (typeof b.keyPrefix !== 'string') throw invalid('keyPrefix must be a string')
  // Part of every key: well-formed as keys must be (lib/args.js).
  if (b.keyPrefix !== '') wellFormedKey(b.keyPrefix)
  b.connectTimeout = integerIn(b.connectTimeout, 'connectTimeout', 1, 3600000)
  b.commandTimeout = integerIn(b.commandTimeout, 'commandTimeout', 1, 3600000)
  if (typeof b.lazyConnect !== 'boolean') throw invalid('lazyConnect must be a boolean')
  if (typeof b.enableOfflineQueue !== 'boolean') throw invalid('enableOfflineQueue must be a boolean')
  b.maxOfflineQueue = integerIn(b.maxOfflineQueue, 'maxOfflineQueue', 0, 1e9)
  if (b.maxRetriesPerRequest !== undefined && b.maxRetriesPerRequest !== null) {
    integerIn(b.maxRetriesPerRequest, 'maxRetriesPerRequest', 0, 1e9)
  }
  // As in ioredis, maxRetriesPerRequest: 0 (or no offline queue) fails a
  // command at once when not connected instead of waiting for the connection.
  const queue = !b.enableOfflineQueue || b.maxRetriesPerRequest === 0 ? 0 : b.maxOfflineQueue
  if (b.retryStrategy !== undefined && b.retryStrategy !== null && typeof b.retryStrategy !== 'function') {
    throw invalid('retryStrategy must be a function (times) => delay in ms, or null to stop')
  }
  const breaker = { ...BREAKER_DEFAULTS }
  if (b.breaker !== undefined) {
    if (!isPlainObject(b.breaker)) throw invalid('breaker must be an object { threshold, cooldown }')
    for (const k of Object.keys(b.breaker)) {
      if (!(k in BREAKER_DEFAULTS)) throw invalid(`unknown breaker option ${JSON.stringify(k)}`)
      if (b.breaker[k] !== undefined) breaker[k] = b.breaker[k]
    }
  }
  integerIn(breaker.threshold, 'breaker.threshold', 1, 1e6)
  integerIn(breaker.cooldown, 'breaker.cooldown', 1, 3600000)
  if (b.offlineMode !== 'reject' && b.offlineMode !== 'local') throw invalid('offlineMode must be \'reject\' or \'local\'')
  b.offlineGrace = integerIn(b.offlineGrace, 'offlineGrace', 0, 2 ** 31 - 1)
  b.healthCheckInterval = integerIn(b.healthCheckInterval, 'healthCheckInterval', 0, 2 ** 31 - 1)
  if (typeof b.autoResubscribe !== 'boolean') throw invalid('autoResubscribe must be a boolean')
  if (b.l1Ttl !== undefined) b.l1Ttl = integerIn(b.l1Ttl, 'l1Ttl', 1, 2 ** 52)
  if (b.connectionName === null || b.connectionName === '') b.connectionName = undefined
  // Redis refuses a client name with spaces or newlines (CLIENT SETNAME).
  if (b.connectionName !== undefined && (typeof b.connectionName !== 'string' || !/^[\x21-\x7e]+$/.test(b.connectionName))) {
    throw invalid('connectionName must be a string of printable ASCII characters without spaces')
  }
  return {
    host,
    port,
    db,
    // With sentinels, host and port are only where to start: the primary
    // is asked for at every connection (src/core/tier/sentinel.rs).
    sentinel: normalizeSentinel(source, options, b.connectTimeout),
    // A cluster: the nodes to read the slot map from (lib/cluster-options.js).
    cluster: source[CLUSTER_NODES] ?? null,
    username: source.username || undefined,
    password: source.password || undefined,
    tls: normalizeTls(source.tls, host),
    ...b,
    offlineQueue: queue,
    breaker
  }
}

/**
 * The partition of a named L1 store: everything besides the key itself that
 * says which value a key names. The server (host:port, or none for L1
 * alone), the database, the key prefix, and the ACL user and password (a
 * user may not be allowed to read what another cached). Caches of one
 * `name` share a store only when this is equal (src/core/registry.rs). A
 * SHA-256 digest, so that no password is ever held or shown in it.
 */
function partitionOf (redisConfig, keyPrefix) {
  const server = redisConfig === null
    ? ['l1']
    : [redisConfig.tls === null ? 'redis' : 'rediss', redisConfig.host, redisConfig.port,
        redisConfig.cluster?.map((n) => `${n.host}:${n.port}`).sort() ?? null, redisConfig.db,
        redisConfig.username ?? null, redisConfig.password ?? null]
  return createHash('sha256').update(JSON.stringify([...server, keyPrefix])).digest('hex')
}

/** Removes the behaviour options from the cache's own options. */
function stripBehaviour (options) {
  const out = {}
  for (const k of Object.keys(options)) if (!BEHAVIOUR_KEYS.has(k)) setOwn(out, k, options[k])
  return out
}

/** The default reconnection delay: exponential from 50 ms to 2 s, jittered. */
function defaultRetryStrategy (times) {
  const base = Math.min(2000, 50 * 2 ** Math.min(times - 1, 10))
  return Math.round(base / 2 + Math.random() * base / 2)
}

module.exports = {
  BEHAVIOUR_DEFAULTS,
  BEHAVIOUR_KEYS,
  splitArguments,
  normalizeRedis,
  partitionOf,
  stripBehaviour,
  defaultRetryStrategy
}
