'use strict'
// This machine's napi-rs platform name (`linux-x64-gnu`, `darwin-arm64`,
// `win32-x64-msvc`, …): the suffix of the platform package
// (`tiercache-<platform>`) and of a local build (`tiercache.<platform>.node`).
// binding.js loads by it, scripts/install.js builds under it, the pack script
// names the tarball with it: one definition for all three.

const { readFileSync } = require('node:fs')

// musl or glibc, decided as napi-rs's generated loader decides it: `ldd` is a
// shell script naming its libc on both (fast, no process), else the process
// report (glibc fills `glibcVersionRuntime`; musl's loader shows among the
// shared objects).
function isMusl () {
  try {
    return readFileSync('/usr/bin/ldd', 'utf8').includes('musl')
  } catch {
    // No /usr/bin/ldd (distroless images): ask the report.
  }
  const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null
  if (!report) return false
  if (report.header?.glibcVersionRuntime) return false
  return Array.isArray(report.sharedObjects) &&
    report.sharedObjects.some((file) => file.includes('libc.musl-') || file.includes('ld-musl-'))
}

/** The ABI suffix napi-rs gives this platform's artifacts ('' where there is none). */
function abiSuffix (platform, arch) {
  if (platform === 'linux') {
    if (arch === 'arm') return '-gnueabihf'
    return isMusl() ? '-musl' : '-gnu'
  }
  if (platform === 'win32') return '-msvc'
  return ''
}

/** e.g. `linux-x64-gnu`: napi-rs's `platformArchABI` for the running Node. */
function platformName () {
  const { platform, arch } = process
  return `${platform}-${arch}${abiSuffix(platform, arch)}`
}

module.exports = { platformName, isMusl }
