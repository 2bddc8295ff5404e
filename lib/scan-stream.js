'use strict'
// ioredis's scan streams: scanStream(options), sscanStream(key, options),
// hscanStream(key, options), zscanStream(key, options). Each is an
// object-mode Readable that emits one page (the array of one SCAN reply, as
// ioredis: keys; members; field, value, …; member, score, …) per read, and
// ends after the reply whose cursor is '0'.
//
// Backpressure: the next SCAN is sent only when the stream is read (Node
// calls _read when its buffer is below the high-water mark), and never two
// at a time. A failed SCAN (or bad options) is the stream's 'error'.
//
// keyPrefix: scanStream runs the cache's own `scan` (in L1 without Redis),
// which matches only this instance's keys (the prefix, escaped, ahead of the
// user's MATCH) and answers them without it; ioredis does not prefix SCAN.
// sscan/hscan/zscan prefix their key as every command does. The MATCH pattern
// is the user's, as written; nothing else becomes a pattern.

const { Readable } = require('node:stream')
const { sendCommand } = require('./send-command')
const { answer } = require('./answer')
const { TierCacheTypeError, CODES } = require('./errors')

const OPTIONS = {
  scan: new Set(['match', 'count', 'type']),
  sscan: new Set(['match', 'count']),
  hscan: new Set(['match', 'count', 'noValues']),
  zscan: new Set(['match', 'count'])
}

/** The words after the cursor for `options`; throws a TierCacheTypeError for bad ones. */
function scanWords (command, options) {
  if (options === undefined || options === null) return []
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TierCacheTypeError(`${command}Stream(options): options must be an object`, CODES.INVALID_ARGUMENT)
  }
  const allowed = OPTIONS[command]
  for (const name of Object.keys(options)) {
    // ioredis passes the rest to the Readable; take only what a Readable reads harmlessly.
    if (!allowed.has(name) && name !== 'highWaterMark') {
      throw new TierCacheTypeError(`${command}Stream: unknown option ${JSON.stringify(name)}`, CODES.INVALID_ARGUMENT)
    }
  }
  const words = []
  const { match, count, type, noValues } = options
  if (match !== undefined && match !== null && match !== '') {
    if (typeof match !== 'string' && !Buffer.isBuffer(match)) throw new TierCacheTypeError(`${command}Stream: match must be a string`, CODES.INVALID_ARGUMENT)
    words.push('MATCH', match)
  }
  if (type !== undefined && type !== null && type !== '') {
    if (typeof type !== 'string') throw new TierCacheTypeError('scanStream: type must be a string', CODES.INVALID_ARGUMENT)
    words.push('TYPE', type)
  }
  if (count !== undefined && count !== null && count !== 0) {
    if (typeof count !== 'number' && typeof count !== 'string') throw new TierCacheTypeError(`${command}Stream: count must be a number`, CODES.INVALID_ARGUMENT)
    words.push('COUNT', String(count))
  }
  if (noValues) words.push('NOVALUES')
  return words
}

class ScanStream extends Readable {
  /**
   * @param {object} cache the TierCache
   * @param {'scan'|'sscan'|'hscan'|'zscan'} command
   * @param {string|undefined} key the key of sscan/hscan/zscan
   * @param {object|undefined} options ioredis's { match, count, type, noValues }
   */
  constructor (cache, command, key, options) {
    // Options are read once, here, whatever they are (a getter may throw):
    // what goes wrong is the stream's error, never a throw from the call.
    let words = null
    let highWaterMark
    let failure
    try {
      words = scanWords(command, options)
      const hwm = options === undefined || options === null ? undefined : options.highWaterMark
      if (hwm !== undefined && (typeof hwm !== 'number' || !Number.isSafeInteger(hwm) || hwm < 1)) {
        throw new TierCacheTypeError(`${command}Stream: highWaterMark must be a positive integer`, CODES.INVALID_ARGUMENT)
      }
      highWaterMark = hwm
    } catch (err) {
      words = null
      failure = err instanceof TierCacheTypeError ? err : new TierCacheTypeError(`${command}Stream: the options cannot be read`, CODES.INVALID_ARGUMENT, { cause: err })
    }
    super({ objectMode: true, highWaterMark })
    this._cache = cache
    this._command = command
    this._key = key
    this._cursor = '0'
    this._drained = false
    this._words = words
    if (failure !== undefined) process.nextTick(() => this.destroy(failure))
  }

  _read () {
    if (this._words === null) return
    if (this._drained) {
      this.push(null)
      return
    }
    this._page().then((reply) => {
      if (this.destroyed) return
      const [cursor, items] = reply
      this._cursor = Buffer.isBuffer(cursor) ? cursor.toString() : String(cursor)
      if (this._cursor === '0') this._drained = true
      this.push(items)
    }, (err) => this.destroy(err))
  }

  /** One SCAN reply, [cursor, items], through the cache's scan or the generic path. */
  _page () {
    const cache = this._cache
    if (this._command === 'scan') return cache._scanPage(this._cursor, ...this._words)
    return answer(undefined, () => sendCommand(cache, this._command, [this._key, this._cursor, ...this._words], false))
  }

  /** As ioredis: no SCAN after the one in flight; the stream ends after it. */
  close () {
    this._drained = true
  }
}

/** Installs scanStream, sscanStream, hscanStream, zscanStream on `TierCache.prototype`. */
function install (TierCache) {
  const define = (name, fn) => Object.defineProperty(TierCache.prototype, name, { value: fn, writable: true, configurable: true })
  define('scanStream', function (options) { return new ScanStream(this, 'scan', undefined, options) })
  for (const command of ['sscan', 'hscan', 'zscan']) {
    define(`${command}Stream`, function (key, options) { return new ScanStream(this, command, key, options) })
  }
}

module.exports = { install, ScanStream, scanWords }
