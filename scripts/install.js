'use strict'
// `npm install` hook: use a prebuilt addon when one matches this platform,
// otherwise build it from source with cargo (release profile).

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')

function loads () {
  const r = spawnSync(process.execPath, ['-e', "require('./binding.js')"], { cwd: root, stdio: 'ignore' })
  return r.status === 0
}

/** The file name binding.js looks for on this platform (napi-rs convention). */
function addonFileName () {
  const { platform, arch } = process
  let abi = ''
  if (platform === 'linux') {
    const glibc = process.report && process.report.getReport().header.glibcVersionRuntime
    abi = arch === 'arm' ? '-gnueabihf' : glibc ? '-gnu' : '-musl'
  } else if (platform === 'win32') {
    abi = '-msvc'
  }
  return `tiercache.${platform}-${arch}${abi}.node`
}

function cargoArtifact () {
  const dir = path.join(root, 'target', 'release')
  if (process.platform === 'win32') return path.join(dir, 'tiercache.dll')
  if (process.platform === 'darwin') return path.join(dir, 'libtiercache.dylib')
  return path.join(dir, 'libtiercache.so')
}

function main () {
  const force = process.env.TIERCACHE_BUILD_FROM_SOURCE === '1'
  if (!force && loads()) {
    console.log('tiercache: using the prebuilt native addon')
    return
  }
  const cargo = process.env.CARGO || 'cargo'
  const probe = spawnSync(cargo, ['--version'], { stdio: 'ignore' })
  if (probe.error || probe.status !== 0) {
    console.error(
      'tiercache: no prebuilt native addon matches this platform ' +
      `(${process.platform}-${process.arch}), and building it needs the Rust toolchain.\n` +
      'Install Rust from https://rustup.rs (cargo must be on PATH) and run `npm install` again.'
    )
    process.exit(1)
  }
  console.log('tiercache: building the native addon from source (cargo build --release)…')
  const build = spawnSync(cargo, ['build', '--release', '--lib'], { cwd: root, stdio: 'inherit' })
  if (build.status !== 0) {
    console.error('tiercache: cargo build failed (see above)')
    process.exit(build.status || 1)
  }
  fs.copyFileSync(cargoArtifact(), path.join(root, addonFileName()))
  if (!loads()) {
    console.error('tiercache: the addon was built but does not load; run `node -e "require(\'./binding.js\')"` to see why')
    process.exit(1)
  }
  console.log(`tiercache: built ${addonFileName()}`)
}

main()
