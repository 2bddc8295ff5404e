'use strict'
// Write-through: the source and the cache change together, as the caller
// sees it. writeThrough(key, value, writer, options):
//
//   1. the key is deleted from the cache (both tiers). If that fails (Redis
//      unreachable), nothing was written anywhere and the call fails;
//   2. writer(value, key) writes the source. If it fails, the call fails and
//      the cache holds nothing for the key (never the new value): the next
//      read goes to the source, whatever the writer managed to do;
//   3. the new value is stored in the cache. If that fails, the source has
//      the new value and the cache nothing: reads are still right, the call
//      resolves, and 'error'-free: the failure is counted in stats.
//
// Writes of one key through this instance run one after another, so the
// cache ends with the value the source got last. A getOrSet load of the key
// that started before the write does not store its (older) result.

const args = require('../args')
const { TierCacheTypeError, CODES, fromNative } = require('../errors')
const envelope = require('./envelope')
const store = require('./store')
const tags = require('./tags')
const { ms } = require('./options')
const { stateOf } = require('./state')

const NAMES = new Set(['ttl', 'tags'])

function resolveOptions (cache, options) {
  if (options === undefined || options === null) options = {}
  else if (typeof options === 'number') options = { ttl: options }
  else if (typeof options !== 'object') throw new TierCacheTypeError('writeThrough: options must be an object or a ttl in ms', CODES.INVALID_ARGUMENT)
  for (const k of Object.keys(options)) {
    if (!NAMES.has(k)) throw new TierCacheTypeError(`writeThrough: unknown option ${JSON.stringify(k)}`, CODES.INVALID_ARGUMENT)
  }
  return { ttl: ms(options.ttl, 'ttl') ?? cache.options.ttl, tags: tags.checkTags(options.tags, 'writeThrough') }
}

/** key → tail of the chain of writes of that key in this instance. */
const chains = new WeakMap()

function writeThrough (cache, key, value, writer, options) {
  key = args.toKey(key)
  if (typeof writer !== 'function') throw new TierCacheTypeError('writeThrough(key, value, writer): writer must be a function', CODES.INVALID_ARGUMENT)
  const o = resolveOptions(cache, options)
  // Refuse what the codec cannot store before anything is written.
  envelope.encode(cache._codec, value, 0, 0, null)
  let perKey = chains.get(cache)
  if (perKey === undefined) chains.set(cache, (perKey = new Map()))
  const previous = perKey.get(key) ?? Promise.resolve()
  const run = previous.then(() => writeOnce(cache, key, value, writer, o))
  const tail = run.then(() => {}, () => {})
  perKey.set(key, tail)
  tail.then(() => {
    if (perKey.get(key) === tail) perKey.delete(key)
  })
  return run
}

async function writeOnce (cache, key, value, writer, o) {
  const state = stateOf(cache)
  state.beginWrite(key)
  try {
    await store.del(cache, [key])
    const gens = o.tags === null ? null : await tags.snapshot(cache, o.tags)
    const result = await writer(value, key)
    try {
      await store.writeEntry(cache, key, value, { ttl: o.ttl, gens })
    } catch {
      state.counters.storeErrors++
      // The source has the new value: whatever the cache holds must go.
      try {
        await store.del(cache, [key])
      } catch {}
    }
    return result
  } catch (err) {
    throw fromNative(err)
  } finally {
    state.endWrite(key)
  }
}

module.exports = { writeThrough }
