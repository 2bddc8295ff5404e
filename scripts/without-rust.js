'use strict'
// An environment in which the Rust toolchain cannot be found, for checking
// that an install uses the prebuilt binary and never builds: what a user
// without Rust has. Used by the install smoke and the install-script test.
//
// PATH keeps every directory that holds neither cargo nor rustc, plus a new
// directory of links to node, npm, npx and sh (a system that installed cargo
// next to node, in /usr/bin, would otherwise lose node too). CARGO, CARGO_HOME
// and RUSTUP_HOME, which could lead back to a toolchain, point nowhere.

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const EXE = process.platform === 'win32' ? '.exe' : ''
const RUST_TOOLS = ['cargo', 'rustc', 'rustup'].map((tool) => tool + EXE)
const KEPT_TOOLS = ['node', 'npm', 'npx', 'sh']

function findOnPath (dirs, name) {
  for (const dir of dirs) {
    const file = path.join(dir, name)
    if (fs.existsSync(file)) return file
  }
  return null
}

/**
 * Returns { env, dispose }: `env` is `base` without a Rust toolchain;
 * `dispose()` removes the temporary directories it made.
 */
function envWithoutRust (base = process.env) {
  const dirs = (base.PATH || '').split(path.delimiter).filter(Boolean)
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tiercache-no-rust-'))
  const bin = path.join(scratch, 'bin')
  fs.mkdirSync(bin)
  for (const tool of KEPT_TOOLS) {
    const found = tool === 'node' ? process.execPath : findOnPath(dirs, tool)
    if (found) fs.symlinkSync(fs.realpathSync(found), path.join(bin, tool))
  }
  const withoutRust = dirs.filter((dir) => RUST_TOOLS.every((tool) => !fs.existsSync(path.join(dir, tool))))
  const nowhere = path.join(scratch, 'nowhere')
  const env = { ...base, PATH: [bin, ...withoutRust].join(path.delimiter), CARGO_HOME: nowhere, RUSTUP_HOME: nowhere }
  delete env.CARGO
  delete env.RUSTC
  return { env, dispose: () => fs.rmSync(scratch, { recursive: true, force: true }) }
}

module.exports = { envWithoutRust }
