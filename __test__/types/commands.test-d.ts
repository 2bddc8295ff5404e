// Every command in both forms (promise, and trailing callback: the promise is
// returned as well), with exact reply types, then wrong usages.

import TierCache = require('../..')
import { expectType } from './helpers'

const cache = new TierCache()
const buf = Buffer.from('k')
type User = { name: string }
const user: User = { name: 'Ada' }

// ---- GET family -----------------------------------------------------------------

expectType<Promise<string | null>>()(cache.get('k'))
expectType<Promise<string | null>>()(cache.get(buf))
expectType<Promise<string | null>>()(cache.get(42))
expectType<Promise<User | null>>()(cache.get<User>('user:1'))
expectType<Promise<string | null>>()(cache.get('k', (err, value) => {
  expectType<Error | null>()(err)
  expectType<string | null | undefined>()(value)
}))
expectType<Promise<User | null>>()(cache.get<User>('k', (_err, value) => {
  expectType<User | null | undefined>()(value)
}))
expectType<Promise<Buffer | null>>()(cache.getBuffer('k'))
expectType<Promise<Buffer | null>>()(cache.getBuffer('k', (_err, b) => { expectType<Buffer | null | undefined>()(b) }))
expectType<Promise<string | null>>()(cache.getdel('k'))
expectType<Promise<User | null>>()(cache.getdel<User>('k', (_err, v) => { expectType<User | null | undefined>()(v) }))
expectType<Promise<string | null>>()(cache.getex('k'))
expectType<Promise<string | null>>()(cache.getex('k', (_e, v) => { expectType<string | null | undefined>()(v) }))
expectType<Promise<string | null>>()(cache.getex('k', 'EX', 10))
expectType<Promise<string | null>>()(cache.getex('k', 'PX', '1500'))
expectType<Promise<string | null>>()(cache.getex('k', 'EXAT', 1_900_000_000))
expectType<Promise<User | null>>()(cache.getex<User>('k', 'PXAT', 1_900_000_000_000, (_e, v) => { expectType<User | null | undefined>()(v) }))
expectType<Promise<string | null>>()(cache.getex('k', 'PERSIST'))
expectType<Promise<string | null>>()(cache.getex('k', 'PERSIST', () => {}))

// ---- SET: ioredis tokens ------------------------------------------------------------

// Every kind of value.
expectType<Promise<'OK'>>()(cache.set('k', 'v'))
expectType<Promise<'OK'>>()(cache.set('k', 1.5))
expectType<Promise<'OK'>>()(cache.set('k', 10n))
expectType<Promise<'OK'>>()(cache.set('k', true))
expectType<Promise<'OK'>>()(cache.set('k', buf))
expectType<Promise<'OK'>>()(cache.set('k', new Uint8Array(2)))
expectType<Promise<'OK'>>()(cache.set('k', user))
expectType<Promise<'OK'>>()(cache.set('k', [1, 2, 3]))
expectType<Promise<'OK'>>()(cache.set(buf, { nested: [1, 2] }))
expectType<Promise<'OK'>>()(cache.set(7, new Date()))
expectType<Promise<'OK'>>()(cache.set('k', 'v', (err, reply) => {
  expectType<Error | null>()(err)
  expectType<'OK' | undefined>()(reply)
}))
// GET
expectType<Promise<string | null>>()(cache.set('k', 'v', 'GET'))
expectType<Promise<User | null>>()(cache.set<User>('k', user, 'GET', (_e, old) => { expectType<User | null | undefined>()(old) }))
// EX | PX | EXAT | PXAT
expectType<Promise<'OK'>>()(cache.set('k', 'v', 'EX', 10))
expectType<Promise<'OK'>>()(cache.set('k', 'v', 'EX', '10'))
expectType<Promise<'OK'>>()(cache.set('k', 'v', 'PX', 1500))
expectType<Promise<'OK'>>()(cache.set('k', 'v', 'EXAT', 1_900_000_000))
expectType<Promise<'OK'>>()(cache.set('k', 'v', 'PXAT', 1_900_000_000_000, (_e, r) => { expectType<'OK' | undefined>()(r) }))
expectType<Promise<string | null>>()(cache.set('k', 'v', 'EX', 10, 'GET'))
expectType<Promise<string | null>>()(cache.set('k', 'v', 'PX', 10, 'GET', (_e, old) => { expectType<string | null | undefined>()(old) }))
// KEEPTTL
expectType<Promise<'OK'>>()(cache.set('k', 'v', 'KEEPTTL'))
expectType<Promise<'OK'>>()(cache.set('k', 'v', 'KEEPTTL', () => {}))
expectType<Promise<string | null>>()(cache.set('k', 'v', 'KEEPTTL', 'GET'))
expectType<Promise<string | null>>()(cache.set('k', 'v', 'KEEPTTL', 'GET', () => {}))
// NX | XX alone
expectType<Promise<'OK' | null>>()(cache.set('k', 'v', 'NX'))
expectType<Promise<'OK' | null>>()(cache.set('k', 'v', 'XX', (_e, r) => { expectType<'OK' | null | undefined>()(r) }))
expectType<Promise<string | null>>()(cache.set('k', 'v', 'NX', 'GET'))
expectType<Promise<string | null>>()(cache.set('k', 'v', 'XX', 'GET', () => {}))
// expiry then NX | XX, then GET
expectType<Promise<'OK' | null>>()(cache.set('k', 'v', 'EX', 10, 'NX'))
expectType<Promise<'OK' | null>>()(cache.set('k', 'v', 'PX', 10, 'XX'))
expectType<Promise<'OK' | null>>()(cache.set('k', 'v', 'EXAT', 10, 'NX', (_e, r) => { expectType<'OK' | null | undefined>()(r) }))
expectType<Promise<string | null>>()(cache.set('k', 'v', 'EX', 10, 'NX', 'GET'))
expectType<Promise<User | null>>()(cache.set<User>('k', user, 'PXAT', 10, 'XX', 'GET', () => {}))
expectType<Promise<'OK' | null>>()(cache.set('k', 'v', 'KEEPTTL', 'XX'))
expectType<Promise<'OK' | null>>()(cache.set('k', 'v', 'KEEPTTL', 'NX', () => {}))
expectType<Promise<string | null>>()(cache.set('k', 'v', 'KEEPTTL', 'XX', 'GET'))
expectType<Promise<string | null>>()(cache.set('k', 'v', 'KEEPTTL', 'NX', 'GET', () => {}))
// A token held in a variable of the union type.
const unit: TierCache.ExpiryToken = Math.random() > 0.5 ? 'EX' : 'PX'
const cond: TierCache.SetCondition = Math.random() > 0.5 ? 'NX' : 'XX'
expectType<Promise<'OK' | null>>()(cache.set('k', 'v', unit, 10, cond))

// ---- SET: node-redis options object ---------------------------------------------------

expectType<Promise<'OK'>>()(cache.set('k', 'v', {}))
expectType<Promise<'OK'>>()(cache.set('k', 'v', { EX: 10 }))
expectType<Promise<'OK'>>()(cache.set('k', 'v', { PX: 10 }, (_e, r) => { expectType<'OK' | undefined>()(r) }))
expectType<Promise<'OK'>>()(cache.set('k', 'v', { EXAT: 1_900_000_000 }))
expectType<Promise<'OK'>>()(cache.set('k', 'v', { PXAT: 1_900_000_000_000 }))
expectType<Promise<'OK'>>()(cache.set('k', 'v', { KEEPTTL: true }))
expectType<Promise<'OK'>>()(cache.set('k', 'v', { expiration: { type: 'EX', value: 10 } }))
expectType<Promise<'OK'>>()(cache.set('k', 'v', { expiration: 'KEEPTTL' }))
expectType<Promise<'OK'>>()(cache.set('k', 'v', { EX: 10, NX: false, GET: false, KEEPTTL: false, PX: undefined }))
expectType<Promise<'OK' | null>>()(cache.set('k', 'v', { NX: true }))
expectType<Promise<'OK' | null>>()(cache.set('k', 'v', { EX: 10, NX: true }))
expectType<Promise<'OK' | null>>()(cache.set('k', 'v', { PX: 10, XX: true }, (_e, r) => { expectType<'OK' | null | undefined>()(r) }))
expectType<Promise<'OK' | null>>()(cache.set('k', 'v', { KEEPTTL: true, condition: 'XX' }))
expectType<Promise<string | null>>()(cache.set('k', 'v', { GET: true }))
expectType<Promise<string | null>>()(cache.set('k', 'v', { EX: 10, NX: true, GET: true }))
expectType<Promise<User | null>>()(cache.set<User>('k', user, { PXAT: 1, XX: true, GET: true }, (_e, old) => { expectType<User | null | undefined>()(old) }))
// Options held in variables: the reply widens with what is not known statically.
const maybeNX = { EX: 10, NX: Math.random() > 0.5 }
expectType<Promise<'OK' | null>>()(cache.set('k', 'v', maybeNX))
const maybeGet = { GET: Math.random() > 0.5 }
expectType<Promise<string | null>>()(cache.set('k', 'v', maybeGet)) // 'OK' | string | null is string | null
const declared: TierCache.SetOptions = { EX: 10 }
expectType<Promise<'OK' | User | null>>()(cache.set<User>('k', user, declared))

// ---- SETEX / PSETEX / SETNX -----------------------------------------------------------------

expectType<Promise<'OK'>>()(cache.setex('k', 10, 'v'))
expectType<Promise<'OK'>>()(cache.setex('k', '10', user, (_e, r) => { expectType<'OK' | undefined>()(r) }))
expectType<Promise<'OK'>>()(cache.psetex('k', 1500, 42))
expectType<Promise<'OK'>>()(cache.psetex('k', 1500, 42, () => {}))
expectType<Promise<0 | 1>>()(cache.setnx('k', 'v'))
expectType<Promise<0 | 1>>()(cache.setnx('k', 'v', (_e, r) => { expectType<0 | 1 | undefined>()(r) }))

// ---- DEL / UNLINK / EXISTS ---------------------------------------------------------------------

const keyList = ['a', 'b']
const mixed: TierCache.KeyType[] = ['a', buf, 3]
expectType<Promise<number>>()(cache.del('a'))
expectType<Promise<number>>()(cache.del('a', 'b', buf, 4))
expectType<Promise<number>>()(cache.del(keyList))
expectType<Promise<number>>()(cache.del(mixed))
expectType<Promise<number>>()(cache.del(...keyList))
expectType<Promise<number>>()(cache.del('a', 'b', (err, n) => {
  expectType<Error | null>()(err)
  expectType<number | undefined>()(n)
}))
expectType<Promise<number>>()(cache.del(['a', 'b'], (_e, n) => { expectType<number | undefined>()(n) }))
expectType<Promise<number>>()(cache.unlink('a'))
expectType<Promise<number>>()(cache.unlink('a', 'b'))
expectType<Promise<number>>()(cache.unlink(keyList))
expectType<Promise<number>>()(cache.unlink('a', () => {}))
expectType<Promise<number>>()(cache.unlink(keyList, () => {}))
expectType<Promise<number>>()(cache.exists('a'))
expectType<Promise<number>>()(cache.exists('a', 'a'))
expectType<Promise<number>>()(cache.exists(keyList))
expectType<Promise<number>>()(cache.exists('a', 'b', () => {}))
expectType<Promise<number>>()(cache.exists(keyList, (_e, n) => { expectType<number | undefined>()(n) }))

// ---- EXPIRE family / TTL / PERSIST -------------------------------------------------------------

expectType<Promise<0 | 1>>()(cache.expire('k', 10))
expectType<Promise<0 | 1>>()(cache.expire('k', '10'))
expectType<Promise<0 | 1>>()(cache.expire('k', 10, (_e, r) => { expectType<0 | 1 | undefined>()(r) }))
expectType<Promise<0 | 1>>()(cache.expire('k', 10, 'NX'))
expectType<Promise<0 | 1>>()(cache.expire('k', 10, 'XX'))
expectType<Promise<0 | 1>>()(cache.expire('k', 10, 'GT'))
expectType<Promise<0 | 1>>()(cache.expire('k', 10, 'LT', () => {}))
expectType<Promise<0 | 1>>()(cache.pexpire('k', 1500))
expectType<Promise<0 | 1>>()(cache.pexpire('k', 1500, 'GT', () => {}))
expectType<Promise<0 | 1>>()(cache.expireat('k', 1_900_000_000))
expectType<Promise<0 | 1>>()(cache.expireat('k', 1_900_000_000, 'NX'))
expectType<Promise<0 | 1>>()(cache.pexpireat('k', 1_900_000_000_000, () => {}))
expectType<Promise<0 | 1>>()(cache.pexpireat('k', 1_900_000_000_000, 'LT'))
expectType<Promise<number>>()(cache.ttl('k'))
expectType<Promise<number>>()(cache.ttl('k', (_e, s) => { expectType<number | undefined>()(s) }))
expectType<Promise<number>>()(cache.pttl('k'))
expectType<Promise<number>>()(cache.pttl('k', () => {}))
expectType<Promise<0 | 1>>()(cache.persist('k'))
expectType<Promise<0 | 1>>()(cache.persist('k', () => {}))
// 0 | 1 is usable wherever a number is.
cache.expire('k', 1).then((n: number) => n)

// ---- counters ------------------------------------------------------------------------------------

expectType<Promise<number>>()(cache.incr('n'))
expectType<Promise<number>>()(cache.incr('n', (_e, v) => { expectType<number | undefined>()(v) }))
expectType<Promise<number>>()(cache.decr('n'))
expectType<Promise<number>>()(cache.decr('n', () => {}))
expectType<Promise<number>>()(cache.incrby('n', 5))
expectType<Promise<number>>()(cache.incrby('n', 9007199254740993n))
expectType<Promise<number>>()(cache.incrby('n', '-5', () => {}))
expectType<Promise<number>>()(cache.decrby('n', 5))
expectType<Promise<number>>()(cache.decrby('n', 5n, () => {}))
expectType<Promise<string>>()(cache.incrbyfloat('f', 0.5))
expectType<Promise<string>>()(cache.incrbyfloat('f', '1.5e3', (_e, v) => { expectType<string | undefined>()(v) }))

// ---- MGET / MSET ---------------------------------------------------------------------------------

expectType<Promise<Array<string | null>>>()(cache.mget('a'))
expectType<Promise<Array<string | null>>>()(cache.mget('a', 'b', buf, 3))
expectType<Promise<Array<string | null>>>()(cache.mget(keyList))
expectType<Promise<Array<User | null>>>()(cache.mget<User>(['u:1', 'u:2']))
expectType<Promise<Array<User | null>>>()(cache.mget<User>('u:1', 'u:2'))
expectType<Promise<Array<string | null>>>()(cache.mget('a', 'b', (err, values) => {
  expectType<Error | null>()(err)
  expectType<Array<string | null> | undefined>()(values)
}))
expectType<Promise<Array<string | null>>>()(cache.mget(keyList, (_e, values) => { expectType<Array<string | null> | undefined>()(values) }))

expectType<Promise<'OK'>>()(cache.mset('a', 1, 'b', user))
expectType<Promise<'OK'>>()(cache.mset('a', 1, 'b', 'two', (err, r) => {
  expectType<Error | null>()(err)
  expectType<'OK' | undefined>()(r)
}))
expectType<Promise<'OK'>>()(cache.mset({ a: 1, b: 'two', c: user }))
expectType<Promise<'OK'>>()(cache.mset({ a: 1 }, (_e, r) => { expectType<'OK' | undefined>()(r) }))
expectType<Promise<'OK'>>()(cache.mset(new Map<string, TierCache.SetValue>([['a', 1], ['b', user]])))
expectType<Promise<'OK'>>()(cache.mset(new Map([['a', 'x']]), () => {}))
expectType<Promise<'OK'>>()(cache.mset([['a', 1], ['b', user]]))
expectType<Promise<'OK'>>()(cache.mset([['a', 1]], () => {}))
expectType<Promise<'OK'>>()(cache.mset(['a', 1, 'b', 2]))
expectType<Promise<'OK'>>()(cache.mset(['a', 1, 'b', 2], () => {}))
const record: Record<string, number> = { a: 1 }
expectType<Promise<'OK'>>()(cache.mset(record))

// ---- KEYS / SCAN -----------------------------------------------------------------------------------

type Scan = [cursor: string, keys: string[]]
expectType<Promise<string[]>>()(cache.keys('user:*'))
expectType<Promise<string[]>>()(cache.keys('*', (_e, keys) => { expectType<string[] | undefined>()(keys) }))
expectType<Promise<Scan>>()(cache.scan(0))
expectType<Promise<Scan>>()(cache.scan('0'))
expectType<Promise<Scan>>()(cache.scan('0', (_e, page) => { expectType<Scan | undefined>()(page) }))
expectType<Promise<Scan>>()(cache.scan(0, 'MATCH', 'user:*'))
expectType<Promise<Scan>>()(cache.scan(0, 'MATCH', 'user:*', () => {}))
expectType<Promise<Scan>>()(cache.scan(0, 'COUNT', 100))
expectType<Promise<Scan>>()(cache.scan(0, 'COUNT', '100', () => {}))
expectType<Promise<Scan>>()(cache.scan(0, 'TYPE', 'string'))
expectType<Promise<Scan>>()(cache.scan(0, 'MATCH', 'a*', 'COUNT', 50))
expectType<Promise<Scan>>()(cache.scan(0, 'MATCH', 'a*', 'COUNT', 50, () => {}))
expectType<Promise<Scan>>()(cache.scan(0, 'MATCH', 'a*', 'TYPE', 'string'))
expectType<Promise<Scan>>()(cache.scan(0, 'COUNT', 50, 'TYPE', 'string'))
expectType<Promise<Scan>>()(cache.scan(0, 'MATCH', 'a*', 'COUNT', 50, 'TYPE', 'string', () => {}))
expectType<Promise<Scan>>()(cache.scan(0, { MATCH: 'a*', COUNT: 50 }))
expectType<Promise<Scan>>()(cache.scan('0', {}, () => {}))
cache.scan(0).then(([next, keys]) => {
  expectType<string>()(next)
  expectType<string[]>()(keys)
})
expectType<AsyncIterableIterator<string>>()(cache.scanIterator())
expectType<AsyncIterableIterator<string>>()(cache.scanIterator({ match: 'user:*', count: 100 }))
expectType<AsyncIterableIterator<string>>()(cache.scanIterator({ MATCH: 'user:*', COUNT: 100 }))
async function iterate (): Promise<string[]> {
  const out: string[] = []
  for await (const key of cache.scanIterator({ match: 'a*' })) out.push(key)
  return out
}
iterate()

// ---- server / lifecycle --------------------------------------------------------------------------------

expectType<Promise<'OK'>>()(cache.flushall())
expectType<Promise<'OK'>>()(cache.flushall((_e, r) => { expectType<'OK' | undefined>()(r) }))
expectType<Promise<'OK'>>()(cache.flushall('ASYNC'))
expectType<Promise<'OK'>>()(cache.flushall('SYNC', () => {}))
expectType<Promise<'OK'>>()(cache.flushdb())
expectType<Promise<'OK'>>()(cache.flushdb('ASYNC', () => {}))
expectType<Promise<number>>()(cache.dbsize())
expectType<Promise<number>>()(cache.dbsize((_e, n) => { expectType<number | undefined>()(n) }))

const stats = cache.stats()
expectType<TierCache.Stats>()(stats)
expectType<number>()(stats.hits)
expectType<number>()(stats.misses)
expectType<number>()(stats.hitRatio)
expectType<number>()(stats.sets)
expectType<number>()(stats.deletes)
expectType<number>()(stats.evictions)
expectType<number>()(stats.expirations)
expectType<number>()(stats.entries)
expectType<number>()(stats.bytes)
expectType<number | null>()(stats.maxEntries)
expectType<number>()(stats.maxBytes)

expectType<Promise<TierCache>>()(cache.connect())
class MyCache extends TierCache {
  hello (): string { return 'hi' }
}
const mine = new MyCache()
expectType<Promise<MyCache>>()(mine.connect())
mine.connect().then((c) => c.hello())
expectType<Promise<'OK'>>()(cache.quit())
expectType<Promise<'OK'>>()(cache.quit((_e, r) => { expectType<'OK' | undefined>()(r) }))
expectType<Promise<'OK'>>()(cache.close())
expectType<Promise<'OK'>>()(cache.close(() => {}))
expectType<void>()(cache.disconnect())

// ---- local (synchronous) -----------------------------------------------------------------------------

expectType<string | undefined>()(cache.local.get('k'))
expectType<User | undefined>()(cache.local.get<User>('k'))
expectType<true>()(cache.local.set('k', 'v'))
expectType<true>()(cache.local.set(buf, user, 5_000))
expectType<boolean>()(cache.local.del('k'))
expectType<boolean>()(cache.local.has(1))

// ---- camelCase aliases: the same signatures -------------------------------------------------------------

expectType<TierCache['setex']>()(cache.setEx)
expectType<TierCache['psetex']>()(cache.pSetEx)
expectType<TierCache['setnx']>()(cache.setNX)
expectType<TierCache['getdel']>()(cache.getDel)
expectType<TierCache['getex']>()(cache.getEx)
expectType<TierCache['pexpire']>()(cache.pExpire)
expectType<TierCache['expireat']>()(cache.expireAt)
expectType<TierCache['pexpireat']>()(cache.pExpireAt)
expectType<TierCache['pttl']>()(cache.pTTL)
expectType<TierCache['incrby']>()(cache.incrBy)
expectType<TierCache['decrby']>()(cache.decrBy)
expectType<TierCache['incrbyfloat']>()(cache.incrByFloat)
expectType<TierCache['mget']>()(cache.mGet)
expectType<TierCache['mset']>()(cache.mSet)
expectType<TierCache['flushall']>()(cache.flushAll)
expectType<TierCache['flushdb']>()(cache.flushDb)
expectType<TierCache['dbsize']>()(cache.dbSize)
expectType<Promise<'OK'>>()(cache.setEx('k', 10, 'v'))
expectType<Promise<'OK'>>()(cache.pSetEx('k', 10, 'v', () => {}))
expectType<Promise<0 | 1>>()(cache.setNX('k', 'v'))
expectType<Promise<User | null>>()(cache.getDel<User>('k'))
expectType<Promise<string | null>>()(cache.getEx('k', 'EX', 5))
expectType<Promise<string | null>>()(cache.getEx('k', 'PERSIST', () => {}))
expectType<Promise<0 | 1>>()(cache.pExpire('k', 100, 'XX'))
expectType<Promise<0 | 1>>()(cache.expireAt('k', 1_900_000_000))
expectType<Promise<0 | 1>>()(cache.pExpireAt('k', 1_900_000_000_000, () => {}))
expectType<Promise<number>>()(cache.pTTL('k'))
expectType<Promise<number>>()(cache.incrBy('n', 2))
expectType<Promise<number>>()(cache.decrBy('n', 2n))
expectType<Promise<string>>()(cache.incrByFloat('f', 0.1))
expectType<Promise<Array<string | null>>>()(cache.mGet('a', 'b'))
expectType<Promise<Array<User | null>>>()(cache.mGet<User>(['a', 'b'], () => {}))
expectType<Promise<'OK'>>()(cache.mSet({ a: 1 }))
expectType<Promise<'OK'>>()(cache.mSet('a', 1, 'b', 2, () => {}))
expectType<Promise<'OK'>>()(cache.flushAll())
expectType<Promise<'OK'>>()(cache.flushDb(() => {}))
expectType<Promise<number>>()(cache.dbSize())

// mset from a spread array of raw keys and values.
const flat = ['a', 1, 'b', 2]
expectType<Promise<'OK'>>()(cache.mset(...flat))
expectType<Promise<'OK'>>()(cache.mSet(...flat))
// The type parameter of a read may come from the declared type, as for any generic.
const typed: Promise<User | null> = cache.get('user:1')
void typed
