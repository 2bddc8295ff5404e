'use strict'
// Every ioredis option, and what tiercache does with it. ioredis users pass
// their options object as it is: each name is either used (the connection
// and behaviour options of lib/redis-options.js), accepted with no effect
// (with why: what ioredis does with it has no counterpart here, or happens
// anyway), or refused when set to a value that would change replies or the
// topology silently (ERR_TIERCACHE_UNSUPPORTED). A test checks this table
// against ioredis's own option list and defaults, so a new ioredis option
// is noticed, and docs/redis-tier.md shows it.

const { TierCacheTypeError, CODES } = require('./errors')
const { setOwn } = require('./args')

const USED = 'used'
const NO_EFFECT = 'accepted, no effect'
const REFUSED = 'refused unless default'

// name: [ioredis's default, what tiercache does, why]. Defaults are
// ioredis's DEFAULT_REDIS_OPTIONS (functions shown as null here).
const IOREDIS_OPTIONS = Object.freeze({
  port: [6379, USED, ''],
  host: ['localhost', USED, ''],
  username: [null, USED, 'ACL user (AUTH)'],
  password: [null, USED, 'never shown by util.inspect or JSON'],
  db: [0, USED, 'SELECT at connect'],
  tls: [undefined, USED, 'verified by default; ca, cert, key, rejectUnauthorized, servername'],
  keyPrefix: ['', USED, 'on every key position, SCAN patterns included'],
  connectTimeout: [10000, USED, ''],
  commandTimeout: [undefined, USED, 'tiercache defaults to 1000 ms'],
  retryStrategy: [null, USED, '(times) => delay | null'],
  maxRetriesPerRequest: [20, USED, '0 fails commands at once while disconnected'],
  enableOfflineQueue: [true, USED, 'bounded by maxOfflineQueue'],
  lazyConnect: [false, USED, ''],
  connectionName: [null, USED, 'CLIENT SETNAME on every connection'],
  family: [0, NO_EFFECT, 'the host name resolves to IPv4 and IPv6 addresses, tried in order'],
  keepAlive: [0, NO_EFFECT, 'the connection is checked by healthCheckInterval pings instead'],
  noDelay: [true, NO_EFFECT, 'Nagle is always off'],
  disconnectTimeout: [2000, NO_EFFECT, 'quit waits for commands in flight, each bounded by commandTimeout'],
  socketTimeout: [undefined, NO_EFFECT, 'commandTimeout and the health check bound a silent socket'],
  disableClientInfo: [false, NO_EFFECT, 'no CLIENT SETINFO is sent'],
  clientInfoTag: [undefined, NO_EFFECT, 'no CLIENT SETINFO is sent'],
  enableReadyCheck: [true, NO_EFFECT, 'ready means the connection answers; a loading server answers LOADING errors'],
  reconnectOnError: [null, NO_EFFECT, 'error replies do not reconnect; with sentinels, a failover drops the connection to the old primary (+switch-master)'],
  enableAutoPipelining: [false, NO_EFFECT, 'always: every command shares one multiplexed, pipelined connection'],
  autoPipeliningIgnoredCommands: [[], NO_EFFECT, 'see enableAutoPipelining'],
  showFriendlyErrorStack: [false, NO_EFFECT, 'errors carry the caller\'s stack'],
  autoResubscribe: [true, USED, 'subscribes again on a new subscriber connection after a loss'],
  autoResendUnfulfilledCommands: [true, NO_EFFECT, 'commands in flight when a connection drops fail (they may have run)'],
  maxLoadingRetryTime: [10000, NO_EFFECT, 'see enableReadyCheck'],
  blockingTimeout: [undefined, NO_EFFECT, 'a blocking command\'s deadline is its own timeout plus 1 s'],
  blockingTimeoutGrace: [100, NO_EFFECT, 'see blockingTimeout'],
  offlineQueue: [undefined, NO_EFFECT, 'internal to ioredis'],
  commandQueue: [undefined, NO_EFFECT, 'internal to ioredis'],
  Connector: [undefined, REFUSED, 'tiercache connects from its own I/O thread'],
  readOnly: [false, REFUSED, 'replica reads are not supported'],
  stringNumbers: [false, REFUSED, 'numbers are numbers, as ioredis by default'],
  monitor: [undefined, REFUSED, 'use monitor(), which returns a client of its own'],
  scripts: [undefined, USED, 'each defined as defineCommand defines it'],
  sentinels: [null, USED, 'asked for the primary at every connection; +switch-master followed (docs/redis-tier.md, "Sentinel")'],
  role: ['master', REFUSED, 'replica reads are not supported'],
  sentinelRetryStrategy: [null, NO_EFFECT, 'the sentinels are asked at every connection attempt, paced by retryStrategy'],
  sentinelReconnectStrategy: [null, NO_EFFECT, 'the +switch-master watcher tries the sentinels again by itself (every 0.1-2 s)'],
  natMap: [null, USED, 'an object { "ip:port": { host, port } }'],
  enableTLSForSentinelMode: [false, REFUSED, 'TLS to sentinels is not supported yet'],
  updateSentinels: [true, USED, 'sentinels learnt from the one that answers are asked too'],
  failoverDetector: [false, NO_EFFECT, 'always on: +switch-master drops the connection to the old primary at once'],
  sentinelMaxConnections: [10, NO_EFFECT, 'one connection per question to a sentinel, and one for +switch-master'],
  sentinelUsername: [undefined, USED, 'ACL user of the sentinels'],
  sentinelPassword: [undefined, USED, 'never shown by util.inspect or JSON'],
  sentinelTLS: [undefined, REFUSED, 'TLS to sentinels is not supported yet'],
  sentinelCommandTimeout: [undefined, USED, 'tiercache defaults to 1000 ms (or connectTimeout if lower)'],
  preferredSlaves: [undefined, REFUSED, 'replica reads are not supported'],
  // ioredis's Sentinel primary name; without sentinels, tiercache's shared-store name (README).
  name: [null, USED, 'with sentinels, the primary\'s name (as ioredis); without, the name of a shared L1 store']
})

/** Whether `value` is the default `d` (or says "unset"; an empty array for an array default). */
function atDefault (d, value) {
  if (value === undefined || value === null) return true
  if (Array.isArray(d)) return Array.isArray(value) && value.length === 0
  return value === d
}

/** Whether `value` is ioredis's default for `name` (or says "unset"). */
function isDefault (name, value) {
  return atDefault(IOREDIS_OPTIONS[name][0], value)
}

/**
 * Takes the options tiercache accepts without effect (or refuses unless
 * default) out of `options` (a copy). Throws ERR_TIERCACHE_UNSUPPORTED for a
 * refused one set to another value.
 * @returns {object} the options that remain (used ones and tiercache's own)
 */
function takeIoredisOptions (options) {
  const rest = {}
  for (const key of Object.keys(options)) {
    const entry = Object.hasOwn(IOREDIS_OPTIONS, key) ? IOREDIS_OPTIONS[key] : undefined
    if (entry === undefined || entry[1] === USED) {
      // An own `__proto__` stays an option, refused later as unknown.
      setOwn(rest, key, options[key])
      continue
    }
    if (entry[1] === REFUSED && !isDefault(key, options[key])) {
      throw new TierCacheTypeError(`the ioredis option ${key} is not supported: ${entry[2]}`, CODES.UNSUPPORTED)
    }
  }
  return rest
}

/** ioredis's defaults of every option it has (functions left out), for `client.options`. */
function ioredisDefaults () {
  const out = {}
  for (const [name, [d]] of Object.entries(IOREDIS_OPTIONS)) {
    if (d !== undefined) out[name] = Array.isArray(d) ? [...d] : d
  }
  return out
}

module.exports = { IOREDIS_OPTIONS, USED, NO_EFFECT, REFUSED, atDefault, takeIoredisOptions, ioredisDefaults }
