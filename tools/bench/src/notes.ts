// The written part of docs/benchmarks.md: how the bench runs, what bounds each workload that
// misses its goal and what was tried, and the optimisations made with their before/after numbers.
// The numbers here were measured while the bench was built (2026-11-23, same machine); the
// table above them in the report is the run that wrote it.

/** What bounds a workload below its goal, and what was tried, by workload id. */
export const NOTES: Record<string, string> = {
  W1: `**What bounds it: CPU per request on a 2-core machine that the site (one Node thread),
PostgreSQL and the load generator share.** Since the site's layout gained a sidebar (archive
months and tag cloud), a page without the cache app sent 3 statements, two of them grouping
over every entry and tag: W1 fell to 0.4% of the floor. The sidebar's lists are now kept in the
process without the cache app (dropped when the apps invalidate their tags), and the page is
back to 1 statement (0.4% → 3.3% in the next run). A CPU profile of the page (2026-12-06, self
time by stage): Node's HTTP and socket work 32%, SQL (pg driver, Kysely, MikroORM, row mapping)
13%, Nunjucks and the template filters 13%, Node internals and promise jobs 12%, Fastify's
routing, hooks and reply 11%, garbage collection 9%, the session, cookie and CSRF 4%, the rest of
Tessera's code 4%, metrics 2%, security headers and logging under 1%. The session object
@fastify/session makes for every cookieless visitor (a random id, its HMAC signature and a
SHA-1 of the empty session) is most of the 4%; making it lazy needs every reader of
\`request.session\` (auth's user hook, flash messages, CSRF) to tell "no session" from an
empty one — left for a change of its own. Earlier measurements in more detail: One list page costs the Node process 0.7–0.9 ms of
CPU (measured in process with \`process.cpuUsage\` over thousands of requests, sockets left out),
against ~0.02 ms for the floor. Measured one at a time: the stack every request goes through
(routing, request id, security headers, the session object @fastify/session creates for every
visitor, the request's EntityManager fork, user, CSRF and parameter checks, metrics) ~0.1 ms;
the page's one query with its 10 rows and their tags as JSON ~0.13 ms; Nunjucks rendering the
list with its 10 entry macros ~0.11 ms. The rest is spread over Fastify, the pg socket (every
query's write wakes a PostgreSQL backend, an expensive system call on this VM), re-encoding the
page to UTF-8 on the socket write (it holds characters past Latin-1) and garbage collection.
PostgreSQL adds ~0.2 ms per page. The calibration's bound for this page — one raw SQL round trip
plus Nunjucks and none of the production stack — was 4.5% of the floor; with sessions, security
headers, CSRF and metrics on every request it does not reach 5% on this machine.

What was tried and kept: the page count no longer counts every live entry (it was 1.4 ms of
PostgreSQL per page at 10,000 entries, 0.85 s at 1,000,000) — PostgreSQL keeps a tally by status
with statement triggers and the page reads one row; the page's tags come from one grouped join
over its 10 ids instead of a subquery per entry (0.47 → 0.17 ms execution); dates are formatted
once per day instead of once per entry; security headers are worked out once at boot. What was
measured and left: making the session lazy for visitors without a cookie saves ~10 µs (≈1%) and
needs @fastify/session's hooks wrapped — not worth the risk in a security path; sending rendered
HTML as a Buffer saves ~10 µs but would make the cache store pages as base64. What moves this
page for real is the cache app (W2).`,
  W2: `**What bounds it: a dozen small per-request costs, each 2 µs or less, on top of what
Fastify needs to send this response at all.** A stored page is answered from
\`site.respondEarly\`, before the session, the user and the EntityManager exist, from a parsed
entry kept in memory, with its body already encoded to UTF-8: ~50 µs of CPU per hit. A bare
Fastify route sending these very ~20 headers and this very 6 KB body (no Tessera at all) costs
~28 µs and reached 66–75% of the floor in the same minutes, so the goal is reachable in
principle but the remaining ~20 µs is spread thin: Fastify's per-request child logger and a
random request id, @fastify/helmet's two hooks (kept for per-route \`helmet\` options and
\`reply.helmet()\`), the security headers set and then set again from the stored page, the
Prometheus histogram, the cache lookup's promise chain (the store API is async for Redis), the
session, cookie and personal-page \`onSend\` hooks that run for every reply, and the garbage all
of it makes. Run-to-run noise on this shared machine is ±15%. What was done: see
"Optimisations" below (3,686 → 12,000–19,500 req/s).`,
  W3: `**What bounds it: CPU per request, as for W1, without the rendering.** The JSON list costs
the Node process ~0.55 ms of CPU: ~0.1 ms of stack, ~0.13 ms for the query and its rows, the
response schema's serializer and query-string validation, the pg socket write and read (each
query wakes a PostgreSQL backend, which on this VM shows up as ~0.04 ms of system time per
request) and garbage collection; PostgreSQL ~0.2 ms per page. 10% of the floor would need the
whole request under ~0.2 ms of CPU on a core shared with the load generator. Everything done
for W1's query (tally, grouped tags, index) applies here too (572 → 1,000–1,220 req/s); the JSON
route is cached when the cache app is installed (\`cache: true\`), like W2.`,
  W4: `**What bounds it: the same as W2.** The home page is cached (ttl 60 s, tagged
\`blog:list\` and \`tagging:cloud\`), so an anonymous visitor without cookies gets it from
\`site.respondEarly\`, after the security headers and the rate limiter (off in the bench) and
before the session, CSRF and the user; what is left per hit is the same ~50 µs as W2's, against
~28 µs for bare Fastify sending the same response. On a loaded machine the runs of W2 and W4
swing by a factor of 2 (the per-run ratios under the table: the run above started at a load
average of 12 and ended at 16, with peaks of 21); on quieter machines W4 measured 46–51% and W2
28–42%. Nothing on their path changed for issue 19.`,
  W5: `**What bounds it: Node's HTTP response itself.** \`/healthz\` runs none of the site's
per-request set-up (it lives in a context of its own, outside sessions, CSRF, the
EntityManager and metrics); what it adds to the floor is ~15 security headers (a longer
\`writeHead\`, each header validated by Node), Fastify's per-request child logger and random
request id, and the JSON body. A CPU profile of a run (2026-12-06) put 31% of the process's time
in the socket write itself, 8% in writing the headers, ~5% in Fastify's hook runner and reply,
~1% each in the request id and the child logger. What was done: the probes' context no longer
registers @fastify/helmet (its two per-request hooks, one of them \`async\`, ran for routes that
use neither a route's \`helmet\` options nor \`reply.helmet()\`), \`cache-control: no-store\` is set
by the handlers instead of an \`onSend\` hook, and the JSON goes through a response schema —
54% → 64% of the floor in the runs that followed. Below 60% in a run, it is the machine's load
moving the two sides differently (±15% run to run).`,
  W6: `**What W6 pays, and what it does not.** The hand-written page
(tools/bench/src/handwritten: Fastify, MikroORM entities with \`findAndCount\` and the author
populated, the page's tags in a second query, Nunjucks with its cache on) sends 3 statements
per page where the blog sends 1, hydrates entities where the blog reads plain rows, and counts
every live entry where the blog reads a tally kept by triggers; it runs none of what every
Tessera page pays for (security headers, sessions and CSRF, the layout's sidebar, metrics, the
request's EntityManager fork and query counter, parameter checks). When W1 is below 3× W6, the
difference is the stack W1 carries and W6 does not.`,
  rss: `**What bounds it: V8's heap grown under load, not what the site keeps.** A heap snapshot
after a W3 run (which forces a full collection) holds 63 MiB of live objects: 25 MiB of
strings (mostly the source text of the modules Node keeps), 16 MiB of compiled code, 7 MiB of
arrays; no cache of the site's holds more than a few hundred KiB (the response memo, the date
memo, the compiled reads and the route table are bounded). RSS at start is ~195–210 MiB (of which
~65 MiB is mapped code and data of Node itself and its native modules). Under 50 concurrent
requests two things grow and stay: V8's heap (\`heapTotal\` 230–270 MiB in the run above, for
60–190 MiB in use, mostly garbage awaiting collection) and memory outside it — in the run above
RSS reached 465–473 MiB with a heap of 233–236 MiB, so ~230 MiB is native: socket and HTTP
buffers and the allocator's arenas, which glibc keeps once grown (not investigated further;
\`MALLOC_ARENA_MAX=2\` is the usual knob). Measured and left: capping the young generation
(\`--max-semi-space-size=2\`) brings RSS to ~230 MiB after a shorter load but costs 20–30% more
CPU per request (680–740 → 850–900 µs for W3, \`/proc/<pid>/stat\`) — a
deployment that values memory over throughput can set it in \`NODE_OPTIONS\`.`,
  cold: `**What bounds it: compiling the modules.** A CPU profile of a start spends ~60% loading
modules — reading, type-stripping (the workspace runs its TypeScript sources) and compiling
a few thousand files — and the rest booting (settings 15% inclusive, swagger-ui 2%, ioredis 2%,
MikroORM's discovery 1%). \`tessera\` now enables Node's compile cache (bin/tessera.js), which the
bench's site uses too: CPU to the first 200 went from ~1.8–2.2 s to ~1.5–1.9 s in alternating
starts on the loaded machine. The median of the run's cold starts includes the first, which
fills the cache; a deployment's first start after an upgrade pays it the same way.`,
  deep: `**What bounds it: nothing of the list's own any more.** Pages past the first ten are
linked by position (\`?before=<date>_<id>\`, docs/decisions/0011): one range of the index
\`(status, pub_date desc, id desc)\` whatever the depth, instead of an OFFSET walking every
entry it skips. Below 50% in a run means the machine's load moved between the page runs (one
run of 5 s each).`,
  sql: `Every list page must send one statement. The site's sidebar (archive months, tag cloud)
is kept by the cache app, or in the process without it (apps/site/src/sidebar.ts), so a list
page sends its own query only.`,
};

/** How the bench runs. */
export const METHOD = `
## How it runs

\`npm run bench\` (tools/bench/src/run.ts) drops and recreates the database \`tessera_bench\` on the
PostgreSQL at 127.0.0.1:5432 (\`TESSERA_BENCH_SERVER_URL\` to change), applies the site's
migrations through the site (\`tessera migrate\`), seeds with SQL (generate_series; the blog's own
triggers keep its counts), then starts, measures and stops one site process at a time, all on
127.0.0.1, and drops the database at the end (\`-- --keep-db\` keeps it):

1. the floor — a raw Fastify "hello world" (tools/bench/src/floor.ts), measured alone first and
   then kept running: every workload's runs alternate with floor runs (floor, workload, floor,
   workload, …), and a workload's ratio is the median of each run over the floor run just before
   it — on a machine other work shares, the load moves from minute to minute, and runs made back
   to back move together;
2. the production site without the cache app — W1 and W3, and the SQL statements of several
   list pages (counted at the pg driver; a deep page number's redirect followed first);
3. the production site with every app — W2, W4 (each page is checked to be a cache HIT before
   it is measured) and W5 (\`/healthz\`), then every list page once (what the caches keep at
   most); RSS is read after the start and after every workload, in each site's one process;
4. W6: the same list page written by hand on Fastify + MikroORM entities + Nunjucks
   (tools/bench/src/handwritten), measured like the others; its goal is W1 at 3× its ratio;
5. cold start: the site with every app spawned 3 times, process spawn to the first 200 of
   \`/\`, the median reported (Node's compile cache on, as \`tessera serve\` has it; the first
   start fills it);
6. the scale run: 1,000,000 entries seeded the same way, the site without the cache, the list's
   first page and the pages a visitor reaches by links: page 50,000 and the last page, each
   requested by its old number and its redirect followed (a position, \`?before=…\`), one 5 s run
   each after a 2 s warm-up; the goal is every one at half of page 1 or more.

\`npm run bench -- --only W5,W6\` runs a subset (rows W1…W6, rss, cold, deep, sql) and writes
nothing to docs/.

Every workload is checked before it is loaded: the list pages show 10 entries, each with its
author and 3 tags, and "Page 1 of 1,000"; the JSON list has 10 results with authors and tags and
\`count\` 10,000. Load: wrk (2 threads) or, without wrk, autocannon; 50 connections, a 2 s
warm-up, then 3 runs of 5 s (each after a 5 s floor run), the median run reported; requests
slower than 10 s count as errors.

The site is \`createSite()\` with apps/site's production settings (\`TESSERA_ENV=production\`,
a fresh \`SECRET_KEY\`, \`SITE_URL\`, \`DATABASE_URL\` to the bench database), run with
\`--conditions=source\` in one Node process, the way \`tessera serve\` runs it, except:

- \`host\` 127.0.0.1 and a free port — loopback only;
- \`rateLimit: false\` — every request comes from one address, and the per-IP limiter (1,000 a
  minute) would answer 429 within the warm-up;
- \`logLevel: 'warn'\` — production logs two JSON lines per request at \`info\`; a front server
  keeps access logs, and the floor logs nothing either;
- W1 and W3 run on the same settings with the cache app left out of \`apps\`;
- the cache is the memory backend (no \`REDIS_URL\`): one process, as in the calibration.

W4 is the home page \`/\`: a plain page (no form, so no CSRF token, so cacheable) through every
app — security headers, sessions, CSRF, auth, tagging, blog, contact form and the cache. It is
cached for 60 s and tagged \`blog:list\` and \`tagging:cloud\`; the bench's visitor sends no cookie,
so its requests are answered before the session and CSRF hooks run (a visitor with a session
cookie is looked up after auth, in \`preHandler\`).
`;

/** Optimisations made for these workloads. */
export const HISTORY = `
## Optimisations

Before any of them (full run, floor 39,592 req/s): W1 467 req/s (1.2%), W2 3,686 (9.3%), W3 572
(1.4%), W4 3,313 (8.4%); 1,000,000 entries: page 1 at 4 req/s with 18 requests over 2 s, page
50,000 at 0 req/s (its query alone took 44 s). Per-change numbers are Node CPU per request
(\`/proc/<pid>/stat\` over a wrk run, or \`process.cpuUsage\` in process) unless marked, because
the machine's load (a load average of 4–10 from other work) moves req/s more than most changes
do; "floor-like" is a bare Fastify route sending the cached home page's headers and body.

| change | where | before → after |
| --- | --- | --- |
| Stored pages answered from \`site.respondEarly\` (new, additive): after the security headers and rate limit, before the session, user, EntityManager fork and query counter; the request id hook split from the fork so a hit never forks | core site.ts, site-context.ts; cache response-cache.ts, app.ts | home page hit 217 → 175 µs |
| A hit reuses the parsed entry (\`engine.lookup(key, { reuse: true })\`, bounded memo) instead of \`JSON.parse\` of the whole page per hit; page keys hashed once per URL | cache engine.ts, response-cache.ts | included above (parse was 5% of a hit) |
| Security headers worked out once at boot (through @fastify/helmet itself, on a throwaway instance) and set per request; the plugin stays (\`global: false\`) for a route's own \`helmet\` options and \`reply.helmet()\` — it used to rebuild its middleware, parse the CSP and dashify names on every request | core security.ts | hit 175 → ~85 µs; \`/healthz\` 157 → ~80 µs |
| Those headers set through \`reply.headers()\`, not on the raw response: Node then takes \`writeHead\`'s fast path instead of validating and copying every header twice | core security.ts | hit ~85 → ~75 µs (13,100 req/s, floor-like 15,700–19,100); \`/healthz\` ~60 µs |
| A stored page's body encoded to UTF-8 once per parsed page and sent as a Buffer: a string with one character past Latin-1 (the layout's em dash) is re-encoded on every socket write, ~16 µs for a 6 KB page | cache response-cache.ts | hit ~75 → ~50 µs (18,000–19,500 req/s vs floor 40,000–48,000) |
| Hit path without promises in the cache's onSend and onResponse hooks | cache response-cache.ts | ~1 µs |
| The public list's count from \`blog_entry_tally\`, kept by statement triggers on \`blog_entry\` (insert, update, delete, truncate; exact, same transaction), less live entries dated in the future; filtered lists still count | blog migration 0003, entry-tally.entity.ts, queries.ts | list query 1.4–2.0 ms → 0.46 ms execution at 10,000 entries; the count at 1,000,000 entries was 0.85 s |
| The page's ids first (\`with ids as (… limit/offset)\`), then authors and its tags in one grouped join — tags were a correlated subquery per row, evaluated for every row an offset skipped | blog queries.ts | 0.46 → 0.17 ms execution; page 50,000 of 1,000,000: 44 s → ~0.1 s |
| Index \`(status, pub_date desc, id desc)\` (was without \`id\`): the order and a deep page's offset come from the index alone (index-only scan) | blog migration 0003, entry.entity.ts | 1,000,000 entries: page 1 4 → 470–1,100 req/s; page 50,000 0 → 13–22 req/s (bench runs) |
| Dates formatted once per UTC day and style (bounded memo) instead of one ICU call per date shown | core templates.ts | list render 163 → ~110 µs |
| Seeding with the blog's triggers on (they keep its counts) and synchronous commit (an asynchronously committed insert leaves VACUUM unable to set the visibility map, and every count read the heap) | tools/bench seed.ts | count 10.8 ms (seq scan) → index-only |

### Issue 19 (2026-12-06)

| change | where | before → after |
| --- | --- | --- |
| The sidebar's lists (archive months, tag cloud) kept in the process when the cache app is absent, dropped when the apps invalidate their tags after a commit | apps/site sidebar.ts | list page 3 → 1 statement; W1 0.4% → 3.3% of the floor |
| The health probes' context without @fastify/helmet's two per-request hooks, \`no-store\` set by the handlers instead of an \`onSend\` hook, JSON through a response schema | core health.ts, security.ts, plugin.ts | W5 54% → 64% of the floor |
| Node's compile cache enabled by \`tessera\` | core bin/tessera.js | CPU to the first 200 ~1.8–2.2 s → ~1.5–1.9 s (loaded machine) |
| Deep pages by position (\`?before=<date>_<id>\` past the first 10 pages, old numbers 301 there): one index range, no OFFSET | blog queries.ts, routes.ts, http.ts; decision 11 | 100,000 entries: page 5,000 at 69% and the last page at 104% of page 1 (quick run); 1,000,000: see "Scale" |

Before positions, what bounded the deep page at 1,000,000 entries was OFFSET itself: PostgreSQL
walked 500,000 index entries (~80–110 ms) to skip them.
`;
