'use strict'
// Scripts run as their own processes, as a user runs them (the examples,
// the demo): output captured, SIGKILLed when the test ends if still running.

const { spawn } = require('node:child_process')
const path = require('node:path')

const ROOT = path.join(__dirname, '..', '..')

/**
 * Starts `node <file>` with `env`. Returns { child, out, exited,
 * describeOutput }: `out` gathers stdout and stderr, `exited` resolves with
 * { code, signal }, `describeOutput()` is for failure messages (the last
 * `tail` characters of stdout when given).
 */
function startScript (t, file, env, { tail } = {}) {
  const child = spawn(process.execPath, [file], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const out = { stdout: '', stderr: '' }
  child.stdout.setEncoding('utf8').on('data', (chunk) => { out.stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk) => { out.stderr += chunk })
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })))
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    return exited
  })
  const describeOutput = () => tail === undefined
    ? `stdout:\n${out.stdout}\nstderr:\n${out.stderr}`
    : `stdout (last ${tail} chars):\n${out.stdout.slice(-tail)}\nstderr:\n${out.stderr}`
  return { child, out, exited, describeOutput }
}

/** `p`, or a rejection with `message()` after `ms`. */
function within (p, ms, message) {
  let timer
  const timeout = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms)
  })
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}

module.exports = { startScript, within, ROOT }
