'use strict'
// Generates lib/node-redis/names.json: node-redis's method names (camelCase,
// `hSet`, `clientSetName`, `zRangeWithScores`, …) with the Redis command
// words each sends and whether node-redis transforms its RESP2 reply. Read
// from node-redis's own command modules (@redis/client, a devDependency),
// so that the node-redis flavour (lib/node-redis) names what node-redis
// names, and a new node-redis command is noticed (a test checks this file is
// current).
//
//   node scripts/gen-node-redis-names.js
//
// The words are what each module's parseCommand pushes first (recorded with a
// parser that keeps them): `CLIENT_SETNAME` pushes CLIENT, SETNAME. A module
// name with more segments than words (`ZRANGE_WITHSCORES`, `HRANDFIELD_COUNT`)
// is a variant of its command: it has its own arguments or reply, so the
// flavour defines it only through an override (lib/node-redis/overrides).

const fs = require('node:fs')
const path = require('node:path')

const ROOT = path.join(__dirname, '..')
const OUT = path.join(ROOT, 'lib', 'node-redis', 'names.json')

function nodeRedisCommands () {
  // node-redis v5+ (the `redis` package) keeps @redis/client beside it.
  const redisDir = path.dirname(require.resolve('redis/package.json'))
  const clientDir = path.dirname(require.resolve('@redis/client/package.json', { paths: [redisDir] }))
  return require(path.join(clientDir, 'dist', 'lib', 'commands')).default
}

/** The first arguments `parseCommand` pushes (the command words and what follows). */
function pushed (command) {
  const out = []
  const parser = {
    push: (...a) => out.push(...a.map(String)),
    pushKey: () => out.push(null),
    pushKeys: () => out.push(null),
    pushKeysLength: () => out.push(null),
    pushVariadic: () => out.push(null),
    pushVariadicNumber: () => out.push(null),
    pushVariadicWithLength: () => out.push(null),
    setCachable () {},
    pushVariadicAndCount: () => out.push(null)
  }
  try {
    command.parseCommand(parser, 'k', 'k', 'k', 'k')
  } catch {}
  return out
}

function render () {
  const all = nodeRedisCommands()
  const upper = Object.keys(all).filter((k) => k === k.toUpperCase())
  const out = {}
  for (const name of Object.keys(all).sort()) {
    if (name === name.toUpperCase()) continue
    const module = all[name]
    const key = upper.find((u) => all[u] === module)
    if (key === undefined) continue
    const segments = key.split('_')
    const first = pushed(module)
    // A word may itself hold '_' (EVAL_RO, GEORADIUS_RO): the longest run of
    // segments that equals the next pushed word.
    const words = []
    let at = 0
    while (at < segments.length && words.length < first.length) {
      let end = segments.length
      while (end > at && segments.slice(at, end).join('_') !== first[words.length]) end--
      if (end === at) break
      words.push(first[words.length])
      at = end
    }
    if (words.length === 0) continue
    const t = module.transformReply
    const replyTransform = typeof t === 'function' || (t !== undefined && t !== null && typeof t[2] === 'function')
    out[name] = {
      module: key,
      words: words.map((w) => w.toLowerCase()),
      variant: at < segments.length,
      replyTransform
    }
  }
  return JSON.stringify(out, null, 1) + '\n'
}

if (require.main === module) {
  fs.writeFileSync(OUT, render())
  console.log(`wrote ${path.relative(ROOT, OUT)}`)
}

module.exports = { render, OUT }
