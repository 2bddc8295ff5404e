'use strict'
// Loads the native addon. Handwritten (napi builds with --no-js), so that a
// machine with no binary gets an error naming the fixes, not a generic one.
//
// Where the addon comes from, first found wins:
//   1. the platform package `tiercache-<platform>`, an optional dependency
//      of the published package (npm installs the one matching os/cpu/libc);
//   2. a local build, `tiercache.<platform>.node` beside this file: what
//      `npm run build` and scripts/install.js (a from-source install) leave.

const { platformName } = require('./lib/platform.js')
const { version } = require('./package.json')

/** One attempt's failure, as one line: the code and the first line of the message (no stack). */
function describe (what, err) {
  const firstLine = String(err && err.message).split('\n')[0]
  return `  - ${what}: ${err && err.code ? `${err.code}: ` : ''}${firstLine}`
}

function loadPlatformPackage (name) {
  const packageName = `tiercache-${name}`
  // A platform package from another release may not match this JavaScript
  // (the binding's functions change between versions): refuse it by name
  // rather than fail later on a missing function.
  const found = require(`${packageName}/package.json`).version
  if (found !== version) {
    throw new Error(`version ${found} installed, tiercache ${version} needs the same version`)
  }
  return require(packageName)
}

function load () {
  const name = platformName()
  const failures = []
  try {
    return loadPlatformPackage(name)
  } catch (err) {
    failures.push(describe(`tiercache-${name}`, err))
  }
  const localFile = `./tiercache.${name}.node`
  try {
    return require(localFile)
  } catch (err) {
    failures.push(describe(localFile, err))
  }
  throw new Error(
    `tiercache: no native addon for this platform (${name}, Node ${process.version}).\n` +
    'Two ways to get one:\n' +
    `  * install the prebuilt binary: npm install tiercache-${name}@${version}\n` +
    '    (it is an optional dependency: installs with --no-optional, --omit=optional or a lockfile\n' +
    '    made on another platform leave it out)\n' +
    '  * build it from source with Rust (https://rustup.rs, cargo on PATH):\n' +
    '    TIERCACHE_BUILD_FROM_SOURCE=1 npm rebuild tiercache\n' +
    `What was tried:\n${failures.join('\n')}`
  )
}

const addon = load()
// Replies' arrays are made by one call into this function instead of item
// by item through N-API (src/binding/array_maker.rs); once per thread, as
// this module is loaded once per thread.
addon.setArrayMaker((...items) => items)

module.exports = addon
