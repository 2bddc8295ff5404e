// The node-redis flavour's typings (createClient → NodeRedisClient): the
// camelCase and UPPER-CASE methods, node-redis's shapes where the flavour
// overrides them, the iterators' pages, and wrong usage refused.
import TierCache = require('../..')
import { middleware, TierCacheStore } from '../../express'
import { expectType } from './helpers'

const { createClient, NodeRedisClient } = TierCache

async function flavour (): Promise<void> {
  const client = createClient({ url: process.env.REDIS_URL })
  // node-redis's own options: the README's client-side caching recipe.
  createClient({ RESP: 3, clientSideCache: { ttl: 0, maxEntries: 0, evictPolicy: 'LRU' } })
  // @ts-expect-error RESP is 2 or 3
  createClient({ RESP: 4 })
  // @ts-expect-error evictPolicy is 'LRU' or 'FIFO'
  createClient({ clientSideCache: { evictPolicy: 'LFU' } })
  expectType<Promise<TierCache.NodeRedisClient>>()(client.connect())
  expectType<boolean>()(client.isOpen)
  expectType<boolean>()(client.isReady)
  expectType<Promise<unknown>>()(client.sendCommand(['PING']))
  expectType<Promise<void>>()(client.monitor((line) => expectType<string>()(line)))
  expectType<Promise<TierCache.NodeRedisScanReply>>()(client.scan('0', { MATCH: 'a*', COUNT: 10, TYPE: 'hash' }))
  expectType<Promise<TierCache.NodeRedisHScanReply>>()(client.hScan('h', '0'))
  expectType<Promise<number>>()(client.zAdd('z', [{ score: 1, value: 'a' }], { condition: 'NX', CH: true }))
  expectType<Promise<number>>()(client.ZADD('z', { score: 1, value: 'a' }))
  expectType<Promise<TierCache.NodeRedisScoredMember[]>>()(client.zRangeWithScores('z', 0, -1, { REV: true }))
  expectType<Promise<number | null>>()(client.zScore('z', 'a'))
  expectType<Promise<TierCache.NodeRedisScoredMember | null>>()(client.zPopMax('z'))
  expectType<Promise<Record<string, string>>>()(client.hGetAll('h'))
  expectType<Promise<unknown>>()(client.eval('return 1', { keys: ['k'], arguments: ['a'] }))
  expectType<Promise<string | null>>()(client.getEx('k', { type: 'EX', value: 10 }))
  expectType<Promise<unknown>>()(client.hSet('h', { f: 'v' }))
  expectType<Promise<unknown>>()(client.lPush('l', ['a', 'b']))
  expectType<Promise<unknown>>()(client.clientSetName('worker'))
  // Served by the ioredis flavour's methods: their typings.
  expectType<Promise<Array<string | null>>>()(client.mGet(['a', 'b']))
  await client.set('k', 'v', { EX: 10 })
  await client.setEx('k', 10, 'v')
  for await (const keys of client.scanIterator({ MATCH: 'user:*' })) expectType<string[]>()(keys)
  for await (const entries of client.hScanIterator('h')) expectType<TierCache.NodeRedisHashEntry[]>()(entries)
  for await (const members of client.zScanIterator('z')) expectType<TierCache.NodeRedisScoredMember[]>()(members)
  // The ioredis methods the flavour keeps.
  expectType<Promise<Record<string, string>>>()(client.hgetall('h'))
  client.destroy()
  expectType<Promise<void>>()(client.disconnect())
  // Usable where tiercache takes a cache.
  middleware(client)
  void new TierCacheStore({ cache: client })
  void new NodeRedisClient({ maxEntries: 10 })

  // @ts-expect-error zAdd takes { score, value } members
  void client.zAdd('z', 1, 'a')
  // @ts-expect-error scan's options are node-redis's object, not words
  void client.scan('0', 'MATCH', 'a*')
  // @ts-expect-error sendCommand takes one array
  void client.sendCommand('PING')
}
void flavour

// ioredis's scan streams (either flavour).
async function streams (cache: TierCache): Promise<void> {
  for await (const keys of cache.scanStream({ match: 'a*', count: 10, type: 'hash' }) as AsyncIterable<string[]>) expectType<string[]>()(keys)
  for await (const flat of cache.hscanStream('h', { noValues: true }) as AsyncIterable<string[]>) expectType<string[]>()(flat)
  expectType<TierCache.ScanStream>()(cache.scanStream())
  cache.sscanStream('s').close()
  void cache.zscanStream('z', { count: 5 })
  // @ts-expect-error type is scanStream's only
  void cache.sscanStream('s', { type: 'set' })
}
void streams

// node-redis's multi() and pub/sub on the flavour.
async function nodeRedisMultiAndPubSub (): Promise<void> {
  const client = createClient()
  const replies: unknown[] = await client.multi().set('a', '1').hSet('h', { f: 'v' }).zAdd('z', { score: 1, value: 'm' }).get('a').exec()
  const piped: unknown[] = await client.multi().incr('n').addCommand(['PING']).execAsPipeline()
  void replies
  void piped
  await client.subscribe('c', (message: string, channel: string) => { void message; void channel })
  await client.subscribe(['c', 'd'], (message: Buffer, channel: Buffer) => { void message; void channel }, true)
  await client.pSubscribe('p*', (message) => { const s: string = message; void s })
  await client.unsubscribe()
  await client.PUNSUBSCRIBE('p*')
  await client.sSubscribe('s', (message: string, channel: string) => { void message; void channel })
  await client.SSUBSCRIBE(['s', 't'], (message: Buffer, channel: Buffer) => { void message; void channel }, true)
  await client.sUnsubscribe('s', (message: Buffer) => { void message }, true)
  await client.SUNSUBSCRIBE()
  await client.sPublish('s', 'hello')
  // @ts-expect-error a listener is required
  await client.sSubscribe('s')
  // @ts-expect-error a listener is required
  await client.subscribe('c')
  // @ts-expect-error the chain has node-redis's names, not ioredis's
  client.multi().hgetall('h')
}
void nodeRedisMultiAndPubSub
