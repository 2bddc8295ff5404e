'use strict'
// A private Redis Sentinel topology for failover tests: a primary, one
// replica and N sentinels, all redis-server processes on free loopback ports,
// each with its own temporary directory. Tests never touch a Redis they did
// not start (port 6379 may belong to someone else).
//
//   const { startSentinels } = require('./support/sentinel')
//   let topology
//   before(async () => { topology = await startSentinels() })
//   after(() => topology.stop())   // always: a failed test must not leak
//   new Redis({ sentinels: topology.sentinels, name: topology.name })
//   await topology.failover()      // SENTINEL FAILOVER, resolved once agreed
//   await topology.killPrimary()   // SIGKILL, resolved once a replica took over
//
// Callers must call `stop()` in an `after` hook. As a safety net, children
// still alive when this process exits are SIGKILLed ('exit' handler); that
// does not run if this process itself dies of a signal.
//
// Set TIERCACHE_SENTINEL_LOG=1 to copy the sentinels' logs (+sdown, +odown,
// +switch-master...) to stderr.

const { spawn } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const net = require('node:net')
const { freePort } = require('./redis-server')
const { remember, startDataNode, waitFor: waitForAny } = require('./processes')

const HOST = '127.0.0.1'

/** An error reply from Redis (-ERR ..., -NOGOODSLAVE ...). */
class ReplyError extends Error {}

/**
 * Parses one RESP2 value of `buf` at `at`. Returns { value, next } or null
 * when `buf` does not hold the whole value yet. Errors nested in arrays (EXEC)
 * come back as ReplyError values; nil bulk strings and arrays as null.
 */
function parseReply (buf, at) {
  const eol = buf.indexOf('\r\n', at)
  if (eol === -1) return null
  const line = buf.toString('utf8', at + 1, eol)
  const next = eol + 2
  switch (buf[at]) {
    case 0x2b: return { value: line, next } // +
    case 0x2d: return { value: new ReplyError(line), next } // -
    case 0x3a: return { value: Number(line), next } // :
    case 0x24: { // $
      const length = Number(line)
      if (length < 0) return { value: null, next }
      // Lengths count bytes: slice the buffer, not a decoded string.
      if (buf.length < next + length + 2) return null
      return { value: buf.toString('utf8', next, next + length), next: next + length + 2 }
    }
    case 0x2a: { // *
      const count = Number(line)
      if (count < 0) return { value: null, next }
      const items = []
      let from = next
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, from)
        if (item === null) return null
        items.push(item.value)
        from = item.next
      }
      return { value: items, next: from }
    }
    default:
      throw new Error(`unexpected RESP type byte ${buf[at]}`)
  }
}

/**
 * Sends one command as a RESP array on a fresh connection and resolves with
 * the whole parsed reply (redis-server.js's `ask` returns the first line
 * only, too little for SENTINEL replicas or INFO). An error reply rejects
 * with a ReplyError; no reply within `timeoutMs` rejects too.
 */
function commandWithin (timeoutMs, port, ...args) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, HOST)
    let buf = Buffer.alloc(0)
    const fail = (err) => {
      clearTimeout(timer)
      socket.destroy()
      reject(err)
    }
    const timer = setTimeout(() => fail(new Error(`redis on ${port}: no reply to ${args.join(' ')} within ${timeoutMs} ms`)), timeoutMs)
    socket.on('connect', () => {
      let request = `*${args.length}\r\n`
      for (const arg of args) request += `$${Buffer.byteLength(String(arg))}\r\n${arg}\r\n`
      socket.write(request)
    })
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk])
      let reply
      try {
        reply = parseReply(buf, 0)
      } catch (err) {
        return fail(err)
      }
      if (reply === null) return
      clearTimeout(timer)
      socket.end()
      if (reply.value instanceof ReplyError) reject(reply.value)
      else resolve(reply.value)
    })
    socket.on('error', fail)
    socket.on('close', () => fail(new Error(`redis on ${port}: connection closed before the reply to ${args.join(' ')}`)))
  })
}

/** `commandWithin` with a 2 s timeout: `command(port, 'SENTINEL', 'masters')`. */
function command (port, ...args) {
  return commandWithin(2000, port, ...args)
}

/** A flat [field, value, field, value...] reply (SENTINEL replicas) as an object. */
function fields (flat) {
  const object = {}
  for (let i = 0; i + 1 < flat.length; i += 2) object[flat[i]] = flat[i + 1]
  return object
}


/** The shared bounded wait (support/processes.js), its errors naming this topology. */
const waitFor = (...args) => waitForAny('sentinel topology', ...args)


/**
 * Starts `redis-server <conf> --sentinel` (the redis-server binary: a
 * `redis-sentinel` link may not exist) on a free port, in its own temporary
 * directory: sentinel rewrites its config file (myid, epochs, discovered
 * replicas and sentinels), so the file must be writable and private.
 */
async function startSentinel ({ name, primaryPort, quorum, downAfterMs, failoverTimeoutMs, args, startTimeoutMs = 5000 }) {
  const port = await freePort()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiercache-sentinel-'))
  const conf = path.join(dir, 'sentinel.conf')
  fs.writeFileSync(conf, [
    `port ${port}`,
    `bind ${HOST}`,
    'daemonize no',
    'logfile ""',
    `dir ${dir}`,
    `sentinel monitor ${name} ${HOST} ${primaryPort} ${quorum}`,
    `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
    `sentinel failover-timeout ${name} ${failoverTimeoutMs}`,
    `sentinel parallel-syncs ${name} 1`,
    ''
  ].join('\n'))
  // Extra args go on the command line, applied after the file:
  // ['--sentinel', 'auth-pass', 'mymaster', 'secret'] or ['--loglevel', 'debug'].
  const child = spawn('redis-server', [conf, '--sentinel', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  // The last log lines, for timeout errors; all of them with TIERCACHE_SENTINEL_LOG.
  const log = []
  const echo = process.env.TIERCACHE_SENTINEL_LOG
  const keep = (chunk) => {
    if (echo) process.stderr.write(`[sentinel ${port}] ${chunk}`)
    log.push(...String(chunk).split('\n').filter(Boolean))
    if (log.length > 40) log.splice(0, log.length - 40)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  let exited = null
  const forget = remember(() => {
    child.kill('SIGKILL')
    fs.rmSync(dir, { recursive: true, force: true })
  })
  const gone = new Promise((resolve) => child.once('exit', (code, signal) => {
    exited = { code, signal }
    forget()
    fs.rmSync(dir, { recursive: true, force: true })
    resolve()
  }))
  const sentinel = {
    host: HOST,
    port,
    pid: child.pid,
    log,
    get alive () { return exited === null },
    kill: async () => {
      if (exited === null) child.kill('SIGKILL')
      await gone
    }
  }
  try {
    await waitFor(`sentinel on port ${port} to answer PING`, startTimeoutMs, async () => {
      if (exited) throw Object.assign(new Error(`sentinel on port ${port} exited at start (${JSON.stringify(exited)}): ${log.slice(-5).join(' | ')}`), { fatal: true })
      return await commandWithin(200, port, 'PING') === 'PONG'
    })
  } catch (err) {
    await sentinel.kill()
    throw err
  }
  return sentinel
}

/**
 * Starts a primary, one replica of it and `sentinels` sentinels monitoring
 * the primary as `name` (quorum 2, or 1 with a single sentinel), and resolves
 * once every sentinel reports the primary, the replica (link up) and all the
 * other sentinels (discovered through the primary's hello channel: a couple
 * of seconds). `masterArgs` go to both data nodes (either may be master
 * after a failover); `sentinelArgs` are appended to each sentinel's command
 * line. This module's own probes do not authenticate: with --requirepass,
 * expect its waits to time out.
 *
 * `sentinelDebug` ({ 'info-period': 1000, 'publish-period': 500 }) is sent
 * to each sentinel as SENTINEL DEBUG (Redis 7+): the stock periods (INFO
 * every 10 s, hello every 2 s) are what make `settle()` after a SENTINEL
 * FAILOVER take ~20 s; with those two values it takes ~3 s. Off by default:
 * stock timings are what clients meet in production.
 *
 * Resolves with the topology:
 *   name, sentinels: [{ host, port }] (as ioredis takes them),
 *   nodes: [startRedis handle + alive] (the two data servers),
 *   sentinelProcesses: [{ host, port, pid, log, alive, kill() }],
 *   primary(), replica(), masterPort(), settle(), failover(), killPrimary(),
 *   restart(handle), stop() (see each below).
 */
async function startSentinels ({
  name = 'mymaster',
  sentinels: count = 3,
  downAfterMs = 1000,
  failoverTimeoutMs = 5000,
  masterArgs = [],
  sentinelArgs = [],
  sentinelDebug = {},
  readyTimeoutMs = 20000
} = {}) {
  const nodes = []
  const sentinelProcesses = []

  /** Everything stopped, whatever already died; never throws. */
  async function stop () {
    // Sentinels first, so none starts a failover while the data nodes go.
    // SIGKILL throughout: nothing is persisted, and a SIGTERMed 7.0 primary
    // may wait up to shutdown-timeout (10 s) for a lagging replica.
    await Promise.all(sentinelProcesses.map((s) => s.kill().catch(() => {})))
    await Promise.all(nodes.map((n) => n.kill().catch(() => {})))
  }

  // Redis 7 syncs replicas diskless by default, after waiting 5 s for more
  // replicas to share the transfer: without this, every (re)sync of a
  // replica takes 5 s. masterArgs come after, so a test can put it back.
  const dataArgs = ['--repl-diskless-sync-delay', '0', ...masterArgs]
  try {
    const primary = await startDataNode({ args: dataArgs })
    nodes.push(primary)
    const replica = await startDataNode({ args: [...dataArgs, '--replicaof', HOST, String(primary.port)] })
    nodes.push(replica)
    await waitFor(`replica ${replica.port} to sync with primary ${primary.port}`, readyTimeoutMs,
      async () => (await command(replica.port, 'INFO', 'replication')).includes('master_link_status:up'))
    const quorum = Math.min(2, count)
    for (let i = 0; i < count; i++) {
      const sentinel = await startSentinel({
        name, primaryPort: primary.port, quorum, downAfterMs, failoverTimeoutMs, args: sentinelArgs
      })
      sentinelProcesses.push(sentinel)
      const debug = Object.entries(sentinelDebug).flat().map(String)
      if (debug.length > 0) await command(sentinel.port, 'SENTINEL', 'DEBUG', ...debug)
    }
  } catch (err) {
    await stop()
    throw err
  }

  const nodeOn = (port) => nodes.find((n) => n.port === port)

  /** The master port `sentinel` (a port) reports for `name`. */
  async function reportedMasterPort (sentinelPort) {
    const [, port] = await command(sentinelPort, 'SENTINEL', 'get-master-addr-by-name', name)
    return Number(port)
  }

  /** Whether `port` answers ROLE as a master. */
  async function isMaster (port) {
    try {
      const [role] = await command(port, 'ROLE')
      return role === 'master'
    } catch {
      return false
    }
  }

  // Why a settle/failover wait is still waiting, for its timeout error.
  let lastState = ''

  /**
   * Resolves `true` when every sentinel reports `masterPort` as master,
   * lists every live node other than it as a healthy replica (flags exactly
   * "slave", master link ok) and knows all the other sentinels; `false`
   * otherwise, with the reason in lastState.
   */
  async function agreed (masterPort) {
    for (const s of sentinelProcesses) {
      const reported = await reportedMasterPort(s.port)
      if (reported !== masterPort) {
        lastState = `sentinel ${s.port} reports master ${reported}, not ${masterPort}`
        return false
      }
      const replicas = (await command(s.port, 'SENTINEL', 'replicas', name)).map(fields)
      for (const n of nodes) {
        if (n.port === masterPort || !n.alive) continue
        const r = replicas.find((r) => Number(r.port) === n.port)
        if (!r || r.flags !== 'slave' || r['master-link-status'] !== 'ok' || Number(r['master-port']) !== masterPort) {
          lastState = `sentinel ${s.port} sees replica ${n.port} as ${r ? `${r.flags}, link ${r['master-link-status']}, master ${r['master-port']}` : 'unknown'}`
          return false
        }
      }
      const peers = await command(s.port, 'SENTINEL', 'sentinels', name)
      if (peers.length !== sentinelProcesses.length - 1) {
        lastState = `sentinel ${s.port} knows ${peers.length} of ${sentinelProcesses.length - 1} other sentinels`
        return false
      }
    }
    if (!await isMaster(masterPort)) {
      lastState = `${masterPort} does not answer ROLE as master`
      return false
    }
    return true
  }

  /** Every sentinel reports `port` as master, and it answers ROLE master. */
  async function allReport (port) {
    for (const s of sentinelProcesses) {
      const reported = await reportedMasterPort(s.port)
      if (reported !== port) {
        lastState = `sentinel ${s.port} reports master ${reported}`
        return false
      }
    }
    if (!await isMaster(port)) {
      lastState = `${port} does not answer ROLE as master yet`
      return false
    }
    return true
  }

  const topology = {
    name,
    sentinels: sentinelProcesses.map((s) => ({ host: s.host, port: s.port })),
    nodes,
    sentinelProcesses,

    /** The port sentinel #0 currently reports as master. */
    masterPort: () => reportedMasterPort(sentinelProcesses[0].port),

    /** The handle of the node sentinel #0 currently reports as master. */
    async primary () {
      const port = await topology.masterPort()
      const node = nodeOn(port)
      if (!node) throw new Error(`sentinel reports master ${port}, which is none of this topology's nodes`)
      return node
    },

    /** The other data node (a replica, or a dead former primary). */
    async replica () {
      const port = await topology.masterPort()
      return nodes.find((n) => n.port !== port)
    },

    /**
     * Resolves with the primary's handle once the topology is at rest: every
     * sentinel agrees on the master, sees each live other node as its
     * healthy replica and knows every other sentinel. After a SENTINEL
     * FAILOVER the old primary stays a master until a sentinel converts it
     * (~10 s) and the sentinels re-read its INFO (every 10 s): ~20 s in all
     * with stock periods. A second failover or a killPrimary called sooner
     * would find no promotable replica, so both settle first.
     */
    async settle ({ timeoutMs = 40000 } = {}) {
      const port = await waitFor('sentinels to agree on the topology', timeoutMs, async () => {
        const port = await topology.masterPort()
        return await agreed(port) && port
      }, () => lastState)
      return nodeOn(port)
    },

    /**
     * Settles (see settle()), sends SENTINEL FAILOVER to sentinel #0 (retried
     * while it answers NOGOODSLAVE or INPROG) and resolves with the new
     * primary's handle once every sentinel reports the other node as master
     * and it answers ROLE master; `timeoutMs` bounds that part. The old
     * primary is still a master then, its clients still connected, until a
     * sentinel converts it to a replica (~10 s later): a client that does
     * not follow +switch-master keeps writing there, and those writes are
     * lost when it resyncs.
     */
    async failover ({ timeoutMs = failoverTimeoutMs + 15000 } = {}) {
      const old = await topology.settle()
      const next = nodes.find((n) => n !== old)
      if (!next.alive) throw new Error(`failover: replica ${next.port} is not running (restart it first)`)
      const deadline = Date.now() + timeoutMs
      await waitFor('SENTINEL FAILOVER to be accepted', Math.max(0, deadline - Date.now()), async () => {
        try {
          return await command(sentinelProcesses[0].port, 'SENTINEL', 'FAILOVER', name) === 'OK'
        } catch (err) {
          if (!/^(NOGOODSLAVE|INPROG)/.test(err.message)) throw err
          lastState = err.message
          return false
        }
      }, () => lastState)
      await waitFor(`every sentinel to report ${next.port} as master after SENTINEL FAILOVER`,
        Math.max(0, deadline - Date.now()), () => allReport(next.port), () => lastState)
      return next
    },

    /**
     * Settles (see settle()), SIGKILLs the current primary and resolves with
     * { killed, promoted } once every sentinel reports the replica as master
     * and it answers ROLE master (`timeoutMs` bounds that part):
     * down-after-milliseconds, then quorum, election and promotion.
     */
    async killPrimary ({ timeoutMs = downAfterMs + 15000 } = {}) {
      const killed = await topology.settle()
      const promoted = nodes.find((n) => n !== killed)
      if (!promoted.alive) throw new Error('killPrimary: no live replica to promote')
      await killed.kill()
      await waitFor(`sentinels to promote ${promoted.port} after killing ${killed.port}`, timeoutMs,
        () => allReport(promoted.port), () => lastState)
      return { killed, promoted }
    },

    /**
     * Brings a killed or stopped node back on its port as a replica of the
     * current master and resolves with its new handle (it replaces the old
     * one in `nodes`) once it is in sync and every sentinel sees it as a
     * healthy replica again (~1 s).
     */
    async restart (handle, { timeoutMs = 30000 } = {}) {
      const index = nodes.indexOf(handle)
      if (index === -1) throw new Error('restart: not a node of this topology')
      if (handle.alive) throw new Error(`restart: node ${handle.port} is still running`)
      const masterPort = await topology.masterPort()
      const node = await startDataNode({ port: handle.port, args: [...dataArgs, '--replicaof', HOST, String(masterPort)] })
      nodes[index] = node
      await waitFor(`restarted node ${node.port} to sync and be seen by every sentinel`, timeoutMs,
        () => agreed(masterPort), () => lastState)
      return node
    },

    stop
  }

  try {
    const primaryPort = nodes[0].port
    await waitFor(`sentinels to agree on primary ${primaryPort}, its replica and each other`, readyTimeoutMs,
      () => agreed(primaryPort), () => lastState)
  } catch (err) {
    const tail = sentinelProcesses.map((s) => `sentinel ${s.port}: ${s.log.slice(-3).join(' | ')}`).join('\n')
    await stop()
    throw new Error(`${err.message}\n${tail}`)
  }
  return topology
}

module.exports = { startSentinels, command, commandWithin, ReplyError }
