'use strict'
// README.md's JavaScript blocks as runnable scripts that check what their
// comments promise: a line `await expr   // 'hello' (…)` or
// `const v = await expr   // { id: 1 }` asserts that the value deep-equals
// the literal the comment starts with (what follows it in parentheses is
// prose). Used by the README test (__test__/l2/readme-blocks.test.js, this
// checkout) and by the install smoke (scripts/smoke-install.js: a new
// project with the packed package, from CommonJS and ESM).

const vm = require('node:vm')

/** The ```js blocks of `readme`, with the line each starts on. */
function jsBlocks (readme) {
  const blocks = []
  let current = null
  readme.split('\n').forEach((line, i) => {
    if (current === null && /^```(js|javascript)\s*$/.test(line)) current = { line: i + 2, lines: [] }
    else if (current !== null && line.startsWith('```')) {
      blocks.push(current)
      current = null
    } else if (current !== null) current.lines.push(line)
  })
  return blocks
}

/**
 * The literal a comment starts with (`'hello' (from L1…)` → 'hello'), or
 * undefined when it starts with prose. Evaluated with no globals.
 */
function literalOf (comment) {
  const candidates = [comment.trim()]
  const paren = comment.indexOf(' (')
  if (paren > 0) candidates.push(comment.slice(0, paren).trim())
  for (const text of candidates) {
    if (!/^['"{[\d-]|^(null|true|false)\b/.test(text)) continue
    try {
      return { value: vm.runInNewContext(`(${text})`, Object.create(null)), text }
    } catch {}
  }
  return undefined
}

const REQUIRE_LINE = /^(\s*)const (\{[^}]*\}|\w+) = require\('tiercache'\)(.*)$/

/**
 * `block` as a script that checks its commented values. `tiercache` is
 * what `require('tiercache')` loads (a path, or the package name); `esm`
 * makes it an ES module (the block's requires become imports, top-level
 * await as is), else CommonJS (the block inside an async function). A
 * block that uses `TierCache` without loading it gets the README's own
 * require line first. `'redis://…redis.internal…'` becomes
 * `process.env.README_REDIS_URL`. Returns `{ text, checks }`.
 */
function blockScript (block, { tiercache, esm = false }) {
  const checks = []
  let lines = block.lines.map((line, i) => {
    const m = /^(\s*)(const (\w+) = )?(await .+?)\s+\/\/ (.+)$/.exec(line)
    const lit = m && literalOf(m[5])
    if (!lit) return line
    checks.push(`line ${block.line + i}: ${lit.text}`)
    const expected = JSON.stringify(lit.value)
    const where = JSON.stringify(`README line ${block.line + i}: ${m[4]}`)
    if (m[3] !== undefined) return `${m[1]}const ${m[3]} = ${m[4]}; assert.deepEqual(${m[3]}, ${expected}, ${where})`
    return `${m[1]}assert.deepEqual(${m[4]}, ${expected}, ${where})`
  })
  const body = lines.join('\n')
  if (/\bTierCache\b/.test(body) && !/require\('tiercache'\)/.test(body)) lines = ["const { TierCache } = require('tiercache')", ...lines]
  const spec = JSON.stringify(tiercache)
  const settle = 'await new Promise((resolve) => setTimeout(resolve, 300))'
  let text
  if (esm) {
    const imports = []
    const rest = lines.filter((line) => {
      const m = REQUIRE_LINE.exec(line)
      if (m === null) return true
      imports.push(`import ${m[2]} from ${spec}`)
      return false
    })
    text = ["import assert from 'node:assert/strict'", ...imports, 'try {', ...rest, settle,
      '} catch (err) { console.error(\'the block failed:\', err); process.exit(1) }', 'process.exit(0)'].join('\n')
  } else {
    text = ["'use strict'", "const assert = require('node:assert/strict')", ';(async () => {',
      lines.join('\n').replace(/require\('tiercache'\)/g, `require(${spec})`), settle, 'process.exit(0)',
      '})().catch((err) => { console.error(\'the block failed:\', err); process.exit(1) })'].join('\n')
  }
  return { text: text.replace(/'redis:\/\/[^']*redis\.internal[^']*'/g, 'process.env.README_REDIS_URL'), checks }
}

module.exports = { jsBlocks, literalOf, blockScript }
