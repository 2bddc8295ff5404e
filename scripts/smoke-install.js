'use strict'
// Installs the packed artifacts (`npm run pack:local`) into a new project the
// way a user does, and uses them from CommonJS and ESM, Express included,
// then runs the README's blocks there (those that need no Redis server).
//
//   node scripts/smoke-install.js                prebuilt: the main package and this
//       platform's binary package, with no Rust toolchain on PATH; the binary must
//       come from the platform package and nothing may be built
//   node scripts/smoke-install.js --ignore-scripts  the same with `npm install --ignore-scripts`
//   node scripts/smoke-install.js --from-source  the main package alone, cargo present:
//       the install script builds, and leaves the .node and nothing else (no target/,
//       no temporary build directory)
//
// express and express-session come from the registry (the optional peers).

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { artifactsDir } = require('./pack-local.js')
const { jsBlocks, blockScript } = require('./readme-blocks.js')
const { envWithoutRust } = require('./without-rust.js')
const { platformName } = require('../lib/platform.js')
const { version } = require('../package.json')

const platform = platformName()
const addonName = `tiercache.${platform}.node`
const fromSource = process.argv.includes('--from-source')
// The README's promise: with a prebuilt binary, `npm install --ignore-scripts` works (no install script needed).
const ignoreScripts = process.argv.includes('--ignore-scripts')

function check (condition, message) {
  if (!condition) throw new Error(`smoke: ${message}`)
}

function artifact (name) {
  const file = path.join(artifactsDir, name)
  check(fs.existsSync(file), `${path.relative(process.cwd(), file)} is missing: run \`npm run pack:local\` first`)
  return file
}

function npmInstall (project, specs, env) {
  const started = process.hrtime.bigint()
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', ...(ignoreScripts ? ['--ignore-scripts'] : []), ...specs], {
    cwd: project, env, encoding: 'utf8', shell: process.platform === 'win32'
  })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const output = `${r.stdout}\n${r.stderr}`
  check(r.status === 0, `npm install failed (exit ${r.status}):\n${output}`)
  return { seconds, output }
}

// The CommonJS user: the ioredis-style API, cache.middleware over real HTTP.
const CJS_SMOKE = `
const assert = require('node:assert/strict')
const express = require('express')
const TierCache = require('tiercache')
const { middleware, TierCacheStore } = require('tiercache/express')

async function main () {
  const cache = new TierCache()
  assert.equal(await cache.set('greeting', 'hello', 'EX', 10), 'OK')
  assert.equal(await cache.get('greeting'), 'hello')
  assert.equal(typeof middleware, 'function')
  assert.equal(typeof TierCacheStore, 'function')

  let runs = 0
  const app = express()
  app.get('/items/:id', cache.middleware({ ttl: 30000 }), (req, res) => { runs++; res.json({ id: req.params.id }) })
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const url = 'http://127.0.0.1:' + server.address().port + '/items/7'
  const first = await fetch(url)
  const second = await fetch(url)
  assert.deepEqual(await first.json(), { id: '7' })
  assert.deepEqual(await second.json(), { id: '7' })
  assert.equal(first.headers.get('x-cache'), 'MISS')
  assert.equal(second.headers.get('x-cache'), 'HIT-L1')
  assert.equal(runs, 1)
  server.close()
  await cache.quit()
  const addon = Object.keys(require.cache).find((file) => file.endsWith('.node'))
  console.log(JSON.stringify({ cjs: 'ok', addon }))
}
main().catch((err) => { console.error(err); process.exit(1) })
`

// The ESM user: named imports from both entry points, the session store.
const ESM_SMOKE = `
import assert from 'node:assert/strict'
import express from 'express'
import session from 'express-session'
import TierCache, { createClient, TierCacheError } from 'tiercache'
import { middleware, TierCacheStore } from 'tiercache/express'

const cache = new TierCache()
assert.equal(typeof createClient, 'function')
assert.equal(typeof TierCacheError, 'function')

let runs = 0
const app = express()
app.use(session({ store: new TierCacheStore({ cache }), secret: 'smoke', resave: false, saveUninitialized: false }))
app.get('/visits', (req, res) => { req.session.visits = (req.session.visits || 0) + 1; res.json({ visits: req.session.visits }) })
app.get('/report', middleware(cache, { ttl: 30000 }), (req, res) => { runs++; res.send('report ' + runs) })
const server = app.listen(0, '127.0.0.1')
await new Promise((resolve) => server.once('listening', resolve))
const base = 'http://127.0.0.1:' + server.address().port

const first = await fetch(base + '/report')
const second = await fetch(base + '/report')
assert.equal(await first.text(), 'report 1')
assert.equal(await second.text(), 'report 1')
assert.equal(second.headers.get('x-cache'), 'HIT-L1')

const login = await fetch(base + '/visits')
const cookie = login.headers.get('set-cookie').split(';')[0]
assert.deepEqual(await login.json(), { visits: 1 })
assert.deepEqual(await (await fetch(base + '/visits', { headers: { cookie } })).json(), { visits: 2 })

server.close()
await cache.quit()
console.log(JSON.stringify({ esm: 'ok' }))
`

function runSmoke (project, file, source) {
  fs.writeFileSync(path.join(project, file), source)
  const r = spawnSync(process.execPath, [file], { cwd: project, encoding: 'utf8' })
  check(r.status === 0, `${file} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`)
  return JSON.parse(r.stdout.trim().split('\n').pop())
}

/**
 * Every README block that needs no Redis server, as a new user pastes it,
 * from CommonJS and from ESM, with `tiercache` resolved from the project's
 * node_modules; the blocks' commented values are checked. Returns how many ran.
 */
function runReadmeBlocks (project) {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8')
  let ran = 0
  for (const block of jsBlocks(readme)) {
    for (const esm of [false, true]) {
      const { text } = blockScript(block, { tiercache: 'tiercache', esm })
      if (text.includes('README_REDIS_URL')) continue
      const file = `readme-${block.line}.${esm ? 'mjs' : 'cjs'}`
      fs.writeFileSync(path.join(project, file), text)
      const env = { ...process.env }
      delete env.REDIS_URL
      const r = spawnSync(process.execPath, [file], { cwd: project, encoding: 'utf8', env, timeout: 20000 })
      check(r.status === 0 && r.stderr === '', `README line ${block.line} (${esm ? 'ESM' : 'CJS'}) failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`)
      ran++
    }
  }
  check(ran >= 6, `only ${ran} README blocks ran`)
  return ran
}

function listing (dir) {
  return fs.readdirSync(dir)
}

function smokePrebuilt (project) {
  const { env, dispose } = envWithoutRust()
  try {
    check(spawnSync('cargo', ['--version'], { env }).error, 'cargo is still reachable from the smoke environment')
    const specs = [artifact(`tiercache-${platform}-${version}.tgz`), artifact(`tiercache-${version}.tgz`), 'express', 'express-session']
    const install = npmInstall(project, specs, env)
    check(!/building the native addon|Compiling tiercache|no native addon/.test(install.output), `the install tried to build:\n${install.output}`)
    const installed = path.join(project, 'node_modules', 'tiercache')
    check(!listing(installed).some((file) => file.endsWith('.node') || file === 'target'), `node_modules/tiercache holds a build: ${listing(installed)}`)
    const cjs = runSmoke(project, 'smoke.cjs', CJS_SMOKE)
    const expected = path.join(project, 'node_modules', `tiercache-${platform}`, addonName)
    check(cjs.addon === fs.realpathSync(expected), `the addon loaded from ${cjs.addon}, not from the platform package`)
    runSmoke(project, 'smoke.mjs', ESM_SMOKE)
    runReadmeBlocks(project)
    return install.seconds
  } finally {
    dispose()
  }
}

function smokeFromSource (project) {
  // A TMPDIR of its own, to see that the install removed its build directory.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tiercache-smoke-tmp-'))
  try {
    const env = { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp }
    const install = npmInstall(project, [artifact(`tiercache-${version}.tgz`), 'express', 'express-session'], env)
    check(install.output.includes(`built ${addonName}`), `the install did not build:\n${install.output}`)
    const installed = path.join(project, 'node_modules', 'tiercache')
    check(fs.existsSync(path.join(installed, addonName)), `node_modules/tiercache has no ${addonName}`)
    check(!fs.existsSync(path.join(installed, 'target')), 'node_modules/tiercache/target was left behind')
    check(!fs.existsSync(path.join(project, 'node_modules', `tiercache-${platform}`)), 'a platform package was installed')
    const leftovers = listing(tmp).filter((file) => file.startsWith('tiercache-build-'))
    check(leftovers.length === 0, `the temporary build directory was left behind: ${leftovers}`)
    const cjs = runSmoke(project, 'smoke.cjs', CJS_SMOKE)
    check(cjs.addon === fs.realpathSync(path.join(installed, addonName)), `the addon loaded from ${cjs.addon}`)
    runSmoke(project, 'smoke.mjs', ESM_SMOKE)
    runReadmeBlocks(project)
    return install.seconds
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

function main () {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'tiercache-smoke-'))
  try {
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'tiercache-smoke', version: '1.0.0', private: true }))
    const seconds = fromSource ? smokeFromSource(project) : smokePrebuilt(project)
    const how = fromSource ? 'from source (cargo build in the install script)' : `prebuilt, without cargo${ignoreScripts ? ', --ignore-scripts' : ''}`
    console.log(`smoke: installed ${how} in ${seconds.toFixed(1)} s; CJS and ESM (Express response cache, sessions, the README's blocks) passed`)
  } finally {
    fs.rmSync(project, { recursive: true, force: true })
  }
}

main()
