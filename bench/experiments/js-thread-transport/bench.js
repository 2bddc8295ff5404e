'use strict'
// EXPERIMENT (see README.md): ioredis, tiercache and the JS-thread prototype on one
// private redis-server, side by side in one run.
const path = require('path')
const ROOT = path.join(__dirname, '..', '..', '..')
const { startRedis } = require(path.join(ROOT, '__test__/support/redis-server'))
const Redis = require(path.join(ROOT, 'bench/node_modules/ioredis'))
const TierCache = require(ROOT)
const proto = require(path.join(__dirname, 'proto.node'))

function protoClient (port, batched) {
  const q = []
  let head = 0
  const conn = proto.connect(port, (replies) => {
    for (let i = 0; i < replies.length; i++) { const r = q[head]; q[head++] = undefined; r(replies[i]) }
    if (head > 4096 && head === q.length) { q.length = 0; head = 0 }
  })
  let scheduled = false
  const flush = () => { scheduled = false; proto.flush(conn) }
  return {
    call (...argv) {
      return new Promise((resolve) => {
        q.push(resolve)
        if (batched) { proto.queue(conn, argv); if (!scheduled) { scheduled = true; process.nextTick(flush) } } else proto.send(conn, argv)
      })
    }
  }
}

const N = 4000
async function seq (op) { for (let i = 0; i < N; i++) await op(i) }
async function conc (op) { for (let i = 0; i < N; i += 100) { const b = []; for (let j = 0; j < 100; j++) b.push(op(i + j)); await Promise.all(b) } }
async function rate (run, op) { await run(op); const r = []; for (let k = 0; k < 5; k++) { const t = process.hrtime.bigint(); await run(op); r.push(N / (Number(process.hrtime.bigint() - t) / 1e9)) } r.sort((a, b) => a - b); return r[2] }

async function main () {
  const server = await startRedis()
  const port = server.port
  const io = new Redis({ port, host: '127.0.0.1' })
  const tc = new TierCache({ redis: `redis://127.0.0.1:${port}`, maxEntries: 2 })
  tc.on('error', () => {}); await tc.connect()
  const pr = protoClient(port, true)
  for (let i = 0; i < 1000; i++) await io.hset(`h:${i}`, 'a', '1', 'b', '2', 'c', '3')
  const cases = [
    ['HSET', { io: (i) => io.hset(`w:${i % 100}`, `f${i % 10}`, String(i)), tc: (i) => tc.hset(`w:${i % 100}`, `f${i % 10}`, String(i)), pr: (i) => pr.call('HSET', `w:${i % 100}`, `f${i % 10}`, String(i)) }],
    ['HGETALL', { io: (i) => io.hgetall(`h:${i % 1000}`), tc: (i) => tc.hgetall(`h:${i % 1000}`), pr: (i) => pr.call('HGETALL', `h:${i % 1000}`) }],
    ['PUBLISH', { io: () => io.publish('c', 'm'), tc: () => tc.publish('c', 'm'), pr: () => pr.call('PUBLISH', 'c', 'm') }]
  ]
  for (const [name, ops] of cases) {
    for (const [mode, run] of [['seq', seq], ['100', conc]]) {
      const out = {}
      for (const k of ['io', 'tc', 'pr']) out[k] = await rate(run, ops[k])
      console.log(name.padEnd(8), mode.padEnd(4), 'ioredis', out.io.toFixed(0), 'tiercache', out.tc.toFixed(0), (out.tc / out.io).toFixed(2) + 'x', 'proto', out.pr.toFixed(0), (out.pr / out.io).toFixed(2) + 'x')
    }
  }
  const P = 100
  const pipes = {
    io: async (i) => { const p = io.pipeline(); for (let j = 0; j < P; j++) p.hset(`w:${j}`, 'f', String(i)); await p.exec() },
    tc: async (i) => { const p = tc.pipeline(); for (let j = 0; j < P; j++) p.hset(`w:${j}`, 'f', String(i)); await p.exec() },
    pr: async (i) => { const b = []; for (let j = 0; j < P; j++) b.push(pr.call('HSET', `w:${j}`, 'f', String(i))); await Promise.all(b) }
  }
  const pipeRun = async (op) => { for (let i = 0; i < N / P; i++) await op(i) }
  const out = {}
  for (const k of ['io', 'tc', 'pr']) out[k] = await rate(pipeRun, pipes[k]) / P
  console.log('pipeline of 100 HSET (batches/s)', 'ioredis', out.io.toFixed(0), 'tiercache', out.tc.toFixed(0), (out.tc / out.io).toFixed(2) + 'x', 'proto', out.pr.toFixed(0), (out.pr / out.io).toFixed(2) + 'x')
  // CPU per command, 100 HSETs at once
  for (const k of ['io', 'tc', 'pr']) {
    const op = cases[0][1][k]
    await conc(op)
    const c0 = process.cpuUsage(); const t0 = process.hrtime.bigint()
    for (let r = 0; r < 5; r++) await conc(op)
    const c = process.cpuUsage(c0); const wall = Number(process.hrtime.bigint() - t0) / 1e3
    console.log('cpu/command HSET 100 at once', k, ((c.user + c.system) / (5 * N)).toFixed(2), 'us', 'wall', (wall / (5 * N)).toFixed(2), 'us')
  }
  await io.quit(); await tc.quit(); await server.stop(); process.exit(0)
}
main()
