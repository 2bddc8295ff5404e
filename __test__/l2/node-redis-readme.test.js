'use strict'
// node-redis's README's examples, as its users copy them, run through
// tiercache's createClient and through node-redis's: the code blocks are read
// from node_modules/redis/README.md at test time (the README of the `redis`
// package, the one npm and GitHub show first; @redis/client's is a stub
// pointing to it), verbatim but for `import ... from "redis"`, which imports
// support/fixtures/readme-node-redis.mjs instead: createClient bound to a
// private redis-server (tiercache on db 1, node-redis on db 2). A block that
// uses `client` without creating it gets a connected one. Each example runs
// as its own .mjs process (top-level await); compared: what it prints, its
// exit code, and what it leaves in its db (every key's type, DUMP payload and
// whether it expires), as __test__/l2/ioredis-readme.test.js does.

const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { useReadmeServer, blocksOf: readmeBlocks } = require('../support/readme-examples')

const README = fs.readFileSync(require.resolve('redis/README.md'), 'utf8')
const FIXTURE = path.join(__dirname, '..', 'support', 'fixtures', 'readme-node-redis.mjs')
// Examples fire commands without awaiting them (Auto-Pipelining): the
// process waits this long after the last block before it ends.
const SETTLE_MS = 500

/** The ```typescript / ```javascript blocks of the README's section `heading` (## or ###), in order. */
const blocksOf = (heading) => readmeBlocks(README, heading, /^```(typescript|javascript)\s*$/)

const IMPORT = /from\s+(["'])redis\1/g
const CREATES_CLIENT = /\b(const|let)\s+client\b/

/** The .mjs module that runs `blocks` in order, each in its own block scope. */
function script (blocks) {
  const fixture = JSON.stringify(FIXTURE)
  // An import is only allowed at the top level: hoisted out of its block.
  const imports = blocks.flatMap((b) => b.match(/^import .*$/gm) ?? []).map((line) => line.replace(IMPORT, `from ${fixture}`))
  const own = blocks.some((b) => CREATES_CLIENT.test(b))
  return [
    ...(imports.length > 0 ? imports : [`import { createClient, createClientPool, RESP_TYPES } from ${fixture};`]),
    own ? '' : 'const client = await createClient().on("error", (err) => console.log("Redis Client Error", err)).connect();',
    'try {',
    ...blocks.map((b) => `{\n${b.replace(/^import .*$/gm, '').trim()}\n}`),
    `await new Promise((resolve) => setTimeout(resolve, ${SETTLE_MS}))`,
    '} catch (err) { console.log("the example failed:", err); process.exit(1) }',
    'process.exit(0)'
  ].join('\n')
}

// [section, block indexes (all when omitted), todo reason, whether a todo runs]
const EXAMPLES = [
  ['Basic Example', [0]],
  ['Basic Example', [1], 'connects to a remote host (awesome.redis.server:6380) and never uses the client', false],
  ['Redis Commands', [0, 1, 2]],
  ['Redis Commands', [3, 4], 'does not run under node-redis itself: createClient().withTypeMapping(...) is never connected (ClientClosedError)', false],
  ['Unsupported Redis Commands', undefined, 'does not run under node-redis itself: HGETALL on the string SET just wrote answers WRONGTYPE', false],
  ['Transactions (Multi/Exec)'],
  ['Blocking Commands', [0], 'does not run under node-redis v5 itself: commandOptions({ isolated: true }) is v4\'s (the section shows what v5 removed)', false],
  ['Blocking Commands', [1]],
  ['Scan Iterator', [1, 2]],
  ['Scan Iterator', [0], 'does not run under node-redis itself: v5\'s scanIterator yields pages (arrays of keys), and get(array) throws a TypeError', false],
  ['Disconnecting'],
  ['Client Side Caching'],
  ['Auto-Pipelining']
]

describe('node-redis\'s README\'s examples: tiercache\'s createClient prints and stores what node-redis does', () => {
  const box = useReadmeServer('tiercache-nr-readme-')

  for (const [i, [section, indexes, todo, runs]] of EXAMPLES.entries()) {
    const name = `${section}${indexes ? ` (block ${indexes.join(', ')})` : ''}`
    if (todo !== undefined && !runs) {
      test(name, { todo }, () => {})
      continue
    }
    test(name, { todo }, async (t) => {
      const all = blocksOf(section)
      const blocks = indexes === undefined ? all : indexes.map((n) => all[n])
      assert.ok(blocks.length > 0 && blocks.every((b) => typeof b === 'string'), `the README's "${section}" has those blocks`)
      const file = path.join(box.dir, `example-${i}.mjs`)
      fs.writeFileSync(file, script(blocks))
      await box.flush()
      const tc = await box.runAs(t, 'tiercache', 1, file)
      const nr = await box.runAs(t, 'node-redis', 2, file)
      assert.equal(nr.code, 0, `node-redis runs the example\n${nr.stdout}\n${nr.stderr}`)
      assert.deepEqual({ code: tc.code, stdout: tc.stdout, stderr: tc.stderr },
        { code: nr.code, stdout: nr.stdout, stderr: nr.stderr }, 'printed the same')
      assert.deepEqual(tc.state, nr.state, 'left the same keys and values in Redis')
    })
  }
})
