'use strict'
// binding.js and scripts/install.js as a user without a binary meets them:
// the package's runtime files copied to a new directory with no .node (what
// `npm install --ignore-scripts` or `--omit=optional` leaves), loaded in a
// child process.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { stageFiles } = require('../../../scripts/pack-local.js')
const { envWithoutRust } = require('../../../scripts/without-rust.js')
const { platformName } = require('../../../lib/platform.js')
const { version } = require('../../../package.json')

const ROOT = path.join(__dirname, '..', '..', '..')
const platform = platformName()
const builtAddon = path.join(ROOT, `tiercache.${platform}.node`)

let scratch
let packageDir

before(() => {
  // node_modules/tiercache inside a scratch project, so that the platform
  // package is looked up where npm would put it (a sibling in node_modules).
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tiercache-loader-'))
  packageDir = path.join(scratch, 'node_modules', 'tiercache')
  fs.mkdirSync(packageDir, { recursive: true })
  stageFiles(packageDir)
})

after(() => fs.rmSync(scratch, { recursive: true, force: true }))

function requireInChild (env = process.env) {
  return spawnSync(process.execPath, ['-e', "require('tiercache')"], { cwd: scratch, env, encoding: 'utf8' })
}

test('the package ships no .node (the binary comes from the platform package or a build)', () => {
  const addons = fs.readdirSync(packageDir).filter((file) => file.endsWith('.node'))
  assert.deepEqual(addons, [])
})

test('with no binary, loading names the platform, both fixes and each attempt, not a generic npm text', () => {
  const r = requireInChild()
  assert.notEqual(r.status, 0)
  assert.match(r.stderr, new RegExp(`no native addon for this platform \\(${platform}, Node v`))
  assert.ok(r.stderr.includes(`npm install tiercache-${platform}@${version}`), r.stderr)
  assert.ok(r.stderr.includes('TIERCACHE_BUILD_FROM_SOURCE=1 npm rebuild tiercache'), r.stderr)
  assert.ok(r.stderr.includes('https://rustup.rs'), r.stderr)
  assert.ok(r.stderr.includes(`  - tiercache-${platform}: MODULE_NOT_FOUND`), r.stderr)
  assert.ok(r.stderr.includes(`  - ./tiercache.${platform}.node: MODULE_NOT_FOUND`), r.stderr)
  assert.doesNotMatch(r.stderr, /npm has a bug/i)
})

test('a platform package of another version is refused, by name and version', () => {
  const stale = path.join(scratch, 'node_modules', `tiercache-${platform}`)
  fs.mkdirSync(stale)
  fs.writeFileSync(path.join(stale, 'package.json'), JSON.stringify({ name: `tiercache-${platform}`, version: '0.0.1' }))
  try {
    const r = requireInChild()
    assert.notEqual(r.status, 0)
    assert.ok(r.stderr.includes(`  - tiercache-${platform}: version 0.0.1 installed, tiercache ${version} needs the same version`), r.stderr)
  } finally {
    fs.rmSync(stale, { recursive: true, force: true })
  }
})

test('the install script without cargo warns, exits 0 and builds nothing', (t) => {
  const { env, dispose } = envWithoutRust()
  t.after(dispose)
  const r = spawnSync(process.execPath, ['scripts/install.js'], { cwd: packageDir, env, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.ok(r.stderr.includes(`no native addon for ${platform} is installed, and cargo is not on PATH`), r.stderr)
  assert.ok(r.stderr.includes('npm rebuild tiercache'), r.stderr)
  assert.deepEqual(fs.readdirSync(packageDir).filter((file) => file.endsWith('.node') || file === 'target'), [])
})

test('the platform package loads (before a local build) and the install script then does nothing', { skip: !fs.existsSync(builtAddon) && 'no local build to copy' }, (t) => {
  const platformPackage = path.join(scratch, 'node_modules', `tiercache-${platform}`)
  fs.cpSync(path.join(ROOT, 'npm', platform), platformPackage, { recursive: true })
  fs.copyFileSync(builtAddon, path.join(platformPackage, path.basename(builtAddon)))
  t.after(() => fs.rmSync(platformPackage, { recursive: true, force: true }))
  const loaded = spawnSync(process.execPath, ['-e', `
    const TierCache = require('tiercache')
    const cache = new TierCache()
    cache.set('k', 'v').then(() => cache.get('k')).then((v) => { console.log(v); return cache.quit() })
    console.error(Object.keys(require.cache).find((file) => file.endsWith('.node')))
  `], { cwd: scratch, encoding: 'utf8' })
  assert.equal(loaded.status, 0, loaded.stderr)
  assert.equal(loaded.stdout.trim(), 'v')
  assert.ok(loaded.stderr.includes(path.join(`tiercache-${platform}`, `tiercache.${platform}.node`)), loaded.stderr)

  const { env, dispose } = envWithoutRust()
  t.after(dispose)
  const install = spawnSync(process.execPath, ['scripts/install.js'], { cwd: packageDir, env, encoding: 'utf8' })
  assert.equal(install.status, 0, install.stderr)
  assert.equal(install.stdout + install.stderr, '')
})
