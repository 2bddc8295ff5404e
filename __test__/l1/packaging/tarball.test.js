'use strict'
// What a release publishes: the npm/<platform>/ packages follow
// package.json's napi.targets, and the packed main package ships what a user
// runs (no test code, no binary) with every platform package as an optional
// dependency at its own version.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { parseTriple } = require('@napi-rs/cli')

const { packMainPackage, platformPackageNames } = require('../../../scripts/pack-local.js')

const ROOT = path.join(__dirname, '..', '..', '..')
const pkg = require('../../../package.json')

let scratch
let report
let packed

before(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tiercache-tarball-'))
  report = packMainPackage(scratch)
  const r = spawnSync('tar', ['-xzf', report.filename], { cwd: scratch, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  packed = path.join(scratch, 'package')
})

after(() => fs.rmSync(scratch, { recursive: true, force: true }))

test('the repository fetches no platform package on npm install (optionalDependencies are written at pack time)', () => {
  assert.equal(pkg.optionalDependencies, undefined)
})

test('npm/ holds one package per napi target, named, versioned and constrained as npm needs to pick it', () => {
  const expected = pkg.napi.targets.map(parseTriple)
  assert.deepEqual(fs.readdirSync(path.join(ROOT, 'npm')).sort(), expected.map((t) => t.platformArchABI).sort())
  for (const target of expected) {
    const manifest = require(path.join(ROOT, 'npm', target.platformArchABI, 'package.json'))
    const addon = `${pkg.napi.binaryName}.${target.platformArchABI}.node`
    assert.equal(manifest.name, `${pkg.name}-${target.platformArchABI}`)
    assert.equal(manifest.version, pkg.version, `${manifest.name} has the main package's version`)
    assert.deepEqual(manifest.os, [target.platform])
    assert.deepEqual(manifest.cpu, [target.arch])
    if (target.platform === 'linux') assert.deepEqual(manifest.libc, [target.abi === 'musl' ? 'musl' : 'glibc'])
    assert.equal(manifest.main, addon)
    assert.deepEqual(manifest.files, [addon])
    assert.equal(manifest.license, pkg.license)
    assert.deepEqual(manifest.engines, pkg.engines)
  }
})

test('the packed main package lists every target\'s package at the same version', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(packed, 'package.json'), 'utf8'))
  const expected = Object.fromEntries(pkg.napi.targets.map((triple) => [`tiercache-${parseTriple(triple).platformArchABI}`, pkg.version]))
  assert.deepEqual(manifest.optionalDependencies, expected)
  assert.deepEqual(platformPackageNames(pkg), Object.keys(expected))
})

test('the packed main package ships no binary, no test code, and a LICENSE', () => {
  const files = report.files.map((f) => f.path)
  const testOnly = files.filter((file) =>
    file.endsWith('.node') ||
    /(^|\/)(__test__|bench|examples|artifacts|target|npm)\//.test(file) ||
    /_tests?\.rs$/.test(file) ||
    ['scripts/test.js', 'scripts/pack-local.js', 'scripts/smoke-install.js', 'scripts/without-rust.js', 'lib/testing.js'].includes(file))
  assert.deepEqual(testOnly, [])
  for (const file of ['LICENSE', 'README.md', 'CHANGELOG.md', 'index.js', 'binding.js', 'lib/platform.js', 'scripts/install.js', 'Cargo.lock']) {
    assert.ok(files.includes(file), `${file} is packed`)
  }
})

test('everything the shipped JavaScript requires is shipped', () => {
  const files = new Set(report.files.map((f) => f.path))
  for (const file of files) {
    if (!file.endsWith('.js')) continue
    const source = fs.readFileSync(path.join(packed, file), 'utf8')
    // (not preceded by a double quote: code passed to a child `node -e` runs elsewhere)
    for (const [, spec] of source.matchAll(/(?<!")require\('(\.{1,2}\/[^']+)'\)/g)) {
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec))
      const candidates = [resolved, `${resolved}.js`, `${resolved}/index.js`, `${resolved}.json`]
      const isAddon = resolved.endsWith('.node')
      assert.ok(isAddon || candidates.some((c) => files.has(c)), `${file} requires ${spec}, which is not packed`)
    }
  }
})
