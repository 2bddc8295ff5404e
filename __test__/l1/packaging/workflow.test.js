'use strict'
// The release workflow cannot run here; what can be checked is that it
// follows package.json: a build row for every napi target, and only npm
// scripts that exist (in the workflow and in .ci/run).

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const ROOT = path.join(__dirname, '..', '..', '..')
const pkg = require('../../../package.json')
const workflow = fs.readFileSync(path.join(ROOT, '.github', 'workflows', 'release.yml'), 'utf8')
const ciRun = fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8')

test('the release workflow builds every target in napi.targets, and no other', () => {
  const built = [...workflow.matchAll(/npm run build -- --target (\S+)/g)].map((m) => m[1])
  assert.deepEqual(built.sort(), [...pkg.napi.targets].sort())
  for (const target of pkg.napi.targets) {
    assert.ok(workflow.includes(`target: ${target}\n`), `a build row names ${target}`)
  }
})

test('every `npm run <script>` of the workflow and of .ci/run exists in package.json', () => {
  for (const [file, text] of [['release.yml', workflow], ['.ci/run', ciRun]]) {
    for (const [, script] of text.matchAll(/npm run ([\w:.-]+)/g)) {
      assert.ok(script in pkg.scripts, `${file} runs \`npm run ${script}\`, which package.json does not define`)
    }
  }
})
