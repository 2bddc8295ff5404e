// The module's shapes: `export =` of the class, with a merged namespace
// carrying every named export (import = require, named and default imports).

import TierCache = require('../..')
import TierCacheAgain = require('../../index')
import { TierCache as Named, createClient, TierCacheError, TierCacheTypeError, TierCacheRangeError, ReplyError, ClosedError, InternalError, codes, codecs, DEFAULTS, MAX_KEY_BYTES } from '../..'
import DefaultImport from '../..'
import * as star from '../..'
import { expectType, expectAssignable } from './helpers'

// require() in a .ts file is untyped (any); it must still resolve and run.
const Required = require('../..')
new Required()

// The export is the class itself, and every alias is the same class.
expectType<typeof TierCache>()(TierCacheAgain)
expectType<typeof TierCache>()(Named)
expectType<typeof TierCache>()(TierCache.TierCache)
expectType<typeof TierCache>()(TierCache.default)
expectType<typeof TierCache>()(DefaultImport)
expectType<typeof TierCache>()(star.TierCache)

const a = new TierCache()
const b = new Named({ maxEntries: 10 })
const c = new DefaultImport(null)
const d = new TierCache.TierCache({})
const e = createClient()
const f = TierCache.createClient({ name: 'shared', codec: 'v8' })
const g = new TierCache(undefined)
expectType<TierCache>()(a)
expectType<TierCache>()(b)
expectType<TierCache>()(c)
expectType<TierCache>()(d)
// createClient: the node-redis flavour, a TierCache at run time (instanceof).
expectType<TierCache.NodeRedisClient>()(e)
expectType<TierCache.NodeRedisClient>()(f)
expectType<TierCache>()(g)
// The class type under its named-export spelling is the same type.
const h: Named = a
const i: TierCache.TierCache = h
expectAssignable<TierCache>(i)

// Every option, documented in TierCacheOptions.
const options: TierCache.TierCacheOptions = {
  name: 'sessions',
  maxEntries: 10_000,
  maxBytes: 64 * 1024 * 1024,
  maxValueBytes: 1024 * 1024,
  ttl: 60_000,
  codec: 'json',
  frontSize: 0,
  frontObjects: true
}
new TierCache(options)
new TierCache({ codec: 'v8' })
new TierCache({ codec: codecs.v8 })
new TierCache({ codec: { encode: (v: unknown) => JSON.stringify(v), decode: (buf: Buffer) => JSON.parse(buf.toString('utf8')) } })
new TierCache({ codec: { name: 'mine', encode: () => new Uint8Array(0), decode: () => null } })
const custom: TierCache.Codec = { encode: () => Buffer.alloc(0), decode: (payload) => payload.length }
new TierCache({ codec: custom })

// The resolved options.
expectType<Readonly<TierCache.ResolvedOptions>>()(a.options)
expectType<number>()(a.options.maxBytes)
expectType<number | undefined>()(a.options.maxEntries)
expectType<string | undefined>()(a.options.name)
expectType<'json' | 'v8' | TierCache.Codec>()(a.options.codec)
expectType<TierCache.Status>()(a.status)
expectType<TierCache.LocalView>()(a.local)

// Constants.
expectType<number>()(MAX_KEY_BYTES)
expectType<number>()(TierCache.MAX_KEY_BYTES)
expectType<'json'>()(DEFAULTS.codec)
expectType<number>()(DEFAULTS.maxBytes)
expectType<undefined>()(DEFAULTS.ttl)
expectType<false>()(TierCache.DEFAULTS.frontObjects)
expectType<'ERR_TIERCACHE_CLOSED'>()(codes.CLOSED)
expectType<'ERR_TIERCACHE_SYNTAX'>()(TierCache.codes.SYNTAX)
expectType<TierCache.ErrorCode>()(codes[('INVALID_KEY' as keyof typeof codes)])
expectType<string>()(codecs.json.encode({ a: 1 }))
expectType<Buffer>()(codecs.v8.encode(new Map()))
expectType<unknown>()(codecs.json.decode('{"a":1}'))
expectType<unknown>()(codecs.v8.decode(codecs.v8.encode([1])))
expectType<'json'>()(codecs.json.name)
expectType<'v8'>()(TierCache.codecs.v8.name)
expectAssignable<TierCache.Codec>(codecs.json)
expectAssignable<TierCache.Codec>(codecs.v8)

// Error classes are values (constructible) and types.
const errs: Array<Error> = [
  new TierCacheError('x'),
  new TierCacheError('x', 'ERR_TIERCACHE_INTERNAL', { cause: new Error('y') }),
  new TierCacheTypeError('x', codes.INVALID_KEY),
  new TierCacheRangeError('x'),
  new ReplyError('ERR value is not an integer or out of range'),
  new ClosedError(),
  new InternalError('boom', { cause: 1 }),
  new TierCache.ClosedError('closed')
]
expectAssignable<Error[]>(errs)
expectAssignable<TypeError>(new TierCacheTypeError('x'))
expectAssignable<RangeError>(new TierCacheRangeError('x'))

// --- wrong usages ------------------------------------------------------------

// @ts-expect-error unknown option
new TierCache({ hots: 'localhost' })
// @ts-expect-error the port is a number
new TierCache({ port: '6379x' as unknown as boolean })
// @ts-expect-error offlineMode is 'reject' or 'local'
new TierCache({ redis: 'redis://localhost', offlineMode: 'ignore' })
// @ts-expect-error redis is a URL or connection options
new TierCache({ redis: 6379 })
// @ts-expect-error codec must be 'json', 'v8' or { encode, decode }
new TierCache({ codec: 'msgpack' })
// @ts-expect-error a codec needs decode too
new TierCache({ codec: { encode: (v: unknown) => String(v) } })
// @ts-expect-error maxBytes is a number
new TierCache({ maxBytes: '256mb' })
// @ts-expect-error frontObjects is a boolean
new TierCache({ frontObjects: 1 })
// @ts-expect-error options are read-only
a.options.ttl = 5
// @ts-expect-error status is read-only
a.status = 'end'
// @ts-expect-error not an export
star.LocalView
