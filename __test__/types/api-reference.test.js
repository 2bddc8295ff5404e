'use strict'
// `npm run docs` runs clean: TypeDoc converts index.d.ts and express.d.ts
// with typedoc.json's validation (every exported name documented, every
// {@link} resolved, nothing referenced that is not exported), warnings
// treated as errors. Rendering is skipped (`--emit none`): the HTML adds
// nothing to check and a few seconds.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')

const root = path.join(__dirname, '..', '..')
const typedoc = path.join(path.dirname(require.resolve('typedoc/package.json')), 'bin', 'typedoc')

test('the API reference builds without a warning (typedoc.json validation)', () => {
  const run = spawnSync(process.execPath, [typedoc, '--emit', 'none', '--logLevel', 'Warn'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }
  })
  const output = `${run.stdout}${run.stderr}`.trim()
  assert.equal(run.status, 0, `typedoc exited with ${run.status}:\n${output}`)
  assert.equal(output, '', 'typedoc printed warnings')
})
