'use strict'
const { test } = require('node:test')
const assert = require('node:assert/strict')
const TierCache = require('../..')

test('a cache with no options works', async () => {
  const cache = new TierCache()
  assert.equal(await cache.set('greeting', 'hello'), 'OK')
  assert.equal(await cache.get('greeting'), 'hello')
  await cache.quit()
})
