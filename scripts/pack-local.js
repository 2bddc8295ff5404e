'use strict'
// `npm run pack:local`: builds this machine's addon (release) and leaves in
// artifacts/ what a release would publish for it:
//   tiercache-<version>.tgz             the main package: JavaScript, typings, the
//                                       sources for a from-source install, no .node,
//                                       every platform package as an optional dependency
//   tiercache-<platform>-<version>.tgz  this machine's binary package (npm/<platform>/)
//
// Both are packed from a staging copy: the repository's package.json keeps no
// optionalDependencies, so that `npm install` here never fetches platform
// packages from the registry (they may not exist yet, or be someone else's).
// The release workflow does the same injection with `napi pre-publish`.
//
// `--no-build` packs the addon already built (CI builds once).

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { parseTriple } = require('@napi-rs/cli')
const { platformName } = require('../lib/platform.js')

const root = path.join(__dirname, '..')
const artifactsDir = path.join(root, 'artifacts')
const onWindows = process.platform === 'win32'

function run (cmd, args, cwd, { showOutput = false } = {}) {
  const stdio = ['ignore', showOutput ? 'inherit' : 'pipe', 'inherit']
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', shell: onWindows, stdio })
  if (r.error || r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}: ${r.error ? r.error.message : `exit ${r.status}`}`)
  }
  return r.stdout
}

function readJson (file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'))
}

/** `tiercache-<platform>` for every target in package.json's napi.targets: the one list of targets. */
function platformPackageNames (pkg) {
  return pkg.napi.targets.map((triple) => `${pkg.name}-${parseTriple(triple).platformArchABI}`)
}

/** The main package.json as published: the repository's, plus every platform package at this version. */
function publishedManifest (pkg) {
  const optionalDependencies = Object.fromEntries(platformPackageNames(pkg).map((name) => [name, pkg.version]))
  return { ...pkg, optionalDependencies }
}

/** `npm pack` of `dir` into `dest`; returns npm's JSON report of the tarball. */
function npmPack (dir, dest) {
  const out = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dest], dir)
  return JSON.parse(out)[0]
}

/** Copies the files `npm pack` would take from the repository (its `files` list, so no .node) into `stage`. */
function stageFiles (stage) {
  const listing = JSON.parse(run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], root))[0]
  for (const { path: file } of listing.files) {
    fs.mkdirSync(path.join(stage, path.dirname(file)), { recursive: true })
    fs.copyFileSync(path.join(root, file), path.join(stage, file))
  }
}

function withStage (fn) {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'tiercache-pack-'))
  try {
    return fn(stage)
  } finally {
    fs.rmSync(stage, { recursive: true, force: true })
  }
}

/** Packs the main package into `dest`. */
function packMainPackage (dest) {
  return withStage((stage) => {
    stageFiles(stage)
    const manifest = publishedManifest(readJson(path.join(root, 'package.json')))
    fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n')
    return npmPack(stage, dest)
  })
}

/** Packs this machine's platform package (npm/<platform>/ plus the built .node) into `dest`. */
function packPlatformPackage (dest) {
  const name = platformName()
  const packageDir = path.join(root, 'npm', name)
  const addon = path.join(root, `tiercache.${name}.node`)
  if (!fs.existsSync(path.join(packageDir, 'package.json'))) {
    throw new Error(`npm/${name}/package.json is missing: ${name} is not in napi.targets`)
  }
  if (!fs.existsSync(addon)) throw new Error(`${path.basename(addon)} is missing: run \`npm run build\` first`)
  return withStage((stage) => {
    for (const file of fs.readdirSync(packageDir)) fs.copyFileSync(path.join(packageDir, file), path.join(stage, file))
    fs.copyFileSync(addon, path.join(stage, path.basename(addon)))
    return npmPack(stage, dest)
  })
}

function main () {
  if (!process.argv.includes('--no-build')) run('npm', ['run', 'build'], root, { showOutput: true })
  fs.mkdirSync(artifactsDir, { recursive: true })
  for (const report of [packMainPackage(artifactsDir), packPlatformPackage(artifactsDir)]) {
    console.log(`artifacts/${report.filename}: ${report.size} bytes packed, ${report.unpackedSize} unpacked, ${report.entryCount} files`)
  }
}

module.exports = { platformPackageNames, publishedManifest, stageFiles, packMainPackage, packPlatformPackage, artifactsDir }

if (require.main === module) main()
