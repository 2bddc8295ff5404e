'use strict'
// Generates lib/node-redis/methods.d.ts, the typings of the node-redis
// flavour's command methods (lib/node-redis/methods.js): camelCase and
// UPPER-CASE names. index.d.ts merges the interface into NodeRedisClient.
//
//   node scripts/gen-node-redis-typings.js
//
// Loads the module (the built addon) to list exactly the methods defined.
// A method served by the ioredis flavour's hand-written method has its
// typing; the overrides have node-redis's shapes (TYPED below); the rest
// take Redis's words and answer `unknown`.

const fs = require('node:fs')
const path = require('node:path')

const ROOT = path.join(__dirname, '..')
const OUT = path.join(ROOT, 'lib', 'node-redis', 'methods.d.ts')

const ARG = 'TierCache.CommandArgument'
const SCAN = 'cursor: string | number, options?: TierCache.NodeRedisScanOptions'
const KEY = 'key: TierCache.KeyType'
const SCORED = 'Array<TierCache.NodeRedisScoredMember>'
const EVAL = '(script: string, options?: TierCache.NodeRedisEvalOptions): Promise<unknown>'
const MESSAGES = 'TierCache.NodeRedisStreamMessage[]'
const STREAMS = 'TierCache.NodeRedisStreamMessages[] | null'

// node-redis's signatures where the flavour has an override (lib/node-redis/overrides).
const TYPED = {
  getEx: `(${KEY}, options: TierCache.NodeRedisGetExOptions): Promise<string | null>`,
  scan: `(${SCAN}): Promise<TierCache.NodeRedisScanReply>`,
  hScan: `(${KEY}, ${SCAN}): Promise<TierCache.NodeRedisHScanReply>`,
  hScanNoValues: `(${KEY}, ${SCAN}): Promise<TierCache.NodeRedisHScanNoValuesReply>`,
  sScan: `(${KEY}, ${SCAN}): Promise<TierCache.NodeRedisSScanReply>`,
  zScan: `(${KEY}, ${SCAN}): Promise<TierCache.NodeRedisZScanReply>`,
  zAdd: `(${KEY}, members: TierCache.NodeRedisScoredMember | ReadonlyArray<TierCache.NodeRedisScoredMember>, options?: TierCache.NodeRedisZAddOptions): Promise<number>`,
  zIncrBy: `(${KEY}, increment: number, member: string | Buffer): Promise<number>`,
  zScore: `(${KEY}, member: string | Buffer): Promise<number | null>`,
  zmScore: `(${KEY}, members: string | Buffer | ReadonlyArray<string | Buffer>): Promise<Array<number | null>>`,
  geoDist: `(${KEY}, member1: string, member2: string, unit?: 'm' | 'km' | 'mi' | 'ft'): Promise<number | null>`,
  zRange: `(${KEY}, min: string | number, max: string | number, options?: TierCache.NodeRedisZRangeOptions): Promise<string[]>`,
  zRangeWithScores: `(${KEY}, min: string | number, max: string | number, options?: TierCache.NodeRedisZRangeOptions): Promise<${SCORED}>`,
  zRangeByScore: `(${KEY}, min: string | number, max: string | number, options?: TierCache.NodeRedisLimitOptions): Promise<string[]>`,
  zRangeByScoreWithScores: `(${KEY}, min: string | number, max: string | number, options?: TierCache.NodeRedisLimitOptions): Promise<${SCORED}>`,
  zPopMax: `(${KEY}): Promise<TierCache.NodeRedisScoredMember | null>`,
  zPopMin: `(${KEY}): Promise<TierCache.NodeRedisScoredMember | null>`,
  zPopMaxCount: `(${KEY}, count: number): Promise<${SCORED}>`,
  zPopMinCount: `(${KEY}, count: number): Promise<${SCORED}>`,
  configGet: '(parameters: string | ReadonlyArray<string>): Promise<Record<string, string>>',
  hGetAll: `(${KEY}): Promise<Record<string, string>>`,
  eval: EVAL,
  evalRo: EVAL,
  evalSha: EVAL,
  evalShaRo: EVAL,
  fCall: EVAL,
  fCallRo: EVAL,
  xAdd: `(${KEY}, id: string, message: Record<string, string | Buffer | number>, options?: TierCache.NodeRedisXAddOptions): Promise<string>`,
  xAddNoMkStream: `(${KEY}, id: string, message: Record<string, string | Buffer | number>, options?: TierCache.NodeRedisXAddOptions): Promise<string | null>`,
  xRead: `(streams: TierCache.NodeRedisStreamRef | ReadonlyArray<TierCache.NodeRedisStreamRef>, options?: TierCache.NodeRedisXReadOptions): Promise<${STREAMS}>`,
  xReadGroup: `(group: string, consumer: string, streams: TierCache.NodeRedisStreamRef | ReadonlyArray<TierCache.NodeRedisStreamRef>, options?: TierCache.NodeRedisXReadGroupOptions): Promise<${STREAMS}>`,
  xRange: `(${KEY}, start: string, end: string, options?: TierCache.NodeRedisXRangeOptions): Promise<${MESSAGES}>`,
  xRevRange: `(${KEY}, end: string, start: string, options?: TierCache.NodeRedisXRangeOptions): Promise<${MESSAGES}>`,
  xClaim: `(${KEY}, group: string, consumer: string, minIdleTime: number, ids: string | ReadonlyArray<string>, options?: TierCache.NodeRedisXClaimOptions): Promise<Array<TierCache.NodeRedisStreamMessage | null>>`,
  xAutoClaim: `(${KEY}, group: string, consumer: string, minIdleTime: number, start: string, options?: TierCache.NodeRedisXRangeOptions): Promise<TierCache.NodeRedisXAutoClaimReply>`,
  xGroupCreate: `(${KEY}, group: string, id: string, options?: TierCache.NodeRedisXGroupCreateOptions): Promise<'OK'>`,
  xTrim: `(${KEY}, strategy: 'MAXLEN' | 'MINID', threshold: number | string, options?: TierCache.NodeRedisXTrimOptions): Promise<number>`,
  xPending: `(${KEY}, group: string): Promise<TierCache.NodeRedisXPendingReply>`,
  xPendingRange: `(${KEY}, group: string, start: string, end: string, count: number, options?: TierCache.NodeRedisXPendingRangeOptions): Promise<TierCache.NodeRedisXPendingEntry[]>`
}

function render () {
  require(ROOT)
  const { installedMethods } = require('../lib/node-redis/methods')
  const { ARGUMENT_TRANSFORMERS } = require('../lib/commands/transform')
  const lines = [
    '// Generated by scripts/gen-node-redis-typings.js: do not edit.',
    "// The node-redis flavour's command methods (lib/node-redis/methods.js), by",
    "// node-redis's names; index.d.ts merges them into NodeRedisClient.",
    "import TierCache = require('../../index')",
    '',
    'export interface NodeRedisCommands {'
  ]
  for (const { method, upper, command, handWritten } of installedMethods()) {
    let signature
    if (method in TYPED) signature = `${TYPED[method]}`
    else if (handWritten) signature = null
    else {
      const arg = command in ARGUMENT_TRANSFORMERS ? `(${ARG} | TierCache.CommandPairs)` : ARG
      signature = `(...args: ${arg}[]): Promise<unknown>`
    }
    const doc = handWritten && !(method in TYPED)
      ? `  /** ${command.toUpperCase()}: the ioredis flavour's \`${command}\`, served from L1 as it is. */`
      : `  /** ${upper.replace(/_/g, ' ')}${method in TYPED ? ', in node-redis\'s shapes' : ', Redis\'s words as arguments'} (see docs/node-redis.md). */`
    for (const name of [method, upper]) {
      const shown = /^[A-Za-z_$][\w$]*$/.test(name) ? name : `'${name}'`
      lines.push(doc)
      lines.push(signature === null ? `  ${shown}: TierCache['${command}']` : `  ${shown}${signature}`)
    }
  }
  lines.push('}', '')
  return lines.join('\n')
}

if (require.main === module) {
  fs.writeFileSync(OUT, render())
  console.log(`wrote ${path.relative(ROOT, OUT)}`)
}

module.exports = { render, OUT }
