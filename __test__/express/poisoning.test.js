'use strict'
// The response cache's poisoning suite, on Express 5 and Express 4, over
// real HTTP (raw sockets: duplicate Host, absolute-form targets, GET
// bodies). Each case (poisoning-cases.js) runs on a cold cache: the
// attacker's requests first, then a victim's normal request. The same
// requests go, in the same order, to the same app without the cache; the
// victim's response (status, body, the headers below) must be the same.
// Any difference is a poisoned case; a hang or reset of any response
// through the cache counts too. The target is 0 poisoned on both majors.

const { describe, test, after } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')

const { TierCache } = require('../..')
const { buildApp, newState, userOf } = require('./shop-app')
const { send } = require('./raw-http')
const { cases } = require('./poisoning-cases')

const EXPRESSES = [['Express 5', require('express')], ['Express 4', require('express4')]]

/** The response headers a victim could be harmed by; the rest (Date, ETag, X-Cache, Age, lengths) may differ. */
const COMPARED = ['content-type', 'content-encoding', 'content-range', 'location', 'vary', 'cache-control', 'set-cookie']

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function listen (app) {
  const server = http.createServer(app)
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return server
}

function close (server) {
  return new Promise((resolve) => {
    server.closeAllConnections()
    server.close(resolve)
  })
}

/** How `got` (through the cache) differs from `want` (the app alone): a list of differences. */
function differences (got, want) {
  if (got.error !== undefined) return [`through the cache: ${got.error}`]
  if (want.error !== undefined) return got.error === want.error ? [] : [`without the cache: ${want.error}`]
  const out = []
  if (got.status !== want.status) out.push(`status ${got.status}, app says ${want.status}`)
  if (!got.body.equals(want.body)) out.push(`body ${JSON.stringify(got.body.toString('latin1').slice(0, 80))}, app says ${JSON.stringify(want.body.toString('latin1').slice(0, 80))}`)
  for (const name of COMPARED) {
    const a = JSON.stringify(got.headers[name])
    const b = JSON.stringify(want.headers[name])
    if (a !== b) out.push(`${name} ${a}, app says ${b}`)
  }
  return out
}

/** Sends the attacker's requests, changes `state` (between), then sends the victim's, to one app; returns their responses. */
async function play (port, kase, state) {
  const attacker = []
  const last = kase.attacker.length - 1
  for (let i = 0; i < last; i++) attacker.push(await send(port, kase.attacker[i]))
  if (kase.concurrent === undefined) {
    attacker.push(await send(port, kase.attacker[last]))
    if (kase.between !== undefined) kase.between(state)
    return { attacker, victim: await send(port, kase.victim) }
  }
  const pending = send(port, kase.attacker[last])
  await sleep(kase.concurrent)
  const [a, victim] = await Promise.all([pending, send(port, kase.victim)])
  attacker.push(a)
  return { attacker, victim }
}

/** Runs one case on `express`: { skipped } when the middleware refuses its options, else { poisoned, diffs }. */
async function runCase (express, kase) {
  const cache = new TierCache()
  cache.on('error', () => {})
  const servers = []
  try {
    let cached
    try {
      cached = { mw: cache.middleware({ ...kase.mw }), userMw: cache.middleware({ ...kase.mw, userKey: userOf }) }
    } catch (err) {
      return { skipped: `options refused: ${err.message}` }
    }
    const cachedState = newState()
    const withCache = await listen(buildApp(express, cached, kase.app ?? {}, cachedState))
    servers.push(withCache)
    const plainState = newState()
    const plain = await listen(buildApp(express, null, kase.app ?? {}, plainState))
    servers.push(plain)
    const got = await play(withCache.address().port, kase, cachedState)
    const want = await play(plain.address().port, kase, plainState)
    const diffs = []
    diffs.push(...differences(got.victim, want.victim).map((d) => `victim: ${d}`))
    got.attacker.forEach((r, i) => {
      if (r.error !== undefined && want.attacker[i].error === undefined) diffs.push(`attacker ${i}: ${r.error}`)
      else if (kase.checkAttacker) diffs.push(...differences(r, want.attacker[i]).map((d) => `attacker ${i}: ${d}`))
    })
    return { poisoned: diffs.length > 0, diffs }
  } finally {
    for (const s of servers) await close(s)
    await cache.quit().catch(() => {})
  }
}

const totals = []
after(() => {
  for (const t of totals) console.log(`# poisoning suite · ${t.flavour}: ${t.cases} cases, ${t.poisoned} poisoned, ${t.skipped} not applicable`)
})

for (const [flavour, express] of EXPRESSES) {
  describe(`response cache poisoning, attacker first · ${flavour}`, { timeout: 180_000 }, () => {
    const total = { flavour, cases: 0, poisoned: 0, skipped: 0 }
    totals.push(total)
    for (const kase of cases) {
      test(`${kase.kind}: ${kase.name}`, async (t) => {
        const r = await runCase(express, kase)
        total.cases++
        if (r.skipped !== undefined) {
          total.skipped++
          t.skip(r.skipped)
          return
        }
        if (r.poisoned) total.poisoned++
        assert.deepEqual(r.diffs, [], `poisoned:\n  ${r.diffs.join('\n  ')}`)
      })
    }
    test(`at least 60 cases, none poisoned on ${flavour}`, () => {
      assert.ok(total.cases >= 60, `${total.cases} cases`)
      assert.equal(total.poisoned, 0)
    })
  })
}
