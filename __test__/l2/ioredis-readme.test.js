'use strict'
// The ioredis README's examples, as its users copy them, run through tiercache
// and through ioredis: each example's code blocks are read from
// node_modules/ioredis/README.md at test time (not copied here), verbatim but
// for `require("ioredis")`, which gets a `Redis` class bound to a private
// redis-server (support/fixtures/readme-redis.js: tiercache on db 1, ioredis
// on db 2; a block that uses `redis` without creating it gets one). Each runs
// as its own process; compared: what it prints (stdout, stderr), its exit
// code, and what it leaves in its db (every key's type, DUMP payload and
// whether it expires).
//
// An example that needs what tiercache does not have yet (pipelines, MULTI,
// defineCommand, pub/sub, blocking commands, Command transformers) is a
// `todo` test naming the reason: it shows up in every run, and those that can
// run safely are still run and compared, so they pass once the feature lands.

const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { useReadmeServer, blocksOf: readmeBlocks } = require('../support/readme-examples')

const README = fs.readFileSync(require.resolve('ioredis/README.md'), 'utf8')
const WRAPPER = path.join(__dirname, '..', 'support', 'fixtures', 'readme-redis.js')
// Examples fire commands without awaiting them (`redis.set(...)`): the
// process waits this long after the last block before it ends.
const SETTLE_MS = 500

/** The ```javascript blocks of the README's section `heading` (## or ###), in order. */
const blocksOf = (heading) => readmeBlocks(README, heading, /^```javascript/)

const REQUIRE = /require\((["'])ioredis\1\)/g

/** The script that runs `blocks` in order, each in its own async scope. */
function script (blocks) {
  const own = blocks.some((b) => b.search(REQUIRE) >= 0)
  const body = blocks.map((b) => `await (async () => {\n${b.replace(REQUIRE, `require(${JSON.stringify(WRAPPER)})`)}\n})()`).join('\n')
  return [
    '\'use strict\';',
    own ? '' : `const Redis = require(${JSON.stringify(WRAPPER)});\nconst redis = new Redis();`,
    ';(async () => {',
    body,
    `await new Promise((resolve) => setTimeout(resolve, ${SETTLE_MS}))`,
    'process.exit(0)',
    '})().catch((err) => { console.log(\'the example failed:\', err); process.exit(1) })'
  ].join('\n')
}

// An L1 hit answers at once, before earlier commands still waiting on Redis
// (Basic Usage: `get` after `set` and `zadd`); ioredis answers in command
// order. The examples' lines are compared in order only where marked.
const ORDER = 'reply order: an L1 hit (get after set) answers before earlier commands still waiting on Redis; ioredis answers in command order (docs/commands.md, "What L1 answers")'

// [section, block indexes (all when omitted), todo reason, whether a todo runs, compare line order]
const EXAMPLES = [
  ['Basic Usage'],
  ['Basic Usage', undefined, ORDER, true, true],
  ['Expiration'],
  ['Handle Binary Data'],
  ['Transforming Arguments & Replies', [1]],
  ['Transforming Arguments & Replies', [0]],
  ['Transforming Arguments & Replies', [2]],
  ['Connect to Redis', undefined, 'its point is the connection forms (localhost:6379, hosts, passwords), which this test replaces by the private server', false],
  ['Pub/Sub', undefined, 'the block as written fails under ioredis itself in this harness (it passes an undefined listener to on())', false],
  ['Streams'],
  ['Pipelining'],
  ['Transaction'],
  ['Lua Scripting'],
  ['Dynamic Keys'],
  ['As Constructor Options'],
  ['Transparent Key Prefixing'],
  ['Monitor'],
  ['Streamify Scanning', undefined, 'the blocks call functions they do not define (migrateKeyToMySQL), under ioredis too; the streams are compared with ioredis\'s in __test__/l2/scan-stream.test.js', false]
]

describe('the ioredis README\'s examples: tiercache prints and stores what ioredis does', () => {
  const box = useReadmeServer('tiercache-readme-')

  for (const [i, [section, indexes, todo, runs, ordered]] of EXAMPLES.entries()) {
    const name = `${section}${indexes ? ` (block ${indexes.join(', ')})` : ''}${ordered ? ', lines in order' : ''}`
    if (todo !== undefined && !runs) {
      test(name, { todo }, () => {})
      continue
    }
    test(name, { todo }, async (t) => {
      const all = blocksOf(section)
      const blocks = indexes === undefined ? all : indexes.map((n) => all[n])
      assert.ok(blocks.length > 0 && blocks.every((b) => typeof b === 'string'), `the README's "${section}" has those blocks`)
      const file = path.join(box.dir, `example-${i}.js`)
      fs.writeFileSync(file, script(blocks))
      await box.flush()
      const tc = await box.runAs(t, 'tiercache', 1, file)
      const io = await box.runAs(t, 'ioredis', 2, file)
      assert.equal(io.code, 0, `ioredis runs the example\n${io.stdout}\n${io.stderr}`)
      const lines = (out) => (ordered ? out : out.split('\n').sort().join('\n'))
      assert.deepEqual({ code: tc.code, stdout: lines(tc.stdout), stderr: lines(tc.stderr) },
        { code: io.code, stdout: lines(io.stdout), stderr: lines(io.stderr) }, `printed the same${ordered ? ', in the same order' : ' lines'}`)
      assert.deepEqual(tc.state, io.state, 'left the same keys and values in Redis')
    })
  }
})
