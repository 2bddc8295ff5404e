'use strict'
// The README is a front page (at most 600 lines) from which every guide is
// reachable, and no relative link or #anchor in the docs is broken.

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { checkLinks, slugOf, anchorsOf, splitFences } = require('../support/markdown-links')

const ROOT = path.join(__dirname, '..', '..')
const README = path.join(ROOT, 'README.md')
const README_MAX_LINES = 600

/** docs/*.md: the guides the README links into. */
function docsPages () {
  const dir = path.join(ROOT, 'docs')
  return fs.readdirSync(dir).filter((f) => f.endsWith('.md')).map((f) => path.join(dir, f))
}

/** Every Markdown page whose links must resolve: README, the guides, the benchmarks' README, and the project files. */
function checkedPages () {
  const optional = ['CONTRIBUTING.md', 'CHANGELOG.md'].map((f) => path.join(ROOT, f)).filter((f) => fs.existsSync(f))
  return [README, ...docsPages(), path.join(ROOT, 'bench', 'README.md'), ...optional]
}

describe('the README as a front page', () => {
  it(`has at most ${README_MAX_LINES} lines`, () => {
    const lines = fs.readFileSync(README, 'utf8').replace(/\n$/, '').split('\n').length
    assert.ok(lines <= README_MAX_LINES, `README.md has ${lines} lines`)
  })

  it('links every docs/*.md page and bench/README.md', () => {
    const linked = new Set(checkLinks(README).resolved)
    const pages = [...docsPages(), path.join(ROOT, 'bench', 'README.md')]
    assert.ok(pages.length >= 6, `expected the five guides and bench/README.md, found ${pages.length} pages`)
    const unlinked = pages.filter((p) => !linked.has(p)).map((p) => path.relative(ROOT, p))
    assert.deepEqual(unlinked, [])
  })

  it('gives `npm test` as the test command, which package.json defines and CI runs; every other test script it names exists', () => {
    const commands = splitFences(fs.readFileSync(README, 'utf8')).code.map((l) => l.trim()).filter((l) => /^npm (run )?test\b/.test(l))
    const names = commands.map((l) => l.split(/\s+#/)[0].trim())
    assert.deepEqual(names.filter((c) => c === 'npm test'), ['npm test'])
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
    assert.equal(typeof pkg.scripts.test, 'string')
    for (const c of names.filter((n) => n !== 'npm test')) {
      const script = /^npm run (\S+)$/.exec(c)
      assert.ok(script && typeof pkg.scripts[script[1]] === 'string', `README names \`${c}\`, which package.json does not define`)
    }
    const ci = fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8')
    assert.match(ci, /^npm test$/m)
  })

  it('each guide opens with a summary that links back to the README', () => {
    for (const page of docsPages()) {
      const text = fs.readFileSync(page, 'utf8')
      const firstParagraph = text.split(/\n\s*\n/)[1] || ''
      assert.match(firstParagraph, /\]\(\.\.\/README\.md\)/, `${path.relative(ROOT, page)}: no link back in its first paragraph`)
    }
  })
})

describe('relative links in the docs', () => {
  for (const page of checkedPages()) {
    it(`resolve in ${path.relative(ROOT, page)}`, () => {
      assert.deepEqual(checkLinks(page).broken, [])
    })
  }
})

describe('the link checker', () => {
  it("follows GitHub's heading slugs", () => {
    assert.equal(slugOf('Cache-aside: getOrSet'), 'cache-aside-getorset')
    assert.equal(slugOf('Performance: where the time goes'), 'performance-where-the-time-goes')
    assert.equal(slugOf('`cache.local` and **objects**'), 'cachelocal-and-objects')
    assert.equal(slugOf('arc-OLTP.trace.gz — ARC paper'), 'arc-oltptracegz--arc-paper')
    const anchors = anchorsOf('# A\n## Notes\n```\n# not a heading\n```\n## Notes\n<a id="kept"></a>\n')
    assert.deepEqual([...anchors].sort(), ['a', 'kept', 'notes', 'notes-1'])
  })

  it('reports a missing file, a missing anchor and a fragment on a non-Markdown file, and nothing else', (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiercache-links-'))
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
    fs.writeFileSync(path.join(dir, 'other.md'), '# Other page\n\n## A section\n')
    fs.writeFileSync(path.join(dir, 'code.js'), '')
    fs.writeFileSync(path.join(dir, 'page.md'), [
      '# Page',
      '[ok](other.md) [ok](other.md#a-section) [ok](#page) [ok](https://example.com/x.md#nowhere)',
      '[`ok`](code.js) `[not a link](missing.md)`',
      '```',
      '[not a link](missing.md)',
      '```',
      '[gone](missing.md) [gone](other.md#no-such-section) [gone](#nowhere) [gone](code.js#x)',
      '[ref]: missing-too.md'
    ].join('\n'))
    const { broken } = checkLinks(path.join(dir, 'page.md'))
    assert.deepEqual(broken.map((b) => b.split(': ').slice(1).join(': ').split(' (')[0]),
      ['missing.md', 'other.md#no-such-section', '#nowhere', 'code.js#x', 'missing-too.md'])
  })
})

