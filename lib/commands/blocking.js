'use strict'
// Blocking commands: which calls block (the table's `blocking` flag; XREAD
// and XREADGROUP only with BLOCK) and how long each may wait. They run on a
// dedicated connection (src/core/tier/dedicated.rs) whose deadline is the
// command's own timeout plus BLOCKING_MARGIN_MS, never commandTimeout; a
// timeout of 0 waits until answered, the cache is closed, or the connection
// is lost.

const { lookup } = require('./lookup')

/**
 * Added to a blocking command's own timeout: Redis answers nil when the
 * timeout passes, and that reply needs time to arrive (a busy server, a
 * slow network) before we call the connection dead.
 */
const BLOCKING_MARGIN_MS = 1000

// Where each blocking command's timeout is, and its unit. Commands flagged
// blocking by the table and absent here get only the margin as deadline
// after a timeout of their own, which a test checks never happens.
const TIMEOUT_AT = Object.freeze({
  blpop: { at: 'last', unit: 1000 },
  brpop: { at: 'last', unit: 1000 },
  blmove: { at: 'last', unit: 1000 },
  brpoplpush: { at: 'last', unit: 1000 },
  bzpopmin: { at: 'last', unit: 1000 },
  bzpopmax: { at: 'last', unit: 1000 },
  blmpop: { at: 'first', unit: 1000 },
  bzmpop: { at: 'first', unit: 1000 },
  xread: { at: 'BLOCK', unit: 1 },
  xreadgroup: { at: 'BLOCK', unit: 1 }
})

function blockOption (args) {
  return args.findIndex((a) => String(a).toUpperCase() === 'BLOCK')
}

/** Whether `name` (lower case) with the encoded `args` blocks. */
function isBlocking (name, args) {
  const entry = lookup(name)
  if (entry === undefined || !entry.flags.includes('blocking')) return false
  if (name === 'xread' || name === 'xreadgroup') return blockOption(args) !== -1
  return true
}

/**
 * The deadline in ms of blocking command `name` with the encoded `args`:
 * its timeout plus the margin, or 0 for none (a timeout of 0). A timeout
 * Redis will refuse (not a number, negative) gets the margin alone: the
 * error reply comes at once.
 */
function blockingDeadline (name, args) {
  const where = TIMEOUT_AT[name]
  let raw
  if (where === undefined) raw = undefined
  else if (where.at === 'last') raw = args[args.length - 1]
  else if (where.at === 'first') raw = args[0]
  else {
    const i = blockOption(args)
    raw = i === -1 ? undefined : args[i + 1]
  }
  const text = raw === undefined ? '' : String(raw).trim()
  const n = text === '' ? NaN : Number(text)
  if (n === 0) return 0
  if (!Number.isFinite(n) || n < 0) return BLOCKING_MARGIN_MS
  return Math.ceil(n * where.unit) + BLOCKING_MARGIN_MS
}

module.exports = { isBlocking, blockingDeadline, BLOCKING_MARGIN_MS, TIMEOUT_AT }
