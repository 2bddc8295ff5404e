// Typed events, and the error classes with their codes.

import { TierCache, TierCacheError, TierCacheTypeError, TierCacheRangeError, ReplyError, ClosedError, InternalError, codes } from '../..'
import { EventEmitter } from 'node:events'
import { expectType, expectAssignable } from './helpers'

const cache = new TierCache()
expectAssignable<EventEmitter>(cache)

// ---- events -----------------------------------------------------------------------

expectType<TierCache>()(cache.on('evict', (key, reason) => {
  expectType<string>()(key)
  expectType<'size'>()(reason)
}))
cache.on('expire', (key) => { expectType<string>()(key) })
cache.on('ready', () => {})
cache.on('connect', () => {})
cache.on('close', () => {})
cache.on('end', () => {})
cache.on('error', (err) => { expectType<Error>()(err) })
cache.once('evict', (key: string) => key)
cache.once('ready', () => {})
cache.addListener('expire', (key) => { expectType<string>()(key) })
cache.prependListener('evict', (_key, reason) => { expectType<'size'>()(reason) })
cache.prependOnceListener('end', () => {})
const onExpire = (key: string): void => { void key }
cache.on('expire', onExpire).off('expire', onExpire).removeListener('expire', onExpire)
// Chaining keeps the subclass.
class Sub extends TierCache { extra = 1 }
expectType<Sub>()(new Sub().on('ready', () => {}))
// Other events (for instance ones a subclass emits) stay open.
cache.on('custom', (a: number, b: string) => { void a; void b })
cache.on(Symbol('s'), () => {})
cache.on('newListener', (event, listener) => {
  expectType<string | symbol>()(event)
  expectType<(...args: any[]) => void>()(listener)
})
expectType<boolean>()(cache.emit('evict', 'k', 'size'))
expectType<number>()(cache.listenerCount('evict'))

// ---- errors -----------------------------------------------------------------------

type Code =
  | 'ERR_TIERCACHE_INVALID_ARGUMENT' | 'ERR_TIERCACHE_INVALID_KEY' | 'ERR_TIERCACHE_KEY_TOO_LARGE' | 'ERR_TIERCACHE_PATTERN_TOO_LONG'
  | 'ERR_TIERCACHE_INVALID_VALUE' | 'ERR_TIERCACHE_VALUE_TOO_LARGE' | 'ERR_TIERCACHE_UNENCODABLE'
  | 'ERR_TIERCACHE_INVALID_TTL' | 'ERR_TIERCACHE_SYNTAX' | 'ERR_TIERCACHE_OPTION_CONFLICT'
  | 'ERR_TIERCACHE_UNSUPPORTED' | 'ERR_TIERCACHE_DECODE' | 'ERR_TIERCACHE_REPLY' | 'ERR_TIERCACHE_CLOSED' | 'ERR_TIERCACHE_INTERNAL'
  | 'ERR_TIERCACHE_L2_UNAVAILABLE' | 'ERR_TIERCACHE_L2_TIMEOUT'
  | 'ERR_TIERCACHE_LOADER_TIMEOUT' | 'ERR_TIERCACHE_QUEUE_FULL' | 'ERR_TIERCACHE_NEEDS_REDIS' | 'ERR_TIERCACHE_TRANSACTION_ABORTED'
expectType<Code>()(null as unknown as TierCache.ErrorCode)
expectType<Code>()(new TierCacheTypeError('x').code)
expectType<Code>()(new TierCacheRangeError('x').code)
expectType<Code | 'ERR_TIERCACHE'>()(new TierCacheError('x').code)
expectType<'ERR_TIERCACHE_REPLY'>()(new ReplyError('x').code)
expectType<'ERR_TIERCACHE_CLOSED'>()(new ClosedError().code)
expectType<'ERR_TIERCACHE_TRANSACTION_ABORTED'>()(new TierCache.WatchError().code)
expectType<'ERR_TIERCACHE_INTERNAL'>()(new InternalError('x').code)

async function handle (): Promise<string> {
  try {
    await cache.incr('not-a-number')
    return 'ok'
  } catch (err: unknown) {
    // `instanceof TierCacheError` also holds for the TypeError and RangeError
    // subclasses (Symbol.hasInstance), and narrowing follows it.
    if (err instanceof TierCacheError) {
      expectType<TierCacheError | TierCacheTypeError | TierCacheRangeError>()(err)
      expectType<Code | 'ERR_TIERCACHE'>()(err.code)
      if (err.code === codes.SYNTAX) return 'syntax'
    }
    if (err instanceof ReplyError) {
      expectType<ReplyError>()(err)
      return err.message
    }
    if (err instanceof ClosedError) {
      expectType<'ERR_TIERCACHE_CLOSED'>()(err.code)
    }
    if (err instanceof InternalError) {
      expectType<InternalError>()(err)
    }
    if (err instanceof TierCacheTypeError) {
      expectAssignable<TypeError>(err)
      expectType<Code>()(err.code)
    }
    if (err instanceof TierCacheRangeError) {
      expectAssignable<RangeError>(err)
    }
    throw err
  }
}
handle()

cache.get('k', (err) => {
  if (err instanceof TierCacheError) expectType<Code | 'ERR_TIERCACHE'>()(err.code)
})

// ---- wrong usages --------------------------------------------------------------------

// @ts-expect-error 'evict' listeners get (key: string, reason: 'size')
cache.on('evict', (key: number) => key)
// @ts-expect-error 'expire' listeners get a string key
cache.once('expire', (key: Buffer) => key)
// @ts-expect-error the eviction reason is 'size'
cache.on('evict', (_key: string, reason: 'expired') => reason)
// @ts-expect-error 'ready' listeners get no argument
cache.on('ready', (x: string) => x)
// @ts-expect-error not a code
new TierCacheTypeError('x', 'ERR_NOPE')
// @ts-expect-error codes are read-only
codes.CLOSED = 'x'
// @ts-expect-error a ReplyError's code is ERR_TIERCACHE_REPLY
const wrongCode: 'ERR_TIERCACHE_CLOSED' = new ReplyError('x').code
void wrongCode
