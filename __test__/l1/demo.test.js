'use strict'
// `npm start`: the demo app serves the tutorial's cached slow query over
// real HTTP, L1 only.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { spawn } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

function startDemo (env = {}) {
  const child = spawn(process.execPath, [path.join(__dirname, '..', '..', 'examples', 'demo.js')], {
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  const port = new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk
      const m = /localhost:(\d+)\//.exec(out)
      if (m) resolve(Number(m[1]))
    })
    child.on('exit', (code) => reject(new Error(`demo exited with ${code}: ${out}`)))
  })
  return { child, port, log: () => out }
}

test('the demo caches GET /data/:id: a miss, then hits', async (t) => {
  const demo = startDemo()
  t.after(() => demo.child.kill('SIGTERM'))
  const port = await demo.port
  const first = await fetch(`http://127.0.0.1:${port}/data/42`)
  assert.equal(first.status, 200)
  assert.equal(first.headers.get('x-cache'), 'MISS')
  const body = await first.json()
  assert.equal(body.id, '42')
  const second = await fetch(`http://127.0.0.1:${port}/data/42`)
  assert.equal(second.headers.get('x-cache'), 'HIT')
  assert.deepEqual(await second.json(), body, 'the cached object is the same data')
  const stats = await (await fetch(`http://127.0.0.1:${port}/stats`)).json()
  assert.equal(stats.hits, 1)
  assert.equal(stats.misses, 1)
  // getOrSet: three concurrent requests for a cold item, one query.
  assert.equal(stats.tiers, 'L1 only')
  assert.equal(typeof stats.hitRatios.l1, 'number')
  assert.equal(stats.hitRatios.l2, null)
  // The response cache: a miss, then a hit with ETag and Age; a purge makes it a miss again.
  const p1 = await fetch(`http://127.0.0.1:${port}/products/3`)
  assert.equal(p1.headers.get('x-cache'), 'MISS')
  const p2 = await fetch(`http://127.0.0.1:${port}/products/3`)
  assert.equal(p2.headers.get('x-cache'), 'HIT-L1')
  assert.ok(p2.headers.get('etag'))
  assert.deepEqual(await p2.json(), await p1.json())
  await fetch(`http://127.0.0.1:${port}/products/purge`, { method: 'POST' })
  assert.equal((await fetch(`http://127.0.0.1:${port}/products/3`)).headers.get('x-cache'), 'MISS')
  // A session: login, who am I, logout.
  const login = await fetch(`http://127.0.0.1:${port}/login?user=ada`, { method: 'POST' })
  const cookie = login.headers.get('set-cookie').split(';')[0]
  assert.deepEqual(await (await fetch(`http://127.0.0.1:${port}/me`, { headers: { cookie } })).json(), { user: 'ada' })
  await fetch(`http://127.0.0.1:${port}/logout`, { method: 'POST', headers: { cookie } })
  assert.deepEqual(await (await fetch(`http://127.0.0.1:${port}/me`, { headers: { cookie } })).json(), { user: null })
  const items = await Promise.all([1, 2, 3].map(() => fetch(`http://127.0.0.1:${port}/items/7`).then((r) => r.json())))
  assert.equal(new Set(items.map((i) => i.fetchedAt)).size, 1)
  assert.equal(items[0].id, '7')
  assert.match(demo.log(), /MISS data:42/)
  assert.match(demo.log(), /HIT {2}data:42/)
})

test('the demo shuts down cleanly on SIGTERM', async () => {
  const demo = startDemo()
  await demo.port
  const exited = new Promise((resolve) => demo.child.on('exit', (code, signal) => resolve({ code, signal })))
  demo.child.kill('SIGTERM')
  assert.deepEqual(await exited, { code: 0, signal: null })
})

test('page views written behind are all in the file after a SIGTERM', async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tiercache-demo-')), 'views.jsonl')
  const demo = startDemo({ DEMO_VIEWS_FILE: file })
  const port = await demo.port
  let last
  for (let i = 0; i < 25; i++) {
    last = await (await fetch(`http://127.0.0.1:${port}/views/home`, { method: 'POST' })).json()
  }
  assert.deepEqual(last, { page: 'home', views: 25 })
  const exited = new Promise((resolve) => demo.child.on('exit', (code, signal) => resolve({ code, signal })))
  demo.child.kill('SIGTERM')
  assert.deepEqual(await exited, { code: 0, signal: null })
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
  assert.deepEqual(lines.at(-1), { page: 'views:home', views: 25 }, 'the last count reached the file')
})
