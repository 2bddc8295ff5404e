'use strict'
// Looking a command up in the generated table (table.json, written by
// scripts/gen-command-table.js; never edited by hand).

const TABLE = require('./table.json')

// name → frozen entry, built once; a null prototype so that a command named
// like an Object.prototype member (`constructor`, `__proto__`) is not found.
const ENTRIES = Object.create(null)
for (const [name, entry] of Object.entries(TABLE)) {
  const frozen = { name, ...entry, flags: Object.freeze([...entry.flags]) }
  if (entry.subcommandKeys) frozen.subcommandKeys = Object.freeze({ ...entry.subcommandKeys })
  ENTRIES[name] = Object.freeze(frozen)
}

/**
 * The table's entry for `name` (any case): `{ name, arity, flags, l1, cacheable,
 * firstKey, lastKey, keyStep }` (and `subcommandKeys` for a container whose
 * subcommands take a key), or `undefined` for a command the table does not
 * know (a module's, a newer server's).
 */
function lookup (name) {
  return ENTRIES[String(name).toLowerCase()]
}

/** Every command name in the table, sorted. */
function names () {
  return Object.keys(ENTRIES)
}

module.exports = { lookup, names }
