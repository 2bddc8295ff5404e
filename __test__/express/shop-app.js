'use strict'
// The app of the poisoning suite: one shop with the routes that attacks
// aim at (reflected host and scheme, Vary, per-user pages, sessions,
// rewrites, conditional private / debug responses, files with Range, …).
// Built twice per case: with the response cache (`mw`, `userMw` from
// cache.middleware) and with pass-through middleware in their place, so
// that a victim's response can be compared with the app's own answer.
// Every response is a function of the request and of `state` (which the
// attacker's requests may change alike in both apps): no clocks, no random.

const path = require('node:path')
const session = require('express-session')
const mws = require('./middlewares')

const FILE = path.join(__dirname, '..', 'support', 'fixtures', 'poisoning-file.txt')
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const pass = (req, res, next) => next()

/** The user a request's Cookie names (`user=…`), for the per-user route's userKey. */
const userOf = (req) => /(?:^|;\s*)user=([^;]*)/.exec(req.headers.cookie ?? '')?.[1] ?? 'anonymous'

function newState () {
  return { products: new Set(['1', '2', '3']), archived: new Set(['7']), deleted: [], visitors: 0, sessions: 0 }
}

const BEFORE = {
  compression: () => mws.compression(),
  wrappingGzip: () => mws.wrappingGzip(),
  rewriteMobile: () => mws.rewriteMobile,
  rewriteOriginalUrl: () => mws.rewriteOriginalUrl,
  methodOverride: () => mws.methodOverride,
  visitorId: (state) => mws.visitorId(state),
  debugHeaders: () => mws.debugHeaders,
  session: (state) => session({
    secret: 'poisoning-suite',
    resave: false,
    saveUninitialized: true,
    genid: () => `sid${++state.sessions}`
  })
}

/**
 * The shop on `express`. `cached`: { mw, userMw } or null for the app
 * without the cache. `options`: { placement: 'route' (each cached route
 * has mw) | 'global' (app.use(mw) before the routes), before: [names of
 * BEFORE run first], after: [names run after a global mw], trustProxy }.
 */
function buildApp (express, cached, options, state) {
  const app = express()
  const mw = cached === null ? pass : cached.mw
  const userMw = cached === null ? pass : cached.userMw
  if (options.trustProxy) app.set('trust proxy', true)
  app.use(express.urlencoded({ extended: false }))
  for (const name of options.before ?? []) app.use(BEFORE[name](state))
  const global = options.placement === 'global'
  if (global) app.use(mw)
  for (const name of options.after ?? []) app.use(BEFORE[name](state))
  const M = global ? pass : mw

  const lang = (req) => (/^\s*([a-z]{2})/i.exec(req.headers['accept-language'] ?? '')?.[1] ?? 'en').toLowerCase()
  app.get('/products/:id', M, (req, res) => {
    if (!state.products.has(req.params.id)) return res.status(404).type('text').send(`no product ${req.params.id}`)
    res.set('Vary', 'Accept-Language').type('text').send(`product ${req.params.id} in ${lang(req)}`)
  })
  app.get('/m/products/:id', M, (req, res) => res.type('text').send(`mobile product ${req.params.id}`))
  app.post('/products/:id', (req, res) => res.type('text').send(`posted ${req.params.id}`))
  app.delete('/products/:id', M, (req, res) => {
    state.deleted.push(req.params.id)
    res.type('text').send(`deleted ${req.params.id}`)
  })
  app.get('/admin', M, (req, res) => res.type('text').send('admin panel'))
  app.get('/archive/:id', M, (req, res) => {
    if (state.archived.has(req.params.id)) return res.status(410).type('text').send(`archived ${req.params.id}`)
    res.type('text').send(`article ${req.params.id}`)
  })
  app.get('/page/:slug', M, (req, res) => res.type('html').send(`page ${req.params.slug} on ${req.protocol}://${req.hostname}`))
  app.get('/home', M, (req, res) => res.type('html').send(`<script src="${req.protocol}://${req.get('host')}/app.js"></script>`))
  app.get('/reflect', M, (req, res) => {
    const names = ['x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-scheme', 'x-forwarded-port', 'x-forwarded-prefix',
      'x-forwarded-server', 'forwarded', 'x-host', 'x-original-url', 'x-rewrite-url', 'x-original-host']
    res.type('html').send(names.map((n) => `${n}=${req.headers[n] ?? ''}`).join(' '))
  })
  app.get('/q', M, (req, res) => res.json(req.query))
  app.get(/^\/link(?:\/|$)/, M, (req, res) => res.type('html').send(`<link rel="canonical" href="${req.originalUrl}">`))
  app.get('/search', M, (req, res) => res.type('html').send(`results for ${req.body?.q ?? req.query.q ?? ''}`))
  const account = (req, res) => {
    const key = req.headers['x-api-key']
    const proxyUser = req.headers['proxy-authorization']
    const tenant = req.headers['x-tenant-token']
    const bearer = req.headers.authorization
    const who = key === 'k-alice' ? 'alice (api key)' : proxyUser !== undefined ? `proxy ${proxyUser}` : tenant !== undefined ? `tenant ${tenant}` : bearer !== undefined ? `bearer ${bearer}` : null
    res.type('html').send(who === null ? 'please log in' : `account of ${who}: card 4111`)
  }
  app.get('/account', M, account)
  app.get('/account/:file', M, account)
  app.get('/me', userMw, (req, res) => res.set('Cache-Control', 'private').type('text').send(`profile of ${userOf(req)}`))
  app.get('/form', M, (req, res) => res.type('html').send(`<input name="csrf" value="tok-${req.sessionID ?? 'none'}">`))
  app.get('/visitor', M, (req, res) => res.type('text').send(`hello ${req.visitor ?? 'returning visitor'}`))
  app.get('/debuggable', M, (req, res) => res.type('text').send(req.headers['x-debug'] === '1' ? 'DEBUG: db password hunter2' : 'normal page'))
  app.get('/diag', M, (req, res) => {
    if (req.headers['x-diag'] === '1') return res.set('Cache-Control', 'no-cache').type('text').send('diagnostics: internal')
    res.type('text').send('no diagnostics')
  })
  app.get('/draft', M, (req, res) => {
    if (req.headers['x-preview'] === '1') return res.set('Cache-Control', 'private').type('text').send('draft: unreleased')
    res.type('text').send('published')
  })
  app.get('/crash', M, (req, res) => {
    if (req.headers['x-crash'] === '1') return res.status(500).type('text').send('stack trace')
    res.type('text').send('fine')
  })
  app.get('/go', M, (req, res) => res.redirect(301, `/page/${req.query.to ?? 'a'}`))
  app.get('/go-abs', M, (req, res) => res.redirect(301, `${req.protocol}://${req.get('host')}/page/a`))
  app.get('/choices', M, (req, res) => res.status(300).type('text').send(`choose on ${req.hostname}`))
  app.get('/file', M, (req, res) => res.sendFile(FILE, { lastModified: false, cacheControl: false }))
  app.get('/enc', M, (req, res) => {
    const br = /\bbr\b/.test(req.headers['accept-encoding'] ?? '')
    res.set('Vary', 'Accept-Encoding').type('text').send(br ? 'content for br clients' : 'plain content')
  })
  app.get('/theme', M, (req, res) => res.set('Vary', 'X-Theme').type('html').send(`theme ${req.headers['x-theme'] ?? 'light'}`))
  app.get('/star', M, (req, res) => res.set('Vary', '*').type('html').send(`theme ${req.headers['x-theme'] ?? 'light'}`))
  app.get('/big', M, (req, res) => res.type('html').send(`<p>${'lorem ipsum '.repeat(200)}</p>`))
  // Large bodies (deterministic text that compresses poorly): the socket's backpressure and the zlib stream's.
  const large = (n) => {
    let x = 12345
    let out = ''
    while (out.length < n) {
      x = (x * 1103515245 + 12345) % 2147483648
      out += x.toString(36)
    }
    return out.slice(0, n)
  }
  app.get('/large/:kb', M, (req, res) => res.type('text').send(large(Number(req.params.kb) * 1024)))
  app.get('/large-stream/:kb', M, (req, res) => {
    res.type('text')
    const body = large(Number(req.params.kb) * 1024)
    for (let i = 0; i < body.length; i += 4096) res.write(body.slice(i, i + 4096))
    res.end()
  })
  app.get('/stream', M, (req, res) => {
    res.type('text')
    res.write('first part of a streamed page, long enough to compress; ')
    res.write('second part; ')
    res.end('the end')
  })
  app.get('/slow/:x', M, async (req, res) => {
    await sleep(80)
    res.type('html').send(`slow ${req.params.x} on ${req.hostname} for ${req.visitor ?? '-'} ${req.headers['x-forwarded-host'] ?? ''}`)
  })
  app.get('/cookie-route', M, (req, res) => res.cookie('sid', `s${++state.sessions}`).type('text').send(`cookie ${state.sessions}`))
  app.get('/wh-cookie', M, (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Set-Cookie': `wh=${++state.sessions}` })
    res.end(`written ${state.sessions}`)
  })

  const items = express.Router()
  items.get('/:id', M, (req, res) => res.type('text').send(`item ${req.params.id} of ${req.baseUrl}`))
  app.use('/items', items)
  app.use('/catalog', items)
  const blog = express.Router()
  blog.use((req, res, next) => {
    // A router-level rewrite: beta testers get the beta blog.
    if (req.headers['x-beta'] === '1' && !req.url.startsWith('/beta')) req.url = '/beta' + req.url
    next()
  })
  blog.get('/', M, (req, res) => res.type('text').send(`blog index at ${req.originalUrl}`))
  blog.get('/beta', M, (req, res) => res.type('text').send('beta blog'))
  blog.get('/beta/:post', M, (req, res) => res.type('text').send(`beta post ${req.params.post}`))
  blog.get('/:post', M, (req, res) => res.type('text').send(`post ${req.params.post}`))
  app.use('/blog', blog)

  app.get('/:slug', M, (req, res) => res.type('html').send(`page ${req.params.slug}`))
  return app
}

module.exports = { buildApp, newState, userOf, FILE }
