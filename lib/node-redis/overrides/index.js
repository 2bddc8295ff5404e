'use strict'
// Where node-redis's arguments or replies differ from ioredis's, by
// node-redis method name: `args` turns node-redis's arguments into the words
// after the command name (as ioredis takes them), `reply` turns the reply
// (as the ioredis flavour answers it) into node-redis's. Every other method
// sends its arguments flattened, and answers what ioredis answers (which is
// node-redis's RESP2 reply there: a test compares both with real node-redis).
// `append`: words a variant adds after the arguments (zRangeWithScores).

const { doubleReply, doubleArrayReply } = require('./double')
const { sortedSetReply, poppedReply } = require('./sorted-set')
const { zAddArguments } = require('./zadd')
const { zRangeArguments, zRangeByScoreArguments } = require('./zrange')
const { evalArguments } = require('./eval')
const pop = require('./pop')
const { getExArguments } = require('./getex')
const scan = require('./scan')
const { hgetallReply } = require('../../commands/transform/hgetall')
const { STREAM_OVERRIDES } = require('./stream')

/** GEOPOS: [{ longitude, latitude } | null]. */
function geoPosReply (reply) {
  return reply.map((p) => (p === null ? null : { longitude: p[0], latitude: p[1] }))
}

/** PUBSUB NUMSUB: { channel: count }. */
function numSubReply (reply) {
  const out = {}
  for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = Number(reply[i + 1])
  return out
}

const evalOverride = { args: evalArguments }

const OVERRIDES = Object.assign(Object.create(null), {
  scan: { args: (cursor, options) => scan.scanWords(cursor, options, true), reply: scan.scanReply },
  hScan: { args: scan.keyScanArguments, reply: scan.hScanReply },
  hScanNoValues: { args: scan.keyScanArguments, append: ['NOVALUES'], reply: scan.hScanNoValuesReply },
  sScan: { args: scan.keyScanArguments, reply: scan.sScanReply },
  zScan: { args: scan.keyScanArguments, reply: scan.zScanReply },
  zAdd: { args: zAddArguments, reply: doubleReply },
  zIncrBy: { reply: doubleReply },
  zScore: { reply: doubleReply },
  zmScore: { reply: doubleArrayReply },
  geoDist: { reply: doubleReply },
  zRange: { args: zRangeArguments },
  zRangeWithScores: { args: zRangeArguments, append: ['WITHSCORES'], reply: sortedSetReply },
  zRangeByScore: { args: zRangeByScoreArguments },
  zRangeByScoreWithScores: { args: zRangeByScoreArguments, append: ['WITHSCORES'], reply: sortedSetReply },
  zPopMax: { reply: poppedReply },
  zPopMin: { reply: poppedReply },
  zPopMaxCount: { reply: sortedSetReply },
  zPopMinCount: { reply: sortedSetReply },
  configGet: { reply: hgetallReply },
  blPop: { reply: pop.keyElementReply },
  brPop: { reply: pop.keyElementReply },
  bzPopMin: { reply: pop.keyMemberReply },
  bzPopMax: { reply: pop.keyMemberReply },
  lmPop: { args: pop.mPopWords },
  blmPop: { args: pop.blockingMPopWords },
  zmPop: { args: pop.mPopWords, reply: pop.zmPopReply },
  bzmPop: { args: pop.blockingMPopWords, reply: pop.zmPopReply },
  getEx: { args: getExArguments },
  eval: evalOverride,
  evalRo: evalOverride,
  evalSha: evalOverride,
  evalShaRo: evalOverride,
  fCall: evalOverride,
  fCallRo: evalOverride,
  geoPos: { reply: geoPosReply },
  pubSubNumSub: { reply: numSubReply },
  ...STREAM_OVERRIDES
})

module.exports = { OVERRIDES }
