'use strict'
// Every value the typings declare (index.d.ts for 'tiercache', express.d.ts
// for 'tiercache/express') imports by name from ESM, and is the same object
// as `require()` gives. Node's ESM loader only sees the names a CommonJS
// module assigns in forms cjs-module-lexer recognises: a name the typings
// accept but the lexer cannot see type-checks and then fails at run time
// ("does not provide an export named …").
//
// The list of names is derived from the typings with the TypeScript compiler,
// never copied here. The consumer is a real project in a temporary directory
// whose node_modules/tiercache links to this package, so the package.json
// `exports` map is what resolves the imports.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { createRequire } = require('node:module')
const { pathToFileURL } = require('node:url')
const { spawnSync } = require('node:child_process')
const ts = require('typescript')

const ROOT = path.join(__dirname, '..', '..', '..')
const ENTRIES = [
  { specifier: 'tiercache', typings: path.join(ROOT, 'index.d.ts') },
  { specifier: 'tiercache/express', typings: path.join(ROOT, 'express.d.ts') }
]

/**
 * The value names a module's typings let `import { name }` take: the module's
 * exports and, for `export =`, the properties of the exported value, kept to
 * those declared in that typings file (not `prototype`, nor the statics a
 * class inherits from EventEmitter, which no typings of ours declare).
 */
function declaredValueExports () {
  const program = ts.createProgram(ENTRIES.map((e) => e.typings), {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'],
    typeRoots: [path.join(ROOT, 'node_modules', '@types')],
    noEmit: true
  })
  const diagnostics = ts.getPreEmitDiagnostics(program)
  assert.equal(diagnostics.length, 0, ts.formatDiagnostics(diagnostics, ts.createCompilerHost({})))
  const checker = program.getTypeChecker()
  const names = new Map()
  for (const { specifier, typings } of ENTRIES) {
    const sourceFile = program.getSourceFile(typings)
    const moduleSymbol = checker.getSymbolAtLocation(sourceFile)
    const found = new Set()
    for (const symbol of checker.getExportsAndPropertiesOfModule(moduleSymbol)) {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
      if (!(target.flags & ts.SymbolFlags.Value)) continue
      const declaredHere = (symbol.declarations ?? []).some((d) => d.getSourceFile() === sourceFile)
      if (declaredHere) found.add(symbol.name)
    }
    names.set(specifier, [...found].sort())
  }
  return names
}

let consumer
let names

before(() => {
  names = declaredValueExports()
  consumer = fs.mkdtempSync(path.join(os.tmpdir(), 'tiercache-esm-'))
  const modules = path.join(consumer, 'node_modules')
  fs.mkdirSync(modules)
  fs.symlinkSync(ROOT, path.join(modules, 'tiercache'), 'dir')
  fs.symlinkSync(path.join(ROOT, 'node_modules', '@types'), path.join(modules, '@types'), 'dir')
})

after(() => {
  if (consumer) fs.rmSync(consumer, { recursive: true, force: true })
})

// `import { a as v0, default as v1 } from '…'` for every declared name.
function importLines () {
  const lines = []
  const bindings = []
  let i = 0
  for (const [specifier, list] of names) {
    const parts = list.map((name) => {
      const local = `v${i++}`
      bindings.push({ specifier, name, local })
      return `${name} as ${local}`
    })
    lines.push(`import { ${parts.join(', ')} } from '${specifier}'`)
  }
  return { lines, bindings }
}

test('the typings declare the names that users import (the derivation finds them)', () => {
  // A guard on the derivation itself: were it to find nothing, the tests
  // below would pass vacuously.
  assert.ok(names.get('tiercache').includes('ClosedError'), names.get('tiercache').join())
  assert.ok(names.get('tiercache').includes('createClient'))
  assert.ok(names.get('tiercache/express').includes('TierCacheStore'), names.get('tiercache/express').join())
})

test('every declared export imports by name from a .mjs file and is the object require() gives', async () => {
  const { lines, bindings } = importLines()
  const file = path.join(consumer, 'named.mjs')
  fs.writeFileSync(file, [
    ...lines,
    `export default { ${bindings.map((b) => b.local).join(', ')} }`
  ].join('\n') + '\n')
  const imported = (await import(pathToFileURL(file).href)).default
  const requireFromConsumer = createRequire(file)
  for (const { specifier, name, local } of bindings) {
    const required = requireFromConsumer(specifier)[name]
    assert.notEqual(required, undefined, `require('${specifier}').${name} is undefined`)
    assert.equal(imported[local], required, `import { ${name} } from '${specifier}' is not require('${specifier}').${name}`)
  }
  // The same module instance as the package's own require (no second copy).
  assert.equal(imported[bindings.find((b) => b.name === 'ClosedError').local], require('../../..').ClosedError)
})

test('a .mts file compiled under module nodenext imports every declared export by name and runs', () => {
  const { lines, bindings } = importLines()
  const src = path.join(consumer, 'src')
  fs.mkdirSync(src, { recursive: true })
  const local = (specifier, name) => bindings.find((b) => b.specifier === specifier && b.name === name).local
  fs.writeFileSync(path.join(src, 'app.mts'), [
    ...lines,
    `const all: Record<string, unknown> = { ${bindings.map((b) => `'${b.specifier}:${b.name}': ${b.local}`).join(', ')} }`,
    // Use a few of them as a user would: the class, an error class, the store.
    `const cache = new ${local('tiercache', 'TierCache')}()`,
    "await cache.set('k', 'v')",
    `const store = new ${local('tiercache/express', 'TierCacheStore')}({ cache })`,
    'await cache.quit()',
    'let closed = false',
    `try { await cache.get('k') } catch (err) { closed = err instanceof ${local('tiercache', 'ClosedError')} }`,
    'console.log(JSON.stringify({ missing: Object.keys(all).filter((k) => all[k] === undefined), closed, store: typeof store.get }))'
  ].join('\n') + '\n')
  fs.writeFileSync(path.join(consumer, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      strict: true,
      types: ['node'],
      skipLibCheck: false,
      rootDir: 'src',
      outDir: 'out'
    },
    include: ['src']
  }))
  const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', consumer], { encoding: 'utf8' })
  assert.equal(tsc.status, 0, `tsc failed:\n${tsc.stdout}${tsc.stderr}`)
  const run = spawnSync(process.execPath, [path.join(consumer, 'out', 'app.mjs')], { cwd: consumer, encoding: 'utf8', timeout: 30_000 })
  assert.equal(run.status, 0, `node out/app.mjs failed:\n${run.stdout}${run.stderr}`)
  assert.deepEqual(JSON.parse(run.stdout.trim().split('\n').pop()), { missing: [], closed: true, store: 'function' })
})
