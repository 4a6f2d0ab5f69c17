// Security headers on every route of the site, and every HTML page checked against the CSP it is
// sent with: no inline script or style, no event handler attributes, nothing loaded from elsewhere.
import type { TestSite } from '@tessera/testing';
import type { Response } from 'light-my-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_EMAIL,
  Visitor,
  hardeningSite,
  isAsset,
  seed,
  targets,
  visitorAs,
  type Samples,
} from './helpers.ts';
import { cspViolations } from './html-audit.ts';

/** The site's CSP directives, by name. */
function directives(res: Response): Map<string, string> {
  const csp = String(res.headers['content-security-policy'] ?? '');
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [name, ...values] = d.split(/\s+/);
        return [name!, values.join(' ')];
      }),
  );
}

/** The API browser: Swagger UI styles itself inline, so its CSP allows inline style (never script). */
const isApiBrowser = (url: string) => url.startsWith('/api/docs');

/** What every response must carry, whatever route or status answered it. */
function headerProblems(res: Response, url = ''): string[] {
  const out: string[] = [];
  const csp = directives(res);
  if (!csp.has('default-src')) out.push('no CSP');
  if (!/^'(none|self)'$/.test(csp.get('frame-ancestors') ?? '')) out.push('framing allowed by CSP');
  if (res.headers['x-frame-options'] !== 'DENY') out.push('no X-Frame-Options: DENY');
  if (/unsafe-inline|unsafe-eval/.test(csp.get('script-src') ?? 'x'))
    out.push('inline script allowed');
  if (
    !isApiBrowser(url) &&
    /unsafe-inline/.test(csp.get('style-src') ?? csp.get('default-src') ?? 'x')
  )
    out.push('inline style allowed');
  if (csp.get('object-src') !== "'none'") out.push('plugins allowed');
  if (res.headers['x-content-type-options'] !== 'nosniff') out.push('no nosniff');
  if (!res.headers['referrer-policy']) out.push('no Referrer-Policy');
  if (res.headers['x-powered-by']) out.push('X-Powered-By sent');
  return out;
}

const isHtml = (res: Response) => String(res.headers['content-type'] ?? '').startsWith('text/html');

describe('security headers and CSP on every page', () => {
  let t: TestSite;
  let s: Samples;
  let anonymous: Visitor;
  let admin: Visitor;
  beforeAll(async () => {
    t = await hardeningSite();
    s = await seed(t);
    anonymous = new Visitor(t.app, '10.61.0.1');
    admin = await visitorAs(t, ADMIN_EMAIL, '10.61.0.2');
  });
  afterAll(() => t.close());

  /** Every GET route as an anonymous visitor and as the admin, with what answered. */
  async function everyPage(): Promise<{ who: string; url: string; res: Response }[]> {
    const out: { who: string; url: string; res: Response }[] = [];
    for (const x of targets(t, s).filter((x) => x.method === 'GET')) {
      for (const [who, v] of [
        ['anonymous', anonymous],
        ['admin', admin],
      ] as const) {
        out.push({ who, url: x.url, res: await v.send({ method: 'GET', url: x.url }) });
      }
    }
    return out;
  }

  it('every route answers with a CSP, clickjacking protection, nosniff and a referrer policy', async () => {
    const problems: string[] = [];
    const pages = await everyPage();
    for (const { who, url, res } of pages)
      for (const p of headerProblems(res, url))
        problems.push(`${who} GET ${url} (${res.statusCode}): ${p}`);
    expect(problems).toEqual([]);
    // Pages rendered by the site itself (the API browser has a stricter one of its own).
    for (const { res, url } of pages.filter((p) => !isAsset(p.url))) {
      const csp = directives(res);
      expect(csp.get('frame-ancestors'), url).toBe("'none'");
      expect(csp.get('script-src'), url).toBe("'self'");
      expect(csp.get('default-src'), url).toBe("'self'");
    }
  }, 60_000);

  it('error answers carry the same headers: 404, 405, a CSRF 403, a 422 form, a 413 body', async () => {
    const answers = [
      await anonymous.send({ method: 'GET', url: '/no/such/page' }),
      await anonymous.send({ method: 'GET', url: '/accounts/logout' }),
      await anonymous.send({ method: 'POST', url: '/contact', form: { name: 'x' } }),
      await anonymous.send({
        method: 'POST',
        url: '/accounts/login',
        form: { email: 'nope' },
        token: true,
      }),
      await anonymous.send({
        method: 'POST',
        url: '/contact/api',
        json: { message: 'x'.repeat(1_100_000) },
        token: true,
      }),
    ];
    expect(answers.map((r) => r.statusCode)).toEqual([404, 405, 403, 422, 413]);
    for (const res of answers) expect(headerProblems(res)).toEqual([]);
  });

  it('no HSTS outside production: a development site on plain HTTP must stay reachable', async () => {
    const res = await anonymous.send({ method: 'GET', url: '/' });
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(directives(res).has('upgrade-insecure-requests')).toBe(false);
  });

  it('every HTML page the site renders works under its CSP, for visitors and for staff', async () => {
    const violations: string[] = [];
    let pages = 0;
    for (const { who, url, res } of await everyPage()) {
      if (!isHtml(res) || isAsset(url)) continue;
      pages += 1;
      for (const v of cspViolations(res.body)) violations.push(`${who} GET ${url}: ${v}`);
    }
    // Forms re-rendered with their errors too.
    for (const res of [
      await anonymous.send({
        method: 'POST',
        url: '/contact',
        form: { name: '', email: 'bad' },
        token: true,
      }),
      await anonymous.send({
        method: 'POST',
        url: '/accounts/register',
        form: { email: 'bad' },
        token: true,
      }),
      await admin.send({ method: 'POST', url: '/blog/new', form: { title: '' }, token: true }),
      await admin.send({
        method: 'POST',
        url: '/blog/preview',
        form: { title: 'Preview', body: '*hi*', status: 'draft', tags: 'a' },
        token: true,
      }),
    ]) {
      expect(isHtml(res)).toBe(true);
      pages += 1;
      for (const v of cspViolations(res.body)) violations.push(`a re-rendered form: ${v}`);
    }
    expect(violations).toEqual([]);
    expect(pages).toBeGreaterThan(30);
  }, 60_000);

  it('the audit that checks pages against the CSP finds what a browser would block', () => {
    expect(cspViolations('<p>fine</p><script src="/static/app.js"></script>')).toEqual([]);
    expect(cspViolations('<script>alert(1)</script>')).toHaveLength(1);
    expect(cspViolations('<img src=x onerror="alert(1)">')).toHaveLength(1);
    expect(cspViolations('<a href=" java&#x73;cript:alert(1)">x</a>')).toHaveLength(1);
    expect(cspViolations('<script src="https://cdn.example/x.js"></script>')).toHaveLength(1);
    expect(cspViolations('<form action="//evil.example/"></form>')).toHaveLength(1);
    expect(cspViolations('<div style="position:absolute">x</div>')).toHaveLength(1);
    expect(cspViolations('<style>p { color: red }</style>')).toHaveLength(1);
  });

  it('the session cookie is HttpOnly and SameSite=Lax, and pages that belong to one visitor are private', async () => {
    const first = await new Visitor(t.app, '10.61.0.3').send({
      method: 'GET',
      url: '/accounts/login',
    });
    const cookie = String(first.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const shared: string[] = [];
    for (const { who, url, res } of await everyPage()) {
      const personal =
        who === 'admin' || res.headers['set-cookie'] !== undefined || /name="_csrf"/.test(res.body);
      const cc = String(res.headers['cache-control'] ?? '');
      if (personal && !isAsset(url) && res.statusCode === 200 && !/private|no-store/.test(cc))
        shared.push(`${who} GET ${url}: cache-control "${cc}"`);
    }
    expect(shared).toEqual([]);
  }, 60_000);
});
