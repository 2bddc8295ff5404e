// Wrong usages that the typings must refuse (each line fails to compile;
// `@ts-expect-error` turns that into a pass, and into a failure if the
// typings ever accepted it).

import TierCache = require('../..')

const cache = new TierCache()

// ---- SET ----------------------------------------------------------------------
// @ts-expect-error EX needs a time
cache.set('k', 'v', 'EX')
// @ts-expect-error PX needs a time, even before a callback
cache.set('k', 'v', 'PX', () => {})
// @ts-expect-error unknown SET option
cache.set('k', 'v', 'FOO')
// @ts-expect-error NX and XX are mutually exclusive
cache.set('k', 'v', 'NX', 'XX')
// @ts-expect-error one expiry only
cache.set('k', 'v', 'EX', 10, 'PX', 10)
// @ts-expect-error KEEPTTL and EX are mutually exclusive
cache.set('k', 'v', 'KEEPTTL', 'EX', 10)
// @ts-expect-error the time is an integer (number or decimal string), not a bigint
cache.set('k', 'v', 'EX', 10n)
// @ts-expect-error GET comes last (ioredis order: expiry, condition, GET)
cache.set('k', 'v', 'GET', 'NX')
// @ts-expect-error null is not a value
cache.set('k', null)
// @ts-expect-error undefined is not a value
cache.set('k', undefined)
// @ts-expect-error symbols are not values
cache.set('k', Symbol('v'))
// @ts-expect-error one expiry only in the options object
cache.set('k', 'v', { EX: 1, PX: 2 })
// @ts-expect-error KEEPTTL and EX are mutually exclusive
cache.set('k', 'v', { EX: 1, KEEPTTL: true })
// @ts-expect-error NX and XX are mutually exclusive
cache.set('k', 'v', { NX: true, XX: true })
// @ts-expect-error unknown option
cache.set('k', 'v', { FOO: 1 })
// @ts-expect-error lower-case keys are not node-redis's spelling
cache.set('k', 'v', { ex: 10 })
// @ts-expect-error EX is a number in the options object, not a bigint
cache.set('k', 'v', { EX: 10n })
// @ts-expect-error the reply without NX/XX/GET is 'OK', never null...
const never1: Promise<null> = cache.set('k', 'v', 'EX', 10)
// @ts-expect-error ...and with NX it may be null
const never2: Promise<'OK'> = cache.set('k', 'v', 'EX', 10, 'NX')
// @ts-expect-error ...and with GET it is the old value
const never3: Promise<'OK'> = cache.set('k', 'v', { GET: true })
void never1; void never2; void never3
// @ts-expect-error setex takes the seconds before the value
cache.setex('k', { a: 1 }, 10)
// @ts-expect-error setnx answers 0 | 1, not 'OK'
const never4: Promise<'OK'> = cache.setnx('k', 'v')
void never4

// ---- keys -----------------------------------------------------------------------
// @ts-expect-error a bigint is not a key
cache.get(123n)
// @ts-expect-error an object is not a key
cache.get({ id: 1 })
// @ts-expect-error null is not a key
cache.get(null)
// @ts-expect-error an array is given alone, not with other keys
cache.del(['a'], 'b')
// @ts-expect-error a bigint is not a key
cache.exists('a', 2n)

// ---- replies ----------------------------------------------------------------------
async function replies (): Promise<void> {
  // @ts-expect-error get may answer null
  const s: string = await cache.get('k')
  // @ts-expect-error mget answers an array
  const one: string | null = await cache.mget('a')
  // @ts-expect-error incrbyfloat answers a string
  const f: number = await cache.incrbyfloat('f', 1)
  // @ts-expect-error scan answers a [cursor, keys] tuple
  const keys: string[] = await cache.scan(0)
  // @ts-expect-error the callback's result is the reply type
  cache.get('k', (_err: Error | null, value?: number) => value)
  // @ts-expect-error the callback's error comes first
  cache.ttl('k', (value: number) => value)
  void s; void one; void f; void keys
}
replies()
// @ts-expect-error stats() is synchronous
cache.stats().then(() => {})
// @ts-expect-error a miss in local.get is undefined, not null
const miss: string | null = cache.local.get('k')
void miss
// @ts-expect-error local.set's TTL is in ms as a number
cache.local.set('k', 'v', 'EX')
// @ts-expect-error disconnect returns nothing to await on
cache.disconnect().then(() => {})

// ---- other commands ---------------------------------------------------------------
// @ts-expect-error unknown EXPIRE condition
cache.expire('k', 10, 'FOO')
// @ts-expect-error one EXPIRE condition at most
cache.expire('k', 10, 'NX', 'GT')
// @ts-expect-error the time is an integer, not a bigint
cache.pexpire('k', 10n)
// @ts-expect-error EX needs a time in GETEX
cache.getex('k', 'EX')
// @ts-expect-error GETEX has no KEEPTTL
cache.getex('k', 'KEEPTTL')
// @ts-expect-error INCRBYFLOAT takes a number or its string
cache.incrbyfloat('f', 1n)
// @ts-expect-error INCRBY takes an integer increment
cache.incrby('n')
// @ts-expect-error KEYS takes a glob string
cache.keys(/user:.*/)
// @ts-expect-error MATCH needs a pattern
cache.scan(0, 'MATCH')
// @ts-expect-error the pattern is a string
cache.scan(0, 'MATCH', 1)
// @ts-expect-error unknown SCAN option
cache.scan(0, 'LIMIT', 10)
// @ts-expect-error node-redis SCAN options are upper case
cache.scan(0, { match: 'a*' })
// @ts-expect-error unknown FLUSHALL mode
cache.flushall('NOW')
// @ts-expect-error mset from a Map of non-values
cache.mset(new Map([['a', null]]))
// @ts-expect-error mset from an object of non-values
cache.mset({ a: undefined })
// @ts-expect-error mset needs values, not a lone key
cache.mset('a', null)
// @ts-expect-error aliases keep the signature
cache.setEx('k', { a: 1 }, 10)
// @ts-expect-error aliases keep the signature
cache.pExpire('k', 10, 'FOO')
