'use strict'
// What the README-example tests (ioredis-readme, node-redis-readme) share:
// reading a section's code blocks, a private redis-server with an admin client, a temporary directory for the
// example scripts, running one script as a given client on a given db, and
// that db's contents afterwards, compared between the two clients.

const { before, after } = require('node:test')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const IORedis = require('ioredis')
const { startRedis } = require('./redis-server')
const { startScript, within } = require('./child')

const EXIT_TIMEOUT_MS = 20_000

/**
 * Registers before/after hooks in the current describe; returns { dir,
 * runAs(t, client, db, file) }: `runAs` runs `file` with README_CLIENT,
 * README_PORT and README_DB set, and resolves { code, stdout, stderr, state }.
 */
function useReadmeServer (prefix) {
  const box = { dir: fs.mkdtempSync(path.join(os.tmpdir(), prefix)), server: null, admin: null }
  before(async () => {
    box.server = await startRedis()
    box.admin = new IORedis({ host: '127.0.0.1', port: box.server.port, lazyConnect: true })
    await box.admin.connect()
  })
  after(async () => {
    if (box.admin) await box.admin.quit()
    if (box.server) await box.server.stop()
    fs.rmSync(box.dir, { recursive: true, force: true })
  })

  /** Every key of `db`: name, type, DUMP payload (hex), and whether it expires. */
  async function state (db) {
    const admin = box.admin
    await admin.select(db)
    const keys = (await admin.keys('*')).sort()
    const out = []
    for (const k of keys) {
      const dump = await admin.dumpBuffer(k)
      out.push([k, await admin.type(k), dump && dump.toString('hex'), (await admin.pttl(k)) > 0 ? 'expires' : 'no expiry'])
    }
    return out
  }

  box.runAs = async function runAs (t, client, db, file) {
    const env = { ...process.env, README_CLIENT: client, README_PORT: String(box.server.port), README_DB: String(db) }
    delete env.REDIS_URL
    const ex = startScript(t, file, env)
    const { code } = await within(ex.exited, EXIT_TIMEOUT_MS, () => `${client}: the example did not end within ${EXIT_TIMEOUT_MS} ms\n${ex.describeOutput()}`)
    return { code, stdout: ex.out.stdout, stderr: ex.out.stderr, state: await state(db) }
  }

  /** Empties dbs 1 and 2 (tiercache's and the other client's) before an example. */
  box.flush = async function flush () {
    for (const db of [1, 2]) {
      await box.admin.select(db)
      await box.admin.flushdb()
    }
  }
  return box
}

/**
 * The code blocks (fences matching `fence`, e.g. /^```javascript/) of the
 * section `heading` (## or ###) of the markdown `readme`, in order.
 */
function blocksOf (readme, heading, fence) {
  const lines = readme.split('\n')
  const start = lines.findIndex((l) => /^#{2,3} /.test(l) && l.replace(/^#+ /, '').trim() === heading)
  if (start < 0) throw new Error(`the README has no section "${heading}"`)
  const blocks = []
  let current = null
  for (const line of lines.slice(start + 1)) {
    if (current === null && /^#{2,3} /.test(line)) break
    if (current === null && fence.test(line)) current = []
    else if (current !== null && line.startsWith('```')) {
      blocks.push(current.join('\n'))
      current = null
    } else if (current !== null) current.push(line)
  }
  return blocks
}

module.exports = { useReadmeServer, blocksOf }
