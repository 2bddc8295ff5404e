'use strict'
// Redis processes a test-support module started (sentinel.js, cluster.js):
// each known to an 'exit' safety net that SIGKILLs those still alive when the
// test process exits, so a run that ends without `stop()` (a failed `before`,
// a thrown assertion) leaves no redis-server behind.

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { startRedis } = require('./redis-server')

// Processes started and not yet stopped, as functions that SIGKILL them
// synchronously. The net is registered once, on first use.
const killers = new Set()
let exitHookInstalled = false

/** Puts `kill` (synchronous) under the exit safety net; returns what takes it off. */
function remember (kill) {
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.once('exit', () => {
      for (const kill of killers) {
        try { kill() } catch {}
      }
    })
  }
  killers.add(kill)
  return () => killers.delete(kill)
}

/**
 * startRedis, with the process under the exit safety net, and a handle that
 * knows whether it was stopped (`alive`): startRedis does not expose its
 * child, whose `exit` event the caller therefore cannot see.
 */
async function startDataNode (options) {
  const handle = await startRedis(options)
  // startRedis removes its directory when the child exits, which an exiting
  // process no longer sees: the safety net removes it too. redis-server runs
  // in its --dir, so Linux tells where it is.
  let dir = null
  try {
    dir = fs.readlinkSync(`/proc/${handle.pid}/cwd`)
    if (!dir.startsWith(path.join(os.tmpdir(), 'tiercache-redis-'))) dir = null
  } catch {}
  const forget = remember(() => {
    process.kill(handle.pid, 'SIGKILL')
    if (dir) fs.rmSync(dir, { recursive: true, force: true })
  })
  const node = {
    ...handle,
    alive: true,
    stop: () => end(handle.stop),
    kill: () => end(handle.kill)
  }
  async function end (how) {
    node.alive = false
    try {
      await how()
    } finally {
      forget()
    }
  }
  return node
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** A long description cut for an error message. */
const cut = (text, max = 600) => text.length > max ? `${text.slice(0, max)}...` : text

/**
 * Polls `probe` every 50 ms until it returns a truthy value (resolved with
 * it) or `timeoutMs` passes. `probe` may throw (a node still starting): the
 * last error or falsy reason (`describe()`) goes into the timeout error,
 * after `who` (the topology), so a failing test says what was still missing.
 * An error with `fatal` set (a process exited) is rethrown at once: no point
 * waiting out the timeout.
 */
async function waitFor (who, what, timeoutMs, probe, describe = () => '') {
  const deadline = Date.now() + timeoutMs
  let last = ''
  for (;;) {
    try {
      const value = await probe()
      if (value) return value
      last = describe()
    } catch (err) {
      if (err.fatal) throw err
      last = err.message
    }
    if (Date.now() > deadline) throw new Error(`${who}: ${what} not within ${timeoutMs} ms${last ? ` (last seen: ${cut(last)})` : ''}`)
    await sleep(50)
  }
}

module.exports = { remember, startDataNode, waitFor, sleep, cut }
