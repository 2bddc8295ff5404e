'use strict'
// The command methods generated from the table (lib/command-methods.js):
// which exist, and that their committed typings are current.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')

const TierCache = require('../../..')
const { render, OUT } = require('../../../scripts/gen-command-typings')

test('every table command has a method and a …Buffer variant, hand-written ones kept; always-refused ones have none', () => {
  const proto = TierCache.prototype
  for (const name of ['hset', 'hgetall', 'lpush', 'zadd', 'sadd', 'eval', 'evalsha', 'publish', 'xadd', 'xread', 'copy']) {
    assert.equal(typeof proto[name], 'function', name)
    assert.equal(typeof proto[`${name}Buffer`], 'function', `${name}Buffer`)
  }
  for (const name of ['call', 'send_command', 'callBuffer']) assert.equal(typeof proto[name], 'function', name)
  // Hand-written methods are not replaced.
  const generated = new Set(require('../../../lib/command-methods').generatedMethods())
  for (const name of ['get', 'getBuffer', 'set', 'del', 'mget', 'expire', 'scan', 'ping', 'quit']) assert.ok(!generated.has(name), name)
  assert.ok(generated.has('hset') && generated.has('setBuffer'), 'set has no hand-written Buffer variant: generated')
  // multi() and pipeline() exist (lib/pipeline.js); watch and unwatch are generated (they go
  // to the client's pinned connection: lib/watch.js); monitor() is hand-written (lib/monitor.js);
  // a library probing for a method must not find one that always fails.
  assert.equal(typeof proto.monitor, 'function')
  assert.ok(!generated.has('monitor'))
  assert.equal(typeof proto.multi, 'function')
  assert.equal(typeof proto.pipeline, 'function')
  assert.ok(generated.has('watch') && generated.has('unwatch'))
  // exec and discard end multi({ pipeline: false }) (lib/pipeline.js).
  assert.equal(typeof proto.exec, 'function')
  for (const name of ['monitorBuffer', 'select', 'waitaof', 'subscribeBuffer', 'ssubscribeBuffer']) {
    assert.equal(proto[name], undefined, name)
  }
  // Blocking commands are generated (they run on dedicated connections);
  // subscriptions are hand-written (lib/pubsub.js).
  for (const name of ['blpop', 'brpoplpush', 'bzpopmin', 'blmove', 'blmpop', 'bzmpop', 'blpopBuffer']) assert.ok(generated.has(name), name)
  for (const name of ['subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe', 'ssubscribe', 'sunsubscribe', 'duplicate']) {
    assert.equal(typeof proto[name], 'function', name)
    assert.ok(!generated.has(name), name)
  }
})

test('lib/commands/methods.d.ts is what scripts/gen-command-typings.js generates (run it after changing the table)', () => {
  assert.equal(fs.readFileSync(OUT, 'utf8'), render())
})
