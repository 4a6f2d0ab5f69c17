// What the hardening tests share: the site built from its own settings (every app it installs,
// the blog and the cache included), seeded data, the route table walked with sample parameters,
// and row counts to prove that refused requests change nothing.
import { createUser, type User } from '@tessera/auth';
import { saveEntry, type EntryInput, type EntrySummary } from '@tessera/blog';
import type { CurrentUser, Endpoint, InstalledApp, SettingsInput } from '@tessera/core';
import { createTestSite, formEncode, type TestSite } from '@tessera/testing';
import type { FastifyInstance } from 'fastify';
import type { InjectOptions, Response } from 'light-my-request';
import { expect } from 'vitest';
import { base } from '../../src/settings/base.ts';
import { ADMIN_EMAIL, PASSWORD, READER_EMAIL, siteApps, type AppOverrides } from './apps.ts';

export {
  ADMIN_EMAIL,
  FAST_ARGON2,
  NO_RATE_LIMIT,
  PASSWORD,
  READER_EMAIL,
  siteApps,
  type AppOverrides,
} from './apps.ts';

/** The tables whose rows are the site's content: a refused request must not change their counts. */
export const CONTENT_TABLES = [
  'auth_user',
  'auth_group',
  'auth_permission',
  'auth_user_permissions',
  'auth_user_groups',
  'auth_group_permissions',
  'tagging_tag',
  'tagging_tagged_item',
  'contact_form_message',
  'blog_entry',
] as const;

/** The site as its settings compose it, on a fresh test database. */
export function hardeningSite(
  opts: {
    apps?: AppOverrides;
    settings?: Partial<SettingsInput>;
    extraApps?: InstalledApp[];
    /** The installed apps to start from (default: the base settings'). */
    from?: readonly InstalledApp[];
  } = {},
): Promise<TestSite> {
  return createTestSite({
    apps: [...siteApps(opts.apps, opts.from), ...(opts.extraApps ?? [])],
    routes: base.routes,
    settings: {
      siteName: base.siteName,
      templates: base.templates,
      static: base.static,
      listeners: base.listeners,
      ...opts.settings,
    },
  });
}

/** What the seeded data offers for filling in route parameters. */
export interface Samples {
  admin: User;
  reader: User;
  live: EntrySummary;
  draft: EntrySummary;
  tag: string;
  year: string;
  month: string;
}

/** What `request.user` is for `user`, to call services directly. */
export function asCurrent(user: User): CurrentUser {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    isActive: true,
    isStaff: user.isStaff,
    isSuperuser: user.isSuperuser,
    hasPermission: () => true,
  };
}

/** Saves an entry through the blog's own service. */
export function makeEntry(
  t: TestSite,
  author: User,
  input: Partial<EntryInput> = {},
): Promise<EntrySummary> {
  return saveEntry(
    t.site,
    t.em(),
    null,
    {
      title: 'An entry',
      slug: '',
      body: 'Some *words*.',
      excerpt: '',
      status: 'live',
      pubDate: new Date('2024-03-05T10:00:00Z'),
      tags: ['python'],
      extra: {},
      ...input,
    },
    { user: asCurrent(author) },
  );
}

/** A superuser, a reader without permissions, a live and a draft entry with tags. */
export async function seed(t: TestSite): Promise<Samples> {
  const admin = await createUser(t.em(), {
    email: ADMIN_EMAIL,
    password: PASSWORD,
    displayName: 'Admin',
    isSuperuser: true,
  });
  const reader = await createUser(t.em(), {
    email: READER_EMAIL,
    password: PASSWORD,
    displayName: 'Reader',
  });
  const live = await makeEntry(t, admin, { title: 'Hello world', tags: ['python', 'web'] });
  const draft = await makeEntry(t, admin, { title: 'Secret draft', status: 'draft' });
  return { admin, reader, live, draft, tag: 'python', year: '2024', month: '03' };
}

/** One route to exercise: a method and a path with its parameters filled in. */
export interface Target {
  method: string;
  /** The route's path as registered (`/blog/:year/:month/:slug`). */
  route: string;
  /** A path to request (`/blog/2024/03/hello-world`). */
  url: string;
  name: string | undefined;
  config: Endpoint['config'];
}

/** True for the routes that serve files or the API browser rather than the site's pages. */
export function isAsset(path: string): boolean {
  return path.startsWith('/static/') || path.startsWith('/api/docs');
}

/** The request methods that change state, which CSRF protects. */
export const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Every route of the site (HEAD and OPTIONS aside), one per method and path, with sample values
 * for its parameters: slugs of the seeded entry and tag, its year and month, the admin's id.
 */
export function targets(t: TestSite, s: Samples): Target[] {
  const seen = new Set<string>();
  const out: Target[] = [];
  for (const e of t.site.routes.endpoints()) {
    if (e.method === 'HEAD' || e.method === 'OPTIONS') continue;
    const key = `${e.method} ${e.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      method: e.method,
      route: e.path,
      url: fill(e.path, s),
      name: e.name,
      config: e.config,
    });
  }
  return out;
}

/** A route's path with sample values for its parameters. */
export function fill(path: string, s: Samples): string {
  const tagRoute = path.startsWith('/tags/') || path.includes('/tag/');
  const values: Record<string, string> = {
    slug: tagRoute ? s.tag : s.live.slug,
    year: s.year,
    month: s.month,
    id: String(s.admin.id),
    uid: 'MQ',
    token: 'invalid-token',
  };
  return path
    .replace(/:([A-Za-z0-9_]+)\??/g, (_m, key: string) => values[key] ?? 'x')
    .replace(/\*$/, path.startsWith('/static/') ? 'site.css' : '');
}

/** Rows in each content table, in one round trip. */
export async function rowCounts(t: TestSite): Promise<Record<string, number>> {
  const sql = `select ${CONTENT_TABLES.map((n) => `(select count(*)::int from ${n}) as ${n}`).join(', ')}`;
  const [row] = await t.em().getConnection().execute<Record<string, number>[]>(sql);
  return row!;
}

/** What `Visitor.send` takes. */
export interface SendOptions {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** A raw body (string or bytes), sent as is. */
  payload?: string | Buffer;
  /** A form body (urlencoded), or a JSON one with `json: true`. */
  form?: Record<string, unknown>;
  json?: unknown;
  /** Attach this visitor's CSRF token (`x-csrf-token`). */
  token?: boolean;
  /** The client address (defaults to the visitor's). */
  ip?: string;
}

/**
 * One browser over `inject`: a cookie jar, a CSRF token of its own session, and a client address
 * (so per-address limits count each visitor apart, as they would on the internet).
 */
export class Visitor {
  readonly cookies = new Map<string, string>();
  readonly #app: FastifyInstance;
  readonly ip: string;
  #token: string | undefined;

  constructor(app: FastifyInstance, ip = '127.0.0.1') {
    this.#app = app;
    this.ip = ip;
  }

  /** This session's CSRF token (fetched once, as a JSON front end would). */
  async token(): Promise<string> {
    if (!this.#token) {
      const res = await this.send({
        method: 'GET',
        url: '/csrf-token',
        headers: { accept: 'application/json' },
      });
      this.#token = (res.json() as { token: string }).token;
    }
    return this.#token;
  }

  /** Signs in with the seeded password; the session (and so the token) is new afterwards. */
  async signIn(email: string): Promise<this> {
    const res = await this.send({
      method: 'POST',
      url: '/accounts/login',
      form: { email, password: PASSWORD },
      token: true,
    });
    expect(res.statusCode, res.body).toBe(303);
    this.#token = undefined;
    return this;
  }

  async send(opts: SendOptions): Promise<Response> {
    const headers: Record<string, string> = { ...opts.headers };
    let payload = opts.payload;
    if (opts.form) {
      payload = formEncode(opts.form);
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    } else if (opts.json !== undefined) {
      payload = JSON.stringify(opts.json);
      headers['content-type'] ??= 'application/json';
    }
    if (opts.token) headers['x-csrf-token'] = await this.token();
    if (this.cookies.size && !('cookie' in headers))
      headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await this.#app.inject({
      method: opts.method as InjectOptions['method'],
      url: opts.url,
      headers,
      payload,
      remoteAddress: opts.ip ?? this.ip,
    });
    // A request sent with a cookie header of its own is another identity's: its cookies are not ours.
    if (opts.headers && 'cookie' in opts.headers) return res;
    for (const c of res.cookies as {
      name: string;
      value: string;
      maxAge?: number;
      expires?: Date;
    }[]) {
      if (c.value === '' || c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now()))
        this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }
}

/** A visitor signed in as `email`. */
export function visitorAs(t: TestSite, email: string, ip?: string): Promise<Visitor> {
  return new Visitor(t.app, ip).signIn(email);
}
