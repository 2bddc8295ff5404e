'use strict'
// Which keys a command writes: the ones L1 drops its copy of (`invalidate`)
// or retimes (`retime`) when the command is sent.
//
// The rule is conservative on purpose: every key of a command that may write
// counts as written, except where the command is known to only read some of
// them (the sources of a *STORE, COPY's source). When unsure, a key is
// written: dropping an L1 copy costs one Redis round trip later, keeping a
// stale one serves a wrong value.

const { L1 } = require('./l1-effects')
const { lookup } = require('./lookup')
const { keyIndexes } = require('./keys')

/** A rule choosing the written keys among a command's keys, with what it says for the docs. */
const rule = (says, choose) => Object.assign(choose, { says })

const destinationOnly = rule('the destination only', (keys) => keys.slice(0, 1))

// Commands that write some of their keys and only read the others.
const WRITTEN_AMONG_KEYS = {
  // DEST source …: the sources are read.
  sunionstore: destinationOnly,
  sinterstore: destinationOnly,
  sdiffstore: destinationOnly,
  zunionstore: destinationOnly,
  zinterstore: destinationOnly,
  zdiffstore: destinationOnly,
  zrangestore: destinationOnly,
  geosearchstore: destinationOnly,
  pfmerge: destinationOnly, //  PFMERGE dest source …
  bitop: destinationOnly, //    BITOP op dest source …
  // COPY source dest: the source is read.
  copy: rule('the destination only', (keys) => keys.slice(1, 2)),
  // The key after STORE / STOREDIST is written; the source and SORT's BY/GET patterns are read.
  sort: afterStore(),
  georadius: afterStore(),
  georadiusbymember: afterStore()
}

/** A rule: the keys that follow a STORE or STOREDIST token. */
function afterStore () {
  return rule('the STORE key only', (keys, args) => keys.filter((i) => i > 0 && /^STORE(?:DIST)?$/i.test(String(args[i - 1]))))
}

/**
 * The indexes in `args` (the arguments after the command name) of the keys the
 * command writes: a subset of `keyIndexes(name, args)`, which a caller that
 * has them passes as `keys` (not changed). None for a command that never
 * writes, or one the table does not know.
 */
function writtenKeyIndexes (name, args, keys) {
  const entry = lookup(name)
  if (entry === undefined) return []
  const writes = entry.l1 === L1.INVALIDATE || entry.l1 === L1.RETIME || entry.flags.includes('write')
  if (!writes) return []
  if (keys === undefined) keys = keyIndexes(entry.name, args)
  const among = WRITTEN_AMONG_KEYS[entry.name]
  return among === undefined ? keys : among(keys, args)
}

/** Command → what its written keys are, for the commands that write only some of their keys (for the docs). */
function partialWriters () {
  return Object.fromEntries(Object.entries(WRITTEN_AMONG_KEYS).map(([name, choose]) => [name, choose.says]))
}

module.exports = { writtenKeyIndexes, partialWriters }
