'use strict'
// `require('tiercache/express')`: the Express response cache and the
// express-session store.
//
//   const { middleware, TierCacheStore } = require('tiercache/express')
//   app.get('/data/:id', middleware(cache, { ttl: 30_000 }), handler)
//   app.use(session({ store: new TierCacheStore({ cache }), … }))
//
// `cache.middleware(options)` is the same as `middleware(cache, options)`.

const { middleware, purgeGroup } = require('./response-cache')
// Cheap to load: express-session (an optional peer) is required by the
// store's first constructor call, not here.
const { TierCacheStore } = require('./session-store')

// An object literal of plain names: Node's ESM loader reads this form
// (cjs-module-lexer), so `import { TierCacheStore } from 'tiercache/express'` works.
module.exports = { middleware, purgeGroup, TierCacheStore }
