// Typings of the cache patterns: getOrSet / wrap, writeThrough, writeBehind,
// tags, namespaces, their options, stats and errors.
import TierCache = require('../..')
import { expectType } from './helpers'

const { LoaderTimeoutError, QueueFullError } = TierCache

async function patterns (cache: TierCache, err: unknown): Promise<void> {
  // getOrSet: the loader's type is the result's type.
  expectType<{ id: number }>()(await cache.getOrSet('user:1', async () => ({ id: 1 }), { ttl: 60_000 }))
  expectType<string>()(await cache.getOrSet('k', () => 'v', 5000))
  expectType<number | null>()(await cache.getOrSet('k', (): number | null => null, { ttl: 1000, cacheNull: true }))
  await cache.getOrSet<string>('k', (ctx) => {
    expectType<string>()(ctx.key)
    expectType<AbortSignal>()(ctx.signal)
    expectType<number | undefined>()(ctx.ttl)
    expectType<string | undefined>()(ctx.stale)
    ctx.ttl = 30_000
    return 'v'
  }, {
    ttl: 1000,
    grace: 60_000,
    softTimeout: 50,
    hardTimeout: 2000,
    lock: { lease: 5000, wait: 3000 },
    cacheErrors: 1000,
    tags: ['users'],
    refreshAhead: 0.8
  })
  await cache.getOrSet('k', () => 1, { lock: true })
  // @ts-expect-error the loader is required
  await cache.getOrSet('k')
  // @ts-expect-error unknown option
  await cache.getOrSet('k', () => 1, { tll: 5 })

  expectType<string>()(await cache.wrap('k', async () => 'v', 1000, 200))

  expectType<number>()(await cache.writeThrough('k', { a: 1 }, async () => 42, { ttl: 1000, tags: ['t'] }))

  const wb = cache.writeBehind({ writer: async (batch) => { for (const e of batch) expectType<'set' | 'del'>()(e.op) }, batchSize: 50, whenFull: 'reject' })
  expectType<'OK'>()(await wb.set('k', 'v'))
  expectType<'OK'>()(await wb.del('k'))
  await wb.flush()
  await wb.close()
  expectType<number>()(wb.size)
  wb.on('writeError', (err, batch, attempt) => { expectType<number>()(attempt); expectType<TierCache.WriteBehindEntry[]>()(batch) })
  // @ts-expect-error whenFull is 'wait' or 'reject'
  cache.writeBehind({ writer: async () => {}, whenFull: 'drop' })

  expectType<'OK' | null>()(await cache.set('k', 'v', { tags: ['a', 'b'], EX: 10 }))
  expectType<number>()(await cache.invalidateTags(['a']))

  const users = cache.namespace('users')
  expectType<string>()(users.prefix)
  expectType<string | null>()(await users.get('1'))
  expectType<number>()(await users.namespace('admins').clear())
  expectType<{ n: number }>()(await users.getOrSet(1, () => ({ n: 1 })))

  const s = cache.stats().patterns
  expectType<number>()(s.loads + s.coalesced + s.staleServed + s.lockWaits + s.refreshes)

  cache.on('loaderError', (err, key) => { expectType<string>()(key) })

  if (err instanceof LoaderTimeoutError) expectType<'ERR_TIERCACHE_LOADER_TIMEOUT'>()(err.code)
  if (err instanceof QueueFullError) expectType<'ERR_TIERCACHE_QUEUE_FULL'>()(err.code)
  expectType<'ERR_TIERCACHE_QUEUE_FULL'>()(TierCache.codes.QUEUE_FULL)
}
void patterns
