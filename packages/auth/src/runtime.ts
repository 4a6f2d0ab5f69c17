import { PostgresRateLimitStore, type EntityManager, type SiteContext } from '@tessera/core';
import type { AuthOptions } from './options.ts';
import {
  Passwords,
  argon2id,
  builtInValidators,
  validatePassword,
  type PasswordContext,
  type PasswordValidator,
} from './passwords.ts';
import { LOGIN_NAMESPACE, LoginThrottle } from './throttle.ts';
import { ResetTokens, deriveKey } from './tokens.ts';

/** What the auth app keeps per site: hashers, rules, tokens and throttle, built once at boot. */
export class AuthRuntime {
  readonly options: AuthOptions;
  readonly site: SiteContext;
  readonly passwords: Passwords;
  readonly validators: readonly PasswordValidator[];
  readonly tokens: ResetTokens;
  readonly throttle: LoginThrottle;
  /** Keys the session auth hash (see `sessionAuthHash`). */
  readonly sessionKey: Buffer;

  constructor(site: SiteContext, options: AuthOptions) {
    this.site = site;
    this.options = options;
    this.passwords = new Passwords(options.passwordHashers);
    this.validators = [
      ...builtInValidators({
        minLength: options.passwordMinLength,
        rejectCommon: options.rejectCommonPasswords,
      }),
      ...options.passwordValidators,
    ];
    const secret = site.settings.secretKey;
    this.tokens = new ResetTokens(secret, options.passwordResetTimeoutSeconds);
    this.sessionKey = deriveKey(secret, 'session');
    this.throttle = new LoginThrottle({
      perAccount: options.loginFailuresPerAccount,
      perIp: options.loginFailuresPerIp,
      windowSeconds: options.loginThrottleWindowSeconds,
      store: new PostgresRateLimitStore(site, LOGIN_NAMESPACE),
    });
  }

  /** The messages that make `password` unacceptable (empty when it is fine). */
  validatePassword(password: string, context: PasswordContext): Promise<string[]> {
    return validatePassword(this.validators, password, context);
  }
}

// One runtime per site, found from the site or from any EntityManager of its ORM (services take
// an `em`, as MikroORM code does). Keyed weakly: a closed site leaves nothing behind.
const bySite = new WeakMap<SiteContext, AuthRuntime>();
const byConfig = new WeakMap<object, AuthRuntime>();

export function registerRuntime(runtime: AuthRuntime): void {
  bySite.set(runtime.site, runtime);
  byConfig.set(runtime.site.orm.em.config, runtime);
}

export function runtimeOf(site: SiteContext): AuthRuntime | undefined {
  return bySite.get(site);
}

/** The passwords of the site `em` belongs to; default argon2id when auth is not installed there. */
export function passwordsFor(em: EntityManager): Passwords {
  return byConfig.get(em.config)?.passwords ?? (fallback ??= new Passwords([argon2id()]));
}
let fallback: Passwords | undefined;
