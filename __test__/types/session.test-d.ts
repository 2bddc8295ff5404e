// The session store type-checks as an express-session Store (the block in docs/express.md).
import express = require('express')
import session = require('express-session')
import TierCache = require('../..')
import TierCacheExpress = require('../../express')
import { expectType } from './helpers'

const { TierCacheStore } = TierCacheExpress
const cache = new TierCache()
const app = express()

app.use(session({
  store: new TierCacheStore({ cache }),
  secret: 'a secret', resave: false, saveUninitialized: false
}))

const store: session.Store = new TierCacheStore({ cache, prefix: 'sess:', consistency: 'fast' })
void store
const own = new TierCacheStore({ cache })
expectType<Promise<void>>()(own.destroy('sid'))
expectType<Promise<string[]>>()(own.ids())
own.get('sid', (err, sess) => { void err; void sess })
own.on('disconnect', () => {})
// @ts-expect-error the store takes the cache as `cache`
new TierCacheStore({ client: cache })
