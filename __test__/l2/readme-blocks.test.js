'use strict'
// Every JavaScript block of README.md, verbatim, run as its own process the
// way a reader pastes it (scripts/readme-blocks.js makes the scripts; the
// install smoke runs them in a new project too): `require('tiercache')` is this package, top-level
// `await` runs inside an async function, and a block that uses `TierCache`
// without requiring it gets the README's own require line first. Each block
// runs L1 only (REDIS_URL unset) and against a private redis-server
// (REDIS_URL set; the README's example host `redis.internal` is that server).
//
// The README's comments are its promises, and are checked: a line
// `await expr   // 'hello' (…)` or `const v = await expr   // { id: 1 }`
// asserts that the value deep-equals the literal the comment starts with
// (what follows it in parentheses is prose); a callback that logs (`(err,
// value) => console.log(value)`) must print that same value.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { startRedis } = require('../support/redis-server')
const { startScript, within, ROOT } = require('../support/child')
const { jsBlocks, literalOf, blockScript } = require('../../scripts/readme-blocks')

const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')
const EXIT_TIMEOUT_MS = 20_000

const script = (block) => blockScript(block, { tiercache: ROOT })

describe('README.md\'s JavaScript blocks run as written, and their commented values hold', () => {
  let server
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiercache-readme-blocks-'))
  before(async () => { server = await startRedis() })
  after(async () => {
    if (server) await server.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  const blocks = jsBlocks(README)
  test('the README has the blocks this test reads', () => {
    assert.ok(blocks.length >= 4, `${blocks.length} blocks`)
    const all = blocks.map(script)
    assert.ok(all.reduce((n, s) => n + s.checks.length, 0) >= 6, 'the commented values are found and checked')
  })

  for (const block of blocks) {
    for (const withRedis of [false, true]) {
      test(`the block at line ${block.line}, ${withRedis ? 'with Redis' : 'L1 only'}`, async (t) => {
        const { text, checks } = script(block)
        const file = path.join(dir, `block-${block.line}-${withRedis ? 'l2' : 'l1'}.js`)
        fs.writeFileSync(file, text)
        const env = { ...process.env, README_REDIS_URL: `${server.url}/2` }
        delete env.REDIS_URL
        if (withRedis) env.REDIS_URL = server.url
        else if (text.includes('README_REDIS_URL')) {
          t.skip('this block names a Redis server')
          return
        }
        const run = startScript(t, file, env)
        const { code } = await within(run.exited, EXIT_TIMEOUT_MS, () => `the block did not end\n${run.describeOutput()}`)
        assert.equal(code, 0, `README line ${block.line} failed (checks: ${checks.join('; ') || 'none'})\n${run.describeOutput()}`)
        assert.equal(run.out.stderr, '', run.describeOutput())
        // A callback that logs its value prints what the README says it is.
        for (const [i, line] of block.lines.entries()) {
          const m = /console\.log\((\w+)\)\)\s*$/.exec(line)
          if (m) {
            const previous = block.lines.slice(0, i).reverse().map((l) => /\/\/ (.+)$/.exec(l)).find(Boolean)
            const lit = previous && literalOf(previous[1])
            if (lit) assert.ok(run.out.stdout.split('\n').includes(String(lit.value)), `line ${block.line + i} printed ${run.out.stdout}`)
          }
        }
      })
    }
  }
})
