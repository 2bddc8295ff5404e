'use strict'
// `npm test`: the engine's Rust tests, the typings check, then the Node tests.
// Stops at the first failing stage and exits with its status.

const { spawnSync } = require('node:child_process')
const path = require('node:path')

const root = path.join(__dirname, '..')
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc')

const stages = [
  ['cargo test (engine)', 'cargo', ['test', '--lib', '--quiet']],
  ['typings (tsc --noEmit)', process.execPath, [tsc, '-p', '__test__/types/tsconfig.json']],
  ['node --test', process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', '__test__/']]
]

for (const [name, cmd, args] of stages) {
  console.log(`\n== ${name}`)
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' })
  if (r.status !== 0) {
    console.error(`\n${name} failed`)
    process.exit(r.status || 1)
  }
}
