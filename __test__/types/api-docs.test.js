'use strict'
// The API reference's examples (`npm run docs` renders the typings' doc
// comments): every public method, function and constructor of index.d.ts and
// express.d.ts has an `@example`, and every example compiles, strictly,
// against the typings, as a user's TypeScript would.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const ts = require('typescript')

const root = path.join(__dirname, '..', '..')
const TYPINGS = ['index.d.ts', 'express.d.ts']

// What an example may use without declaring it (the module comments of the
// typings say so to the reader): the names of the module it documents
// (imported for each example that does not import from that module itself),
// an open `cache`, an Express `app`, and `db`, the application's source of
// truth.
const IMPLICIT_IMPORTS = {
  'index.d.ts': { tiercache: "import TierCache = require('tiercache')" },
  'express.d.ts': {
    tiercache: "import TierCache = require('tiercache')",
    'tiercache/express': "import { middleware, purgeGroup, TierCacheStore } from 'tiercache/express'"
  }
}
const EXAMPLE_GLOBALS = `
declare const cache: import('tiercache').TierCache
declare const app: import('express').Express
interface ExampleUser { id: number, name: string }
declare const db: {
  findUser(id: number, options?: { signal?: AbortSignal }): Promise<ExampleUser>
  saveUser(id: number, user: ExampleUser): Promise<ExampleUser>
  bulkUpsert(batch: ReadonlyArray<import('tiercache').WriteBehindEntry>): Promise<void>
}
`

function parse (file) {
  const text = fs.readFileSync(path.join(root, file), 'utf8')
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
}

function hasExample (node) {
  return ts.getJSDocTags(node).some((tag) => tag.tagName.text === 'example')
}

/**
 * Every method, function and constructor declared in `sourceFile`, one entry
 * per overload group (the first declaration of a name in its container, which
 * carries the group's example), as `{ name, node }`. Computed names
 * (`[Symbol.hasInstance]`) are language hooks, not calls a user writes.
 */
function callables (sourceFile) {
  const found = []
  const seen = new Set()
  const visit = (node, container) => {
    const isCallable = ts.isMethodDeclaration(node) || ts.isMethodSignature(node) ||
      ts.isFunctionDeclaration(node) || ts.isConstructorDeclaration(node) || ts.isConstructSignatureDeclaration(node)
    if (isCallable && !(node.name && ts.isComputedPropertyName(node.name))) {
      const name = `${container}.${node.name ? node.name.getText(sourceFile) : 'constructor'}`
      if (!seen.has(name)) {
        seen.add(name)
        found.push({ name, node })
      }
    }
    const named = node.name && ts.isIdentifier(node.name) ? node.name.text : null
    const inner = (ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node) || ts.isModuleDeclaration(node)) && named
      ? named
      : container
    ts.forEachChild(node, (child) => visit(child, inner))
  }
  visit(sourceFile, sourceFile.fileName)
  return found
}

/**
 * The ```ts blocks of the `@example` tags of every doc comment in `file`,
 * as `{ where, lines, firstLine }` (firstLine: the 1-based line of the
 * block's first code line in the typings). An @example without exactly one
 * ```ts block is returned with `lines: null`.
 */
function examples (file) {
  const text = fs.readFileSync(path.join(root, file), 'utf8')
  const found = []
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const startLine = text.slice(0, comment.index).split('\n').length
    const lines = comment[0].split('\n').map((line) => line.replace(/^\s*\*( |$)/, '').replace(/^\/\*\*\s?/, ''))
    const tags = []
    lines.forEach((line, i) => { if (/^@\w/.test(line)) tags.push(i) })
    tags.forEach((tagLine, k) => {
      if (!lines[tagLine].startsWith('@example')) return
      const end = k + 1 < tags.length ? tags[k + 1] : lines.length
      const body = lines.slice(tagLine + 1, end)
      const open = body.map((l, i) => (l.startsWith('```ts') ? i : -1)).filter((i) => i >= 0)
      const close = body.map((l, i) => (l === '```' ? i : -1)).filter((i) => i >= 0)
      const where = `${file}:${startLine + tagLine}`
      if (open.length !== 1 || close.length !== 1 || close[0] < open[0]) {
        found.push({ where, lines: null })
        return
      }
      found.push({ file, where, lines: body.slice(open[0] + 1, close[0]), firstLine: startLine + tagLine + open[0] + 2 })
    })
  }
  return found
}

/** An example as a module of its own: its imports first, its code in an async function. */
function exampleModule (example) {
  const imports = example.lines.filter((l) => /^import\s/.test(l))
  const imported = new Set(imports.map((l) => /['"]([^'"]+)['"]\)?\s*$/.exec(l)?.[1]))
  const implicit = Object.entries(IMPLICIT_IMPORTS[example.file])
    .filter(([specifier]) => !imported.has(specifier))
    .map(([, line]) => line)
  const header = [...implicit, ...imports, 'export async function example (): Promise<void> {']
  const body = example.lines.map((l) => (/^import\s/.test(l) ? '' : l))
  return { text: [...header, ...body, '}', ''].join('\n'), bodyStart: header.length }
}

test('every public method, function and constructor of the typings has an @example', () => {
  const missing = []
  let count = 0
  for (const file of TYPINGS) {
    for (const { name, node } of callables(parse(file))) {
      count++
      if (!hasExample(node)) missing.push(name)
    }
  }
  assert.ok(count > 100, `only ${count} methods found: the walk is broken`)
  assert.deepEqual(missing, [], `without an @example:\n  ${missing.join('\n  ')}`)
})

test('every @example of the typings compiles against them (strict)', () => {
  const all = TYPINGS.flatMap(examples)
  const malformed = all.filter((e) => e.lines === null).map((e) => e.where)
  assert.deepEqual(malformed, [], 'an @example must hold one ```ts … ``` block')
  assert.ok(all.length > 100, `only ${all.length} examples found: the extraction is broken`)

  // The examples live in memory, as files beside this test.
  const dir = path.join(__dirname, '.examples')
  const virtual = new Map([[path.join(dir, 'globals.d.ts'), { text: EXAMPLE_GLOBALS }]])
  for (const [i, example] of all.entries()) {
    virtual.set(path.join(dir, `example-${i}.ts`), { ...exampleModule(example), example })
  }
  const options = {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    types: ['node'],
    // The package by its name, as a user imports it (no baseUrl: other bare
    // names, such as 'express', resolve in node_modules as usual).
    paths: { tiercache: [path.join(root, 'index.d.ts')], 'tiercache/express': [path.join(root, 'express.d.ts')] }
  }
  const host = ts.createCompilerHost(options)
  const { getSourceFile, fileExists, readFile } = host
  host.getSourceFile = (file, ...rest) => virtual.has(file)
    ? ts.createSourceFile(file, virtual.get(file).text, ts.ScriptTarget.Latest, true)
    : getSourceFile.call(host, file, ...rest)
  host.fileExists = (file) => virtual.has(file) || fileExists.call(host, file)
  host.readFile = (file) => (virtual.has(file) ? virtual.get(file).text : readFile.call(host, file))

  const program = ts.createProgram([...virtual.keys()], options, host)
  const errors = ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n')
    const file = d.file && virtual.get(d.file.fileName)
    if (!file || !file.example) {
      const where = d.file ? `${path.relative(root, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : ''
      return `${where} ${message}`
    }
    const line = d.file.getLineAndCharacterOfPosition(d.start).line
    const exampleLine = line - file.bodyStart
    const where = exampleLine >= 0
      ? `${file.example.where.split(':')[0]}:${file.example.firstLine + exampleLine}`
      : `${file.example.where} (an import)`
    return `${where} ${message}`
  })
  assert.deepEqual(errors, [], `examples that do not compile:\n  ${errors.join('\n  ')}`)
})
