'use strict'
// What the command path needs to know of a command on every call, worked
// out once per name as called ('hset', 'HSET', …) instead of on every call:
// its lower-case name, table entry and argument transformer and, for the
// commands whose key positions depend on their number of arguments alone
// (most: HSET, LPUSH, ZADD, …, not EVAL or SORT), the positions of their
// keys and written keys per argument count. Measured on 100 HSETs at once,
// lower-casing, looking up and working out the positions on every call was
// a fifth of the JS thread's time per command.

const { L1 } = require('./l1-effects')
const { lookup } = require('./lookup')
const { keyIndexes, MOVABLE_COMMANDS } = require('./keys')
const { writtenKeyIndexes, partialWriters } = require('./written-keys')
const { ARGUMENT_TRANSFORMERS, transformReply } = require('./transform')

// Names as called are remembered up to this many (call() takes any name).
const MAX_NAMES = 1024
// Positions are remembered per argument count below this one.
const MAX_REMEMBERED_COUNT = 64

const MOVABLE = new Set(MOVABLE_COMMANDS)
const PARTIAL_WRITERS = new Set(Object.keys(partialWriters()))

const shift = (i) => i + 1

/**
 * Keys and written keys of `args` (after the name) as argv positions (the
 * name is 0). Frozen only when `kept` for every later call: freezing fresh
 * objects on every call (EVAL, EVALSHA, SORT, …) made V8 move them to new
 * shapes each time, the largest cost of a burst of EVALSHAs.
 */
function positionsOf (lower, args, kept) {
  const found = keyIndexes(lower, args)
  const writtenFound = writtenKeyIndexes(lower, args, found)
  const keys = found.map(shift)
  const written = writtenFound === found ? keys : writtenFound.map(shift)
  if (!kept) return { keys, written }
  return Object.freeze({ keys: Object.freeze(keys), written: written === keys ? keys : Object.freeze(written) })
}

/** Whether `entry`'s key positions depend on the number of its arguments only. */
function countDecidesKeys (entry) {
  return entry !== undefined && !MOVABLE.has(entry.name) && !entry.subcommandKeys && !PARTIAL_WRITERS.has(entry.name)
}

class CompiledCommand {
  constructor (name) {
    /** The name in lower case, as the table and Redis's errors spell it. */
    this.lower = name.toLowerCase()
    /** The table entry, or undefined for a command the table does not know. */
    this.entry = lookup(this.lower)
    /** Whether it may block (BLPOP, XREAD with BLOCK, …: lib/commands/blocking.js decides with its arguments). */
    this.mayBlock = this.entry !== undefined && this.entry.flags.includes('blocking')
    /** Whether L1 caches its reply (the table's `reply`: HGETALL, SMEMBERS, …). */
    this.cachesReply = this.entry !== undefined && this.entry.l1 === L1.REPLY
    this.byCount = countDecidesKeys(this.entry) ? [] : null
    const lower = this.lower
    /** Redis's reply to it as ioredis returns it (one function per command, not one per call). */
    this.replyOf = (reply) => transformReply(lower, reply)
  }

  /** ioredis's argument transformer (hset's object form, …, or the application's), if any. */
  get transformer () {
    return ARGUMENT_TRANSFORMERS[this.lower]
  }

  /**
   * `{ keys, written }`: the positions in the encoded `argv` (the name
   * first) of its keys and of those it may write (the same array when every
   * key may be written). Where the count decides them, frozen: the same
   * arrays answer every call with as many arguments. Callers never change
   * them.
   */
  positions (argv) {
    const n = argv.length - 1
    if (this.byCount === null || n >= MAX_REMEMBERED_COUNT) return positionsOf(this.lower, argv.slice(1), false)
    let known = this.byCount[n]
    if (known === undefined) {
      known = positionsOf(this.lower, argv.slice(1), true)
      this.byCount[n] = known
    }
    return known
  }
}

const byName = new Map()

/** The compiled form of command `name` (a non-empty string). */
function compiled (name) {
  let c = byName.get(name)
  if (c === undefined) {
    c = new CompiledCommand(name)
    if (byName.size < MAX_NAMES) byName.set(name, c)
  }
  return c
}

module.exports = { compiled }
