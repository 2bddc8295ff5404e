'use strict'
// node-redis's SCAN family: scan(cursor, { MATCH, COUNT, TYPE }) →
// { cursor, keys }, hScan(key, cursor, { MATCH, COUNT }) → { cursor,
// entries: [{ field, value }] }, hScanNoValues → { cursor, fields },
// sScan → { cursor, members }, zScan → { cursor, members: [{ value, score }] }.
// The cursor stays a string (it may exceed 2^53). ioredis takes the words
// and answers [cursor, items].

const { TierCacheTypeError, CODES } = require('../../errors')
const { sortedSetReply } = require('./sorted-set')

const OPTION_NAMES = new Set(['MATCH', 'COUNT', 'TYPE', 'cursor'])

/** The cursor and MATCH/COUNT(/TYPE) words; `typed` allows TYPE (SCAN only). */
function scanWords (cursor, options, typed) {
  const out = [cursor === undefined ? '0' : cursor]
  if (options === undefined || options === null) return out
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TierCacheTypeError('scan options must be an object { MATCH, COUNT' + (typed ? ', TYPE }' : ' }'), CODES.INVALID_ARGUMENT)
  }
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.has(name) || (name === 'TYPE' && !typed)) {
      throw new TierCacheTypeError(`unknown scan option ${JSON.stringify(name)}`, CODES.SYNTAX)
    }
  }
  if (options.MATCH !== undefined) out.push('MATCH', options.MATCH)
  // node-redis leaves COUNT out when it is 0 or undefined.
  if (options.COUNT) out.push('COUNT', options.COUNT)
  if (typed && options.TYPE) out.push('TYPE', options.TYPE)
  return out
}

/** hScan / sScan / zScan: key, cursor, options → words after the command name. */
function keyScanArguments (key, cursor, options) {
  return [key, ...scanWords(cursor, options, false)]
}

function page (reply) {
  if (!Array.isArray(reply) || reply.length !== 2) return null
  return [String(reply[0]), Array.isArray(reply[1]) ? reply[1] : []]
}

function scanReply (reply) {
  const p = page(reply)
  return p === null ? reply : { cursor: p[0], keys: p[1] }
}

function hScanReply (reply) {
  const p = page(reply)
  if (p === null) return reply
  const entries = []
  for (let i = 0; i + 1 < p[1].length; i += 2) entries.push({ field: p[1][i], value: p[1][i + 1] })
  return { cursor: p[0], entries }
}

function hScanNoValuesReply (reply) {
  const p = page(reply)
  return p === null ? reply : { cursor: p[0], fields: p[1] }
}

function sScanReply (reply) {
  const p = page(reply)
  return p === null ? reply : { cursor: p[0], members: p[1] }
}

function zScanReply (reply) {
  const p = page(reply)
  return p === null ? reply : { cursor: p[0], members: sortedSetReply(p[1]) }
}

module.exports = { scanWords, keyScanArguments, scanReply, hScanReply, hScanNoValuesReply, sScanReply, zScanReply }
