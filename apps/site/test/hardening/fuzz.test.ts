// The bad-input corpus: more than ten thousand generated and hostile requests (a fixed seed, so
// every run sends the same ones) to every route of the site — wrong types, huge bodies, deep
// JSON, invalid UTF-8, unknown fields, path traversal, header abuse. None may answer 5xx; every
// refusal is a clear 4xx (a problem body or an HTML page); refused requests change no row.
import type { TestSite } from '@tessera/testing';
import type { Response } from 'light-my-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_EMAIL,
  NO_RATE_LIMIT,
  UNSAFE,
  Visitor,
  hardeningSite,
  rowCounts,
  seed,
  targets,
  visitorAs,
  type Samples,
  type Target,
} from './helpers.ts';

/** How many requests the corpus sends. */
const REQUESTS = 12_000;
/** How many run at once (a batch); row counts are compared around each batch. */
const CONCURRENCY = 24;
const SEED = 0x7e55e7a;
/** The site's body limit (the default): bodies past it must get a 413. */
const BODY_LIMIT = 1024 * 1024;

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
class Random {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const ALPHABETS = [
  'abcdefghijklmnopqrstuvwxyz0123456789',
  ' \t.,;:!?-_/\\\'"`<>&=%+*#@()[]{}|^~$',
  'éàüßçñøåæœ日本語中文한국어русскийΕλληνικάעבריתالعربية',
  '\u200b\u200c\u200d\u2060\ufeff\u202e\u2066\u00ad',
  '😀🎉👍🏽🇫🇷🧑‍💻',
  '\u0000\u0001\u0007\u0008\u000b\u000c\u001b\u007f\u0085',
];

/** Hostile or odd strings a field might hold. */
const NASTY = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff x',
  '\uffff',
  '\ufffd',
  '%00',
  '%',
  '%zz',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '<script>alert(1)</script>',
  "' OR 1=1--",
  '{{ 7*7 }}',
  '${7*7}',
  '\r\nSet-Cookie: x=1',
  'a'.repeat(256),
  'b'.repeat(10_001),
  'c'.repeat(200_001),
  '1e309',
  '-0',
  'NaN',
  'Infinity',
  '9'.repeat(40),
  'true',
  'null',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'x@y',
  'a@b.c',
  '"@example.com',
  'javascript:alert(1)',
  '//evil.example',
  '2024-02-30T25:61',
  '0000-00-00',
];

/** Values of every JSON type, hostile objects included. */
function jsonValue(r: Random, depth = 0): unknown {
  switch (r.int(depth > 2 ? 7 : 10)) {
    case 0:
      return r.pick(NASTY);
    case 1:
      return text(r);
    case 2:
      return r.pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, 2147483648, Number.MAX_SAFE_INTEGER]);
    case 3:
      return r.chance(0.5);
    case 4:
      return null;
    case 5:
      return { toString: 1, valueOf: 2 };
    case 6:
      return r.pick([{ $ne: null }, { $gt: '' }, { length: 1e9 }, ['x'], [[null]]]);
    case 7:
      return Array.from({ length: r.int(5) }, () => jsonValue(r, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: r.int(4) }, () => [text(r).slice(0, 12), jsonValue(r, depth + 1)]),
      );
  }
}

function text(r: Random): string {
  const alphabet = [...r.pick(ALPHABETS)];
  return Array.from({ length: r.int(40) }, () => r.pick(alphabet)).join('');
}

/** Percent-encodes the UTF-8 bytes of `s` (a lone surrogate becomes U+FFFD, as a browser sends it). */
function pct(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8'))
    out += /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b))
      ? String.fromCharCode(b)
      : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

/** A JSON document nested `depth` deep; `key` names every level (a prototype key, sometimes). */
function deepJson(depth: number, key: string | null): string {
  return key === null
    ? `${'['.repeat(depth)}1${']'.repeat(depth)}`
    : `${`{"${key}":`.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** Bytes that are not UTF-8: lone continuation bytes, overlong forms, surrogates, 0xFF. */
const BAD_UTF8 = [
  [0xff],
  [0xc3, 0x28],
  [0xa0, 0xa1],
  [0xe2, 0x28, 0xa1],
  [0xf0, 0x90, 0x28, 0xbc],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
];

/** One generated request, and what the checks need to know about it. */
interface Case {
  kind: string;
  target: Target;
  who: 'none' | 'visitor' | 'admin';
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  /** A body defect every form must refuse (the request may not be accepted by a form route). */
  defective: boolean;
}

/** Routes whose POST takes no form (a confirmation or a sign-out): they may accept any body. */
const NO_FORM = /\/(logout|delete\/:slug)$|\/api\/entries\/:slug$/;

class Corpus {
  readonly #r: Random;
  readonly #fields: string[];
  readonly #s: Samples;
  #n = 0;

  constructor(seed: number, fields: string[], samples: Samples) {
    this.#r = new Random(seed);
    this.#fields = fields;
    this.#s = samples;
  }

  /** The next case for `target`. */
  make(target: Target): Case {
    this.#n += 1;
    const r = this.#r;
    const unsafe = UNSAFE.has(target.method);
    const who = unsafe
      ? r.pick(['visitor', 'visitor', 'admin', 'admin', 'none'] as const)
      : r.pick(['visitor', 'admin'] as const);
    const c: Case = {
      kind: '',
      target,
      who: target.route.endsWith('/logout') && who === 'admin' ? 'visitor' : who,
      method: target.method,
      url: this.#url(target),
      headers: {},
      defective: false,
    };
    if (r.chance(0.12)) this.#abuseHeaders(c);
    if (r.chance(0.15)) this.#abusePath(c);
    if (r.chance(0.2)) this.#abuseQuery(c);
    if (unsafe || r.chance(0.1)) this.#body(c);
    if (r.chance(0.01)) {
      c.method = r.pick(['PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND']);
      c.kind += '+method';
    }
    return c;
  }

  /** The route's path with its sample parameters; deletions aim at an entry that does not exist. */
  #url(target: Target): string {
    if (UNSAFE.has(target.method) && /delete|api\/entries\/:slug/.test(target.route))
      return target.url.replace(this.#s.live.slug, 'fuzz-no-such-entry');
    return target.url;
  }

  #abuseHeaders(c: Case): void {
    const r = this.#r;
    c.kind += '+headers';
    const choices: [string, string][] = [
      ['cookie', `tessera_session=${text(r)}`],
      ['cookie', `tessera_session=s%3A${'A'.repeat(32)}.${'B'.repeat(43)}`],
      ['cookie', ';;;===;;tessera_session'],
      ['cookie', `a=${'x'.repeat(8000)}`],
      ['x-csrf-token', r.pick(['', 'null', 'x'.repeat(5000), '\u00ff'])],
      [
        'accept',
        r.pick(['*/*', 'application/json', 'text/html;q=0', 'garbage/;;', 'application/xml']),
      ],
      ['accept-language', 'x'.repeat(3000)],
      ['accept-encoding', 'gzip;q=abc, br, *;q=-1'],
      ['if-none-match', r.pick(['*', 'W/"x"', '"' + 'a'.repeat(500) + '"'])],
      ['if-modified-since', r.pick(['yesterday', 'Thu, 01 Jan 1970 00:00:00 GMT', '9'.repeat(30)])],
      ['range', r.pick(['bytes=0-1000000000', 'bytes=-1', 'bytes=5-1', 'lines=1-2'])],
      ['x-forwarded-for', r.pick(['1.2.3.4, 5.6.7.8', 'not-an-ip', '::1', '999.999.999.999'])],
      ['x-forwarded-proto', r.pick(['https', 'gopher', ''])],
      ['x-forwarded-host', 'evil.example'],
      ['host', r.pick(['evil.example', 'localhost:99999', '[::1]', 'a'.repeat(300)])],
      ['x-request-id', r.pick(['x'.repeat(2000), '../../etc', '\u00e9\u00e8'])],
      [
        'content-type',
        r.pick([
          '',
          'text/plain',
          'application/xml',
          'multipart/form-data',
          'multipart/form-data; boundary=x',
          'application/json; charset=utf-16',
          'application/x-www-form-urlencoded; charset=latin1',
          'application/json;;;',
          '*/*',
          'application/problem+json',
        ]),
      ],
      ['user-agent', 'x'.repeat(2000)],
      ['origin', 'https://evil.example'],
      ['referer', 'https://evil.example/page'],
    ];
    for (let i = 0, n = 1 + r.int(3); i < n; i++) {
      const [name, value] = r.pick(choices);
      c.headers[name] = value;
    }
    if ('content-type' in c.headers) c.defective = c.headers['content-type'] !== '';
  }

  #abusePath(c: Case): void {
    const r = this.#r;
    c.kind += '+path';
    const params = c.target.route.match(/:[A-Za-z0-9_]+/g) ?? [];
    const bad = () =>
      r.pick([
        'x'.repeat(201),
        'x'.repeat(5000),
        '%00',
        '%FF',
        '%E0%A4%A',
        '%',
        '..%2F..%2Fetc%2Fpasswd',
        '%2e%2e',
        '%252e%252e',
        pct(r.pick(NASTY)),
        pct(text(r)) || 'x',
        '日本語',
        '0',
        '-1',
        '99999999999999999999',
        '1e309',
      ]);
    if (params.length) {
      const victim = r.pick(params);
      const parts = c.target.route.split('/');
      const sample = c.url.split('/');
      c.url = parts.map((p, i) => (p === victim ? bad() : sample[i])).join('/');
    } else if (c.target.route.startsWith('/static/') || r.chance(0.3)) {
      c.url = r.pick([
        '/static/../package.json',
        '/static/..%2f..%2fpackage.json',
        '/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
        '/static/....//....//etc/passwd',
        '/static/site.css%00.png',
        '/static/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
        '/static//etc/passwd',
        '/static/..\\..\\package.json',
        '/static/%5c..%5c..%5cpackage.json',
        '/static/.env',
        '/static/',
        `${c.url}/${'x'.repeat(3000)}`,
        `${c.url}%00`,
        `${c.url}/..;/`,
        `${c.url}/%2e%2e/%2e%2e/`,
        `//${c.url}`,
      ]);
    }
  }

  #abuseQuery(c: Case): void {
    const r = this.#r;
    c.kind += '+query';
    const names = [
      'page',
      'tag',
      'author',
      'next',
      'q',
      'sort',
      'id',
      '__proto__[x]',
      'constructor[prototype][x]',
      'page[]',
      'page[$gt]',
      text(r) || 'x',
    ];
    const parts: string[] = [];
    for (let i = 0, n = 1 + r.int(4); i < n; i++) {
      const value = r.pick([
        pct(r.pick(NASTY)),
        pct(text(r)),
        '%FF%FE',
        '%',
        '',
        'x'.repeat(20_000),
        '1&page=2',
      ]);
      parts.push(`${pct(r.pick(names))}=${value}`);
    }
    if (r.chance(0.05)) for (let i = 0; i < 300; i++) parts.push(`p${i}=${i}`);
    c.url += (c.url.includes('?') ? '&' : '?') + parts.join('&');
  }

  /** A body with at least one defect a form refuses (an unknown field, a wrong type, bad bytes…). */
  #body(c: Case): void {
    const r = this.#r;
    const fields = () => {
      const out: Record<string, unknown> = {};
      for (let i = 0, n = r.int(6); i < n; i++)
        out[r.pick(this.#fields)] = r.chance(0.7) ? text(r) : r.pick(NASTY);
      return out;
    };
    const unknown = () => `zz_${this.#n}_${text(r).slice(0, 8)}`;
    c.defective = true;
    const form = (body: Record<string, unknown>) => {
      c.headers['content-type'] ??= 'application/x-www-form-urlencoded';
      return Object.entries(body)
        .map(([k, v]) => `${pct(k)}=${pct(String(v))}`)
        .join('&');
    };
    const json = (body: unknown) => {
      c.headers['content-type'] ??= 'application/json';
      return JSON.stringify(body);
    };
    switch (r.int(14)) {
      case 0:
        c.kind += '+unknown-field';
        c.payload = r.chance(0.5)
          ? form({ ...fields(), [unknown()]: text(r) })
          : json({ ...fields(), [unknown()]: jsonValue(r) });
        break;
      case 1:
        c.kind += '+wrong-types';
        c.payload = json({
          ...Object.fromEntries(this.#fields.slice(0, 8).map((f) => [f, jsonValue(r)])),
          [unknown()]: 1,
        });
        break;
      case 2:
        c.kind += '+not-an-object';
        c.payload = json(r.pick([[], [fields()], 'text', 42, null, true]));
        break;
      case 3:
        c.kind += '+huge';
        c.payload = r.chance(0.5)
          ? form({ message: 'x'.repeat(BODY_LIMIT + 10) })
          : json({ message: 'x'.repeat(BODY_LIMIT + 10) });
        break;
      case 4:
        c.kind += '+deep-json';
        c.headers['content-type'] ??= 'application/json';
        c.payload = deepJson(
          r.pick([500, 5_000, 50_000, 120_000]),
          r.pick([null, 'a', '__proto__', 'constructor', 'prototype']),
        );
        break;
      case 5:
        c.kind += '+invalid-utf8';
        c.headers['content-type'] ??= r.pick([
          'application/x-www-form-urlencoded',
          'application/json',
        ]);
        c.payload = Buffer.concat([
          Buffer.from(
            c.headers['content-type'].includes('json')
              ? `{"${r.pick(this.#fields)}":"`
              : `${r.pick(this.#fields)}=`,
          ),
          Buffer.from(r.pick(BAD_UTF8)),
          Buffer.from(
            c.headers['content-type'].includes('json') ? `","${unknown()}":1}` : `&${unknown()}=1`,
          ),
        ]);
        break;
      case 6:
        c.kind += '+bad-escapes';
        c.payload = `${r.pick(this.#fields)}=%FF%FE%ED%A0%80&${r.pick(this.#fields)}=%&${unknown()}=%zz`;
        c.headers['content-type'] ??= 'application/x-www-form-urlencoded';
        break;
      case 7:
        c.kind += '+malformed-json';
        c.headers['content-type'] ??= 'application/json';
        c.payload = r.pick([
          '{',
          '{"a":}',
          '{"a":1,}',
          "{'a':1}",
          '[1,2',
          '{"a":"\\u12"}',
          '\u0000',
          'null null',
          '{"a":1}{"b":2}',
          '{"email":"x"' + ' '.repeat(1000),
        ]);
        break;
      case 8:
        c.kind += '+prototype';
        c.payload = r.chance(0.5)
          ? `{"__proto__":{"isSuperuser":true},"constructor":{"prototype":{"isStaff":true}},"${unknown()}":1}`
          : `__proto__[isSuperuser]=1&constructor[prototype][isStaff]=1&__proto__=x&${unknown()}=1`;
        c.headers['content-type'] ??= c.payload.startsWith('{')
          ? 'application/json'
          : 'application/x-www-form-urlencoded';
        break;
      case 9:
        c.kind += '+repeated';
        c.payload = [
          ...Array.from({ length: 50 }, () => `${r.pick(this.#fields)}=${pct(text(r))}`),
          `${unknown()}=1`,
        ].join('&');
        c.headers['content-type'] ??= 'application/x-www-form-urlencoded';
        break;
      case 10:
        c.kind += '+nasty-values';
        c.payload = json({
          ...Object.fromEntries(this.#fields.map((f) => [f, r.pick(NASTY)])),
          [unknown()]: r.pick(NASTY),
        });
        break;
      case 11:
        c.kind += '+control-chars';
        c.payload = form({
          ...Object.fromEntries(this.#fields.slice(0, 6).map((f) => [f, `a\u0000b\u0008c\u001b`])),
          [unknown()]: '\u0000',
        });
        break;
      case 12:
        c.kind += '+many-fields';
        c.payload = form(Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`f${i}`, i])));
        break;
      default:
        c.kind += '+empty';
        c.payload = r.pick(['', ' ', '\n', '=', '&&&', '==&==']);
        c.headers['content-type'] ??= r.pick([
          'application/x-www-form-urlencoded',
          'application/json',
          'text/plain',
        ]);
        break;
    }
  }
}

const SERVER_LEAKS =
  /root:x:0:0|"name":\s*"@tessera|\[extensions\]|BEGIN [A-Z ]*PRIVATE KEY|\$argon2/;

/** Why an answer is not a clear refusal (empty when it is one, or not a refusal at all). */
function unclear(res: Response): string | undefined {
  if (res.statusCode < 400) return undefined;
  const type = String(res.headers['content-type'] ?? '');
  if (type.startsWith('application/problem+json') || type.startsWith('application/json')) {
    try {
      const body = res.json() as { status?: number; title?: string; message?: string };
      if ((body.status ?? res.statusCode) !== res.statusCode)
        return `a problem body saying ${body.status}`;
      if (!body.title && !body.message) return 'a problem body without a title';
      return undefined;
    } catch {
      return 'a JSON answer that is not JSON';
    }
  }
  if (type.startsWith('text/html') && res.body.length > 100) return undefined;
  return `an answer of type "${type}" and ${res.body.length} bytes`;
}

describe('the bad-input corpus', () => {
  let t: TestSite;
  let s: Samples;
  let fieldNames: string[];
  beforeAll(async () => {
    t = await hardeningSite({ settings: { rateLimit: NO_RATE_LIMIT } });
    s = await seed(t);
    // Every field name the site's forms and JSON APIs take: what the corpus builds bodies from.
    const admin = await visitorAs(t, ADMIN_EMAIL);
    const names = new Set<string>(['_csrf', 'next']);
    for (const x of targets(t, s).filter((x) => x.method === 'GET')) {
      const res = await admin.send({ method: 'GET', url: x.url });
      for (const m of res.body.matchAll(/<(?:input|textarea|select)[^>]*\sname="([^"]+)"/g))
        names.add(m[1]!);
    }
    const spec = (await admin.send({ method: 'GET', url: '/api/docs/json' })).json() as {
      paths: Record<
        string,
        Record<
          string,
          { requestBody?: { content?: Record<string, { schema?: { properties?: object } }> } }
        >
      >;
    };
    for (const ops of Object.values(spec.paths))
      for (const op of Object.values(ops))
        for (const c of Object.values(op.requestBody?.content ?? {}))
          for (const k of Object.keys(c.schema?.properties ?? {})) names.add(k);
    fieldNames = [...names];
  });
  afterAll(() => t.close());

  it(`sends ${REQUESTS} generated requests to every route: no 5xx, clear 4xx refusals, no row changed by a refusal`, async () => {
    expect(fieldNames).toEqual(
      expect.arrayContaining(['email', 'password', 'title', 'body', 'message', 'tags']),
    );
    const corpus = new Corpus(SEED, fieldNames, s);
    const all = targets(t, s);
    const admin = await visitorAs(t, ADMIN_EMAIL, '10.200.0.1');
    const visitor = new Visitor(t.app, '10.200.0.2');
    await visitor.token();
    const failures: string[] = [];
    const seen = new Map<string, number>();
    const statuses = new Map<number, number>();
    let sent = 0;
    let batches = 0;
    let unsafeSent = 0;
    let unsafeRefused = 0;
    let baseline = await rowCounts(t);
    while (sent < REQUESTS) {
      const batch: Case[] = [];
      for (let i = 0; i < CONCURRENCY && sent < REQUESTS; i++, sent++)
        batch.push(corpus.make(all[sent % all.length]!));
      const answers = await Promise.all(
        batch.map(async (c) => {
          // A sign-out ends the session it is sent with: give it one of its own.
          const v =
            c.who === 'admin'
              ? admin
              : c.target.route.endsWith('/logout')
                ? await fresh(t)
                : visitor;
          const headers = { ...c.headers };
          if (c.who !== 'none' && UNSAFE.has(c.target.method))
            headers['x-csrf-token'] ??= await v.token();
          if (c.who === 'none') headers.cookie ??= '';
          return v.send({
            method: c.method,
            url: c.url,
            headers,
            payload: c.payload,
            ip: `10.${1 + (sent % 200)}.${batches % 250}.${batch.indexOf(c) + 1}`,
          });
        }),
      );
      batches += 1;
      let refusedAll = true;
      for (const [i, res] of answers.entries()) {
        const c = batch[i]!;
        const what = `${c.method} ${c.url.slice(0, 120)} (${c.who}${c.kind})`;
        seen.set(c.target.route, (seen.get(c.target.route) ?? 0) + 1);
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode >= 500)
          failures.push(`${what}: ${res.statusCode} ${res.body.slice(0, 200)}`);
        const why = unclear(res);
        if (why) failures.push(`${what}: ${res.statusCode} is not clear: ${why}`);
        if (SERVER_LEAKS.test(res.body))
          failures.push(`${what}: the answer leaks a server file or secret`);
        const accepted = res.statusCode < 400;
        if (UNSAFE.has(c.method)) {
          unsafeSent += 1;
          if (!accepted) unsafeRefused += 1;
        }
        if (accepted && UNSAFE.has(c.method)) {
          refusedAll = false;
          // A form must refuse a defective body; guarded routes may send visitors to sign in.
          const toLogin =
            res.statusCode === 303 && String(res.headers.location).startsWith('/accounts/login');
          if (c.defective && !NO_FORM.test(c.target.route) && !toLogin)
            failures.push(`${what}: a defective body was accepted (${res.statusCode})`);
        }
      }
      const counts = await rowCounts(t);
      if (refusedAll && JSON.stringify(counts) !== JSON.stringify(baseline))
        failures.push(
          `batch ${batches}: refused requests changed rows: ${JSON.stringify(baseline)} → ${JSON.stringify(counts)}`,
        );
      baseline = counts;
      if (failures.length > 50) break;
    }
    expect(failures.slice(0, 50)).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(10_000);
    // Every route got its share, and the corpus was mostly refused (it is hostile).
    for (const x of all)
      expect(seen.get(x.route) ?? 0, x.route).toBeGreaterThanOrEqual(
        Math.floor(REQUESTS / all.length) - 1,
      );
    expect(unsafeRefused / unsafeSent).toBeGreaterThan(0.9);
    for (const code of [400, 403, 404, 413, 415, 422])
      expect(statuses.get(code) ?? 0, `status ${code}`).toBeGreaterThan(0);
    expect(await rowCounts(t)).toEqual(baseline);
    // The admin's session survived the corpus (nothing it sent signed it out or broke it).
    expect((await admin.send({ method: 'GET', url: '/blog/new' })).statusCode).toBe(200);
  }, 300_000);
});

/** A new visitor with a session and a token of its own. */
async function fresh(t: TestSite): Promise<Visitor> {
  const v = new Visitor(t.app, '10.201.0.1');
  await v.token();
  return v;
}
