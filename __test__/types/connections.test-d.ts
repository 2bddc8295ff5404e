// duplicate(), pub/sub (methods and events), blocking commands' methods.

import { TierCache } from '../..'
import { expectType } from './helpers'

const cache = new TierCache('redis://127.0.0.1:6380', { lazyConnect: true, autoResubscribe: false })

// ---- duplicate ----------------------------------------------------------------------
expectType<TierCache>()(cache.duplicate())
expectType<TierCache>()(cache.duplicate({ keyPrefix: 'b:', autoResubscribe: true }))
// @ts-expect-error overrides are options
cache.duplicate('redis://other')
// @ts-expect-error autoResubscribe is a boolean
cache.duplicate({ autoResubscribe: 'yes' })

// ---- pub/sub ------------------------------------------------------------------------
expectType<Promise<number>>()(cache.subscribe('a', 'b'))
expectType<Promise<number>>()(cache.subscribe(['a', Buffer.from('b')]))
expectType<Promise<number>>()(cache.subscribe('a', (err, count) => {
  expectType<Error | null>()(err)
  expectType<number | undefined>()(count)
}))
expectType<Promise<number>>()(cache.psubscribe('news.*'))
expectType<Promise<number>>()(cache.unsubscribe())
expectType<Promise<number>>()(cache.punsubscribe('news.*'))
expectType<Promise<number>>()(cache.ssubscribe('orders:{eu}', Buffer.from('b')))
expectType<Promise<number>>()(cache.ssubscribe(['a'], (err, count) => { void err; void count }))
expectType<Promise<number>>()(cache.sunsubscribe())
expectType<Promise<unknown>>()(cache.spublish('orders:{eu}', 'new'))
// @ts-expect-error shard channels are strings or Buffers
cache.ssubscribe({ channel: 'a' })
// @ts-expect-error channels are strings or Buffers
cache.subscribe({ channel: 'a' })

cache.on('message', (channel, message) => {
  expectType<string>()(channel)
  expectType<string>()(message)
})
cache.on('messageBuffer', (channel, message) => {
  expectType<Buffer>()(channel)
  expectType<Buffer>()(message)
})
cache.on('pmessage', (pattern, channel, message) => {
  expectType<string>()(pattern)
  expectType<string>()(channel)
  expectType<string>()(message)
})
cache.once('pmessageBuffer', (pattern, channel, message) => {
  expectType<string>()(pattern)
  expectType<Buffer>()(channel)
  expectType<Buffer>()(message)
})
cache.on('smessage', (channel, message) => {
  expectType<string>()(channel)
  expectType<string>()(message)
})
cache.on('smessageBuffer', (channel, message) => {
  expectType<Buffer>()(channel)
  expectType<Buffer>()(message)
})
// @ts-expect-error 'message' listeners get strings
cache.on('message', (channel: Buffer) => channel)

// ---- blocking commands (generated methods) ----------------------------------------------
expectType<Promise<unknown>>()(cache.blpop('q', 0))
expectType<Promise<unknown>>()(cache.bzpopminBuffer('z', 1))
