'use strict'
// Tags, invalidated lazily by generation. Each tag has a generation key in
// the cache itself (`__tc:tag:<tag>`): a random token, or absent (generation
// "0"). A tagged entry records the generations of its tags when it was
// written; it is valid while every one is unchanged. `invalidateTags` gives
// each tag a new token: one small write per tag, whatever the number of
// entries, and the write reaches every instance as any other write does
// (L1 in this process at once; other instances' L1 through Redis's
// invalidation messages). An entry found invalid is deleted when read.
//
// Tokens rather than counters or clocks: a generation key lost to eviction
// or a flush reads as "0", which no live entry holds once its tag has been
// invalidated, so nothing can come back to life; and no two machines' clocks
// are compared.

const crypto = require('node:crypto')
const native = require('../../binding.js')
const args = require('../args')
const { TierCacheTypeError, CODES } = require('../errors')

const TAG_PREFIX = '__tc:tag:'
const NONE = '0'

function tagKey (tag) {
  return TAG_PREFIX + tag
}

/** Validates a `tags` option: undefined, or an array of non-empty strings. */
function checkTags (tags, where) {
  if (tags === undefined || tags === null) return null
  if (!Array.isArray(tags)) throw new TierCacheTypeError(`${where}: tags must be an array of strings`, CODES.INVALID_ARGUMENT)
  for (const t of tags) {
    if (typeof t !== 'string' || t.length === 0) throw new TierCacheTypeError(`${where}: each tag must be a non-empty string`, CODES.INVALID_ARGUMENT)
    args.toKey(tagKey(t))
  }
  return tags.length === 0 ? null : [...new Set(tags)]
}

/** The generation of `tag` from L1, or undefined when L1 does not hold it. */
function localGeneration (cache, tag) {
  const reply = native.get(cache._h, tagKey(tag))
  return typeof reply === 'string' ? reply : undefined
}

/** The generation of `tag`: L1, else Redis (which backfills L1). Value or promise. */
function generation (cache, tag) {
  const local = localGeneration(cache, tag)
  if (local !== undefined) return local
  if (cache._remote === null) return NONE
  return cache._remote.get(tagKey(tag), false, true, (reply) => (typeof reply === 'string' ? reply : NONE), () => NONE)
}

/**
 * [[tag, generation], …] for `tags`, read before a value is computed (so an
 * invalidation during the computation makes the result stale at once). A
 * tag without a generation key gets one ("0", only if absent), so that
 * readers find it in Redis and keep it in L1 instead of asking every time.
 */
async function snapshot (cache, tags) {
  const local = snapshotLocal(cache, tags)
  if (local !== undefined) return local
  const gens = await Promise.all(tags.map((t) => generation(cache, t)))
  const out = tags.map((t, i) => [t, gens[i]])
  if (cache._remote !== null) {
    const missing = out.filter(([t, g]) => g === NONE && localGeneration(cache, t) === undefined)
    await Promise.all(missing.map(([t]) => cache.set(tagKey(t), NONE, 'NX').catch(() => null)))
  }
  return out
}

/** The snapshot from L1 alone; undefined when Redis must be asked. */
function snapshotLocal (cache, tags) {
  const out = []
  for (const t of tags) {
    const g = localGeneration(cache, t)
    if (g === undefined) {
      if (cache._remote !== null) return undefined
      out.push([t, NONE])
    } else {
      out.push([t, g])
    }
  }
  return out
}

/**
 * Whether an entry's recorded generations are all current: true/false, or
 * a promise when some generation must come from Redis.
 */
function valid (cache, recorded) {
  if (recorded === null) return true
  let pending = null
  for (let i = 0; i < recorded.length; i++) {
    const pair = recorded[i]
    if (!Array.isArray(pair)) return false
    const g = generation(cache, String(pair[0]))
    if (typeof g === 'string') {
      if (g !== pair[1]) return false
    } else {
      if (pending === null) pending = []
      pending.push(g.then((current) => current === pair[1]))
    }
  }
  if (pending === null) return true
  return Promise.all(pending).then((all) => all.every(Boolean))
}

/**
 * The same check from L1 alone: true/false, or undefined when a generation
 * is not in L1 and Redis would have to be asked (the caller takes the slow
 * path then).
 */
function validLocal (cache, recorded) {
  if (recorded === null) return true
  for (let i = 0; i < recorded.length; i++) {
    const pair = recorded[i]
    if (!Array.isArray(pair)) return false
    let g = localGeneration(cache, String(pair[0]))
    if (g === undefined) {
      if (cache._remote !== null) return undefined
      g = NONE
    }
    if (g !== pair[1]) return false
  }
  return true
}

/** New generations for `tags`: every entry tagged with one of them is invalid from now on. */
function invalidate (cache, tags) {
  const writes = tags.map((t) => cache.set(tagKey(t), crypto.randomBytes(9).toString('base64url')))
  return Promise.all(writes).then(() => tags.length)
}

module.exports = { checkTags, snapshot, valid, validLocal, invalidate }
