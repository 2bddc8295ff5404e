'use strict'
// The per-thread reply front (lib/reply-front.js) holds what it answers in
// JS memory: bounded by keys (two generations of frontSize) and by the
// replies' estimated bytes, and a reply too large for it is never kept.
// Driven directly, with the epoch and last-TTL slots as plain buffers.

const { test } = require('node:test')
const assert = require('node:assert/strict')

const { MISS } = require('../../lib/front')
const { ReplyFront, MAX_FRONT_BYTES, MAX_REPLY_BYTES } = require('../../lib/reply-front')

function front (maxEntries, maxBytes) {
  const epoch = new ArrayBuffer(4)
  const ttl = new ArrayBuffer(8)
  new Float64Array(ttl)[0] = -1 // no expiry
  const f = new ReplyFront(epoch, ttl, maxEntries, maxBytes)
  return { f, epoch: new Uint32Array(epoch) }
}

/** A hash reply of `fields` fields of `size` characters each. */
function hash (fields, size) {
  const out = {}
  for (let i = 0; i < fields; i++) out[`f${i}`] = 'x'.repeat(size)
  return out
}

test('by default at most MAX_FRONT_BYTES (8 MiB) of replies, whatever their count', () => {
  assert.equal(MAX_FRONT_BYTES, 8 * 1024 * 1024)
  const { f } = front(1_000_000)
  // 100 KiB replies: by count alone the front would keep 2,000,000 of them.
  const reply = hash(100, 1000)
  for (let i = 0; i < 2000; i++) f.fill(`k${i}`, 'S7:hgetall', reply, f.seen)
  assert.ok(f.weight() <= MAX_FRONT_BYTES + MAX_REPLY_BYTES, `kept ${f.weight()} bytes`)
  // The most recent ones still answer, as copies.
  const hit = f.get('k1999', 'S7:hgetall')
  assert.deepEqual(hit, reply)
  assert.notEqual(hit, reply)
  assert.equal(f.get('k0', 'S7:hgetall'), MISS)
})

test('a reply larger than MAX_REPLY_BYTES is never kept (it is answered from the shared store)', () => {
  const { f } = front(1024)
  const big = hash(300, 1000) // ~300 KB
  f.fill('big', 'S7:hgetall', big, f.seen)
  assert.equal(f.get('big', 'S7:hgetall'), MISS)
  assert.equal(f.weight(), 0)
  const small = hash(3, 10)
  f.fill('small', 'S7:hgetall', small, f.seen)
  assert.deepEqual(f.get('small', 'S7:hgetall'), small)
})

test('the weight follows replaced, cleared and forgotten replies', () => {
  const { f, epoch } = front(1024, 1024 * 1024)
  f.fill('k', 'S4:hget1:a', 'v'.repeat(100), f.seen)
  const one = f.weight()
  f.fill('k', 'S4:hget1:a', 'v'.repeat(100), f.seen)
  assert.equal(f.weight(), one, 'the same read filled again counts once')
  f.fill('k', 'S4:hget1:b', 'v'.repeat(100), f.seen)
  assert.equal(f.weight(), 2 * one)
  f.forget('k')
  assert.equal(f.weight(), 0)
  f.fill('k', 'S4:hget1:a', 'v', f.seen)
  epoch[0]++
  assert.equal(f.get('k', 'S4:hget1:a'), MISS, 'a store change drops the front')
  assert.equal(f.weight(), 0)
})

test('many small keys are still bounded by the count (frontSize per generation)', () => {
  const { f } = front(100)
  for (let i = 0; i < 1000; i++) f.fill(`k${i}`, 'S4:hlen', i, f.seen)
  assert.ok(f.young.size + f.old.size <= 200)
  assert.equal(f.get('k999', 'S4:hlen'), 999)
})
