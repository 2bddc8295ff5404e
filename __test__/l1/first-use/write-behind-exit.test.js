'use strict'
// A short script that queues writes with writeBehind and just ends (no
// close(), no quit()): the writes reach the writer before the process exits
// ('beforeExit'). A writer that keeps failing gets its retries, then the
// process exits anyway, with a warning: it never loops nor hangs. Real
// processes, real files.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { startScript, within, ROOT } = require('../../support/child')

/** Runs `body` as a script (after a prelude that opens a cache) and waits for it to end. */
async function runScript (t, body, { timeoutMs = 20_000 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiercache-wb-exit-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const sink = path.join(dir, 'sink.jsonl')
  const file = path.join(dir, 'script.js')
  fs.writeFileSync(file, [
    "'use strict'",
    "const fs = require('node:fs')",
    `const TierCache = require(${JSON.stringify(ROOT)})`,
    `const SINK = ${JSON.stringify(sink)}`,
    'const cache = new TierCache()',
    'const append = (batch) => fs.promises.appendFile(SINK, batch.map((e) => JSON.stringify(e) + "\\n").join(""))',
    body
  ].join('\n'))
  const started = Date.now()
  const run = startScript(t, file, process.env)
  const exit = await within(run.exited, timeoutMs, () => `the script did not exit within ${timeoutMs} ms\n${run.describeOutput()}`)
  const lines = fs.existsSync(sink) ? fs.readFileSync(sink, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []
  return { exit, lines, out: run.out, ms: Date.now() - started, describe: run.describeOutput }
}

/** The last write of each key, as the sink saw them. */
function latest (lines) {
  const out = {}
  for (const e of lines) out[e.key] = e.op === 'del' ? null : e.value
  return out
}

test('writes queued by a script that just ends reach the writer', async (t) => {
  const r = await runScript(t, `
    const wb = cache.writeBehind({ writer: append, batchSize: 100, flushInterval: 60_000 })
    wb.set('a', 1)
    wb.set('b', { nested: true })
    wb.set('a', 2)
    wb.del('c')
    wb.set('d', 'last')
  `)
  assert.deepEqual(r.exit, { code: 0, signal: null }, r.describe())
  assert.deepEqual(latest(r.lines), { a: 2, b: { nested: true }, c: null, d: 'last' }, r.describe())
})

test('more writes than one batch, and writes the writer itself queues, all reach it; the process still exits', async (t) => {
  const r = await runScript(t, `
    let calls = 0
    const wb = cache.writeBehind({
      writer: async (batch) => {
        calls++
        // Work scheduled by the drain itself: beforeExit comes again, drains again.
        if (calls === 1) wb.set('from-writer', calls)
        await append(batch)
      },
      batchSize: 10,
      flushInterval: 60_000
    })
    for (let i = 0; i < 25; i++) wb.set('k' + i, i)
  `)
  assert.deepEqual(r.exit, { code: 0, signal: null }, r.describe())
  const got = latest(r.lines)
  for (let i = 0; i < 25; i++) assert.equal(got['k' + i], i, `k${i}`)
  assert.equal(got['from-writer'], 1)
})

test('a writer failing once is retried at exit and the writes arrive', async (t) => {
  const r = await runScript(t, `
    let calls = 0
    const wb = cache.writeBehind({
      writer: async (batch) => {
        if (++calls === 1) throw new Error('source briefly down')
        await append(batch)
      },
      retries: 3,
      retryDelay: 20,
      flushInterval: 60_000
    })
    wb.on('writeError', () => {})
    wb.set('a', 'saved')
  `)
  assert.deepEqual(r.exit, { code: 0, signal: null }, r.describe())
  assert.deepEqual(latest(r.lines), { a: 'saved' })
})

test('a writer that always fails: its retries, then the process exits with a warning (no loop, no hang)', async (t) => {
  const r = await runScript(t, `
    let calls = 0
    const wb = cache.writeBehind({
      writer: async () => {
        calls++
        fs.appendFileSync(SINK, JSON.stringify({ key: 'attempt', value: calls }) + '\\n')
        throw new Error('source down for good')
      },
      retries: 2,
      retryDelay: 20,
      flushInterval: 60_000
    })
    wb.on('writeError', () => {})
    wb.set('a', 'lost')
  `, { timeoutMs: 15_000 })
  assert.deepEqual(r.exit, { code: 0, signal: null }, r.describe())
  // One round at exit: the first attempt and its 2 retries, nothing more.
  assert.deepEqual(r.lines.map((l) => l.value), [1, 2, 3], r.describe())
  assert.match(r.out.stderr, /TIERCACHE_WRITE_BEHIND_LOST/)
  assert.match(r.out.stderr, /1 queued write/)
  assert.ok(r.ms < 10_000, `exited after ${r.ms} ms`)
})

test('a writer that failed before the end (its retry timer waiting) is drained at exit too', async (t) => {
  const r = await runScript(t, `
    let calls = 0
    const wb = cache.writeBehind({
      writer: async (batch) => {
        if (++calls === 1) throw new Error('source briefly down')
        await append(batch)
      },
      retries: 0,
      batchSize: 1,
      // The next try would be a minute later, on a timer that does not hold the process.
      flushInterval: 60_000
    })
    wb.on('writeError', () => {})
    wb.set('a', 'first')
    setTimeout(() => wb.set('b', 'second'), 50)
  `)
  assert.deepEqual(r.exit, { code: 0, signal: null }, r.describe())
  assert.deepEqual(latest(r.lines), { a: 'first', b: 'second' })
})
