'use strict'
// node-redis's camelCase spellings of the hand-written string commands
// (`setEx`, `mGet`, `pExpire`, …) on the ioredis flavour too: the same
// functions under a second name. Which names: every node-redis method of one
// command word (lib/node-redis/names.json, generated from node-redis's own
// command list) whose lower-case command is a hand-written method here, so
// the list is never written out by hand. Installed before the generated
// methods: those commands have node-redis names of their own in the
// node-redis flavour only.

const NAMES = require('./node-redis/names.json')

/** [alias, method] pairs for the hand-written methods `proto` has now. */
function camelAliases (proto) {
  const pairs = []
  for (const [alias, { words }] of Object.entries(NAMES)) {
    if (words.length !== 1 || alias === words[0]) continue
    if (Object.hasOwn(proto, words[0]) && typeof proto[words[0]] === 'function' && !Object.hasOwn(proto, alias)) {
      pairs.push([alias, words[0]])
    }
  }
  return pairs
}

let installed = []

/** Defines each alias on `TierCache.prototype`: the same function as its method. */
function install (TierCache) {
  installed = camelAliases(TierCache.prototype)
  for (const [alias, method] of installed) {
    Object.defineProperty(TierCache.prototype, alias, { value: TierCache.prototype[method], writable: true, configurable: true })
  }
}

/** The [alias, method] pairs installed (for the typings generator). */
function aliases () {
  return installed.slice()
}

module.exports = { install, aliases }
