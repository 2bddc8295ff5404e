'use strict'
// lib/node-redis/names.json is what scripts/gen-node-redis-names.js makes of
// the installed node-redis (a new node-redis command shows up here), and
// every node-redis method whose RESP2 reply node-redis transforms is either
// overridden (lib/node-redis/overrides) or in the documented list of those
// the flavour answers as ioredis does (docs/node-redis.md) or leaves out.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')

const { render, OUT } = require('../../../scripts/gen-node-redis-names')
const NAMES = require('../../../lib/node-redis/names.json')
const { OVERRIDES } = require('../../../lib/node-redis/overrides')
const { createClient } = require('../../..')

// Reply transformed by node-redis, no override: answered as ioredis does
// (hGetAll: ioredis's transformer makes the same object) or not defined
// (blocking commands, pub/sub counts, the RESP2 streams and info shapes:
// docs/node-redis.md lists them).
const AS_IOREDIS = new Set(['hGetAll'])

test('names.json is current (node scripts/gen-node-redis-names.js)', () => {
  assert.equal(fs.readFileSync(OUT, 'utf8'), render())
})

test('a method whose reply node-redis transforms is overridden, answered as ioredis does, or documented', () => {
  const client = createClient()
  const doc = fs.readFileSync(require.resolve('../../../docs/node-redis.md'), 'utf8')
  try {
    for (const [name, spec] of Object.entries(NAMES)) {
      if (!spec.replyTransform || typeof client[name] !== 'function') continue
      if (name in OVERRIDES || AS_IOREDIS.has(name)) continue
      assert.ok(doc.includes(`\`${name}\``), `${name}: node-redis transforms its reply; override it or list it in docs/node-redis.md`)
    }
  } finally {
    client.quit()
  }
})

test('lib/node-redis/methods.d.ts is what scripts/gen-node-redis-typings.js generates', () => {
  const typings = require('../../../scripts/gen-node-redis-typings')
  assert.equal(fs.readFileSync(typings.OUT, 'utf8'), typings.render())
})
