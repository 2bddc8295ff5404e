// pipeline() and multi(): chainable, their methods mirror the client's (the
// hand-written ones with every overload, the generated ones), exec()'s
// result type; defineCommand; then wrong usages.

import TierCache = require('../..')
import { expectType } from './helpers'

const cache = new TierCache()

expectType<TierCache.Pipeline>()(cache.pipeline())
expectType<TierCache.Pipeline>()(cache.pipeline().set('a', '1').get('a').hgetall('h'))
expectType<TierCache.Pipeline>()(cache.pipeline().set('a', '1').set('a', '1', 'EX', 10).set('a', { o: 1 }, 'NX').set('a', '1', 'GET').set('a', '1', { EX: 10 }).getBuffer('a').mget('a', 'b'))
expectType<TierCache.Pipeline>()(cache.pipeline().hset('h', { f: 'v' }).lpush('l', 'x').zadd('z', 1, 'm').eval('return 1', 0))
expectType<TierCache.Pipeline>()(cache.pipeline().call('strlen', 'a').callBuffer('get', 'a').send_command('ping'))
// get<T>'s type parameter is not carried into the pipeline: its reply goes to exec().
expectType<TierCache.Pipeline>()(cache.pipeline().get('a', (err, value) => {
  expectType<Error | null>()(err)
  expectType<unknown>()(value)
}))
expectType<TierCache.Pipeline>()(cache.pipeline([['set', 'a', '1'], ['get', 'a']]))
expectType<TierCache.Pipeline>()(cache.multi())
expectType<TierCache.Pipeline>()(cache.multi([['incr', 'n']]))
expectType<TierCache.Pipeline>()(cache.multi({ pipeline: true }))
expectType<TierCache.Pipeline>()(cache.multi().set('n', 1).incr('n').discard())
expectType<number>()(cache.pipeline().length)
expectType<Promise<TierCache.PipelineResult>>()(cache.multi().incr('n').exec())
expectType<Promise<TierCache.PipelineResult>>()(cache.pipeline().exec((err, results) => {
  expectType<Error | null>()(err)
  expectType<TierCache.PipelineResult | undefined>()(results)
}))
async function results () {
  const [[err, reply]] = await cache.pipeline().get('a').exec()
  expectType<Error | null>()(err)
  expectType<unknown>()(reply)
}
void results
expectType<void>()(cache.defineCommand('myScript', { numberOfKeys: 1, lua: 'return KEYS[1]' }))
expectType<void>()(cache.defineCommand('myScript', { lua: 'return 1', readOnly: true }))

// ---- wrong usages ---------------------------------------------------------------

// @ts-expect-error: get takes a key
cache.pipeline().get()
// @ts-expect-error: set needs a value
cache.pipeline().set('a')
// @ts-expect-error: not an expiry token
cache.pipeline().set('a', '1', 'SOON', 10)
// WATCH queues like any command (it runs on the client's own connection: lib/watch.js).
cache.pipeline().watch('a')
// @ts-expect-error: exec is not chainable
cache.pipeline().exec().get('a')
// @ts-expect-error: a batch command is an array
cache.pipeline(['get', 'a'])
// @ts-expect-error: lua is required
cache.defineCommand('x', { numberOfKeys: 1 })

// ---- Command and sendCommand ----------------------------------------------------

const command = new TierCache.Command('get', ['k'], { replyEncoding: 'utf8' })
expectType<Promise<unknown>>()(cache.sendCommand(command))
expectType<Promise<unknown>>()(command.promise)
expectType<string>()(command.name)
expectType<BufferEncoding | null>()(command.replyEncoding)
new TierCache.Command('set', ['k', 'v', 'EX', 10], {}, (err, reply) => {
  expectType<Error | null>()(err)
  expectType<unknown>()(reply)
})
async function aborted () {
  const err = await cache.multi().exec().catch((e: TierCache.ReplyError) => e)
  if (err instanceof TierCache.ReplyError) expectType<TierCache.ReplyError[] | undefined>()(err.previousErrors)
}
void aborted
// @ts-expect-error: not an encoding
new TierCache.Command('get', ['k'], { replyEncoding: 'klingon' })
// @ts-expect-error: sendCommand takes a Command
cache.sendCommand(['get', 'k'])
expectType<Promise<TierCache>>()(cache.monitor())
cache.monitor((err, monitor) => {
  expectType<Error | null>()(err)
  monitor?.on('monitor', (time, args, source, database) => {
    expectType<string>()(time)
    expectType<string[]>()(args)
    expectType<string>()(source)
    expectType<string>()(database)
  })
})
expectType<void>()(TierCache.Command.setArgumentTransformer('sadd', (args) => args))
expectType<void>()(TierCache.Command.setReplyTransformer('smembers', (reply) => reply))
// @ts-expect-error: a transformer is a function
TierCache.Command.setReplyTransformer('smembers', 'not a function')

// ioredis's scripts option.
const withScripts = new TierCache({ scripts: { echoKey: { numberOfKeys: 1, lua: 'return KEYS[1]' } } })
void withScripts

// multi({ pipeline: false }): MULTI now, the client's commands queue, the client's exec() runs them.
async function queuedTransaction (): Promise<void> {
  const started: 'OK' = await cache.multi({ pipeline: false })
  void started
  const replies: TierCache.PipelineResult | null = await cache.exec()
  void replies
  const dropped: 'OK' = await cache.discard()
  void dropped
}
void queuedTransaction
