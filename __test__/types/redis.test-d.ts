// Typings of the Redis tier: constructor forms, options, events, stats, errors.
import TierCache = require('../..')
import { expectType } from './helpers'

const { createClient, UnavailableError, TimeoutError } = TierCache

// ---- the constructor's ioredis forms ------------------------------------------
new TierCache('redis://user:pw@localhost:6379/2')
new TierCache(process.env.REDIS_URL)
new TierCache(process.env.REDIS_URL, { keyPrefix: 'app:' })
new TierCache(6380)
new TierCache(6380, 'redis.internal')
new TierCache(6380, 'redis.internal', { db: 3 })
new TierCache(6380, { lazyConnect: true })
new TierCache({ host: 'localhost', port: 6379, password: 'x', db: 1, tls: true })
new TierCache({ redis: 'rediss://localhost', tls: { ca: 'PEM', rejectUnauthorized: true } })
new TierCache({
  redis: { host: 'localhost', port: 6379, keyPrefix: 'a:' },
  commandTimeout: 500,
  connectTimeout: 2000,
  enableOfflineQueue: false,
  maxOfflineQueue: 10,
  maxRetriesPerRequest: 0,
  retryStrategy: (times) => (times > 10 ? null : times * 100),
  breaker: { threshold: 3, cooldown: 500 },
  offlineMode: 'local',
  offlineGrace: 10_000,
  l1Ttl: 60_000,
  maxBytes: 1 << 20
})

// node-redis: createClient({ url }) then connect()
const client = createClient({ url: process.env.REDIS_URL })
const connected: Promise<TierCache.NodeRedisClient> = client.connect()
void connected
createClient({ socket: { host: 'localhost', port: 6379, reconnectStrategy: (n) => n * 50 }, database: 2 })

// ---- status, events, views ------------------------------------------------------
const cache = new TierCache('redis://localhost')
expectType<TierCache.Status>()(cache.status)
expectType<boolean>()(cache.hasRedis)
cache.on('reconnecting', (delay) => expectType<number>()(delay))
cache.on('invalidate', (key) => expectType<string | null>()(key))
cache.on('error', (err) => expectType<Error>()(err))
expectType<Promise<string | null>>()(cache.l2.get('k'))
expectType<Promise<Buffer | null>>()(cache.l2.getBuffer('k'))
expectType<Promise<Array<string | null>>>()(cache.l2.mget('a', 'b'))
expectType<Promise<'PONG'>>()(cache.ping())

// ---- stats ------------------------------------------------------------------------
const stats = cache.stats()
expectType<TierCache.L2Stats | null>()(stats.l2)
if (stats.l2 !== null) {
  expectType<'closed' | 'open' | 'half-open'>()(stats.l2.breaker)
  expectType<number>()(stats.l2.invalidations)
}
expectType<number>()(stats.l1.hits)

// ---- errors -------------------------------------------------------------------------
expectType<'ERR_TIERCACHE_L2_UNAVAILABLE'>()(new UnavailableError('x').code)
expectType<'ERR_TIERCACHE_L2_TIMEOUT'>()(new TimeoutError('x').code)
expectType<'ERR_TIERCACHE_L2_UNAVAILABLE'>()(TierCache.codes.L2_UNAVAILABLE)

// ---- wrong usages -----------------------------------------------------------------------
// @ts-expect-error the breaker has threshold and cooldown only
new TierCache({ redis: 'redis://x', breaker: { limit: 3 } })
// @ts-expect-error retryStrategy takes a function
new TierCache({ redis: 'redis://x', retryStrategy: 100 })
// @ts-expect-error tls.ca is PEM text or a Buffer
new TierCache({ redis: 'rediss://x', tls: { ca: 42 } })

// ---- any command through call / send_command / callBuffer ---------------------
async function genericCommands (cache: TierCache) {
  expectType<unknown>()(await cache.call('hset', 'h', 'f', 'v'))
  expectType<unknown>()(await cache.call('rpush', 'l', ['a', 'b'], 3, Buffer.from('c')))
  expectType<unknown>()(await cache.send_command('PING'))
  expectType<unknown>()(await cache.callBuffer('lrange', 'l', 0, -1))
  cache.call('hget', 'h', 'f', (err, result) => {
    expectType<Error | null>()(err)
    expectType<unknown>()(result)
  })
  cache.send_command('ping', (err) => { expectType<Error | null>()(err) })
  // @ts-expect-error the command name is a string
  cache.call(42)
  // @ts-expect-error arguments are strings, Buffers, numbers or arrays of them
  cache.call('set', 'k', { v: 1 })
  const err = await cache.hgetall('h').catch((e: unknown) => e)
  if (err instanceof TierCache.NeedsRedisError) expectType<'ERR_TIERCACHE_NEEDS_REDIS'>()(err.code)
}
void genericCommands

// ioredis's options pass as they are; options shows ioredis's defaults.
const ioredisStyle = new TierCache('redis://localhost', { connectionName: 'api', enableAutoPipelining: true, family: 4, keepAlive: 1000, showFriendlyErrorStack: true, reconnectOnError: () => 1 })
expectType<number>()(ioredisStyle.options.port)
expectType<string>()(ioredisStyle.options.keyPrefix)
expectType<false>()(ioredisStyle.isCluster)
// Sentinel, as ioredis.
void new TierCache({ sentinels: [{ host: 'a', port: 26379 }, { host: 'b' }], name: 'mymaster', sentinelPassword: 's', natMap: { '10.0.0.1:6379': { host: 'a', port: 1 } } })
void new TierCache({ redis: { sentinels: [{ port: 26379 }] }, name: 'mymaster', failoverDetector: true })
// @ts-expect-error replica reads are refused
void new TierCache({ sentinels: [{ host: 'a', port: 26379 }], name: 'mymaster', role: 'slave' })

// The node-redis flavour's streams take node-redis's objects and answer its shapes.
async function nodeRedisStreams (client: TierCache.NodeRedisClient): Promise<void> {
  const id: string = await client.xAdd('s', '*', { field: 'value' }, { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: 1000 } })
  const read = await client.xRead([{ key: 's', id: '0' }], { COUNT: 10, BLOCK: 0 })
  if (read !== null) {
    const first: TierCache.NodeRedisStreamMessages = read[0]
    const text: string = first.messages[0]?.message.field ?? id
    void text
  }
  const range: TierCache.NodeRedisStreamMessage[] = await client.xRange('s', '-', '+', { COUNT: 5 })
  const pending = await client.xPending('s', 'g')
  const n: number = pending.pending
  void range
  void n
  // @ts-expect-error the message is an object of fields, not Redis's words
  await client.xAdd('s', '*', 'field', 'value')
}
void nodeRedisStreams

// node-redis's createSentinel.
async function nodeRedisSentinel (): Promise<void> {
  const { createSentinel } = TierCache
  const client = await createSentinel({ name: 'mymaster', sentinelRootNodes: [{ host: '127.0.0.1', port: 26379 }], sentinelClientOptions: { password: 'p' } }).connect()
  expectType<string | null>()(await client.get('k'))
  // @ts-expect-error replica reads are refused
  createSentinel({ name: 'mymaster', sentinelRootNodes: [], replicaPoolSize: 1 })
}
void nodeRedisSentinel

// ioredis's Cluster and node-redis's createCluster.
async function clusters (): Promise<void> {
  const cluster = new TierCache.Cluster([{ host: '127.0.0.1', port: 7000 }, 7001, '127.0.0.1:7002'], { redisOptions: { password: 'pw' }, keyPrefix: 'app:' })
  expectType<true>()(cluster.isCluster)
  expectType<TierCache[]>()(cluster.nodes('master'))
  expectType<string | null>()(await cluster.get('k'))
  const again: TierCache.Cluster = cluster.duplicate()
  void again
  // @ts-expect-error replica reads are refused
  void new TierCache.Cluster([7000], { scaleReads: 'slave' })
  const nr = await TierCache.createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:7000' }] }).connect()
  expectType<string | null>()(await nr.get('k'))
}
void clusters
