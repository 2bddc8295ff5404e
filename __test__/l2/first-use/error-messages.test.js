'use strict'
// The first errors a user meets: each is a TierCacheError subclass with a
// stable code and a message that says what to do, and none shows a secret
// (the password, a key's PEM), neither in its message nor in util.inspect.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const TierCache = require('../../..')
const { startRedis, freePort } = require('../../support/redis-server')
const { within } = require('../../support/child')

const { TierCacheError, UnavailableError } = TierCache

const PASSWORD = 'hunter2-sekrit'

/** Neither the message nor anything util.inspect shows (cause included) holds `secret`. */
function assertNoSecret (err, secret) {
  assert.ok(!String(err.message).includes(secret), `the message shows the secret: ${err.message}`)
  assert.ok(!util.inspect(err, { depth: 10 }).includes(secret), 'util.inspect of the error shows the secret')
}

test('a malformed percent-encoding in the URL password: TierCacheTypeError, says to write % as %25, never quotes it', () => {
  for (const url of [`redis://:${PASSWORD}%zz@127.0.0.1:6390`, `redis://:${PASSWORD}%E0%A4%A@127.0.0.1:6390`, `redis://user:${PASSWORD}%@h`]) {
    let caught
    try {
      new TierCache(url)
    } catch (err) {
      caught = err
    }
    assert.ok(caught instanceof TierCacheError, `${caught}`)
    assert.equal(caught.name, 'TierCacheTypeError')
    assert.equal(caught.code, 'ERR_TIERCACHE_INVALID_ARGUMENT')
    assert.match(caught.message, /password/)
    assert.match(caught.message, /%25/)
    assertNoSecret(caught, PASSWORD)
  }
  assert.throws(() => new TierCache(`redis://${PASSWORD}%zz:pw@127.0.0.1:6390`), { code: 'ERR_TIERCACHE_INVALID_ARGUMENT', message: /username/ })
})

test('a tls.ca (or cert/key) that is not PEM: TierCacheTypeError saying what PEM looks like, not InternalError', async () => {
  const port = await freePort()
  const KEY = 'PRIVATE-KEY-MATERIAL-abc123'
  const cases = [
    { ca: 'not a certificate' },
    { ca: '-----BEGIN CERTIFICATE-----\nnot base64 !!\n-----END CERTIFICATE-----\n' },
    { ca: Buffer.from([0, 1, 2, 3]) },
    { cert: 'not a certificate', key: KEY }
  ]
  for (const tls of cases) {
    let caught
    try {
      const cache = new TierCache({ host: '127.0.0.1', port, password: PASSWORD, tls, lazyConnect: true })
      await cache.quit()
    } catch (err) {
      caught = err
    }
    assert.ok(caught instanceof TierCacheError, `${util.inspect(tls)}: ${caught}`)
    assert.equal(caught.name, 'TierCacheTypeError', caught.message)
    assert.equal(caught.code, 'ERR_TIERCACHE_INVALID_ARGUMENT')
    assert.match(caught.message, /PEM/)
    assert.match(caught.message, /-----BEGIN CERTIFICATE-----/)
    assertNoSecret(caught, PASSWORD)
    assertNoSecret(caught, KEY)
  }
})

test('a command against an unreachable Redis gives the reason (ECONNREFUSED) as cause, and what to check', async (t) => {
  const port = await freePort() // nothing listens there
  const cache = new TierCache(`redis://:${PASSWORD}@127.0.0.1:${port}`, { retryStrategy: () => 60_000 })
  t.after(() => cache.quit())
  const failed = new Promise((resolve) => cache.once('error', resolve))
  cache.on('error', () => {})
  // The addon's connection attempt does not hold the event loop: a timer does.
  await within(failed, 10_000, () => 'no connection error within 10 s')
  let caught
  try {
    await cache.get('k')
  } catch (err) {
    caught = err
  }
  assert.ok(caught instanceof UnavailableError, `${caught}`)
  assert.equal(caught.code, 'ERR_TIERCACHE_L2_UNAVAILABLE')
  assert.match(caught.message, /unreachable/)
  assert.match(caught.message, /ECONNREFUSED/)
  assert.match(caught.message, /host and port/)
  assert.ok(caught.cause instanceof Error, 'the reason is the cause')
  assert.equal(caught.cause.code, 'ECONNREFUSED')
  assertNoSecret(caught, PASSWORD)
})

test('after retryStrategy gave up, a command still says why Redis went away', async (t) => {
  const port = await freePort()
  const cache = new TierCache(`redis://:${PASSWORD}@127.0.0.1:${port}`, { retryStrategy: () => null })
  t.after(() => cache.quit())
  cache.on('error', () => {})
  await within(new Promise((resolve) => cache.once('end', resolve)), 10_000, () => "no 'end' within 10 s")
  const err = await cache.get('k').then(() => null, (e) => e)
  assert.ok(err instanceof UnavailableError, `${err}`)
  assert.equal(err.cause?.code, 'ECONNREFUSED')
  assertNoSecret(err, PASSWORD)
})

test('a connection that worked, then broke: the cause is the loss', async (t) => {
  const redis = await startRedis()
  t.after(() => redis.kill())
  const cache = new TierCache(redis.url, { retryStrategy: () => 60_000, commandTimeout: 500 })
  t.after(() => cache.quit())
  cache.on('error', () => {})
  await cache.connect()
  assert.equal(await cache.set('k', 'v'), 'OK')
  const lost = new Promise((resolve) => cache.once('error', resolve))
  await redis.kill()
  await within(lost, 10_000, () => 'the loss was not reported within 10 s')
  const err = await cache.l2.get('k').then(() => null, (e) => e)
  assert.ok(err instanceof UnavailableError, `${err}`)
  assert.ok(err.cause instanceof Error, 'the loss is the cause')
})

test("set('k', 'v', 60) says that SET takes its expiry as 'EX', seconds", async (t) => {
  const cache = new TierCache()
  t.after(() => cache.quit())
  for (const ttl of [60, '60']) {
    const err = await cache.set('k', 'v', ttl).then(() => null, (e) => e)
    assert.ok(err instanceof TierCacheError, `${err}`)
    assert.equal(err.name, 'TierCacheTypeError')
    assert.equal(err.code, 'ERR_TIERCACHE_SYNTAX')
    assert.match(err.message, /SET takes its expiry as 'EX', seconds/)
    assert.ok(err.message.includes("set(key, value, 'EX', 60)"), err.message)
  }
  // Nothing was written by the refused call.
  assert.equal(await cache.get('k'), null)
  // An unknown word lists what SET takes; something that may be data is not quoted.
  const word = await cache.set('k', 'v', 'EXPIRE', 10).then(() => null, (e) => e)
  assert.equal(word.code, 'ERR_TIERCACHE_SYNTAX')
  assert.match(word.message, /"EXPIRE".*EX seconds, PX ms/)
  const data = await cache.set('k', 'v', 'the card number 4111 1111').then(() => null, (e) => e)
  assert.equal(data.code, 'ERR_TIERCACHE_SYNTAX')
  assert.ok(!data.message.includes('4111'), data.message)
})
