import { normalizeIP } from '@fastify/rate-limit';
import type { PostgresRateLimitStore, RateLimitCount } from '@tessera/core';
import { emailKey } from './emails.ts';

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
 * Failed sign-ins counted per account, per client address and per pair of the two, in core's
 * shared PostgreSQL store (namespace `auth:login`), so every process of the site sees the same
 * counts. The store keeps keyed hashes: the table never holds an email someone mistyped or a
 * client's address.
 *
 * The per-account limit locks pairs, not the account (django-axes' "lock the pair"): once an
 * account has had `perAccount` failures, an address that has failed on it is refused until the
 * window ends, but an address with no failure on it still gets its attempt — so guesses from
 * anywhere cannot lock the owner out, and a guesser gets one more try per fresh address. A pair
 * that reaches `perAccount` failures on its own stays locked even after the owner signs in. The
 * per-address limit holds whatever the account.
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

  /** Where `email` from `ip` stands, without counting anything (one query). */
  async check(email: string, ip: string): Promise<ThrottleState> {
    if (!this.enabled) return this.#state(NONE);
    return this.#state(await this.#store.peek(keys(email, ip)));
  }

  /** Counts one failure against the account, the address and the pair (one statement). */
  async fail(email: string, ip: string): Promise<ThrottleState> {
    if (!this.enabled) return this.#state(NONE);
    return this.#state(await this.#store.hit(keys(email, ip), this.#windowSeconds * 1000));
  }

  /**
   * Forgets the account's failures and this pair's after a successful sign-in. The address's count,
   * and other addresses' pairs, stay until their windows end: signing in to one's own account cannot
   * launder guesses at others, nor free a guesser's address.
   */
  async succeed(email: string, ip: string): Promise<void> {
    if (!this.enabled) return;
    const [account, , pair] = keys(email, ip);
    await this.#store.reset([account!, pair!]);
  }

  #state([account, address, pair]: RateLimitCount[]): ThrottleState {
    const limits: Limit[] = [];
    if (this.#perAccount > 0) {
      const max = this.#perAccount;
      const own = limit(max, pair!, this.#windowSeconds);
      const total = limit(max, account!, this.#windowSeconds);
      // A locked account still lets an address with no failure on it try once; for the others
      // the lock lifts when the account's window or the pair's ends.
      if (total.remaining === 0 && pair!.current === 0) total.remaining = 1;
      else if (total.remaining === 0) total.reset = Math.min(total.reset, own.reset);
      limits.push(own, total);
    }
    if (this.#perIp > 0) limits.push(limit(this.#perIp, address!, this.#windowSeconds));
    if (!limits.length) return { blocked: false, limit: 0, remaining: 0, resetSeconds: 0 };
    // The tightest limit binds; among refusals, the one lifted last.
    const binding = limits.reduce((a, b) =>
      b.remaining < a.remaining || (b.remaining === a.remaining && b.reset > a.reset) ? b : a,
    );
    return {
      blocked: binding.remaining === 0,
      limit: binding.max,
      remaining: binding.remaining,
      resetSeconds: binding.reset,
    };
  }
}

interface Limit {
  max: number;
  remaining: number;
  /** Seconds until the counter starts afresh. */
  reset: number;
}

const NONE: RateLimitCount[] = [0, 0, 0].map(() => ({ current: 0, ttl: 0 }));

function limit(max: number, count: RateLimitCount, windowSeconds: number): Limit {
  return {
    max,
    remaining: Math.max(0, max - count.current),
    reset: count.current ? Math.max(1, Math.ceil(count.ttl / 1000)) : windowSeconds,
  };
}

function accountKey(email: string): string {
  // The same identity the user lookup compares: no spelling of an email gets a fresh count.
  return `account:${emailKey(email)}`;
}

/** The counters one attempt touches: the account, the address, the pair — in that order. */
function keys(email: string, ip: string): string[] {
  // An IPv6 client owns its whole /64: counting single addresses would let it rotate freely.
  const address = normalizeIP(ip);
  const account = accountKey(email);
  return [account, `ip:${address}`, `pair:${address} ${account}`];
}
