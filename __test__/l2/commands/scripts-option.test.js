'use strict'
// ioredis's `scripts` constructor option: each script defined as
// defineCommand defines it (EVALSHA, EVAL after NOSCRIPT, keyPrefix on its
// KEYS, the …Buffer form), and a bad definition refused at construction.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const Redis = require('ioredis')

const TierCache = require('../../..')
const { startRedis } = require('../../support/redis-server')

const SCRIPTS = {
  setAndEcho: { numberOfKeys: 1, lua: "redis.call('SET', KEYS[1], ARGV[1]); return {KEYS[1], ARGV[1]}" },
  keyCount: { lua: 'return #KEYS' }
}

describe('the scripts option', () => {
  let server
  before(async () => { server = await startRedis() })
  after(async () => { await server.stop() })

  test('answers as ioredis with the same option, on the same server', async () => {
    const ours = new TierCache(server.url, { scripts: SCRIPTS, keyPrefix: 't:' })
    const io = new Redis({ port: server.port, scripts: SCRIPTS, keyPrefix: 'i:' })
    try {
      // After a SCRIPT FLUSH too: EVALSHA meets NOSCRIPT, EVAL follows.
      for (const round of [1, 2]) {
        if (round === 2) await io.script('FLUSH')
        const a = await ours.setAndEcho('k', 'v')
        const b = await io.setAndEcho('k', 'v')
        assert.deepEqual(a.map((s) => s.replace('t:', '')), b.map((s) => s.replace('i:', '')))
        assert.deepEqual(await ours.keyCount(2, 'x', 'y'), await io.keyCount(2, 'x', 'y'))
      }
      assert.ok(Buffer.isBuffer((await ours.setAndEchoBuffer('k', 'w'))[1]))
      const plain = new Redis({ port: server.port })
      assert.equal(await plain.get('t:k'), 'w', 'keyPrefix applied to the script\'s KEYS')
      await plain.quit()
      // A pipeline has the scripts too.
      assert.deepEqual(await ours.pipeline().setAndEcho('p', '1').get('p').exec(), [[null, ['t:p', '1']], [null, '1']])
    } finally {
      await ours.quit()
      await io.quit()
    }
  })

  test('a bad definition is refused at construction, with a code', () => {
    for (const scripts of [[], 'x', { get: { lua: 'return 1' } }, { s: { lua: '' } }, { s: { lua: 'return 1', numberOfKeys: -1 } }]) {
      assert.throws(() => new TierCache(server.url, { scripts, lazyConnect: true }), (e) => e.code === 'ERR_TIERCACHE_INVALID_ARGUMENT', JSON.stringify(scripts))
    }
  })
})
