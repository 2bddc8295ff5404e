'use strict'
// Runs one measurement in a fresh Node process. A fresh process per group
// keeps one group's heap (and RSS), its garbage and its JIT feedback (e.g. a
// cache's `get` specialised for strings) from leaking into the next group.

const { fork } = require('node:child_process')

const CHILD_FLAG = '--child'

/** Addon builds the children reported loading, in order (see lib/caches.js). */
const addonsLoaded = []

/**
 * Forks `file` with `--child ...args` and resolves with the value its
 * `childMain` handler returned. Progress written by the child to stderr is
 * passed through; stdout stays reserved for the parent's tables.
 */
function runChild (file, args = [], { execArgv = [], timeoutMs = 15 * 60 * 1000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = fork(file, [CHILD_FLAG, ...args.map(String)], {
      execArgv: ['--expose-gc', ...execArgv],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    })
    let reply
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${file} ${args.join(' ')}: no answer after ${timeoutMs} ms`))
    }, timeoutMs)
    child.on('message', (message) => { reply = message })
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (reply !== undefined && reply.ok) {
        if (reply.addon !== undefined) addonsLoaded.push(reply.addon)
        return resolve(reply.result)
      }
      const why = reply !== undefined ? reply.error : `exited with ${signal ?? code} before answering`
      reject(new Error(`${file} ${args.join(' ')}: ${why}`))
    })
  })
}

/** True when this process was started by runChild. */
function isChild () {
  return process.argv[2] === CHILD_FLAG
}

/**
 * The child side: runs `handler(args)` and sends its result to the parent.
 * Exits explicitly because some caches under test keep timers or native
 * threads that would otherwise hold the process open.
 */
function childMain (handler) {
  const args = process.argv.slice(3)
  // Required here, not at the top: the parent side of this module must not
  // load the addon just to fork children.
  const { LOADED_ADDON } = require('./caches')
  Promise.resolve()
    .then(() => handler(args))
    .then(
      (result) => ({ ok: true, result, addon: LOADED_ADDON }),
      (err) => ({ ok: false, error: err && err.stack ? err.stack : String(err) })
    )
    .then((message) => {
      process.send(message, () => process.exit(message.ok ? 0 : 1))
    })
}

/** Progress for the person watching; goes to stderr so stdout stays clean markdown. */
function progress (...parts) {
  process.stderr.write(`  · ${parts.join(' ')}\n`)
}

/** Runs async `tasks` (functions) with at most `limit` of them in flight; results in order. */
async function pool (tasks, limit) {
  const results = new Array(tasks.length)
  let next = 0
  async function worker () {
    while (next < tasks.length) {
      const i = next++
      results[i] = await tasks[i]()
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker))
  return results
}

module.exports = { runChild, isChild, childMain, progress, pool, addonsLoaded }
