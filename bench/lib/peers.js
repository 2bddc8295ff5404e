'use strict'
// The benchmark's peer libraries (bentocache, cache-manager, lru-cache, …)
// are bench/package.json's dependencies, installed in bench/node_modules by
// `npm install --prefix bench`, so a contributor's `npm install` at the root
// does not pull them. tiercache itself is the repository's own build,
// required as `..` (never an installed copy).

const fs = require('node:fs')
const path = require('node:path')

const BENCH_DIR = path.join(__dirname, '..')
const INSTALL_COMMAND = 'npm install --prefix bench'

/**
 * The package.json of `name` as the benchmark files resolve it (bench's own
 * node_modules first, then the folders above), or undefined. Read from disk
 * rather than through require.resolve: some peers export no package.json.
 */
function packageJsonOf (name) {
  for (const dir of require.resolve.paths(name) ?? []) {
    const file = path.join(dir, name, 'package.json')
    if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'))
  }
  return undefined
}

/** The installed version of `name`, or `missing` when it cannot be found. */
function versionOf (name, missing = 'not installed') {
  return packageJsonOf(name)?.version ?? missing
}

/** bench/package.json's dependencies that are not installed. */
function missingDependencies () {
  const { dependencies = {} } = JSON.parse(fs.readFileSync(path.join(BENCH_DIR, 'package.json'), 'utf8'))
  return Object.keys(dependencies).filter((name) => packageJsonOf(name) === undefined)
}

/** Exits with the install command when a peer library is missing, before a scenario fails on a require. */
function exitUnlessInstalled () {
  const missing = missingDependencies()
  if (missing.length === 0) return
  console.error(
    `bench: the benchmark's peer libraries are not installed (missing: ${missing.join(', ')}).\n` +
    'They live in bench/package.json, apart from the root devDependencies. From the repository root, run:\n\n' +
    `  ${INSTALL_COMMAND}\n`
  )
  process.exit(1)
}

module.exports = { versionOf, missingDependencies, exitUnlessInstalled, INSTALL_COMMAND }
