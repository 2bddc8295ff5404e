'use strict'
// Which arguments of a command are keys: what `keyPrefix` is applied to and
// what L1 follows. Fixed positions come from the table (firstKey, lastKey,
// keyStep); commands flagged `movablekeys` find theirs by parsing their
// arguments, as Redis does, by the rules below. Indexes are into `args`, the
// arguments after the command name.

const { lookup } = require('./lookup')

const upper = (arg) => String(arg).toUpperCase()

/** `count` indexes from `start`, as far as `args` goes (a bad count yields none). */
function run (args, start, count) {
  const out = []
  if (!Number.isInteger(count) || count <= 0) return out
  for (let i = start; i < start + count && i < args.length; i++) out.push(i)
  return out
}

/** The keys after a `numkeys` argument at `at` (`SINTERCARD numkeys key …`). */
function afterNumkeys (args, at) {
  return run(args, at + 1, Number(String(args[at])))
}

/** The index after the first `token` found at or after `from` (case-insensitive), or -1. */
function afterToken (args, from, token) {
  for (let i = from; i < args.length - 1; i++) if (upper(args[i]) === token) return i + 1
  return -1
}

/** GEORADIUS(BYMEMBER) key … [STORE key] [STOREDIST key]: the options start at `optionsAt`. */
function geoRadius (args, optionsAt) {
  const keys = [0]
  for (const token of ['STORE', 'STOREDIST']) {
    const at = afterToken(args, optionsAt, token)
    if (at !== -1) keys.push(at)
  }
  return keys.sort((a, b) => a - b)
}

/**
 * SORT key [BY pattern] [LIMIT offset count] [GET pattern …] [ASC|DESC] [ALPHA] [STORE key].
 * BY and GET patterns name other keys (`weight_*`; `#` is the element itself),
 * so they count as keys, as ioredis counts them: `keyPrefix` applies to them.
 */
function sort (args) {
  const keys = [0]
  for (let i = 1; i < args.length - 1; i++) {
    const token = upper(args[i])
    if (token === 'LIMIT') i += 2
    else if (token === 'BY' || token === 'STORE') keys.push(++i)
    else if (token === 'GET') {
      i++
      if (String(args[i]) !== '#') keys.push(i)
    }
  }
  return keys
}

/** MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw | AUTH2 user pw] [KEYS key …]. */
function migrate (args) {
  if (args.length > 2 && String(args[2]) !== '') return [2]
  for (let i = 5; i < args.length; i++) {
    const token = upper(args[i])
    if (token === 'AUTH') i += 1
    else if (token === 'AUTH2') i += 2
    else if (token === 'KEYS') return run(args, i + 1, args.length - i - 1)
  }
  return []
}

/**
 * XREAD [COUNT n] [BLOCK ms] STREAMS key … id … and XREADGROUP GROUP g c [COUNT n]
 * [BLOCK ms] [NOACK] STREAMS key … id …: the first half of what follows STREAMS.
 * Option values are skipped, so a group or consumer named `STREAMS` is not the token.
 */
function streams (args) {
  const takesValue = { COUNT: 1, BLOCK: 1, GROUP: 2, CLAIM: 1 }
  for (let i = 0; i < args.length; i++) {
    const token = upper(args[i])
    if (token === 'STREAMS') return run(args, i + 1, Math.floor((args.length - i - 1) / 2))
    i += takesValue[token] || 0
  }
  return []
}

/** MSETEX numkeys key value [key value …] [options]: keys at 1, 3, 5 … */
function msetex (args) {
  const pairs = Number(String(args[0]))
  const keys = []
  if (!Number.isInteger(pairs)) return keys
  for (let n = 0; n < pairs && 1 + 2 * n < args.length; n++) keys.push(1 + 2 * n)
  return keys
}

// The movable-key commands: name → (args) => key indexes.
const MOVABLE = {
  // numkeys first
  sintercard: (a) => afterNumkeys(a, 0),
  zintercard: (a) => afterNumkeys(a, 0),
  zunion: (a) => afterNumkeys(a, 0),
  zinter: (a) => afterNumkeys(a, 0),
  zdiff: (a) => afterNumkeys(a, 0),
  lmpop: (a) => afterNumkeys(a, 0),
  zmpop: (a) => afterNumkeys(a, 0),
  // script or timeout, then numkeys
  eval: (a) => afterNumkeys(a, 1),
  evalsha: (a) => afterNumkeys(a, 1),
  eval_ro: (a) => afterNumkeys(a, 1),
  evalsha_ro: (a) => afterNumkeys(a, 1),
  fcall: (a) => afterNumkeys(a, 1),
  fcall_ro: (a) => afterNumkeys(a, 1),
  blmpop: (a) => afterNumkeys(a, 1),
  bzmpop: (a) => afterNumkeys(a, 1),
  // destination, then numkeys
  zunionstore: (a) => a.length === 0 ? [] : [0, ...afterNumkeys(a, 1)],
  zinterstore: (a) => a.length === 0 ? [] : [0, ...afterNumkeys(a, 1)],
  zdiffstore: (a) => a.length === 0 ? [] : [0, ...afterNumkeys(a, 1)],
  msetex,
  georadius: (a) => a.length === 0 ? [] : geoRadius(a, 5),
  georadiusbymember: (a) => a.length === 0 ? [] : geoRadius(a, 4),
  sort: (a) => a.length === 0 ? [] : sort(a),
  sort_ro: (a) => a.length === 0 ? [] : sort(a),
  migrate,
  xread: streams,
  xreadgroup: streams
}

/**
 * The indexes in `args` (the arguments after the command name) that are keys,
 * ascending. Arguments are read as given (before any transformer: call it on
 * the flattened, transformed arguments). A command the
 * table does not know has none (as with ioredis: no `keyPrefix` on it).
 */
function keyIndexes (name, args) {
  const entry = lookup(name)
  if (entry === undefined) return []
  const movable = MOVABLE[entry.name]
  if (movable !== undefined) return movable(args)
  if (entry.subcommandKeys) {
    const subcommand = args.length > 0 ? String(args[0]).toLowerCase() : ''
    const at = Object.hasOwn(entry.subcommandKeys, subcommand) ? entry.subcommandKeys[subcommand] : -1
    return at !== -1 && at < args.length ? [at] : []
  }
  if (entry.keyStep <= 0) return []
  const first = entry.firstKey - 1
  const stop = entry.lastKey > 0 ? entry.lastKey : args.length + entry.lastKey + 1
  const keys = []
  for (let i = first; i < stop && i < args.length; i += entry.keyStep) keys.push(i)
  return keys
}

module.exports = { keyIndexes, MOVABLE_COMMANDS: Object.freeze(Object.keys(MOVABLE).sort()) }
