'use strict'
// The lines of Redis's MONITOR stream (lib/monitor.js), as ioredis's
// 'monitor' event gives them.

/**
 * Redis's MONITOR line `1339518083.107412 [0 127.0.0.1:60866] "set" "k" "v"`
 * as `{ time, args, source, database }`, arguments unescaped as Redis
 * escaped them (sdscatrepr: `\"`, `\\`, `\n`, `\r`, `\t`, `\a`, `\b`, and
 * `\xHH` for any other byte, UTF-8 decoded), or null for a line of another
 * shape. ioredis unescapes `\"` only.
 */
function parseMonitorLine (line) {
  const head = /^(\S+) \[(\d+) ([^\]]*)\] /.exec(line)
  if (head === null) return null
  const args = []
  let i = head[0].length
  while (i < line.length) {
    if (line[i] !== '"') return null
    const bytes = []
    i++
    for (;;) {
      if (i >= line.length) return null
      const c = line[i]
      if (c === '"') break
      if (c === '\\') {
        const e = line[i + 1]
        if (e === 'x') {
          bytes.push(parseInt(line.slice(i + 2, i + 4), 16))
          i += 4
          continue
        }
        bytes.push(ESCAPES[e] ?? e.charCodeAt(0))
        i += 2
        continue
      }
      // Redis escapes every byte that is not printable ASCII: c is one.
      bytes.push(c.charCodeAt(0))
      i++
    }
    args.push(Buffer.from(bytes).toString('utf8'))
    i++
    if (line[i] === ' ') i++
  }
  return { time: head[1], args, source: head[3], database: head[2] }
}

const ESCAPES = { n: 10, r: 13, t: 9, a: 7, b: 8, '\\': 92, '"': 34 }

module.exports = { parseMonitorLine }
