'use strict'
// The cases of the poisoning suite. Each: the attacker's requests (sent
// first, on a cold cache), an optional change of the app's state between
// (done to both apps alike), then one normal request of a victim, whose
// response must be what the app without the cache answers.
//
//   { name, kind, app: { placement, before, after, trustProxy }, mw: middleware options,
//     attacker: [request], between(state), victim: request, concurrent: ms, checkAttacker }
//
// `concurrent`: the victim's request is sent that many ms after the last
// attacker request, while it is still being handled (coalesced misses).
// `checkAttacker`: the attacker's own responses must match too (a
// middleware around the cache must keep working on miss and hit).
//
// The classes are those of issue 10 and of PortSwigger's web cache
// poisoning / cache deception research: key injection, Host, forwarding
// headers, rewrites, method override, fat GET, parameter cloaking and
// normalisation, Vary, Set-Cookie from hooks, Cache-Control, statuses,
// Range and conditional requests, credentials, deception, huge headers,
// compression-style writeHead hooks.

const HOST = 'shop.example'
const VICTIM_HEADERS = { host: HOST, 'accept-language': 'en', 'accept-encoding': 'gzip, deflate', 'user-agent': 'victim-browser' }

/** A GET (or `method`) of `target` with Host shop.example and `headers` (an object, or pairs for repeats). */
function req (target, headers = {}, extra = {}) {
  const pairs = Array.isArray(headers) ? headers : Object.entries({ host: HOST, ...headers })
  return { method: 'GET', target, headers: pairs.filter(([, v]) => v !== undefined), ...extra }
}

/** The victim's request: what a browser sends. */
const victim = (target, headers = {}) => req(target, { ...VICTIM_HEADERS, ...headers })

// The variant suffix the former key (`|vary:` + SHA-1 of 'accept-language\0en\0') gave English readers.
const FORMER_EN_VARIANT = '|vary:RgLW7yG8g0oDiqnmamsYFN13pW4'

const cases = [
  // Key injection: separators in a path, Host or user value.
  { kind: 'key injection', name: 'path carrying the Vary separator poisons the English variant', attacker: [req('/products/1', { 'accept-language': 'fr' }), req(`/products/1${FORMER_EN_VARIANT}`, { 'accept-language': 'fr' })], victim: victim('/products/1') },
  { kind: 'key injection', name: 'Host carrying a path prefix (Host: shop.example/products, GET /1)', attacker: [req('/1', { host: `${HOST}/products` })], victim: victim('/products/1') },
  { kind: 'key injection', name: 'path carrying the user separator (GET /me|user:bob)', attacker: [req('/me|user:bob')], victim: victim('/me', { cookie: 'user=bob' }) },
  { kind: 'key injection', name: 'user value carrying the Vary separator', attacker: [req('/me', { cookie: `user=bob${FORMER_EN_VARIANT}` })], victim: victim('/me', { cookie: 'user=bob' }) },
  { kind: 'key injection', name: 'path imitating a length-prefixed field', attacker: [req('/products/1-4:http-0:-'), req('/products/14:http')], victim: victim('/products/1') },
  { kind: 'key injection', name: 'Host carrying a Vary separator', attacker: [req('/products/1', { host: `${HOST}${FORMER_EN_VARIANT}` })], victim: victim('/products/1') },
  { kind: 'key injection', name: 'encoded separators in the path (%7C)', attacker: [req('/products/1%7Cvary:RgLW7yG8g0oDiqnmamsYFN13pW4')], victim: victim('/products/1') },

  // Host.
  { kind: 'host', name: 'Host in upper case, reflected by the page', attacker: [req('/page/a', { host: 'SHOP.EXAMPLE' })], victim: victim('/page/a') },
  { kind: 'host', name: 'Host with a trailing dot', attacker: [req('/page/a', { host: `${HOST}.` })], victim: victim('/page/a') },
  { kind: 'host', name: 'Host with a port, reflected in a script URL', attacker: [req('/home', { host: `${HOST}:1337` })], victim: victim('/home') },
  { kind: 'host', name: 'Host with the default port', attacker: [req('/home', { host: `${HOST}:80` })], victim: victim('/home') },
  { kind: 'host', name: 'Host with a non-numeric port', attacker: [req('/home', { host: `${HOST}:evil` })], victim: victim('/home') },
  { kind: 'host', name: 'Host with userinfo', attacker: [req('/home', { host: `evil.example:80@${HOST}` })], victim: victim('/home') },
  { kind: 'host', name: 'another Host (a different site)', attacker: [req('/home', { host: 'evil.example' })], victim: victim('/home') },
  { kind: 'host', name: 'duplicate Host headers', attacker: [req('/home', [['Host', HOST], ['Host', 'evil.example']])], victim: victim('/home') },
  { kind: 'host', name: 'no Host (HTTP/1.0)', attacker: [req('/home', [['User-Agent', 'old']], { version: '1.0' })], victim: victim('/home') },
  { kind: 'host', name: 'absolute-form request-target (GET http://evil.example/page/a)', attacker: [req('http://evil.example/page/a')], victim: victim('/page/a') },
  { kind: 'host', name: 'absolute-form target of the same host, reflected URL', attacker: [req(`http://${HOST}/link/x`)], victim: victim('/link/x') },
  { kind: 'host', name: 'Host with a space-separated second value', attacker: [req('/home', { host: `${HOST} evil.example` })], victim: victim('/home') },
  { kind: 'host', name: 'upper-case Host on a redirect to an absolute URL', attacker: [req('/go-abs', { host: 'Shop.Example' })], victim: victim('/go-abs') },

  // Forwarding headers (Express reads the first two with trust proxy).
  { kind: 'forwarded', name: 'X-Forwarded-Host with trust proxy (req.hostname)', app: { trustProxy: true }, attacker: [req('/page/a', { 'x-forwarded-host': 'evil.example' })], victim: victim('/page/a') },
  { kind: 'forwarded', name: 'X-Forwarded-Proto with trust proxy (req.protocol)', app: { trustProxy: true }, attacker: [req('/page/a', { 'x-forwarded-proto': 'javascript' })], victim: victim('/page/a') },
  { kind: 'forwarded', name: 'X-Forwarded-Host with trust proxy, reflected in a redirect', app: { trustProxy: true }, attacker: [req('/go-abs', { 'x-forwarded-proto': 'http', 'x-forwarded-host': 'evil.example' })], victim: victim('/go-abs') },
  { kind: 'forwarded', name: 'X-Forwarded-Host with trust proxy on a 300 page', app: { trustProxy: true }, attacker: [req('/choices', { 'x-forwarded-host': 'evil.example' })], victim: victim('/choices') },
  ...['x-forwarded-host', 'x-forwarded-scheme', 'x-forwarded-proto', 'x-forwarded-port', 'x-forwarded-prefix', 'x-forwarded-server', 'forwarded', 'x-host', 'x-original-url', 'x-rewrite-url', 'x-original-host'].map((name) => (
    { kind: 'forwarded', name: `${name} reflected raw (no trust proxy)`, attacker: [req('/reflect', { [name]: name === 'forwarded' ? 'host=evil.example;proto=http' : 'evil.example' })], victim: victim('/reflect') })),
  { kind: 'forwarded', name: 'X-Forwarded-Host on a coalesced miss (victim arrives while the attacker\'s request runs)', attacker: [req('/slow/a', { 'x-forwarded-host': 'evil.example' })], victim: victim('/slow/a'), concurrent: 20 },

  // Rewrites and method overrides.
  { kind: 'rewrite', name: 'header-based URL rewrite before the cache (X-Mobile)', app: { before: ['rewriteMobile'] }, attacker: [req('/products/1', { 'x-mobile': '1' })], victim: victim('/products/1') },
  { kind: 'rewrite', name: 'X-Original-URL routing before the cache', app: { before: ['rewriteOriginalUrl'] }, attacker: [req('/page/a', { 'x-original-url': '/admin' })], victim: victim('/page/a') },
  { kind: 'rewrite', name: 'X-Rewrite-URL-style routing, global cache', app: { placement: 'global', before: ['rewriteOriginalUrl'] }, attacker: [req('/page/a', { 'x-original-url': '/admin' })], victim: victim('/page/a') },
  { kind: 'rewrite', name: 'header-based rewrite after a global cache', app: { placement: 'global', after: ['rewriteMobile'] }, attacker: [req('/products/1', { 'x-mobile': '1' })], victim: victim('/products/1') },
  { kind: 'rewrite', name: 'router-level rewrite inside a mounted router (cache on the route)', attacker: [req('/blog/hello', { 'x-beta': '1' })], victim: victim('/blog/hello') },
  { kind: 'rewrite', name: 'router-level rewrite inside a mounted router (global cache)', app: { placement: 'global' }, attacker: [req('/blog/hello', { 'x-beta': '1' })], victim: victim('/blog/hello') },
  { kind: 'rewrite', name: 'one router mounted twice (/catalog, /items)', attacker: [req('/catalog/1')], victim: victim('/items/1') },
  { kind: 'rewrite', name: 'mount path with and without trailing slash (global cache)', app: { placement: 'global' }, attacker: [req('/blog/')], victim: victim('/blog') },
  { kind: 'method', name: 'X-HTTP-Method-Override: DELETE before the cache', app: { before: ['methodOverride'] }, attacker: [req('/products/2', { 'x-http-method-override': 'DELETE' })], victim: victim('/products/2') },
  { kind: 'method', name: 'X-HTTP-Method-Override: DELETE after a global cache', app: { placement: 'global', after: ['methodOverride'] }, attacker: [req('/products/2', { 'x-http-method-override': 'DELETE' })], victim: victim('/products/2') },
  { kind: 'method', name: 'X-HTTP-Method-Override: POST (route-level cache)', attacker: [req('/products/2', { 'x-http-method-override': 'POST' })], victim: victim('/products/2') },
  { kind: 'method', name: 'HEAD first, then GET', attacker: [req('/products/1', {}, { method: 'HEAD' })], victim: victim('/products/1') },
  { kind: 'method', name: 'POST first, then GET', attacker: [req('/products/1', { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '3' }, { method: 'POST', body: 'a=1' })], victim: victim('/products/1') },

  // Fat GET and parameters.
  { kind: 'fat GET', name: 'GET with a urlencoded body (Content-Length)', attacker: [req('/search?q=shoes', { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '6' }, { body: 'q=evil' })], victim: victim('/search?q=shoes') },
  { kind: 'fat GET', name: 'GET with a chunked body', attacker: [req('/search?q=shoes', { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' }, { body: '6\r\nq=evil\r\n0\r\n\r\n' })], victim: victim('/search?q=shoes') },
  { kind: 'parameters', name: 'duplicate parameters in the other order', attacker: [req('/q?lang=fr&lang=en')], victim: victim('/q?lang=en&lang=fr') },
  { kind: 'parameters', name: 'parameters in the other order (the route echoes req.query)', attacker: [req('/q?b=2&a=1')], victim: victim('/q?a=1&b=2') },
  { kind: 'parameters', name: 'a percent-encoded duplicate name (%61=2&a=1)', attacker: [req('/q?%61=2&a=1')], victim: victim('/q?a=1&a=2') },
  { kind: 'parameters', name: '+ and %20 (the route echoes the URL)', attacker: [req('/link/x?q=a+b')], victim: victim('/link/x?q=a%20b') },
  { kind: 'parameters', name: 'parameter cloaking with ;', attacker: [req('/search?q=shoes;q=evil')], victim: victim('/search?q=shoes') },
  { kind: 'parameters', name: 'utm-style extra parameter', attacker: [req('/q?a=1&utm_content=evil')], victim: victim('/q?a=1') },
  { kind: 'parameters', name: 'empty query (? alone)', attacker: [req('/link/x?')], victim: victim('/link/x') },
  { kind: 'parameters', name: 'encoded ? in the path', attacker: [req('/link/x%3Fa=1')], victim: victim('/link/x?a=1') },
  { kind: 'parameters', name: 'encoded # in the query', attacker: [req('/link/x?a=1%23evil')], victim: victim('/link/x?a=1') },
  { kind: 'parameters', name: 'raw # in the request-target', attacker: [req('/link/x#evil')], victim: victim('/link/x') },
  { kind: 'parameters', name: 'redirect target from the query', attacker: [req('/go?to=evil')], victim: victim('/go') },

  // Path normalisation.
  { kind: 'path', name: 'dot segments (/page/../link/a)', attacker: [req('/page/../link/a')], victim: victim('/link/a') },
  { kind: 'path', name: 'double slash', app: { placement: 'global' }, attacker: [req('//link/a')], victim: victim('/link/a') },
  { kind: 'path', name: 'encoded slash (%2F)', attacker: [req('/link%2Fa')], victim: victim('/link/a') },
  { kind: 'path', name: 'case (routes match case-insensitively)', attacker: [req('/LINK/a')], victim: victim('/link/a') },
  { kind: 'path', name: 'trailing slash', attacker: [req('/link/a/')], victim: victim('/link/a') },
  { kind: 'path', name: 'matrix parameter (;x=1)', attacker: [req('/link/a;x=1')], victim: victim('/link/a') },
  { kind: 'path', name: 'encoded letters (/%6Cink/a)', attacker: [req('/%6Cink/a')], victim: victim('/link/a') },

  // Vary.
  { kind: 'vary', name: 'Accept-Language variants', attacker: [req('/products/1', { 'accept-language': 'fr' })], victim: victim('/products/1') },
  { kind: 'vary', name: 'Accept-Language repeated', attacker: [req('/products/1', [['Host', HOST], ['Accept-Language', 'fr'], ['Accept-Language', 'en']])], victim: victim('/products/1') },
  { kind: 'vary', name: 'Accept-Encoding variants', attacker: [req('/enc', { 'accept-encoding': 'br' })], victim: victim('/enc') },
  { kind: 'vary', name: 'an attacker-chosen header the response varies on', attacker: [req('/theme', { 'x-theme': '"><script>evil</script>' })], victim: victim('/theme') },
  { kind: 'vary', name: 'Vary: * with a reflected header', attacker: [req('/star', { 'x-theme': 'evil' })], victim: victim('/star') },
  { kind: 'vary', name: 'a 10 KB Accept-Language', attacker: [req('/products/1', { 'accept-language': 'fr,' + 'x'.repeat(10_000) })], victim: victim('/products/1') },

  // Set-Cookie and Cache-Control, from the route and from writeHead hooks.
  { kind: 'set-cookie', name: 'express-session (saveUninitialized) before the cache, token in the page', app: { before: ['session'] }, attacker: [req('/form')], victim: victim('/form') },
  { kind: 'set-cookie', name: 'express-session, global cache', app: { placement: 'global', before: ['session'] }, attacker: [req('/form')], victim: victim('/form') },
  { kind: 'set-cookie', name: 'visitor-id cookie from an on-headers hook before the cache', app: { before: ['visitorId'] }, attacker: [req('/visitor')], victim: victim('/visitor') },
  { kind: 'set-cookie', name: 'visitor-id hook, coalesced miss', app: { before: ['visitorId'] }, attacker: [req('/slow/v')], victim: victim('/slow/v'), concurrent: 20 },
  { kind: 'set-cookie', name: 'res.cookie in the route', attacker: [req('/cookie-route')], victim: victim('/cookie-route') },
  { kind: 'set-cookie', name: 'Set-Cookie passed to writeHead', attacker: [req('/wh-cookie')], victim: victim('/wh-cookie') },
  { kind: 'cache-control', name: 'no-store set by a writeHead hook on debug requests', app: { before: ['debugHeaders'] }, attacker: [req('/debuggable', { 'x-debug': '1' })], victim: victim('/debuggable') },
  { kind: 'cache-control', name: 'no-cache set by the route on diagnostic requests', attacker: [req('/diag', { 'x-diag': '1' })], victim: victim('/diag') },
  { kind: 'cache-control', name: 'private set by the route on preview requests', attacker: [req('/draft', { 'x-preview': '1' })], victim: victim('/draft') },
  { kind: 'cache-control', name: 'request Cache-Control / Pragma no-cache', attacker: [req('/products/1', { 'cache-control': 'no-cache', pragma: 'no-cache' })], victim: victim('/products/1') },

  // Statuses.
  { kind: 'status', name: '404 before the product is published', attacker: [req('/products/9')], between: (s) => s.products.add('9'), victim: victim('/products/9') },
  { kind: 'status', name: '410 before the article is restored', attacker: [req('/archive/7')], between: (s) => s.archived.delete('7'), victim: victim('/archive/7') },
  { kind: 'status', name: '500 on a crash header', attacker: [req('/crash', { 'x-crash': '1' })], victim: victim('/crash') },
  { kind: 'status', name: '301 redirect with the Host reflected', attacker: [req('/go-abs', { host: 'evil.example' })], victim: victim('/go-abs') },

  // Range and conditional requests.
  { kind: 'range', name: 'Range: 206 is not stored nor replayed as 200', attacker: [req('/file', { range: 'bytes=0-9' })], victim: victim('/file') },
  { kind: 'range', name: 'Range then a ranged victim', attacker: [req('/file', { range: 'bytes=5-9' })], victim: victim('/file', { range: 'bytes=0-3' }) },
  { kind: 'range', name: 'If-Range with a Range', attacker: [req('/file', { range: 'bytes=0-3', 'if-range': '"nope"' })], victim: victim('/file') },
  { kind: 'conditional', name: 'If-None-Match: * (304 first)', attacker: [req('/products/1', { 'if-none-match': '*' })], victim: victim('/products/1') },
  { kind: 'conditional', name: 'If-None-Match of the file\'s ETag', attacker: [req('/file', { 'if-none-match': 'W/"0-0"' }), req('/file', { 'if-modified-since': 'Fri, 01 Jan 2100 00:00:00 GMT' })], victim: victim('/file') },

  // Credentials and cache deception.
  { kind: 'credentials', name: 'X-Api-Key', attacker: [req('/account', { 'x-api-key': 'k-alice' })], victim: victim('/account') },
  { kind: 'credentials', name: 'Proxy-Authorization', attacker: [req('/account', { 'proxy-authorization': 'Basic YWxpY2U6cA==' })], victim: victim('/account') },
  { kind: 'credentials', name: 'Authorization', attacker: [req('/account', { authorization: 'Bearer alice' })], victim: victim('/account') },
  { kind: 'credentials', name: 'a credential header of the app (credentialHeaders option)', mw: { credentialHeaders: ['X-Tenant-Token'] }, attacker: [req('/account', { 'x-tenant-token': 'acme' })], victim: victim('/account') },
  { kind: 'deception', name: '/account/profile.css fetched by a lured user with an API key, then read', attacker: [req('/account/profile.css', { 'x-api-key': 'k-alice' })], victim: victim('/account/profile.css') },
  { kind: 'deception', name: 'per-user page, another user first', attacker: [req('/me', { cookie: 'user=alice' })], victim: victim('/me', { cookie: 'user=bob' }) },
  { kind: 'deception', name: 'per-user page, anonymous first', attacker: [req('/me')], victim: victim('/me', { cookie: 'user=bob' }) },

  // Size.
  { kind: 'size', name: 'a 15 KB header', attacker: [req('/page/a', { 'x-junk': 'j'.repeat(15_000) })], victim: victim('/page/a') },
  { kind: 'size', name: 'a 20 KB header (rejected by Node)', attacker: [req('/page/a', { 'x-junk': 'j'.repeat(20_000) })], victim: victim('/page/a') },
  { kind: 'size', name: 'a 14 KB URL', attacker: [req('/link/' + 'a'.repeat(14_000))], victim: victim('/link/' + 'a'.repeat(14_000)) },

  // Compression-style writeHead hooks around the cache.
  { kind: 'compression', name: 'compression before the cache: gzip miss, gzip hit', app: { before: ['compression'] }, attacker: [req('/big', { 'accept-encoding': 'gzip' })], victim: victim('/big'), checkAttacker: true },
  { kind: 'compression', name: 'compression before the cache: identity miss, gzip hit', app: { before: ['compression'] }, attacker: [req('/big')], victim: victim('/big'), checkAttacker: true },
  { kind: 'compression', name: 'compression before the cache: streamed body', app: { before: ['compression'] }, attacker: [req('/stream', { 'accept-encoding': 'deflate' })], victim: victim('/stream'), checkAttacker: true },
  { kind: 'compression', name: 'compression before the cache: HEAD on a hit', app: { before: ['compression'] }, attacker: [req('/big', { 'accept-encoding': 'gzip' })], victim: victim('/big', {}), checkAttacker: true, victimMethod: 'HEAD' },
  { kind: 'compression', name: 'compression before the cache: 304 on a hit', app: { before: ['compression'] }, attacker: [req('/big', { 'accept-encoding': 'gzip' })], victim: victim('/big', { 'if-none-match': '*' }), checkAttacker: true },
  { kind: 'compression', name: 'compression before the cache: 300 KB body', app: { before: ['compression'] }, attacker: [req('/large/300', { 'accept-encoding': 'gzip' })], victim: victim('/large/300'), checkAttacker: true },
  { kind: 'compression', name: 'compression before the cache: 300 KB streamed in 4 KB writes', app: { before: ['compression'] }, attacker: [req('/large-stream/300', { 'accept-encoding': 'gzip' })], victim: victim('/large-stream/300'), checkAttacker: true },
  { kind: 'compression', name: 'compression before the cache: 2 MB body (over maxBodyBytes)', app: { before: ['compression'] }, attacker: [req('/large/2048', { 'accept-encoding': 'gzip' })], victim: victim('/large/2048'), checkAttacker: true },
  { kind: 'compression', name: 'compression before the cache: HEAD miss', app: { before: ['compression'] }, attacker: [req('/big', { 'accept-encoding': 'gzip' }, { method: 'HEAD' })], victim: victim('/big'), checkAttacker: true },
  { kind: 'compression', name: 'compression after a global cache: 300 KB body', app: { placement: 'global', after: ['compression'] }, attacker: [req('/large/300', { 'accept-encoding': 'gzip' })], victim: victim('/large/300'), checkAttacker: true },
  { kind: 'compression', name: 'a writeHead-wrapping gzip before the cache: miss then hit', app: { before: ['wrappingGzip'] }, attacker: [req('/big', { 'accept-encoding': 'gzip' })], victim: victim('/big'), checkAttacker: true },
  { kind: 'compression', name: 'a writeHead-wrapping gzip before the cache: 304 on a hit', app: { before: ['wrappingGzip'] }, attacker: [req('/big', { 'accept-encoding': 'gzip' })], victim: victim('/big', { 'if-none-match': '*' }), checkAttacker: true },
  { kind: 'compression', name: 'a writeHead-wrapping gzip before the cache: streamed 300 KB', app: { before: ['wrappingGzip'] }, attacker: [req('/large-stream/300', { 'accept-encoding': 'gzip' })], victim: victim('/large-stream/300'), checkAttacker: true },
  { kind: 'compression', name: 'compression after a global cache (Vary: Accept-Encoding)', app: { placement: 'global', after: ['compression'] }, attacker: [req('/big', { 'accept-encoding': 'identity' })], victim: victim('/big'), checkAttacker: true }
]

for (const c of cases) {
  if (c.victimMethod !== undefined) c.victim.method = c.victimMethod
}

module.exports = { cases, HOST }
