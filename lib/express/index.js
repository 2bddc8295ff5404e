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

module.exports = {
  middleware,
  purgeGroup,
  // Loaded on first use: express-session is an optional peer.
  get TierCacheStore () {
    return require('./session-store').TierCacheStore
  }
}
