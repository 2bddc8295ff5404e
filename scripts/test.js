'use strict'
// `npm test`: the engine's Rust tests, the typings check, then the Node tests.
// `npm run test:l1` (`node scripts/test.js l1`): the same stages with only the
// Node tests that need no redis-server, for a machine without one.
// Stops at the first failing stage and exits with its status.
//
// A Node test needs a redis-server exactly when an `l2` folder is on its path
// (__test__/l2/, __test__/patterns/l2/, __test__/express/l2/; see
// __test__/README.md), so the L1 group is every test file outside those.

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')
const testDir = path.join(root, '__test__')
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc')

// The file names `node --test <directory>` runs (Node's own patterns), so the
// L1 list is the full run minus the l2 folders, not a second convention.
const TEST_FILE = /^(?:test|.+[.\-_]test|test-.+)\.[cm]?js$/

/** The test files under `dir` (relative to the repository root) with no `l2` folder on their path. */
function l1TestFiles (dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'l2' || entry.name === 'node_modules' ? [] : l1TestFiles(full)
    return TEST_FILE.test(entry.name) ? [path.relative(root, full)] : []
  }).sort()
}

const groups = {
  all: ['__test__/'],
  l1: l1TestFiles(testDir)
}

const group = process.argv[2] || 'all'
if (!Object.hasOwn(groups, group)) {
  console.error(`usage: node scripts/test.js [${Object.keys(groups).join('|')}]`)
  process.exit(2)
}

const stages = [
  ['cargo test (engine)', 'cargo', ['test', '--lib', '--quiet']],
  ['typings (tsc --noEmit)', process.execPath, [tsc, '-p', '__test__/types/tsconfig.json']],
  [`node --test (${group})`, process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...groups[group]]]
]

for (const [name, cmd, args] of stages) {
  console.log(`\n== ${name}`)
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' })
  if (r.status !== 0) {
    console.error(`\n${name} failed${r.error ? `: ${r.error.message}` : ''}`)
    process.exit(r.status || 1)
  }
}
