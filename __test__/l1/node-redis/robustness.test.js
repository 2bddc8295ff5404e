'use strict'
// Every command method of the node-redis flavour, called with odd and
// hostile arguments without Redis: each answers through its promise (a
// reply, or a TierCacheError with a stable code), never a synchronous throw,
// a crash or an unhandled rejection. With Redis, the same calls are what the
// generic path already guards (the fuzzer, __test__/l2/fuzz).

const { test } = require('node:test')
const assert = require('node:assert/strict')

const { createClient, TierCacheError } = require('../../..')
const { installedMethods } = require('../../../lib/node-redis/methods')

const hostile = new Proxy({}, { get () { throw new Error('hostile proxy') }, ownKeys () { throw new Error('hostile proxy') } })
const ARGUMENT_LISTS = [
  [],
  ['k'],
  ['k', 'v'],
  [{}],
  [null, undefined],
  ['k', { score: 'x', value: 1 }],
  ['k', hostile],
  [hostile],
  ['k', '0', { MATCH: 5, COUNT: -1 }],
  [Symbol('s')],
  [['a', ['b']], 1n]
]

test('no method throws synchronously or rejects with anything but a TierCacheError', async (t) => {
  const client = createClient()
  t.after(() => client.quit())
  const unhandled = []
  const onUnhandled = (err) => unhandled.push(err)
  process.on('unhandledRejection', onUnhandled)
  t.after(() => process.off('unhandledRejection', onUnhandled))
  let calls = 0
  for (const { method } of installedMethods()) {
    for (const list of ARGUMENT_LISTS) {
      let result
      try {
        result = client[method](...list)
      } catch (err) {
        assert.fail(`${method}: threw synchronously (${err && err.message})`)
      }
      assert.ok(result instanceof Promise, `${method} answers a promise`)
      await result.then(() => {}, (err) => {
        assert.ok(err instanceof TierCacheError, `${method}(${list.length} args): ${err && err.stack}`)
        assert.match(err.code, /^ERR_TIERCACHE_/)
      })
      calls++
    }
  }
  await new Promise((resolve) => setImmediate(resolve))
  assert.deepEqual(unhandled, [])
  assert.ok(calls > 3000, `calls: ${calls}`)
})
