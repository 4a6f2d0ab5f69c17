import type { FastifyInstance } from 'fastify';
import type { InjectOptions, Response } from 'light-my-request';

type Body = Record<string, unknown> | string | undefined;

/** How one request is sent. */
export interface RequestOptions {
  headers?: Record<string, string>;
  /** Send the body as JSON (default: a urlencoded form, like a browser). */
  json?: boolean;
  /** Attach a valid CSRF token (default true for unsafe methods); false tests the refusal. */
  csrf?: boolean;
  query?: Record<string, string>;
}

/**
 * A browser-like client over `inject`: keeps cookies between requests and fetches a CSRF token
 * before each unsafe request, so tests read as what a user does.
 */
export class TestClient {
  readonly cookies = new Map<string, string>();
  readonly #app: FastifyInstance;

  constructor(app: FastifyInstance) {
    this.#app = app;
  }

  get(url: string, opts: RequestOptions = {}): Promise<Response> {
    return this.request('GET', url, undefined, opts);
  }

  post(url: string, body?: Body, opts: RequestOptions = {}): Promise<Response> {
    return this.request('POST', url, body, opts);
  }

  put(url: string, body?: Body, opts: RequestOptions = {}): Promise<Response> {
    return this.request('PUT', url, body, opts);
  }

  patch(url: string, body?: Body, opts: RequestOptions = {}): Promise<Response> {
    return this.request('PATCH', url, body, opts);
  }

  delete(url: string, body?: Body, opts: RequestOptions = {}): Promise<Response> {
    return this.request('DELETE', url, body, opts);
  }

  /** A CSRF token valid for this client's session. */
  async csrfToken(): Promise<string> {
    const res = await this.request('GET', '/csrf-token', undefined, {
      headers: { accept: 'application/json' },
    });
    return (res.json() as { token: string }).token;
  }

  async request(
    method: InjectOptions['method'],
    url: string,
    body: Body,
    opts: RequestOptions,
  ): Promise<Response> {
    const unsafe = method !== 'GET' && method !== 'HEAD';
    const headers: Record<string, string> = { ...opts.headers };
    let payload = body;
    if (unsafe && opts.csrf !== false) {
      const token = await this.csrfToken();
      if (opts.json || typeof body !== 'object') headers['x-csrf-token'] = token;
      else payload = { ...body, _csrf: token };
    }
    if (this.cookies.size)
      headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let encoded: string | undefined;
    if (payload !== undefined) {
      if (typeof payload === 'string') encoded = payload;
      else if (opts.json) {
        encoded = JSON.stringify(payload);
        headers['content-type'] ??= 'application/json';
      } else {
        encoded = formEncode(payload);
        headers['content-type'] ??= 'application/x-www-form-urlencoded';
      }
    }
    const res = await this.#app.inject({
      method,
      url,
      headers,
      payload: encoded,
      query: opts.query,
    });
    for (const c of res.cookies as {
      name: string;
      value: string;
      expires?: Date;
      maxAge?: number;
    }[]) {
      const expired =
        (c.expires && c.expires.getTime() < Date.now()) || c.maxAge === 0 || c.value === '';
      if (expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }
}

/** Encodes an object as a browser would post a form (arrays as repeated keys). */
export function formEncode(body: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(body)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const item of v) params.append(k, String(item));
    else params.append(k, String(v));
  }
  return params.toString();
}
