import { createHmac } from 'node:crypto';
import { safeEqual } from './passwords.ts';

/** Derives a key for one purpose from the site's secret, so no two uses share a key. */
export function deriveKey(secret: string, purpose: string): Buffer {
  return createHmac('sha256', secret).update(`tessera.auth.${purpose}`).digest();
}

/** What a reset token is bound to: change any of it and every earlier token stops working. */
export interface TokenUser {
  id: number;
  email: string;
  passwordHash: string;
  lastLogin: Date | null | undefined;
}

/** What checking a reset token answers. */
export type TokenCheck = 'valid' | 'expired' | 'invalid';

const TOKEN = /^([0-9a-z]{1,10})-([A-Za-z0-9_-]{43})$/;

/**
 * Password reset tokens like Django's: `<timestamp>-<HMAC(user id, password hash, last login,
 * email, timestamp)>`. Nothing is stored: setting a password or signing in changes the hash
 * input, so a token works once; the timestamp makes it expire.
 */
export class ResetTokens {
  readonly #key: Buffer;
  readonly #timeoutSeconds: number;
  readonly #now: () => number;

  constructor(secret: string, timeoutSeconds: number, now: () => number = Date.now) {
    this.#key = deriveKey(secret, 'password-reset');
    this.#timeoutSeconds = timeoutSeconds;
    this.#now = now;
  }

  make(user: TokenUser): string {
    const ts = Math.floor(this.#now() / 1000);
    return `${ts.toString(36)}-${this.#sign(user, ts)}`;
  }

  check(user: TokenUser, token: string): TokenCheck {
    const m = TOKEN.exec(token);
    if (!m) return 'invalid';
    const ts = parseInt(m[1]!, 36);
    if (!safeEqual(this.#sign(user, ts), m[2]!)) return 'invalid';
    const age = Math.floor(this.#now() / 1000) - ts;
    if (age < -60) return 'invalid';
    return age > this.#timeoutSeconds ? 'expired' : 'valid';
  }

  #sign(user: TokenUser, ts: number): string {
    const login = user.lastLogin ? Math.floor(new Date(user.lastLogin).getTime() / 1000) : '';
    return createHmac('sha256', this.#key)
      .update([user.id, user.passwordHash, login, user.email.toLowerCase(), ts].join('\u0000'))
      .digest('base64url');
  }
}

/** The user id as it appears in a reset link. */
export function encodeUid(id: number): string {
  return Buffer.from(String(id)).toString('base64url');
}

/** The user id from a reset link, or null when it is not one. */
export function decodeUid(uid: string): number | null {
  if (!/^[A-Za-z0-9_-]{1,16}$/.test(uid)) return null;
  const text = Buffer.from(uid, 'base64url').toString();
  if (!/^[1-9]\d{0,9}$/.test(text)) return null;
  const id = Number(text);
  return id <= 2_147_483_647 ? id : null;
}

/**
 * A value tied to the user's password hash, kept in the session at sign-in: when the password
 * changes, every other session of that user stops matching and is signed out (Django's
 * session auth hash).
 */
export function sessionAuthHash(key: Buffer, passwordHash: string): string {
  return createHmac('sha256', key).update(passwordHash).digest('base64url');
}
