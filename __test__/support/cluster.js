'use strict'
// A private Redis Cluster for cluster tests: masters × (1 + replicasPerMaster)
// redis-server processes on free loopback ports, each in its own temporary
// directory (where its nodes-<port>.conf lands), joined with
// `redis-cli --cluster create`. Tests never touch a Redis they did not start
// (port 6379 may belong to someone else).
//
//   const { startCluster, keyslot } = require('./support/cluster')
//   let cluster
//   before(async () => { cluster = await startCluster() })
//   after(() => cluster.stop())              // always: a failed test must not leak
//   new Redis.Cluster(cluster.seeds)
//   await cluster.masterOf('user:{42}')      // the handle serving that key's slot
//   await cluster.migrateSlot(slot, handle)  // resolved once every node agrees
//   await cluster.killMaster(handle)         // SIGKILL, resolved once a replica took over
//
// Callers must call `stop()` in an `after` hook. As a safety net, children
// still alive when this process exits are SIGKILLed ('exit' handler); that
// does not run if this process itself dies of a signal.
//
// Redis 7.0 notes that shaped this module:
// - The cluster bus listens on port + 10000 unless told otherwise, and the
//   kernel hands out free ports up to 60999: port + 10000 may be taken or
//   above 65535 (redis-server then refuses to start). Each node gets a second
//   free port as --cluster-port (7.0+), which redis-cli passes on to
//   CLUSTER MEET.
// - A master reports cluster_state:fail until 2 s after it started
//   (CLUSTER_WRITABLE_DELAY): a new cluster takes ~2 s whatever its size.
// - A replica whose replication offset is still 0 (a master that has had no
//   write yet) is left out of CLUSTER SLOTS, where clients read the
//   topology: nodes ping their replicas every second here (see
//   startClusterNode), so that lasts ~1 s instead of up to 10 s.
// - For a few hundred ms after redis-cli returns, some nodes still see some
//   replicas as masters without slots: settle() compares CLUSTER NODES too.
// - A master that loses its last slot (migrateSlot of everything it had)
//   turns into a replica of the node that took it
//   (cluster-allow-replica-migration, on by default).
// - Keys and values go through sentinel.js's RESP helpers, which decode bulk
//   strings as UTF-8: migrateSlot moves keys that are valid UTF-8 only.

const { spawn } = require('node:child_process')
const { freePort } = require('./redis-server')
const { command, ReplyError } = require('./sentinel')
const { remember, startDataNode, waitFor: waitForAny, cut } = require('./processes')

const HOST = '127.0.0.1'
const SLOTS = 16384

// CRC16-XMODEM (polynomial 0x1021, initial value 0), Redis's key hash
// (src/crc16.c), table-driven.
const CRC16_TABLE = (() => {
  const table = new Uint16Array(256)
  for (let i = 0; i < 256; i++) {
    let crc = i << 8
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
    table[i] = crc
  }
  return table
})()

function crc16 (bytes, start, end) {
  let crc = 0
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ bytes[i]) & 0xff]
  return crc
}

/**
 * The hash slot of `key` (a string, hashed as its UTF-8 bytes, or a Buffer),
 * as Redis computes it (keyHashSlot in src/cluster.c): CRC16 of the key mod
 * 16384, or of the hash tag only when the key has a `{` followed later by a
 * `}` with at least one byte between the first `{` and the first `}` after
 * it. So `{}x` and `x{` hash whole, `{a}{b}` hashes `a`, `{{a}}` hashes `{a`.
 * Computed here rather than asked (CLUSTER KEYSLOT) so that a test can pick
 * keys for a slot, or a slot for a key, without a round trip.
 */
function keyslot (key) {
  const bytes = Buffer.isBuffer(key) ? key : Buffer.from(String(key))
  const open = bytes.indexOf(0x7b) // {
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1) // }
    if (close > open + 1) return crc16(bytes, open + 1, close) & (SLOTS - 1)
  }
  return crc16(bytes, 0, bytes.length) & (SLOTS - 1)
}

/** An INFO or CLUSTER INFO reply ("field:value" lines) as an object. */
function infoFields (text) {
  const object = {}
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon > 0 && !line.startsWith('#')) object[line.slice(0, colon)] = line.slice(colon + 1)
  }
  return object
}

/**
 * CLUSTER NODES of the node on `port`, one object per line:
 * { id, port, flags: [...], masterId (null for masters), myself, failed,
 * slots: [[start, end]...] }. Slots being migrated or imported
 * (`[slot->-id]`, `[slot-<-id]`) are left out: the owner is what counts.
 */
async function clusterNodes (port) {
  const text = await command(port, 'CLUSTER', 'NODES')
  return text.split('\n').filter(Boolean).map((line) => {
    const [id, address, flagList, master, , , , , ...slotList] = line.split(' ')
    // ip:port@cport, with ",hostname" appended in 7.0 when one is set.
    const hostPort = address.split('@')[0]
    const flags = flagList.split(',')
    const slots = []
    for (const item of slotList) {
      if (item.startsWith('[')) continue
      const [start, end = start] = item.split('-').map(Number)
      slots.push([start, end])
    }
    return {
      id,
      port: Number(hostPort.slice(hostPort.lastIndexOf(':') + 1)),
      flags,
      masterId: master === '-' ? null : master,
      myself: flags.includes('myself'),
      failed: flags.includes('fail') || flags.includes('fail?') || flags.includes('noaddr') || flags.includes('handshake'),
      slots
    }
  })
}

/**
 * CLUSTER SLOTS of the node on `port` as [{ start, end, master: port,
 * replicas: [port...] }] sorted by start. Replicas flagged as failing are
 * not listed by Redis.
 */
async function slotMap (port) {
  const reply = await command(port, 'CLUSTER', 'SLOTS')
  return reply.map(([start, end, master, ...replicas]) => ({
    start,
    end,
    master: Number(master[1]),
    replicas: replicas.map((r) => Number(r[1])).sort((a, b) => a - b)
  })).sort((a, b) => a.start - b.start)
}

/** A slot map as one comparable line: "0-5460:30001/30004 5461-...". */
function describeSlots (map) {
  return map.map((r) => `${r.start}-${r.end}:${r.master}/${r.replicas.join(',')}`).join(' ')
}

/** The master port serving `slot` in a slotMap, or null when unassigned. */
function ownerIn (map, slot) {
  const range = map.find((r) => r.start <= slot && slot <= r.end)
  return range ? range.master : null
}



/** The shared bounded wait (support/processes.js), its errors naming this topology. */
const waitFor = (...args) => waitForAny('redis cluster', ...args)


/**
 * A free port not in `taken` (ports already handed to this cluster), added
 * to it: freePort closes its socket before returning, so two calls made
 * before either server binds may get the same port.
 */
async function uniquePort (taken) {
  for (;;) {
    const port = await freePort()
    if (!taken.has(port)) {
      taken.add(port)
      return port
    }
  }
}

/**
 * Starts one cluster-enabled node on a free port with a free bus port
 * (--cluster-port, see the notes at the top). Another process may bind
 * either port between freePort and redis-server's bind: a node that exits at
 * start is retried on new ports, twice.
 */
async function startClusterNode ({ taken, nodeTimeoutMs, args }) {
  for (let attempt = 1; ; attempt++) {
    const port = await uniquePort(taken)
    const busPort = await uniquePort(taken)
    try {
      const node = await startDataNode({
        port,
        args: [
          '--cluster-enabled', 'yes',
          '--cluster-config-file', `nodes-${port}.conf`,
          '--cluster-port', String(busPort),
          '--cluster-node-timeout', String(nodeTimeoutMs),
          // A replica may always take over, however long its link was down:
          // a test that kills masters in turn must not find none eligible.
          '--cluster-replica-validity-factor', '0',
          // Redis 7 syncs replicas diskless after waiting 5 s for more
          // replicas to share the transfer: without this, every replica's
          // first sync takes 5 s.
          '--repl-diskless-sync-delay', '0',
          // Redis 7.0 leaves a replica out of CLUSTER SLOTS (what clients
          // read their topology from) while its replication offset is 0:
          // in an idle cluster, until the master's first write or its first
          // PING to replicas, every repl-ping-replica-period (10 s). At 1 s,
          // a new cluster lists its replicas as soon as it is up.
          '--repl-ping-replica-period', '1',
          ...args
        ]
      })
      node.host = HOST
      node.busPort = busPort
      return node
    } catch (err) {
      if (attempt === 3 || !/exited at start/.test(err.message)) throw err
    }
  }
}

/**
 * Runs `redis-cli --cluster create` on `ports` and resolves with its output;
 * rejects with the output when it exits non-zero, does not report all
 * 16384 slots covered, or takes longer than `timeoutMs`.
 */
function createCluster (ports, replicasPerMaster, timeoutMs) {
  return new Promise((resolve, reject) => {
    const args = ['--cluster', 'create', ...ports.map((p) => `${HOST}:${p}`),
      '--cluster-replicas', String(replicasPerMaster), '--cluster-yes']
    const child = spawn('redis-cli', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    const forget = remember(() => child.kill('SIGKILL'))
    let output = ''
    child.stdout.on('data', (chunk) => { output += chunk })
    child.stderr.on('data', (chunk) => { output += chunk })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', (err) => {
      clearTimeout(timer)
      forget()
      reject(new Error(`redis cluster: could not run redis-cli: ${err.message}`))
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      forget()
      if (code === 0 && output.includes('[OK] All 16384 slots covered')) return resolve(output)
      const why = signal ? `killed by ${signal}${signal === 'SIGKILL' ? ` (over ${timeoutMs} ms?)` : ''}` : `exit code ${code}`
      reject(new Error(`redis cluster: redis-cli ${args.join(' ')} failed (${why}):\n${output}`))
    })
  })
}

/**
 * Starts a Redis Cluster of `masters` masters (3 at least: redis-cli
 * refuses fewer) with `replicasPerMaster` replicas each and resolves once it
 * is at rest (see settle()): ~2 s, however small the cluster, since a master
 * keeps reporting cluster_state:fail until 2 s after it started
 * (CLUSTER_WRITABLE_DELAY), and redis-cli sleeps 1 s waiting for the join.
 * `nodeTimeoutMs` is cluster-node-timeout: how long a silent node takes to
 * be flagged failing, so most of killMaster's duration. `args` are appended to every node's command line (after this
 * module's, so they can override them). This module's own probes do not
 * authenticate: with --requirepass, expect its waits to time out.
 *
 * Resolves with the cluster:
 *   nodes: [startRedis handle + { alive, host, busPort, id }] (every node),
 *   seeds: [{ host, port }] (every node, as ioredis's Cluster takes them),
 *   keyslot(key), masters(), replicas(), masterOf(key), masterOfSlot(slot),
 *   settle(), killMaster(handle), migrateSlot(slot, handle),
 *   migrateSlotInSteps(slot, handle), stop() (see each below).
 */
async function startCluster ({
  masters: masterCount = 3,
  replicasPerMaster = 1,
  nodeTimeoutMs = 1000,
  args = [],
  readyTimeoutMs = 30000
} = {}) {
  if (!Number.isInteger(masterCount) || masterCount < 3) throw new Error(`redis cluster: masters must be an integer >= 3 (redis-cli --cluster create refuses fewer), not ${masterCount}`)
  if (!Number.isInteger(replicasPerMaster) || replicasPerMaster < 0) throw new Error(`redis cluster: replicasPerMaster must be an integer >= 0, not ${replicasPerMaster}`)
  const nodes = []

  /** Everything SIGKILLed (nothing is persisted), whatever already died; never throws. */
  async function stop () {
    await Promise.all(nodes.map((n) => n.kill().catch(() => {})))
  }

  const byPort = (port) => nodes.find((n) => n.port === port)

  /**
   * `probe(port)` on the first live node that answers: a node killed behind
   * this module's back (process.kill) still counts as alive here, and the
   * next one may know better.
   */
  async function fromLiveNode (probe) {
    let last = new Error('redis cluster: no live node left')
    for (const node of nodes) {
      if (!node.alive) continue
      try {
        return await probe(node.port)
      } catch (err) {
        if (err instanceof ReplyError) throw err
        last = err
      }
    }
    throw last
  }

  // Why a settle/killMaster/migrate wait is still waiting, for its timeout error.
  let lastState = ''

  /**
   * One node's CLUSTER NODES as a comparable line over the live nodes only
   * ("port:master:0-5460 port:slave>port ..."), or a reason string in
   * `problem` when that view lists a live node as failing, in handshake or
   * unknown to this module. Dead nodes are left out: they send no gossip,
   * so views of them need not converge.
   */
  function describeTopology (view) {
    const portOf = new Map(view.map((n) => [n.id, n.port]))
    const parts = []
    for (const entry of view) {
      const node = byPort(entry.port)
      if (!node) return { problem: `lists ${entry.id} on port ${entry.port} (flags ${entry.flags.join(',')}), not a node of this cluster` }
      if (!node.alive) continue
      if (entry.failed) return { problem: `flags live node ${entry.port} ${entry.flags.join(',')}` }
      const role = entry.flags.includes('master') ? 'master' : `slave>${portOf.get(entry.masterId) ?? entry.masterId}`
      parts.push({ port: entry.port, text: `${entry.port}:${role}:${entry.slots.map(([a, b]) => `${a}-${b}`).join(',')}` })
    }
    return { text: parts.sort((a, b) => a.port - b.port).map((p) => p.text).join(' ') }
  }

  /**
   * Resolves with the slot map every live node agrees on when the cluster is
   * at rest, `false` otherwise (the reason in lastState): every live node
   * answers CLUSTER INFO with cluster_state:ok, all 16384 slots assigned and
   * every node known; all give the same roles, masters and slots for the
   * live nodes in CLUSTER NODES, and the same CLUSTER SLOTS, listing every
   * live replica; each slot's master is a live node of ours; every live
   * replica has master_link_status:up to the master the cluster says.
   * (Comparing CLUSTER SLOTS alone is not enough: for a few hundred ms after
   * redis-cli returns, some nodes still see replicas as empty masters, which
   * CLUSTER SLOTS does not show.)
   */
  async function atRest () {
    let first = null
    for (const node of nodes) {
      if (!node.alive) continue
      const info = infoFields(await command(node.port, 'CLUSTER', 'INFO'))
      if (info.cluster_state !== 'ok' || info.cluster_slots_assigned !== String(SLOTS) || Number(info.cluster_known_nodes) !== nodes.length) {
        lastState = `node ${node.port}: cluster_state:${info.cluster_state}, cluster_slots_assigned:${info.cluster_slots_assigned}, cluster_known_nodes:${info.cluster_known_nodes} of ${nodes.length}`
        return false
      }
      const view = await clusterNodes(node.port)
      const topology = describeTopology(view)
      if (topology.problem) {
        lastState = `node ${node.port} ${topology.problem}`
        return false
      }
      const map = await slotMap(node.port)
      const slots = describeSlots(map)
      if (first === null) {
        first = { port: node.port, view, topology: topology.text, map, slots }
      } else if (topology.text !== first.topology) {
        lastState = `node ${node.port} sees ${cut(topology.text)}; node ${first.port} sees ${cut(first.topology)}`
        return false
      } else if (slots !== first.slots) {
        lastState = `node ${node.port} gives CLUSTER SLOTS ${cut(slots)}; node ${first.port} ${cut(first.slots)}`
        return false
      }
      const self = view.find((n) => n.myself)
      if (self.masterId !== null) {
        const replication = infoFields(await command(node.port, 'INFO', 'replication'))
        const masterPort = view.find((n) => n.id === self.masterId)?.port
        if (replication.master_link_status !== 'up' || Number(replication.master_port) !== masterPort) {
          lastState = `replica ${node.port}: master_link_status:${replication.master_link_status} to ${replication.master_port} (the cluster says ${masterPort})`
          return false
        }
      }
    }
    if (first === null) throw Object.assign(new Error('redis cluster: no live node left'), { fatal: true })
    for (const range of first.map) {
      const master = byPort(range.master)
      if (!master || !master.alive) {
        lastState = `slots ${range.start}-${range.end} still served by ${range.master}, ${master ? 'killed' : 'not a node of this cluster'}`
        return false
      }
      // Redis 7.0 leaves out of CLUSTER SLOTS a replica whose replication
      // offset is still 0 (isReplicaAvailable): clients reading from
      // replicas would not see it yet.
      const masterId = first.view.find((n) => n.port === range.master).id
      const expected = first.view.filter((n) => n.masterId === masterId && byPort(n.port)?.alive)
        .map((n) => n.port).sort((a, b) => a - b).join(',')
      if (range.replicas.join(',') !== expected) {
        lastState = `CLUSTER SLOTS lists replicas [${range.replicas.join(',')}] for master ${range.master}, not [${expected}]`
        return false
      }
    }
    return first.map
  }

  const cluster = {
    nodes,
    seeds: [],
    keyslot,

    /**
     * Resolves with the agreed slot map ([{ start, end, master, replicas }],
     * ports) once the cluster is at rest: every live node reports
     * cluster_state:ok with all slots assigned, all agree on the roles and
     * slots of the live nodes (CLUSTER NODES) and on CLUSTER SLOTS, which
     * lists every live replica, every slot's master is alive and every live
     * replica's link is up.
     */
    settle ({ timeoutMs = readyTimeoutMs } = {}) {
      return waitFor('the cluster to be at rest (state ok, same CLUSTER SLOTS everywhere, replicas linked)',
        timeoutMs, atRest, () => lastState)
    },

    /** Handles of the live masters, per CLUSTER NODES of a live node (including any without slots). */
    async masters () {
      const view = await fromLiveNode(clusterNodes)
      return view.filter((n) => n.flags.includes('master') && !n.failed)
        .map((n) => byPort(n.port)).filter((n) => n && n.alive)
    },

    /** Handles of the live replicas, per CLUSTER NODES of a live node. */
    async replicas () {
      const view = await fromLiveNode(clusterNodes)
      return view.filter((n) => n.flags.includes('slave') && !n.failed)
        .map((n) => byPort(n.port)).filter((n) => n && n.alive)
    },

    /**
     * The handle of the master serving `slot`, per CLUSTER SLOTS of a live
     * node: during a migration (migrateSlotInSteps), still the source until
     * finish().
     */
    async masterOfSlot (slot) {
      const map = await fromLiveNode(slotMap)
      const port = ownerIn(map, slot)
      if (port === null) throw new Error(`redis cluster: slot ${slot} is not assigned`)
      const node = byPort(port)
      if (!node) throw new Error(`redis cluster: slot ${slot} is served by port ${port}, none of this cluster's nodes`)
      return node
    },

    /** The handle of the master serving `key`'s slot (see keyslot and masterOfSlot). */
    masterOf (key) {
      return cluster.masterOfSlot(keyslot(key))
    },

    /**
     * Settles (see settle()), SIGKILLs `handle` (a live master serving slots,
     * with at least one live replica) and resolves with { killed, promoted }
     * once one of its replicas serves all its former slots in every live
     * node's CLUSTER SLOTS and the cluster is at rest again (every live node
     * cluster_state:ok, the killed master's other replicas relinked to the
     * promoted one). `timeoutMs` bounds that part: cluster-node-timeout until
     * the master is flagged failing, then a replica waits 500-1000 ms (more
     * for a lagging one) before asking the masters to vote.
     */
    async killMaster (handle, { timeoutMs = nodeTimeoutMs + 20000 } = {}) {
      if (!nodes.includes(handle)) throw new Error('killMaster: not a node of this cluster')
      if (!handle.alive) throw new Error(`killMaster: node ${handle.port} is not running`)
      await cluster.settle()
      const view = await clusterNodes(handle.port)
      const self = view.find((n) => n.myself)
      if (!self.flags.includes('master') || self.slots.length === 0) throw new Error(`killMaster: node ${handle.port} is not a master serving slots (flags ${self.flags.join(',')})`)
      const candidates = view.filter((n) => n.masterId === self.id && !n.failed)
        .map((n) => byPort(n.port)).filter((n) => n && n.alive)
      if (candidates.length === 0) throw new Error(`killMaster: master ${handle.port} has no live replica to promote`)
      const ranges = self.slots.map(([s, e]) => s === e ? `${s}` : `${s}-${e}`).join(',')
      await handle.kill()
      const promoted = await waitFor(
        `a replica of killed master ${handle.port} (${candidates.map((c) => c.port).join(', ')}) to take over its slots ${cut(ranges, 100)} with the cluster at rest`,
        timeoutMs, async () => {
          const map = await atRest()
          if (!map) return false
          const owners = new Set(self.slots.map(([start]) => ownerIn(map, start)))
          const [owner] = owners
          if (owners.size !== 1 || !candidates.some((c) => c.port === owner)) {
            lastState = `slots ${cut(ranges, 100)} served by ${[...owners].join(', ')}`
            return false
          }
          return byPort(owner)
        }, () => lastState)
      return { killed: handle, promoted }
    },

    /**
     * The standard live resharding of one slot, in steps a test can run
     * commands between (to meet ASK redirections and TRYAGAIN). Resolves with
     * { slot, source, target, beginImport(), moveKeys(), finish() }:
     * - beginImport(): CLUSTER SETSLOT <slot> IMPORTING <source> on the
     *   target, then MIGRATING <target> on the source. From then on the source
     *   answers ASK for the slot's keys it no longer holds (or never had), and
     *   the target serves those only after ASKING.
     * - moveKeys({ limit = Infinity, batch = 100 }): CLUSTER GETKEYSINSLOT +
     *   MIGRATE ... KEYS (no REPLACE: a key on both sides is an error) until
     *   the source holds none of the slot's keys or `limit` keys moved;
     *   resolves with the names moved. Begins the import first if
     *   beginImport() was not called.
     * - finish({ timeoutMs = 20000 }): moves what is left, then CLUSTER
     *   SETSLOT <slot> NODE <target> on the target, the source and every other
     *   live master (in that order, as Redis documents), and resolves once
     *   the cluster is at rest with every live node's CLUSTER SLOTS giving the
     *   slot to the target (replicas learn it by gossip).
     * `toHandle` must be a live master other than the slot's current one.
     */
    async migrateSlotInSteps (slot, toHandle) {
      if (!Number.isInteger(slot) || slot < 0 || slot >= SLOTS) throw new Error(`migrateSlot: ${slot} is not a slot (0-16383)`)
      if (!nodes.includes(toHandle)) throw new Error('migrateSlot: target is not a node of this cluster')
      if (!toHandle.alive) throw new Error(`migrateSlot: target ${toHandle.port} is not running`)
      const source = await cluster.masterOfSlot(slot)
      if (source === toHandle) throw new Error(`migrateSlot: slot ${slot} is already served by ${toHandle.port}`)
      const targetSelf = (await clusterNodes(toHandle.port)).find((n) => n.myself)
      if (!targetSelf.flags.includes('master')) throw new Error(`migrateSlot: target ${toHandle.port} is not a master (flags ${targetSelf.flags.join(',')})`)
      const target = toHandle

      let begun = false
      async function beginImport () {
        await command(target.port, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', source.id)
        await command(source.port, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', target.id)
        begun = true
      }

      async function moveKeys ({ limit = Infinity, batch = 100 } = {}) {
        // MIGRATE restores with ASKING: a target not yet importing answers MOVED.
        if (!begun) await beginImport()
        const moved = []
        while (moved.length < limit) {
          const keys = await command(source.port, 'CLUSTER', 'GETKEYSINSLOT', slot, Math.min(batch, limit - moved.length))
          if (keys.length === 0) break
          await command(source.port, 'MIGRATE', HOST, target.port, '', 0, 5000, 'KEYS', ...keys)
          moved.push(...keys)
        }
        return moved
      }

      return {
        slot,
        source,
        target,
        beginImport,
        moveKeys,
        async finish ({ timeoutMs = 20000 } = {}) {
          await moveKeys()
          await command(target.port, 'CLUSTER', 'SETSLOT', slot, 'NODE', target.id)
          await command(source.port, 'CLUSTER', 'SETSLOT', slot, 'NODE', target.id)
          for (const master of await cluster.masters()) {
            if (master === target || master === source) continue
            await command(master.port, 'CLUSTER', 'SETSLOT', slot, 'NODE', target.id)
          }
          await waitFor(`every live node to give slot ${slot} to ${target.port} (from ${source.port}) with the cluster at rest`,
            timeoutMs, async () => {
              for (const node of nodes) {
                if (!node.alive) continue
                const owner = ownerIn(await slotMap(node.port), slot)
                if (owner !== target.port) {
                  lastState = `node ${node.port} gives slot ${slot} to ${owner}`
                  return false
                }
              }
              return atRest()
            }, () => lastState)
        }
      }
    },

    /**
     * Moves `slot` and its keys from its current master to `toHandle` (a
     * live master) and resolves once every live node agrees (see
     * migrateSlotInSteps for the steps and the 20 s bound of the last).
     */
    async migrateSlot (slot, toHandle, options) {
      const steps = await cluster.migrateSlotInSteps(slot, toHandle)
      await steps.finish(options)
    },

    stop
  }

  try {
    const taken = new Set()
    const started = await Promise.allSettled(Array.from({ length: masterCount * (1 + replicasPerMaster) },
      () => startClusterNode({ taken, nodeTimeoutMs, args })))
    for (const result of started) if (result.status === 'fulfilled') nodes.push(result.value)
    const failed = started.find((result) => result.status === 'rejected')
    if (failed) throw failed.reason
    for (const node of nodes) {
      try {
        node.id = await command(node.port, 'CLUSTER', 'MYID')
      } catch (err) {
        throw new Error(`redis cluster: node ${node.port} did not answer CLUSTER MYID (${err.message})`)
      }
    }
    await createCluster(nodes.map((n) => n.port), replicasPerMaster, readyTimeoutMs)
    await cluster.settle()
  } catch (err) {
    await stop()
    throw err
  }
  for (const node of nodes) cluster.seeds.push({ host: HOST, port: node.port })
  return cluster
}

module.exports = { startCluster, keyslot }
