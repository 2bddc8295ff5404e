'use strict'
// The demo with Redis as L2, Redis stopped before the first request (nothing
// warmed): every route answers, never a 500. Reads are served from L1 or the
// source (the same data the source gives); what needs Redis to be right
// (sessions, which must not accept a session logged out elsewhere; the view
// counter, which must not write a count it cannot read; purging every
// instance) answers 503 with a reason and Retry-After. Then Redis comes back
// on the same port and every route works again, with no restart of the app.

const http = require('node:http')
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { startRedis } = require('../../support/redis-server')
const { startScript, within, ROOT } = require('../../support/child')

const DEMO = path.join(ROOT, 'examples', 'demo.js')

async function startDemo (t, env) {
  const run = startScript(t, DEMO, { ...process.env, PORT: '0', ...env })
  const port = await within(new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      const m = /localhost:(\d+)\//.exec(run.out.stdout)
      if (m) {
        clearInterval(poll)
        resolve(Number(m[1]))
      }
    }, 20)
    run.exited.then(() => {
      clearInterval(poll)
      reject(new Error(`the demo exited\n${run.describeOutput()}`))
    })
  }), 15_000, () => `the demo did not start\n${run.describeOutput()}`)
  return { port, run }
}

/** Every route of the demo, in an order a user could send them. */
function routes (cookie) {
  const headers = cookie === undefined ? {} : { cookie }
  return [
    ['GET', '/data/42'],
    ['GET', '/data/42'],
    ['GET', '/items/7'],
    ['GET', '/products/3'],
    ['GET', '/products/3'],
    ['POST', '/products/purge'],
    ['POST', '/login?user=ada'],
    ['GET', '/me', headers],
    ['POST', '/logout', headers],
    ['POST', '/views/home'],
    ['GET', '/stats']
  ]
}

// One connection per request (agent: false), not fetch's keep-alive pool: when
// a session save fails after the response was written (Redis is down here),
// Express destroys that socket, and a pooled connection would hand the next
// request a socket the server is closing ("other side closed": an error of
// the test's, not the app's; as in express/l2/session-store.test.js).
function request (port, method, url, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: url, method, headers, agent: false }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => { text += chunk })
      res.on('error', reject)
      res.on('end', () => {
        let body
        try {
          body = JSON.parse(text)
        } catch {
          body = text
        }
        resolve({ status: res.statusCode, body, headers: new Headers(res.headers) })
      })
    })
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${url}: no answer within 10 s`)))
    req.on('error', reject)
    req.end()
  })
}

test('Redis stopped before the first request: every demo route answers (no 500); back up: every route works', async (t) => {
  let redis = await startRedis()
  t.after(() => redis.kill())
  const viewsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tiercache-demo-down-')), 'views.jsonl')
  const { port, run } = await startDemo(t, { REDIS_URL: redis.url, DEMO_VIEWS_FILE: viewsFile })
  // The failure goes first: Redis is gone before the app served anything.
  await redis.stop()

  for (const [method, url, headers] of routes()) {
    const r = await request(port, method, url, headers)
    assert.notEqual(r.status, 500, `${method} ${url} with Redis down answered 500: ${JSON.stringify(r.body)}\n${run.describeOutput()}`)
    if (url.startsWith('/data/') || url.startsWith('/items/') || url.startsWith('/products/3')) {
      assert.equal(r.status, 200, `${method} ${url}: ${JSON.stringify(r.body)}`)
      assert.equal(r.body.id, url.split('/')[2], `${method} ${url} serves the source's data`)
    } else if (url === '/stats') {
      assert.equal(r.status, 200)
      assert.equal(r.body.tiers, 'L1 + Redis')
    } else if (url === '/me') {
      // No session cookie (the login could not be stored): nobody, no Redis needed.
      assert.equal(r.status, 200)
      assert.deepEqual(r.body, { user: null })
    } else {
      assert.equal(r.status, 503, `${method} ${url}: ${JSON.stringify(r.body)}`)
      assert.match(r.body.error, /Redis/)
      assert.ok(Number(r.headers.get('retry-after')) > 0, `${method} ${url}: Retry-After`)
    }
  }
  // L1 still answers what it holds: the second read of /data/42 may hit L1 or
  // go to the source again, either way the same item.
  const again = await request(port, 'GET', '/data/42')
  assert.equal(again.status, 200)
  assert.equal(again.body.id, '42')

  // Redis comes back where the app connects; the app reconnects by itself.
  redis = await startRedis({ port: redis.port })
  await within((async () => {
    for (;;) {
      const r = await request(port, 'POST', '/login?user=ada')
      if (r.status === 200) return
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  })(), 15_000, () => `the demo did not recover within 15 s\n${run.describeOutput()}`)
  const login = await request(port, 'POST', '/login?user=grace')
  assert.equal(login.status, 200)
  const cookie = (await fetch(`http://127.0.0.1:${port}/login?user=grace`, { method: 'POST' })).headers.get('set-cookie').split(';')[0]
  for (const [method, url, headers] of routes(cookie)) {
    if (url.startsWith('/login')) continue // would replace the session the later routes use
    const r = await request(port, method, url, headers)
    assert.equal(r.status, 200, `${method} ${url} after Redis came back: ${JSON.stringify(r.body)}`)
    if (url === '/me') assert.deepEqual(r.body, { user: 'grace' })
    if (url.startsWith('/views/')) assert.equal(r.body.views, 1)
  }
  assert.equal((await request(port, 'GET', '/me', { cookie })).body.user, null, 'logged out')

  // Down again, now with a live session and an item in L1.
  const session = (await fetch(`http://127.0.0.1:${port}/login?user=ada`, { method: 'POST' })).headers.get('set-cookie').split(';')[0]
  assert.equal((await request(port, 'GET', '/data/42')).status, 200)
  await redis.stop()
  const data = await request(port, 'GET', '/data/42')
  assert.equal(data.status, 200)
  assert.equal(data.body.id, '42')
  assert.equal(data.headers.get('x-cache'), 'HIT', 'L1 serves what it holds while Redis is down')
  for (const [method, url] of [['GET', '/me'], ['POST', '/logout']]) {
    // A session cannot be checked against a logout elsewhere: refused, not accepted, not a 500.
    const r = await request(port, method, url, { cookie: session })
    assert.equal(r.status, 503, `${method} ${url} with a session, Redis down: ${JSON.stringify(r.body)}`)
    assert.ok(!JSON.stringify(r.body).includes('at '), 'no stack trace in the answer')
  }
})

test('REDIS_URL= (empty) runs the demo L1 only', async (t) => {
  const { port } = await startDemo(t, { REDIS_URL: '' })
  const r = await request(port, 'GET', '/data/1')
  assert.equal(r.status, 200)
  assert.equal(r.body.id, '1')
  assert.equal((await request(port, 'GET', '/stats')).body.tiers, 'L1 only')
})
