'use strict'
// Markdown tables and number formats shared by every scenario, so all the
// tables in RESULTS.md read the same way.

/**
 * A GitHub-flavoured markdown table. `align` is one letter per column:
 * 'l' or 'r' (numbers read better right-aligned).
 */
function table (headers, rows, align = headers.map(() => 'l')) {
  const cells = [headers, ...rows].map((row) => row.map((c) => String(c ?? '')))
  const widths = headers.map((_, i) => Math.max(3, ...cells.map((row) => row[i].length)))
  const pad = (text, i) => (align[i] === 'r' ? text.padStart(widths[i]) : text.padEnd(widths[i]))
  const line = (row) => `| ${row.map(pad).join(' | ')} |`
  const rule = `| ${widths.map((w, i) => (align[i] === 'r' ? '-'.repeat(w - 1) + ':' : '-'.repeat(w))).join(' | ')} |`
  return [line(cells[0]), rule, ...cells.slice(1).map(line)].join('\n')
}

/** 3 significant digits with a k/M/G suffix: ops/s span six orders of magnitude. */
function compact (n) {
  if (!Number.isFinite(n)) return String(n)
  const abs = Math.abs(n)
  for (const [unit, div] of [['G', 1e9], ['M', 1e6], ['k', 1e3]]) {
    if (abs >= div) return `${(n / div).toPrecision(3)} ${unit}`
  }
  return n.toPrecision(3)
}

function ops (perSecond) {
  return compact(perSecond)
}

function ns (value) {
  if (!Number.isFinite(value)) return String(value)
  if (value >= 1e6) return `${(value / 1e6).toPrecision(3)} ms`
  if (value >= 1e3) return `${(value / 1e3).toPrecision(3)} µs`
  return value >= 100 ? value.toFixed(0) : value.toFixed(1)
}

/** tiercache ÷ peer, printed so that < 1 (tiercache slower) stands out. */
function ratio (r) {
  if (!Number.isFinite(r)) return '—'
  if (r >= 10) return `${r.toFixed(1)}×`
  // Two significant digits below 0.1, where toFixed(2) would print 0.00×.
  return `${r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)}×`
}

function percent (fraction, digits = 2) {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(digits)}%` : '—'
}

function int (n) {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—'
}

function bytes (n) {
  if (!Number.isFinite(n)) return '—'
  const abs = Math.abs(n)
  if (abs >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`
  if (abs >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`
  if (abs >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`
  return `${Math.round(n)} B`
}

/**
 * A "tiercache ÷ peer" table: a row per tiercache contestant, a column per
 * peer (contestants carry `family` 'tiercache' or 'peer' and a `name`).
 * `ratioOf(c, p)` is a cell's ratio (undefined: n/a); `alike(c, p)` puts
 * like-with-like cells in bold.
 */
function peerRatios (title, contestants, ratioOf, alike) {
  const peers = contestants.filter((c) => c.family === 'peer')
  return table(
    [title, ...peers.map((p) => p.name)],
    contestants.filter((c) => c.family === 'tiercache').map((c) => [
      c.name.replace('**tiercache** ', ''),
      ...peers.map((p) => {
        const r = ratioOf(c, p)
        if (r === undefined) return 'n/a'
        const cell = ratio(r)
        return alike(c, p) ? `**${cell}**` : cell
      })
    ]),
    ['l', ...peers.map(() => 'r')]
  )
}

module.exports = { table, compact, ops, ns, ratio, percent, int, bytes, peerRatios }
