'use strict'
// rediss:// against a real redis-server with TLS: a private CA and a server
// certificate for localhost are made with openssl for this file. Certificates
// are verified by default; `tls.ca` trusts the test CA; `rejectUnauthorized:
// false` skips verification, as in ioredis.

const { describe, it, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')

const TierCache = require('../..')
const { startRedis, freePort } = require('../support/redis-server')

let dir
let redis
let tlsPort
let ca

function openssl (...args) {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' })
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiercache-tls-'))
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=tiercache test CA')
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost')
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n')
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'ext.cnf')
  ca = fs.readFileSync(path.join(dir, 'ca.crt'))
  tlsPort = await freePort()
  // The plain port stays open too: startRedis checks readiness with it.
  redis = await startRedis({
    args: ['--tls-port', String(tlsPort), '--tls-cert-file', path.join(dir, 'server.crt'),
      '--tls-key-file', path.join(dir, 'server.key'), '--tls-ca-cert-file', path.join(dir, 'ca.crt'),
      '--tls-auth-clients', 'no']
  })
})

after(async () => {
  if (redis) await redis.stop()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

async function open (t, ...args) {
  const cache = new TierCache(...args)
  t.after(() => cache.quit())
  return cache
}

describe('TLS', () => {
  it('connects with rediss:// and a trusted CA, and works as two levels', async (t) => {
    const cache = await open(t, `rediss://localhost:${tlsPort}`, { tls: { ca } })
    await cache.connect()
    await cache.set('over-tls', { ok: true }, 'EX', 60)
    assert.deepEqual(await cache.l2.get('over-tls'), { ok: true })
    const other = await open(t, { host: 'localhost', port: tlsPort, tls: { ca: ca.toString() } })
    await other.connect()
    assert.deepEqual(await other.get('over-tls'), { ok: true })
  })

  it('verifies certificates by default: an unknown CA is refused', async (t) => {
    const cache = await open(t, `rediss://localhost:${tlsPort}`, { retryStrategy: () => null, connectTimeout: 3000 })
    cache.on('error', () => {})
    await assert.rejects(cache.connect(), { code: 'ERR_TIERCACHE_L2_UNAVAILABLE' })
  })

  it('rejectUnauthorized: false skips verification, as in ioredis', async (t) => {
    const cache = await open(t, `rediss://localhost:${tlsPort}`, { tls: { rejectUnauthorized: false } })
    await cache.connect()
    assert.equal(await cache.ping(), 'PONG')
  })

  it('a TLS client on a plain port fails cleanly, within connectTimeout', async (t) => {
    const cache = await open(t, `rediss://localhost:${redis.port}`, { tls: { ca }, retryStrategy: () => null, connectTimeout: 1000 })
    cache.on('error', () => {})
    const started = Date.now()
    await assert.rejects(cache.connect(), { code: 'ERR_TIERCACHE_L2_UNAVAILABLE' })
    assert.ok(Date.now() - started < 6000, `took ${Date.now() - started} ms`)
  })
})
