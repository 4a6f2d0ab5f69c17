import { Redis } from 'ioredis';
import { CacheUnavailable } from './errors.ts';
import type { CacheLogger } from './store.ts';

/** Reconnect attempts wait this much longer each time… */
const RETRY_STEP_MS = 100;
/** …up to this. */
const RETRY_MAX_MS = 1_000;
/** After a failed command, the cache is bypassed this long before Redis is asked again. */
const PAUSE_AFTER_FAILURE_MS = 1_000;

/**
 * Logs an outage of a Redis once when it starts and once when it ends, however many connections
 * (a broadcast uses two) see it.
 */
export class OutageReport {
  readonly label: string;
  readonly #log: CacheLogger;
  readonly #down = new Set<object>();

  constructor(url: string, log: CacheLogger) {
    this.label = `Redis at ${redact(url)}`;
    this.#log = log;
  }

  down(link: object, err: Error): void {
    const first = this.#down.size === 0;
    this.#down.add(link);
    if (first)
      this.#log.warn(
        { err: { message: err.message } },
        `cache: ${this.label} is unreachable; pages and values are computed without the cache until it returns`,
      );
  }

  up(link: object): void {
    if (this.#down.delete(link) && this.#down.size === 0)
      this.#log.info({}, `cache: ${this.label} is reachable again; the cache is back in use`);
  }
}

/** How one connection to Redis is made and reported. */
export interface RedisLinkOptions {
  url: string;
  log: CacheLogger;
  /** Shared by the connections to one Redis, so an outage is logged once. */
  report?: OutageReport;
  /** Longest one command may take. */
  timeoutMs: number;
  /** Runs on every (re)connection before the link counts as available (resubscribe, retry work). */
  onReady?: (client: Redis) => Promise<void>;
}

/**
 * One ioredis connection with the health rules of the cache: commands fail fast while Redis is
 * away (no offline queue), an outage is logged once when it starts and once when it ends, and the
 * connection keeps retrying on its own.
 */
export class RedisLink {
  readonly client: Redis;
  readonly label: string;
  readonly #report: OutageReport;
  readonly #onReady: RedisLinkOptions['onReady'];
  #closed = false;
  #recovering: Promise<void> | undefined;
  #pausedUntil = 0;

  constructor(opts: RedisLinkOptions) {
    this.#report = opts.report ?? new OutageReport(opts.url, opts.log);
    this.label = this.#report.label;
    this.#onReady = opts.onReady;
    this.client = new Redis(opts.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: opts.timeoutMs,
      connectTimeout: opts.timeoutMs,
      autoResubscribe: false,
      retryStrategy: (times) => Math.min(times * RETRY_STEP_MS, RETRY_MAX_MS),
    });
    this.client.on('error', (err: Error) => this.fail(err));
    this.client.on('close', () => {
      if (!this.#closed) this.fail(new Error('connection closed'));
    });
    this.client.on('ready', () => {
      this.#recovering = this.#recover();
    });
  }

  /** True when commands can be sent now. */
  available(): boolean {
    return (
      !this.#closed &&
      this.client.status === 'ready' &&
      this.#recovering === undefined &&
      performance.now() >= this.#pausedUntil
    );
  }

  /** Runs a command; refuses at once while Redis is away, and records a failure. */
  async run<T>(command: (client: Redis) => Promise<T>): Promise<T> {
    if (!this.available()) throw new CacheUnavailable(`${this.label} is not connected`);
    try {
      const result = await command(this.client);
      this.#report.up(this);
      return result;
    } catch (err) {
      this.fail(err as Error);
      throw err;
    }
  }

  /** Waits up to `ms` for the first connection (boot goes on without it). */
  async ready(ms: number): Promise<boolean> {
    if (this.client.status !== 'ready') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        this.client.once('ready', done);
        const client = this.client;
        function done() {
          clearTimeout(timer);
          client.off('ready', done);
          resolve();
        }
      });
    }
    await this.#recovering;
    return this.available();
  }

  /** Records a failure: the first of an outage is logged. */
  fail(err: Error): void {
    this.#pausedUntil = performance.now() + PAUSE_AFTER_FAILURE_MS;
    if (!this.#closed) this.#report.down(this, err);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.client.disconnect();
  }

  async #recover(): Promise<void> {
    try {
      await this.#onReady?.(this.client);
      this.#pausedUntil = 0;
      this.#report.up(this);
    } catch (err) {
      this.fail(err as Error);
    } finally {
      this.#recovering = undefined;
    }
  }
}

/** The URL without its password, for logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return 'the configured URL';
  }
}
