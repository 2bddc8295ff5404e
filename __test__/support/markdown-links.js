'use strict'
// Relative links in the repository's Markdown, checked the way GitHub renders
// them: a link to a file must name a file that exists, and a `#fragment` must
// name a heading (GitHub's slug of it) or an explicit `<a id>` / `<a name>`
// of the page it points to. Links with a scheme (https:, mailto:) are not
// followed: only what the repository itself can break is checked.

const fs = require('node:fs')
const path = require('node:path')

const FENCE = /^\s{0,3}(`{3,}|~{3,})/

/**
 * The lines of `text` split by where they are: `prose` outside fenced code
 * blocks (where links and headings are rendered), `code` inside them (fence
 * lines excluded).
 */
function splitFences (text) {
  const prose = []
  const code = []
  let fence = null
  for (const line of text.split('\n')) {
    const m = FENCE.exec(line)
    if (fence) {
      if (m && m[1][0] === fence[0] && m[1].length >= fence.length) fence = null
      else code.push(line)
    } else if (m) {
      fence = m[1]
    } else {
      prose.push(line)
    }
  }
  return { prose, code }
}

const proseLines = (text) => splitFences(text).prose

/** `line` with each inline code span replaced by its content with the brackets and parentheses masked. */
function maskCodeSpans (line) {
  return line.replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, (_, _ticks, code) => code.replace(/[[\]()]/g, '_'))
}

/**
 * GitHub's anchor for a heading: the rendered text lower-cased, every
 * character that is not a letter, mark, digit, connector (`_`), space or
 * hyphen removed, spaces turned into hyphens; repeats get `-1`, `-2`, …
 */
function slugOf (headingText) {
  const rendered = headingText
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/<[^>]+>/g, '') // inline HTML tags
    .replace(/`/g, '')
    .replace(/\*\*|__|\*/g, '') // emphasis markers (a lone `_` is a character of the text)
    .trim()
  return rendered.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-')
}

/** Every fragment a page answers: its headings' slugs (with GitHub's numbering of repeats) and explicit ids. */
function anchorsOf (text) {
  const anchors = new Set()
  const seen = new Map()
  for (const line of proseLines(text)) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)
    if (heading) {
      const base = slugOf(heading[1])
      const n = seen.get(base) || 0
      seen.set(base, n + 1)
      anchors.add(n === 0 ? base : `${base}-${n}`)
    }
    for (const m of line.matchAll(/<a\s[^>]*\b(?:id|name)="([^"]+)"/g)) anchors.add(m[1])
  }
  return anchors
}

/** The link targets of a Markdown text: inline links and images, and reference definitions. */
function linkTargets (text) {
  const targets = []
  for (const raw of proseLines(text)) {
    const line = maskCodeSpans(raw)
    for (const m of line.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(m[1])
    const def = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(line)
    if (def) targets.push(def[1])
  }
  return targets
}

const isExternal = (target) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')

/**
 * The relative links of the Markdown file `file` that do not resolve, as
 * "file: target (why)" strings, and the resolved paths of those that do.
 */
function checkLinks (file) {
  const text = fs.readFileSync(file, 'utf8')
  const broken = []
  const resolved = []
  for (const target of linkTargets(text)) {
    if (target === '' || isExternal(target)) continue
    const hash = target.indexOf('#')
    const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash))
    const fragment = hash === -1 ? null : decodeURIComponent(target.slice(hash + 1))
    const dest = pathPart === '' ? file : path.resolve(path.dirname(file), pathPart)
    if (!fs.existsSync(dest)) {
      broken.push(`${file}: ${target} (no such file)`)
      continue
    }
    resolved.push(dest)
    if (fragment === null) continue
    if (!dest.endsWith('.md') || fs.statSync(dest).isDirectory()) {
      broken.push(`${file}: ${target} (a fragment on a file that is not a Markdown page)`)
    } else if (!anchorsOf(fs.readFileSync(dest, 'utf8')).has(fragment)) {
      broken.push(`${file}: ${target} (no heading or anchor "${fragment}" in ${path.basename(dest)})`)
    }
  }
  return { broken, resolved }
}

module.exports = { checkLinks, anchorsOf, slugOf, linkTargets, splitFences }
