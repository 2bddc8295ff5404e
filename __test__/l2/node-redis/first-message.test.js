'use strict'
// The node-redis flavour's subscribe / pSubscribe / sSubscribe hear the very
// first message sent once Redis holds the subscription, as node-redis does
// (it registers the listener before sending). The subscriber's connection
// goes through a proxy that holds Redis's bytes back, so the subscription's
// confirmation and that first message reach the client together; a listener
// registered only once the call resolved missed it.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const IORedis = require('ioredis')

const TierCache = require('../../..')
const { startRedis } = require('../../support/redis-server')
const { startProxy } = require('../../support/tcp-proxy')

const ROUNDS = 8

describe('the first message after a node-redis-flavour subscription', () => {
  let server, proxy, direct, client
  before(async () => {
    server = await startRedis()
    proxy = await startProxy({ targetPort: server.port })
    direct = new IORedis({ port: server.port, lazyConnect: true })
    await direct.connect()
    client = TierCache.createClient({ url: proxy.url })
    await client.connect()
    await proxy.mode('delay', { ms: 150 })
  })
  after(async () => {
    await client.quit()
    await direct.quit()
    await proxy.close()
    await server.stop()
  })

  /** Polls `count()` until it reaches 1 (Redis holds the subscription). */
  async function subscribed (count) {
    const deadline = Date.now() + 5000
    while (await count() < 1) {
      if (Date.now() > deadline) throw new Error('Redis never held the subscription')
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }

  // [method, its undoing, how many subscriptions Redis holds, publish]
  const KINDS = [
    ['subscribe', 'unsubscribe', (name) => direct.call('PUBSUB', 'NUMSUB', name).then((r) => r[1]), (name, m) => direct.publish(name, m)],
    ['pSubscribe', 'pUnsubscribe', () => direct.call('PUBSUB', 'NUMPAT'), (name, m) => direct.publish(`${name}:x`, m)],
    ['sSubscribe', 'sUnsubscribe', (name) => direct.call('PUBSUB', 'SHARDNUMSUB', name).then((r) => r[1]), (name, m) => direct.call('SPUBLISH', name, m)]
  ]

  for (const [method, undo, count, publish] of KINDS) {
    test(`${method}: the message published as soon as Redis holds it is heard`, async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const name = method === 'pSubscribe' ? `pat${round}:*` : `${method}:${round}`
        const channel = method === 'pSubscribe' ? `pat${round}` : name
        const heard = []
        const call = client[method](name, (message) => heard.push(message))
        await subscribed(() => count(name))
        await publish(channel, `first ${round}`)
        await call
        const deadline = Date.now() + 2000
        while (heard.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
        assert.deepEqual(heard, [`first ${round}`], `round ${round}`)
        await client[undo](name)
      }
    })
  }
})
