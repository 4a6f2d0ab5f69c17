import { timingSafeEqual } from 'node:crypto';
import { hash as argonHash, parseOptions, verify as argonVerify } from '@node-rs/argon2';
import type { Algorithm } from '@node-rs/argon2';
import { COMMON_PASSWORDS } from './common-passwords.ts';

/**
 * How passwords are stored. The site's `passwordHashers` option lists them: the first hashes new
 * passwords, the others only verify hashes made before a change (like Django's PASSWORD_HASHERS).
 */
export interface PasswordHasher {
  /** The algorithm's name, shown in errors (`argon2id`). */
  readonly algorithm: string;
  /** True when this hasher made (and can verify) `encoded`. */
  identifies(encoded: string): boolean;
  /** Hashes `password` with a fresh salt into one self-describing string. */
  hash(password: string): Promise<string>;
  /** True when `password` matches `encoded`; never throws on a malformed hash. */
  verify(encoded: string, password: string): Promise<boolean>;
  /** True when `encoded` was made with other parameters than this hasher's: rehash on next login. */
  mustUpdate(encoded: string): boolean;
}

/** argon2id's cost parameters. */
export interface Argon2Params {
  /** Memory in KiB. */
  memoryCost: number;
  /** Passes over memory. */
  timeCost: number;
  /** Lanes. */
  parallelism: number;
}

/** OWASP's recommended argon2id parameters (19 MiB, 2 passes, 1 lane). */
export const DEFAULT_ARGON2_PARAMS: Readonly<Argon2Params> = Object.freeze({
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
});

// The package's `Algorithm` is an ambient const enum, which isolated modules cannot read.
const ARGON2ID = 2 as Algorithm;

/** An argon2id hasher (@node-rs/argon2) with the given costs; tests pass cheap ones. */
export function argon2id(params: Partial<Argon2Params> = {}): PasswordHasher {
  const costs: Argon2Params = { ...DEFAULT_ARGON2_PARAMS, ...params };
  return {
    algorithm: 'argon2id',
    identifies: (encoded) => encoded.startsWith('$argon2id$'),
    hash: (password) => argonHash(password, { algorithm: ARGON2ID, ...costs }),
    verify: async (encoded, password) => {
      try {
        return await argonVerify(encoded, password);
      } catch {
        return false;
      }
    },
    mustUpdate: (encoded) => {
      try {
        const used = parseOptions(encoded);
        return (
          used.memoryCost !== costs.memoryCost ||
          used.timeCost !== costs.timeCost ||
          used.parallelism !== costs.parallelism
        );
      } catch {
        return true;
      }
    },
  };
}

/** The prefix of a hash no password matches (a user made without a password). */
export const UNUSABLE_PASSWORD_PREFIX = '!';

/** What `checkPassword` answers: whether it matched, and a new hash when the old one is outdated. */
export interface PasswordCheck {
  ok: boolean;
  /** A hash made with the preferred hasher, to store when the stored one is outdated. */
  upgraded?: string;
}

/** The site's hashers in order: hash with the first, verify with whichever made the hash. */
export class Passwords {
  readonly #hashers: readonly PasswordHasher[];
  #dummy: Promise<string> | undefined;

  constructor(hashers: readonly PasswordHasher[]) {
    this.#hashers = hashers;
  }

  get preferred(): PasswordHasher {
    return this.#hashers[0]!;
  }

  /** Hashes a new password with the preferred hasher. */
  hash(password: string): Promise<string> {
    return this.preferred.hash(password);
  }

  /** Checks `password` against `encoded`; a match with an outdated hash also yields a new hash. */
  async check(encoded: string, password: string): Promise<PasswordCheck> {
    const hasher = this.#hashers.find((h) => h.identifies(encoded));
    if (!hasher) {
      // Same cost as a real check, so an unusable or unknown hash does not answer faster.
      await this.spendOneCheck(password);
      return { ok: false };
    }
    const ok = await hasher.verify(encoded, password);
    if (!ok) return { ok: false };
    const outdated = hasher !== this.preferred || hasher.mustUpdate(encoded);
    return outdated ? { ok: true, upgraded: await this.hash(password) } : { ok: true };
  }

  /**
   * Verifies `password` against a dummy hash made with the preferred hasher: the work a check of
   * a real account costs, so an unknown email takes as long as a wrong password.
   */
  async spendOneCheck(password: string): Promise<void> {
    this.#dummy ??= this.preferred.hash('tessera-dummy-password');
    await this.preferred.verify(await this.#dummy, password);
  }
}

/** What a password validator sees of the account besides the password. */
export interface PasswordContext {
  email?: string;
  displayName?: string;
}

/** A password rule: a message for the user when `password` breaks it, else nothing. */
export type PasswordValidator = (
  password: string,
  context: PasswordContext,
) => string | undefined | void | Promise<string | undefined | void>;

/** The built-in rules: minimum length, not all digits, not the email or name, not a common password. */
export function builtInValidators(opts: {
  minLength: number;
  rejectCommon: boolean;
}): PasswordValidator[] {
  const rules: PasswordValidator[] = [
    function minimumLength(password) {
      if ([...password].length < opts.minLength)
        return `This password is too short. It must contain at least ${opts.minLength} characters.`;
    },
    function notOnlyDigits(password) {
      if (/^\d+$/.test(password)) return 'This password is entirely numeric.';
    },
    function notLikeAccount(password, ctx) {
      const pw = password.toLowerCase();
      const local = ctx.email?.split('@')[0]?.toLowerCase() ?? '';
      const candidates = [ctx.email?.toLowerCase(), local, ctx.displayName?.toLowerCase()];
      if (
        candidates.some(
          (c) => c && c.length >= 3 && (pw === c || (pw.includes(c) && c.length * 2 >= pw.length)),
        )
      )
        return 'This password is too similar to your email address or name.';
    },
  ];
  if (opts.rejectCommon) {
    rules.push(function notCommon(password) {
      if (COMMON_PASSWORDS.has(password.toLowerCase().trim()))
        return 'This password is too common.';
    });
  }
  return rules;
}

/** Runs every validator; answers all the messages (empty when the password is acceptable). */
export async function validatePassword(
  validators: readonly PasswordValidator[],
  password: string,
  context: PasswordContext,
): Promise<string[]> {
  const messages: string[] = [];
  for (const rule of validators) {
    const message = await rule(password, context);
    if (message) messages.push(message);
  }
  return messages;
}

/** Compares two strings in constant time for equal lengths. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
