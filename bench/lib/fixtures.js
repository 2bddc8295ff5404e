'use strict'
// Keys, values and access orders shared by the scenarios. Everything is
// generated from a fixed seed, so two runs measure the same work.

const MAX_KEYS = 1_000_000

/** mulberry32: tiny, fast, and good enough to shuffle benchmark inputs. */
function prng (seed) {
  let a = seed >>> 0
  return function next () {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * A flat (sequential) V8 string with the same characters. Concatenating
 * strings of 13+ characters makes a rope (ConsString) that costs a JS cache
 * more memory than a string read from a socket or JSON.parse would; going
 * through a Buffer gives the flat shape real values have.
 */
function flat (text) {
  const b = Buffer.from(text, 'latin1')
  return b.latin1Slice(0, b.length)
}

/** 'key:000123' … (10 characters: short enough to be flat already). */
function key (i) {
  if (i >= MAX_KEYS) throw new RangeError(`key index ${i} out of range`)
  return 'key:' + String(i).padStart(6, '0')
}

function makeKeys (n) {
  const keys = new Array(n)
  for (let i = 0; i < n; i++) keys[i] = key(i)
  return keys
}

const FILLER = 'abcdefghijklmnopqrstuvwxyz0123456789'

/** A distinct 20-byte string value for entry `i`. */
function stringValue (i) {
  return flat(('v' + i + ':' + FILLER).slice(0, 20))
}

function makeStringValues (n) {
  const values = new Array(n)
  for (let i = 0; i < n; i++) values[i] = stringValue(i)
  return values
}

const FIRST = ['Ada', 'Grace', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Edsger', 'Radia']
const LAST = ['Lovelace', 'Hopper', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie', 'Allen', 'Dijkstra', 'Perlman']
const CITIES = [['Lyon', 'FR', 45.76, 4.84], ['Osaka', 'JP', 34.69, 135.5], ['Austin', 'US', 30.27, -97.74], ['Porto', 'PT', 41.15, -8.61], ['Pune', 'IN', 18.52, 73.86]]
const WORDS = ['cache', 'latency', 'rust', 'node', 'express', 'redis', 'tiering', 'workers', 'json', 'queues', 'metrics', 'tracing']
const THEMES = ['light', 'dark', 'system']
const LANGS = ['en-GB', 'fr-FR', 'ja-JP', 'pt-PT', 'hi-IN']

function pick (rand, list) {
  return list[Math.floor(rand() * list.length)]
}

function hex (rand, digits) {
  let s = ''
  for (let i = 0; i < digits; i++) s += Math.floor(rand() * 16).toString(16)
  return s
}

/**
 * A user record of about 1 KB of JSON: the kind of object an API caches
 * (nested objects, arrays, dates as strings, numbers, booleans).
 */
function makeUser (i) {
  const rand = prng(0x5eed + i)
  const first = pick(rand, FIRST)
  const last = pick(rand, LAST)
  const uuid = `${hex(rand, 8)}-${hex(rand, 4)}-4${hex(rand, 3)}-a${hex(rand, 3)}-${hex(rand, 12)}`
  const [city, country, lat, lon] = pick(rand, CITIES)
  const created = 1_600_000_000_000 + Math.floor(rand() * 1e11)
  const bio = Array.from({ length: 17 }, () => pick(rand, WORDS)).join(' ')
  return {
    id: 100_000 + i,
    uuid,
    username: `${first.toLowerCase()}.${last.toLowerCase()}${i}`,
    email: `${first.toLowerCase()}.${last.toLowerCase()}${i}@example.com`,
    name: { first, last, display: `${first} ${last}` },
    createdAt: new Date(created).toISOString(),
    updatedAt: new Date(created + Math.floor(rand() * 1e10)).toISOString(),
    active: rand() > 0.1,
    verified: rand() > 0.3,
    roles: rand() > 0.8 ? ['member', 'editor'] : ['member'],
    profile: {
      bio,
      avatarUrl: `https://cdn.example.com/avatars/${uuid}.png`,
      website: `https://${last.toLowerCase()}.example.org/~${first.toLowerCase()}`,
      location: { city, country, lat, lon }
    },
    preferences: {
      theme: pick(rand, THEMES),
      language: pick(rand, LANGS),
      timezone: 'Europe/Paris',
      notifications: { email: rand() > 0.5, sms: false, push: rand() > 0.5, digest: 'weekly' }
    },
    stats: {
      posts: Math.floor(rand() * 5000),
      followers: Math.floor(rand() * 100_000),
      following: Math.floor(rand() * 2000),
      karma: Math.round(rand() * 1e6) / 100,
      lastLoginAt: new Date(created + Math.floor(rand() * 2e10)).toISOString()
    },
    tags: Array.from({ length: 4 }, () => pick(rand, WORDS)),
    plan: { tier: pick(rand, ['free', 'pro', 'team']), seats: 1 + Math.floor(rand() * 20), renewsAt: new Date(created + 31_536_000_000).toISOString() }
  }
}

function makeUsers (n) {
  const users = new Array(n)
  for (let i = 0; i < n; i++) users[i] = makeUser(i)
  return users
}

/**
 * `length` random indices below `n`. Benchmarks read keys in this order
 * (uniformly at random) so that a 100,000-key set really is touched all over,
 * as a cache is, instead of sequentially.
 */
function randomOrder (n, length, seed = 42) {
  const rand = prng(seed)
  const order = new Int32Array(length)
  for (let i = 0; i < length; i++) order[i] = Math.floor(rand() * n)
  return order
}

/** The (value kind × key-set size) groups the per-operation scenarios run. */
const GROUPS = Object.freeze([
  { kind: 'string', size: 1_000 },
  { kind: 'string', size: 100_000 },
  { kind: 'object', size: 1_000 },
  { kind: 'object', size: 100_000 }
])

module.exports = {
  GROUPS,
  prng,
  flat,
  key,
  makeKeys,
  stringValue,
  makeStringValues,
  makeUser,
  makeUsers,
  randomOrder
}
