'use strict'
// `npm install` hook. Does nothing when the addon already loads (the platform
// package `tiercache-<platform>` or a local build); otherwise builds it from
// source with cargo. TIERCACHE_BUILD_FROM_SOURCE=1 builds even then (to
// replace a local build; an installed platform package still loads first).
//
// The build goes to a new temporary CARGO_TARGET_DIR, and only the `.node`
// file is copied into the package: a release build's target/ is ~300 MB that
// nobody needs after the copy. The directory is removed whatever happens.
//
// Without cargo this warns and exits 0, as sharp and the @node-rs packages
// do (they let the load fail later with a message that says what to do,
// binding.js's here): failing would fail the whole `npm install` of an app,
// including installs on machines that never load tiercache (a lockfile
// install on CI, a dependency of a dependency, `--omit=optional` by mistake,
// where the fix is one command the warning and the load error both name).
// A cargo that is present but fails does fail the install: the user asked for
// a build (or has no other way) and needs to see the compiler's error now.

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { platformName } = require('../lib/platform.js')

const root = path.join(__dirname, '..')

function addonLoads () {
  const r = spawnSync(process.execPath, ['-e', "require('./binding.js')"], { cwd: root, stdio: 'ignore' })
  return r.status === 0
}

/** Where cargo leaves the cdylib under `targetDir` (its name differs per OS). */
function cargoArtifact (targetDir) {
  const dir = path.join(targetDir, 'release')
  if (process.platform === 'win32') return path.join(dir, 'tiercache.dll')
  if (process.platform === 'darwin') return path.join(dir, 'libtiercache.dylib')
  return path.join(dir, 'libtiercache.so')
}

function cargoAvailable (cargo) {
  const probe = spawnSync(cargo, ['--version'], { stdio: 'ignore' })
  return !probe.error && probe.status === 0
}

/** Builds the release cdylib in a temporary target dir; returns the path of the `.node` it installed. */
function buildFromSource (cargo) {
  const targetDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiercache-build-'))
  try {
    const build = spawnSync(cargo, ['build', '--release', '--lib', '--locked'], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, CARGO_TARGET_DIR: targetDir }
    })
    if (build.error || build.status !== 0) {
      throw new Error(`cargo build failed (${build.error ? build.error.message : `exit ${build.status}`}, see above)`)
    }
    const addon = path.join(root, `tiercache.${platformName()}.node`)
    fs.copyFileSync(cargoArtifact(targetDir), addon)
    return addon
  } finally {
    fs.rmSync(targetDir, { recursive: true, force: true })
  }
}

function main () {
  const forced = process.env.TIERCACHE_BUILD_FROM_SOURCE === '1'
  if (!forced && addonLoads()) return
  const cargo = process.env.CARGO || 'cargo'
  if (!cargoAvailable(cargo)) {
    console.warn(
      `tiercache: no native addon for ${platformName()} is installed, and cargo is not on PATH to build one.\n` +
      `tiercache: \`require('tiercache')\` will fail until you either install tiercache-${platformName()}\n` +
      'tiercache: (an optional dependency, left out by --omit=optional or a lockfile from another platform),\n' +
      'tiercache: or install Rust (https://rustup.rs) and run `npm rebuild tiercache`.'
    )
    return
  }
  console.log(`tiercache: building the native addon for ${platformName()} from source (cargo build --release)…`)
  let addon
  try {
    addon = buildFromSource(cargo)
  } catch (err) {
    console.error(`tiercache: ${err.message}`)
    process.exit(1)
  }
  if (!addonLoads()) {
    console.error(`tiercache: built ${path.basename(addon)} but it does not load; run \`node -e "require('tiercache')"\` to see why`)
    process.exit(1)
  }
  console.log(`tiercache: built ${path.basename(addon)}`)
}

main()
