import { normalizeIP } from '@fastify/rate-limit';
import type { PostgresRateLimitStore, RateLimitCount } from '@tessera/core';

/** Where a client stands against the sign-in limits: what `RateLimit-*` headers show. */
export interface ThrottleState {
  /** True when the next attempt is refused. */
  blocked: boolean;
  /** The limit that binds first (per account or per address). */
  limit: number;
  /** Attempts left before refusals. */
  remaining: number;
  /** Seconds until the binding counter starts afresh. */
  resetSeconds: number;
}

/** The namespace of the failed sign-in counts in core's rate-limit table. */
export const LOGIN_NAMESPACE = 'auth:login';

/**
 * Failed sign-ins counted per account and per client address in core's shared PostgreSQL store
 * (namespace `auth:login`), so every process of the site sees the same counts. The store keeps
 * keyed hashes: the table never holds an email someone mistyped or a client's address.
 */
export class LoginThrottle {
  readonly #perAccount: number;
  readonly #perIp: number;
  readonly #windowSeconds: number;
  readonly #store: PostgresRateLimitStore;

  constructor(opts: {
    perAccount: number;
    perIp: number;
    windowSeconds: number;
    store: PostgresRateLimitStore;
  }) {
    this.#perAccount = opts.perAccount;
    this.#perIp = opts.perIp;
    this.#windowSeconds = opts.windowSeconds;
    this.#store = opts.store;
  }

  /** True when at least one limit is on. */
  get enabled(): boolean {
    return this.#perAccount > 0 || this.#perIp > 0;
  }

  /** Where `email` and `ip` stand, without counting anything (one query). */
  async check(email: string, ip: string): Promise<ThrottleState> {
    if (!this.enabled) return this.#state([]);
    return this.#state(await this.#store.peek(keys(email, ip)));
  }

  /** Counts one failure against the account and the address (one statement); answers the new standing. */
  async fail(email: string, ip: string): Promise<ThrottleState> {
    if (!this.enabled) return this.#state([]);
    return this.#state(await this.#store.hit(keys(email, ip), this.#windowSeconds * 1000));
  }

  /**
   * Forgets the account's failures after a successful sign-in. The address's count stays until
   * its window ends, so signing in to one's own account cannot launder guesses at others.
   */
  async succeed(email: string): Promise<void> {
    if (!this.enabled) return;
    await this.#store.reset([accountKey(email)]);
  }

  #state(counts: RateLimitCount[]): ThrottleState {
    const [account, address] = counts;
    const limits: { max: number; hits: number; reset: number }[] = [];
    for (const [count, max] of [
      [account, this.#perAccount],
      [address, this.#perIp],
    ] as const) {
      if (max <= 0) continue;
      limits.push({
        max,
        hits: count?.current ?? 0,
        reset: count?.current ? Math.max(1, Math.ceil(count.ttl / 1000)) : this.#windowSeconds,
      });
    }
    if (!limits.length) return { blocked: false, limit: 0, remaining: 0, resetSeconds: 0 };
    const binding = limits.reduce((a, b) =>
      b.max - b.hits < a.max - a.hits || (b.max - b.hits === a.max - a.hits && b.reset > a.reset)
        ? b
        : a,
    );
    const remaining = Math.max(0, binding.max - binding.hits);
    return { blocked: remaining === 0, limit: binding.max, remaining, resetSeconds: binding.reset };
  }
}

function accountKey(email: string): string {
  return `account:${email.trim().toLowerCase()}`;
}

/** The counters one attempt touches, in the order `#state` reads them. */
function keys(email: string, ip: string): string[] {
  // An IPv6 client owns its whole /64: counting single addresses would let it rotate freely.
  return [accountKey(email), `ip:${normalizeIP(ip)}`];
}
