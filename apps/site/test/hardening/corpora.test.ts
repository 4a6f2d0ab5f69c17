// Hostile corpora through the site's real forms and routes: XSS payloads in every field a user
// writes come out escaped or sanitised on every page and feed; open-redirect payloads in `next`
// never send anyone off the site; SQL-injection strings in every parameter stay plain data.
import { findUserByEmail, grantPermission } from '@tessera/auth';
import type { TestSite } from '@tessera/testing';
import type { Response } from 'light-my-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_EMAIL,
  PASSWORD,
  Visitor,
  hardeningSite,
  isAsset,
  rowCounts,
  seed,
  targets,
  visitorAs,
  type Samples,
} from './helpers.ts';
import { decodeEntities, injections } from './html-audit.ts';

/** Every XSS payload carries this, so a page can be searched for where it ended up. */
const MARKER = 'xssq7';

/** Payloads for single-line fields (titles, names, tag-like text). */
const XSS = [
  `<script>alert('${MARKER}')</script>`,
  `"><script>alert('${MARKER}')</script>`,
  `'><img src=x onerror=alert('${MARKER}')>`,
  `<img src="x" onerror="alert('${MARKER}')">`,
  `<svg/onload=alert('${MARKER}')>`,
  `<a href="javascript:alert('${MARKER}')">${MARKER}</a>`,
  `javascript:alert('${MARKER}')`,
  `" onmouseover="alert('${MARKER}')" x="`,
  `' onfocus='alert(\`${MARKER}\`)' autofocus x='`,
  `<iframe src="javascript:alert('${MARKER}')"></iframe>`,
  `<${MARKER} tabindex=1 onfocus=alert(1)>`,
  `</textarea><script>alert('${MARKER}')</script>`,
  `</title><script>alert('${MARKER}')</script>`,
  `<style>@import 'http://evil.example/${MARKER}.css';</style>`,
  `<details open ontoggle=alert('${MARKER}')>`,
  `<ScRiPt>alert('${MARKER}')</sCrIpT>`,
  `<img src=x:alert(alt) onerror=eval(src) alt=${MARKER}>`,
  `&lt;script&gt;alert('${MARKER}')&lt;/script&gt;`,
  `<math><mtext><table><mglyph><style><img src=x onerror=alert('${MARKER}')>`,
  `<object data="javascript:alert('${MARKER}')"></object>`,
  `<a href=" &#14;javascript:alert('${MARKER}')">x</a>`,
  `{{ 7*7 }}${MARKER}-tpl {% raw %}`,
];

/** Markdown-only tricks, for the entry body. */
const MARKDOWN_XSS = [
  `[${MARKER}](javascript:alert(1))`,
  `[${MARKER}](JaVaScRiPt:alert(1) "t")`,
  `![${MARKER}](x" onerror="alert(1))`,
  `<a href="javascript:alert('${MARKER}')">raw html link</a>`,
  `[${MARKER}]: javascript:alert(1)\n\n[ref][${MARKER}]`,
  `<div onclick="alert('${MARKER}')">click</div>`,
  `<img src=x onerror="alert('${MARKER}')">`,
  `\`\`\`html\n<script>alert('${MARKER}')</script>\n\`\`\``,
];

/** Short payloads that can be tag names (no double quote, no comma, at most 50 characters). */
const TAG_XSS = [
  `<script>${MARKER}</script>`,
  `<img src=x onerror=alert(${MARKER})>`,
  `'><svg onload=alert(${MARKER})>`,
  `${MARKER}</a><a href=javascript:alert(1)>`,
  `<${MARKER} onfocus=alert(1) autofocus>`,
];

/** Where an open redirect would send someone. */
const REDIRECTS = [
  '//evil.example',
  '///evil.example',
  '////evil.example/',
  'https://evil.example',
  'http:evil.example',
  'https:/evil.example',
  '/\\evil.example',
  '\\/evil.example',
  '/\\/evil.example',
  '\\\\evil.example',
  '/%2F%2Fevil.example',
  '%2F%2Fevil.example',
  '/%5Cevil.example',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  '/\t/evil.example',
  '/\n/evil.example',
  ' //evil.example',
  '//evil%2Eexample',
  'https://site.test@evil.example',
  '//site.test@evil.example',
  '/%0d%0aLocation:%20https://evil.example',
  '/\r\nLocation: https://evil.example',
  '//evil。example',
  '\u3002evil.example',
  'http://127.0.0.1:1/',
  '/%09/evil.example',
  '/.evil.example',
  '/ /evil.example',
];

/** SQL injection strings, for every parameter. */
const SQLI = [
  `' OR '1'='1`,
  `' OR 1=1--`,
  `1' OR '1'='1' --`,
  `1; DROP TABLE auth_user;--`,
  `'; DROP TABLE blog_entry; --`,
  `1 UNION SELECT email, password_hash FROM auth_user--`,
  `') OR ('1'='1`,
  `" OR ""="`,
  `1' AND (SELECT 1 FROM pg_sleep(0))--`,
  `admin@example.com' --`,
  `' || (select password_hash from auth_user limit 1) || '`,
  `$$ or 1=1 $$`,
  `1)) or ((1=1`,
  `\\'; select 1; --`,
  `%27%20OR%201=1`,
  `?`,
  `$1`,
  `::text`,
  `1e309`,
  `-1`,
];

const SITE = 'http://site.test';

/** True when a browser following `location` from a page of this site would leave it. */
function leavesSite(location: string): boolean {
  if (/[\r\n]/.test(location)) return true;
  try {
    return new URL(location, `${SITE}/some/page`).origin !== SITE;
  } catch {
    return true;
  }
}

/** Injections in a feed: in its XML, and in the HTML a reader renders from its text elements. */
function feedInjections(xml: string): string[] {
  const out = injections(xml, MARKER).map((p) => `in the XML: ${p}`);
  const textElements =
    /<(content|summary|title|subtitle|description|content:encoded)\b[^>]*>([\s\S]*?)<\/\1>/g;
  for (const m of xml.matchAll(textElements)) {
    const inner = m[2]!;
    const cdata = /^\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*$/.exec(inner);
    const html = cdata ? cdata[1]! : decodeEntities(inner);
    for (const p of injections(html, MARKER)) out.push(`in <${m[1]}> as a reader renders it: ${p}`);
  }
  return out;
}

const typeOf = (res: Response) => String(res.headers['content-type'] ?? '');

describe('hostile input through the site', () => {
  let t: TestSite;
  let s: Samples;
  let admin: Visitor;
  let ipCount = 0;
  /** A fresh client address, so per-address limits never answer for the site. */
  const ip = () => `10.90.${Math.floor(++ipCount / 250)}.${ipCount % 250}`;

  beforeAll(async () => {
    t = await hardeningSite();
    s = await seed(t);
    admin = await visitorAs(t, ADMIN_EMAIL, ip());
  });
  afterAll(() => t.close());

  describe('XSS', () => {
    /** Pages answered while writing the payloads (re-rendered forms, previews, flashed pages). */
    const written: { what: string; res: Response }[] = [];
    const accepted = { entries: [] as string[], names: [] as string[] };

    beforeAll(async () => {
      for (const [i, payload] of XSS.entries()) {
        // An account whose display name is the payload, allowed to write entries.
        const email = `xss${i}@example.com`;
        const anon = new Visitor(t.app, ip());
        const reg = await anon.send({
          method: 'POST',
          url: '/accounts/register',
          form: { email, displayName: payload, password: PASSWORD, passwordConfirm: PASSWORD },
          token: true,
        });
        written.push({ what: `register as ${payload}`, res: reg });
        let author = admin;
        if (reg.statusCode === 303) {
          accepted.names.push(payload);
          await grantPermission(t.em(), (await findUserByEmail(t.em(), email))!, 'blog.add_entry');
          author = await visitorAs(t, email, ip());
        }
        // An entry with the payload in every field, written through the staff form.
        const entry = await author.send({
          method: 'POST',
          url: '/blog/new',
          form: {
            title: payload,
            slug: `xss-${i}`,
            body: [payload, ...MARKDOWN_XSS].join('\n\n'),
            excerpt: payload,
            status: 'live',
            pubDate: '2024-03-05T12:00',
            tags: `"${TAG_XSS[i % TAG_XSS.length]}", xss-${i}`,
          },
          token: true,
        });
        written.push({ what: `entry ${payload}`, res: entry });
        expect(entry.statusCode, `${payload}: ${entry.body.slice(0, 500)}`).toBe(303);
        accepted.entries.push(`xss-${i}`);
        // The page the editor lands on shows the flash "Saved “<title>”".
        const landed = await author.send({ method: 'GET', url: entry.headers.location as string });
        written.push({ what: `after saving ${payload}`, res: landed });
        // Forms sent back with their errors echo what was typed.
        for (const [url, form] of [
          ['/contact', { name: payload, email: payload, message: payload, topic: payload }],
          ['/accounts/login', { email: payload, password: payload }],
          ['/accounts/register', { email: payload, displayName: payload, password: 'x' }],
          ['/accounts/password/reset', { email: payload }],
        ] as const) {
          const res = await new Visitor(t.app, ip()).send({
            method: 'POST',
            url,
            form,
            token: true,
          });
          written.push({ what: `${url} with ${payload}`, res });
        }
        written.push({
          what: `preview of ${payload}`,
          res: await admin.send({
            method: 'POST',
            url: '/blog/preview',
            form: {
              title: payload,
              body: [payload, ...MARKDOWN_XSS].join('\n\n'),
              status: 'draft',
              tags: '',
              next: payload,
            },
            token: true,
          }),
        });
        written.push({
          what: `edit form of ${payload}`,
          res: await admin.send({ method: 'GET', url: `/blog/edit/xss-${i}` }),
        });
        // Query strings and paths echoed into pages.
        for (const url of [
          `/accounts/login?next=${encodeURIComponent(`/${payload}`)}`,
          `/blog?page=${encodeURIComponent(payload)}`,
          `/tags/${encodeURIComponent(payload)}`,
          `/blog/${encodeURIComponent(payload)}`,
        ])
          written.push({
            what: `GET ${url}`,
            res: await new Visitor(t.app, ip()).send({ method: 'GET', url }),
          });
      }
      // A message through the JSON endpoint with the payloads (stored, mailed as plain text).
      const api = await new Visitor(t.app, ip()).send({
        method: 'POST',
        url: '/contact/api',
        json: {
          name: XSS[0],
          email: 'sender@example.com',
          message: XSS.join('\n'),
          topic: 'general',
        },
        token: true,
      });
      expect(api.statusCode, api.body).toBe(202);
    });

    it('pages answered while writing the payloads show them escaped, never as markup', () => {
      const found: string[] = [];
      for (const { what, res } of written) {
        expect(res.statusCode, what).toBeLessThan(500);
        if (typeOf(res).startsWith('text/html'))
          for (const p of injections(res.body, MARKER)) found.push(`${what}: ${p}`);
      }
      expect(found).toEqual([]);
      // The echoes are there, escaped: the test looked where the payloads were.
      const shown = written.filter((w) => w.res.body.includes(MARKER)).length;
      expect(shown).toBeGreaterThan(written.length / 2);
    });

    it('every page, feed and API answer of the site shows the stored payloads escaped or sanitised', async () => {
      const found: string[] = [];
      const urls = new Set<string>();
      const entries = await t
        .em()
        .getConnection()
        .execute<{ slug: string; author_id: number; pub_date: Date }[]>(
          `select slug, author_id, pub_date from blog_entry where slug like 'xss-%'`,
        );
      const tags = await t
        .em()
        .getConnection()
        .execute<{ slug: string }[]>('select slug from tagging_tag');
      for (const x of targets(t, s).filter((x) => x.method === 'GET' && !isAsset(x.route))) {
        if (!/:slug|:id/.test(x.route)) urls.add(x.url);
        for (const e of entries) {
          if (x.route.includes(':slug') && !x.route.includes('tag'))
            urls.add(x.url.replace(s.live.slug, e.slug));
          if (x.route.includes(':id')) urls.add(x.url.replace(/\/\d+$/, `/${e.author_id}`));
        }
        for (const tag of tags)
          if (x.route.includes(':slug') && x.route.includes('tag'))
            urls.add(x.url.replace(/[^/]+$/, encodeURIComponent(tag.slug)));
      }
      let pages = 0;
      for (const url of urls) {
        for (const v of [new Visitor(t.app, ip()), admin]) {
          const res = await v.send({ method: 'GET', url });
          expect(res.statusCode, url).toBeLessThan(500);
          const type = typeOf(res);
          if (type.startsWith('text/html')) {
            pages += 1;
            for (const p of injections(res.body, MARKER)) found.push(`GET ${url}: ${p}`);
          } else if (/xml/.test(type)) {
            for (const p of feedInjections(res.body)) found.push(`GET ${url}: ${p}`);
          } else if (res.body.includes(MARKER)) {
            // JSON carrying the payloads is data; a browser must never read it as a page.
            expect(type, url).toMatch(/^application\/(problem\+)?json/);
            expect(res.headers['x-content-type-options']).toBe('nosniff');
          }
          // Nunjucks never evaluates what a user wrote.
          expect(res.body, url).not.toContain(`49${MARKER}-tpl`);
        }
      }
      expect(found).toEqual([]);
      expect(pages).toBeGreaterThan(100);
    }, 180_000);

    it('each payload is shown where it was written: entry pages, tag pages, author names, feeds', async () => {
      const v = new Visitor(t.app, ip());
      const authors = new Set<string>();
      expect(accepted.entries).toHaveLength(XSS.length);
      for (const slug of accepted.entries) {
        const res = await v.send({ method: 'GET', url: `/blog/api/entries/${slug}` });
        const entry = res.json() as {
          url: string;
          title: string;
          author: { name?: string; url: string } | null;
        };
        const page = await v.send({ method: 'GET', url: entry.url });
        expect(page.statusCode).toBe(200);
        expect(page.body).toContain(MARKER);
        expect(entry.title).toContain(MARKER);
        if (entry.author?.name?.includes(MARKER)) authors.add(entry.author.url);
      }
      expect(accepted.names.length).toBeGreaterThan(XSS.length / 2);
      // Authors named by a payload: their pages show the name (escaped).
      expect(authors.size).toBe(accepted.names.length);
      for (const url of authors)
        expect((await v.send({ method: 'GET', url })).body).toContain(MARKER);
      const feed = await v.send({ method: 'GET', url: '/blog/feed/atom.xml' });
      expect(feed.body).toContain(MARKER);
      const cloud = await v.send({ method: 'GET', url: '/tags' });
      expect(cloud.body).toContain(MARKER);
    });

    it('mail built from a message stays plain text to the managers only, whatever the fields held', async () => {
      // Mailed by the delivery jobs, outside the requests: run them as the worker would.
      await t.site.jobs.drain({ only: 'contact-form:deliver' });
      const mail = t.outbox.at(-1)!;
      expect(mail.to).toEqual(['managers@example.com']);
      expect(mail.subject).not.toMatch(/[\r\n]/);
      expect(mail.html).toBeUndefined();
      expect(mail.text).toContain(XSS[0]);
    });

    it('the audit finds markup a payload made, and not text that shows it', () => {
      expect(injections(`<p>&lt;script&gt;alert('${MARKER}')&lt;/script&gt;</p>`, MARKER)).toEqual(
        [],
      );
      expect(injections(`<input value="&quot;&gt;&lt;${MARKER}">`, MARKER)).toEqual([]);
      expect(injections(`<p><script>alert('${MARKER}')</script></p>`, MARKER)).toHaveLength(1);
      expect(injections(`<img src=x onerror="alert('${MARKER}')">`, MARKER)).toHaveLength(1);
      expect(injections(`<a href="javascript:alert('${MARKER}')">x</a>`, MARKER)).toHaveLength(1);
      expect(injections(`<${MARKER} x=1>`, MARKER)).toHaveLength(1);
      expect(injections(`<textarea>&lt;/textarea&gt;${MARKER}</textarea>`, MARKER)).toEqual([]);
      expect(
        feedInjections(`<content type="html">&lt;img src=x onerror="${MARKER}"&gt;</content>`),
      ).toHaveLength(1);
    });
  });

  describe('open redirects', () => {
    it('no `next` (or redirect-like parameter) sends a visitor off the site, on any route', async () => {
      const off: string[] = [];
      const redirects: string[] = [];
      const check = (what: string, res: Response) => {
        expect(res.statusCode, what).toBeLessThan(500);
        const location = res.headers.location;
        if (res.statusCode >= 300 && res.statusCode < 400 && typeof location === 'string') {
          redirects.push(location);
          if (leavesSite(location)) off.push(`${what} → ${location}`);
        }
      };
      const params = (p: string) =>
        ['next', 'redirect', 'redirect_to', 'return_to', 'url', 'continue', 'goto']
          .map((k) => `${k}=${encodeURIComponent(p)}`)
          .join('&');
      for (const p of REDIRECTS) {
        // Signing in with a hostile `next`, in the form and in the query.
        const v = new Visitor(t.app, ip());
        const page = await v.send({ method: 'GET', url: `/accounts/login?${params(p)}` });
        check(`login page with ${JSON.stringify(p)}`, page);
        for (const p2 of injections(page.body, 'evil')) off.push(`login page: ${p2}`);
        const login = await v.send({
          method: 'POST',
          url: `/accounts/login?${params(p)}`,
          form: { email: ADMIN_EMAIL, password: PASSWORD, next: p },
          token: true,
        });
        expect(login.statusCode).toBe(303);
        check(`login with ${JSON.stringify(p)}`, login);
        // Every GET route, anonymous (guarded pages redirect to the login page) and signed in.
        for (const x of targets(t, s).filter((x) => x.method === 'GET')) {
          const sep = x.url.includes('?') ? '&' : '?';
          check(
            `anonymous GET ${x.url}`,
            await new Visitor(t.app, ip()).send({
              method: 'GET',
              url: `${x.url}${sep}${params(p)}`,
            }),
          );
          check(
            `signed-in GET ${x.url}`,
            await v.send({ method: 'GET', url: `${x.url}${sep}${params(p)}` }),
          );
        }
        // Forms that redirect when done, with `next` in the body and the query.
        for (const [url, form] of [
          [
            '/accounts/register',
            { email: `r${ipCount}@example.com`, password: PASSWORD, passwordConfirm: PASSWORD },
          ],
          ['/accounts/password/reset', { email: ADMIN_EMAIL }],
          ['/contact', { name: 'A', email: 'a@example.com', message: 'Hi', topic: 'general' }],
          ['/accounts/logout', {}],
        ] as const) {
          const res = await new Visitor(t.app, ip()).send({
            method: 'POST',
            url: `${url}?${params(p)}`,
            form: { ...form, next: p },
            token: true,
          });
          check(`POST ${url} with ${JSON.stringify(p)}`, res);
        }
        // The preview keeps `next` as where its form posts: never another site.
        const preview = await admin.send({
          method: 'POST',
          url: '/blog/preview',
          form: { title: 'T', body: 'B', status: 'draft', tags: '', next: p },
          token: true,
        });
        const action = /<form[^>]*action="([^"]*)"/.exec(preview.body)?.[1];
        if (action !== undefined && leavesSite(decodeEntities(action)))
          off.push(`preview form action ${action}`);
      }
      expect(off).toEqual([]);
      // The walk did meet redirects: login's, and guarded pages' (to the login page).
      expect(redirects.length).toBeGreaterThan(REDIRECTS.length * 3);
    }, 180_000);

    it('the check knows what leaves the site', () => {
      for (const p of [
        '//evil.example',
        '/\\evil.example',
        'https://evil.example',
        '/\t/evil.example',
        'javascript:x',
      ])
        expect(leavesSite(p), p).toBe(true);
      for (const p of [
        '/',
        '/blog/2024/03/x',
        '/accounts/login?next=%2F%2Fevil.example',
        '?page=2',
      ])
        expect(leavesSite(p), p).toBe(false);
    });
  });

  describe('SQL injection', () => {
    it('every query and path parameter takes SQL as plain data: no error, no leak, no change', async () => {
      const before = await rowCounts(t);
      const problems: string[] = [];
      const inspect = (what: string, res: Response) => {
        if (res.statusCode >= 500) problems.push(`${what}: ${res.statusCode}`);
        if (/\$argon2/.test(res.body)) problems.push(`${what}: a password hash in the answer`);
        if (res.body.includes('Secret draft')) problems.push(`${what}: a draft shown to a visitor`);
        if (/syntax error|unterminated|pg_catalog|column .* does not exist/i.test(res.body))
          problems.push(`${what}: a database error in the answer`);
      };
      let sent = 0;
      for (const p of SQLI) {
        const q = encodeURIComponent(p);
        for (const x of targets(t, s).filter((x) => x.method === 'GET')) {
          const v = new Visitor(t.app, ip());
          const sep = x.url.includes('?') ? '&' : '?';
          const query = `${sep}page=${q}&tag=${q}&author=${q}&q=${q}&sort=${q}&id=${q}&slug=${q}`;
          inspect(
            `GET ${x.url} with ${p}`,
            await v.send({ method: 'GET', url: `${x.url}${query}` }),
          );
          sent += 1;
          // Each path parameter in turn.
          for (const param of x.route.match(/:[A-Za-z0-9_]+/g) ?? []) {
            const url = x.route
              .replace(param, q)
              .replace(
                /:[A-Za-z0-9_]+/g,
                (m) => x.url.split('/')[x.route.split('/').indexOf(m)] ?? 'x',
              );
            inspect(`GET ${url}`, await v.send({ method: 'GET', url }));
            sent += 1;
          }
        }
        // Signing in with SQL in either field never signs anyone in.
        for (const form of [
          { email: p, password: p },
          { email: `${ADMIN_EMAIL}' --`, password: p },
          { email: ADMIN_EMAIL, password: p },
        ]) {
          const res = await new Visitor(t.app, ip()).send({
            method: 'POST',
            url: '/accounts/login',
            form,
            token: true,
          });
          inspect(`login with ${p}`, res);
          expect(res.statusCode, `login with ${JSON.stringify(form)}`).not.toBe(303);
          sent += 1;
        }
        inspect(
          `reset with ${p}`,
          await new Visitor(t.app, ip()).send({
            method: 'POST',
            url: '/accounts/password/reset',
            form: { email: p },
            token: true,
          }),
        );
        const list = await new Visitor(t.app, ip()).send({
          method: 'GET',
          url: `/blog/api/entries?tag=${q}`,
        });
        expect(list.statusCode).toBeLessThan(500);
        if (list.statusCode === 200) expect((list.json() as { count: number }).count, p).toBe(0);
      }
      expect(problems).toEqual([]);
      expect(await rowCounts(t)).toEqual(before);
      expect(sent).toBeGreaterThan(1000);
    }, 180_000);

    it('SQL in fields that are stored comes back byte for byte', async () => {
      for (const [i, p] of SQLI.entries()) {
        const res = await new Visitor(t.app, ip()).send({
          method: 'POST',
          url: '/contact/api',
          json: { name: p, email: `sql${i}@example.com`, message: p, topic: 'general' },
          token: true,
        });
        expect(res.statusCode, res.body).toBe(202);
      }
      const rows = await t
        .em()
        .getConnection()
        .execute<{ data: { name: string; message: string } }[]>(
          `select data from contact_form_message where data->>'email' like 'sql%' order by id`,
        );
      expect(rows.map((r) => r.data.name)).toEqual(SQLI);
      expect(rows.map((r) => r.data.message)).toEqual(SQLI);
      // The tables the payloads named are all still there.
      const counts = await rowCounts(t);
      expect(counts.auth_user).toBeGreaterThan(0);
      expect(counts.blog_entry).toBeGreaterThan(0);
    });
  });
});
