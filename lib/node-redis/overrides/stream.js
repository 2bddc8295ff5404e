'use strict'
// node-redis's stream commands: their option objects become Redis's words
// (XADD's message object and TRIM, XREAD's { key, id } streams after the
// options, COUNT, MKSTREAM, …), and their RESP2 replies become node-redis's
// objects: a message is { id, message: { field: value } }, XREAD answers
// [{ name, messages }] (null when nothing came), XAUTOCLAIM { nextId,
// messages, deletedMessages }, XPENDING { pending, firstId, lastId,
// consumers: [{ name, deliveriesCounter }] }, the XINFO replies objects.

/**
 * A flat [field, value, …] list as an object (node-redis's tuples reply). A
 * field named `__proto__` is an own field, as in hgetall's object (node-redis
 * drops it): a message's fields are the sender's data.
 */
function tuples (list) {
  const out = {}
  for (let i = 0; i + 1 < list.length; i += 2) {
    const field = String(list[i])
    if (field === '__proto__') Object.defineProperty(out, field, { value: list[i + 1], enumerable: true, configurable: true, writable: true })
    else out[field] = list[i + 1]
  }
  return out
}

/** [id, [field, value, …]] → { id, message }; a deleted entry (null) stays null. */
function messageReply (entry) {
  if (entry === null || entry === undefined) return null
  return { id: entry[0], message: tuples(entry[1] ?? []) }
}

/** XRANGE / XREVRANGE / XCLAIM: the messages. */
function messagesReply (reply) {
  return Array.isArray(reply) ? reply.map(messageReply) : reply
}

/** XREAD / XREADGROUP: [{ name, messages }], or null when nothing came. */
function streamsReply (reply) {
  if (!Array.isArray(reply)) return null
  return reply.map(([name, messages]) => ({ name, messages: messagesReply(messages) }))
}

/** XAUTOCLAIM: { nextId, messages, deletedMessages }. */
function autoClaimReply (reply) {
  return { nextId: reply[0], messages: messagesReply(reply[1]), deletedMessages: reply[2] }
}

/** XAUTOCLAIM … JUSTID: the same with message ids. */
function autoClaimJustIdReply (reply) {
  return { nextId: reply[0], messages: reply[1], deletedMessages: reply[2] }
}

/** XPENDING key group: the summary. */
function pendingReply (reply) {
  const consumers = reply[3]
  return {
    pending: reply[0],
    firstId: reply[1],
    lastId: reply[2],
    consumers: consumers === null ? null : consumers.map(([name, count]) => ({ name, deliveriesCounter: Number(count) }))
  }
}

/** XPENDING key group start end count: one object per pending message. */
function pendingRangeReply (reply) {
  return reply.map(([id, consumer, millisecondsSinceLastDelivery, deliveriesCounter]) =>
    ({ id, consumer, millisecondsSinceLastDelivery, deliveriesCounter }))
}

/** XINFO STREAM: an object; its first and last entries as messages. */
function infoStreamReply (reply) {
  const out = {}
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const name = reply[i]
    out[name] = name === 'first-entry' || name === 'last-entry' ? messageReply(reply[i + 1]) : reply[i + 1]
  }
  return out
}

/** XINFO GROUPS / XINFO CONSUMERS: one object per group or consumer, with the fields node-redis keeps. */
function infoListReply (fields) {
  return (reply) => reply.map((item) => {
    const all = tuples(item)
    const out = {}
    for (const f of fields) out[f] = all[f]
    return out
  })
}

/** (key, id, message, { TRIM, policy }) → the words of XADD after its name. */
function xAddArguments (key, id, message, options) {
  const words = [key]
  if (options?.policy) words.push(options.policy)
  const trim = options?.TRIM
  if (trim) {
    words.push(trim.strategy)
    if (trim.strategyModifier) words.push(trim.strategyModifier)
    words.push(trim.threshold)
    if (trim.limit !== undefined) words.push('LIMIT', trim.limit)
    if (trim.policy) words.push(trim.policy)
  }
  words.push(id)
  for (const [field, value] of Object.entries(message)) words.push(field, value)
  return words
}

/** XADD … NOMKSTREAM. */
function xAddNoMkStreamArguments (key, id, message, options) {
  const [k, ...rest] = xAddArguments(key, id, message, options)
  return [k, 'NOMKSTREAM', ...rest]
}

/** The option words XREAD and XREADGROUP share, then STREAMS, the keys, the ids. */
function readWords (streams, options, extra) {
  const words = []
  for (const name of ['COUNT', 'MAXCOUNT', 'MAXSIZE', 'BLOCK', ...extra]) {
    if (options?.[name] !== undefined) words.push(name, options[name])
  }
  if (options?.NOACK) words.push('NOACK')
  const list = Array.isArray(streams) ? streams : [streams]
  words.push('STREAMS', ...list.map((s) => s.key), ...list.map((s) => s.id))
  return words
}

/** (streams, { COUNT, BLOCK }) → XREAD's words. */
function xReadArguments (streams, options) {
  return readWords(streams, options, [])
}

/** (group, consumer, streams, { COUNT, BLOCK, NOACK }) → XREADGROUP's words. */
function xReadGroupArguments (group, consumer, streams, options) {
  return ['GROUP', group, consumer, ...readWords(streams, options, ['CLAIM'])]
}

/** (key, start, end, { COUNT }) → XRANGE / XREVRANGE's words. */
function xRangeArguments (key, start, end, options) {
  const words = [key, start, end]
  if (options?.COUNT !== undefined) words.push('COUNT', options.COUNT)
  return words
}

/** (key, group, consumer, minIdleTime, start, { COUNT }). */
function xAutoClaimArguments (key, group, consumer, minIdleTime, start, options) {
  const words = [key, group, consumer, minIdleTime, start]
  if (options?.COUNT) words.push('COUNT', options.COUNT)
  return words
}

/** (key, group, consumer, minIdleTime, ids, { IDLE, TIME, RETRYCOUNT, FORCE, LASTID }). */
function xClaimArguments (key, group, consumer, minIdleTime, ids, options) {
  const words = [key, group, consumer, minIdleTime, ...(Array.isArray(ids) ? ids : [ids])]
  if (options?.IDLE !== undefined) words.push('IDLE', options.IDLE)
  if (options?.TIME !== undefined) words.push('TIME', options.TIME instanceof Date ? options.TIME.getTime() : options.TIME)
  if (options?.RETRYCOUNT !== undefined) words.push('RETRYCOUNT', options.RETRYCOUNT)
  if (options?.FORCE) words.push('FORCE')
  if (options?.LASTID !== undefined) words.push('LASTID', options.LASTID)
  return words
}

/** (key, group, id, { MKSTREAM, ENTRIESREAD }) → the words after XGROUP CREATE. */
function xGroupCreateArguments (key, group, id, options) {
  const words = [key, group, id]
  if (options?.MKSTREAM) words.push('MKSTREAM')
  if (options?.ENTRIESREAD !== undefined) words.push('ENTRIESREAD', options.ENTRIESREAD)
  return words
}

/** (key, strategy, threshold, { strategyModifier, LIMIT, policy }). */
function xTrimArguments (key, strategy, threshold, options) {
  const words = [key, strategy]
  if (options?.strategyModifier !== undefined) words.push(options.strategyModifier)
  words.push(threshold)
  if (options?.strategyModifier === '~' && options.LIMIT !== undefined) words.push('LIMIT', options.LIMIT)
  if (options?.policy) words.push(options.policy)
  return words
}

/** (key, group, start, end, count, { IDLE, consumer }) → XPENDING's extended form. */
function xPendingRangeArguments (key, group, start, end, count, options) {
  const words = [key, group]
  if (options?.IDLE !== undefined) words.push('IDLE', options.IDLE)
  words.push(start, end, count)
  if (options?.consumer) words.push(options.consumer)
  return words
}

/** (key, lastId, { ENTRIESADDED, MAXDELETEDID }). */
function xSetIdArguments (key, lastId, options) {
  const words = [key, lastId]
  if (options?.ENTRIESADDED !== undefined) words.push('ENTRIESADDED', options.ENTRIESADDED)
  if (options?.MAXDELETEDID) words.push('MAXDELETEDID', options.MAXDELETEDID)
  return words
}

/** The stream overrides, by node-redis method name. */
const STREAM_OVERRIDES = {
  xAdd: { args: xAddArguments },
  xAddNoMkStream: { args: xAddNoMkStreamArguments },
  xRead: { args: xReadArguments, reply: streamsReply },
  xReadGroup: { args: xReadGroupArguments, reply: streamsReply },
  xRange: { args: xRangeArguments, reply: messagesReply },
  xRevRange: { args: xRangeArguments, reply: messagesReply },
  xAutoClaim: { args: xAutoClaimArguments, reply: autoClaimReply },
  xAutoClaimJustId: { args: xAutoClaimArguments, append: ['JUSTID'], reply: autoClaimJustIdReply },
  xClaim: { args: xClaimArguments, reply: messagesReply },
  xClaimJustId: { args: xClaimArguments, append: ['JUSTID'] },
  xGroupCreate: { args: xGroupCreateArguments },
  xTrim: { args: xTrimArguments },
  xPending: { reply: pendingReply },
  xPendingRange: { args: xPendingRangeArguments, reply: pendingRangeReply },
  xSetId: { args: xSetIdArguments },
  xInfoStream: { reply: infoStreamReply },
  xInfoGroups: { reply: infoListReply(['name', 'consumers', 'pending', 'last-delivered-id', 'entries-read', 'lag']) },
  xInfoConsumers: { reply: infoListReply(['name', 'pending', 'idle', 'inactive']) }
}

module.exports = { STREAM_OVERRIDES, messageReply, tuples }
