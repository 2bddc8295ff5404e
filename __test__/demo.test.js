'use strict'
// `npm start`: the demo app serves the tutorial's cached slow query over
// real HTTP, L1 only.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { spawn } = require('node:child_process')
const path = require('node:path')

function startDemo () {
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'examples', 'demo.js')], {
    env: { ...process.env, PORT: '0' },
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
