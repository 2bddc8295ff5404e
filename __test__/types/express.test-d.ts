// Typings of tiercache/express and cache.middleware.
import TierCache = require('../..')
import TierCacheExpress = require('../../express')
import { expectType } from './helpers'

const cache = new TierCache()
const mw = cache.middleware({ ttl: 30_000, grace: 60_000, group: 'products', userKey: (req) => String(req.headers['x-user']), statuses: [200, 301] })
expectType<Promise<number>>()(mw.purgeGroup('products'))
expectType<Promise<number>>()(mw.purge({ url: '/products/1', headers: { host: 'shop.example' } }))
const mw2 = TierCacheExpress.middleware(cache, { lock: true, header: 'X-Tier', bypassHeader: 'x-skip' })
void mw2
const mw3 = cache.middleware({ negativeTtl: 5_000, credentialHeaders: ['X-Tenant-Token'] })
expectType<Promise<number>>()(mw3.purge({ url: '/1', baseUrl: '/products', headers: { host: 'shop.example' } }))
// @ts-expect-error negativeTtl is a number of ms
cache.middleware({ negativeTtl: true })
// @ts-expect-error credentialHeaders is a list of header names
cache.middleware({ credentialHeaders: 'x-tenant-token' })
// @ts-expect-error ttl is a number of ms
cache.middleware({ ttl: '30s' })
const store = new TierCacheExpress.TierCacheStore({ cache, prefix: 'sess:', ttl: (s) => 60, consistency: 'strong' })
expectType<Promise<number>>()(store.length())
// @ts-expect-error consistency is 'strong' or 'fast'
new TierCacheExpress.TierCacheStore({ cache, consistency: 'eventual' })
