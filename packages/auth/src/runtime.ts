import {
  PostgresRateLimitStore,
  siteOf,
  stateKey,
  type EntityManager,
  type SiteContext,
} from '@tessera/core';
import type { AuthOptions } from './options.ts';
import {
  Passwords,
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

/** Where the site keeps auth's runtime: `site.state.get(AUTH)`. */
export const AUTH = stateKey<AuthRuntime>('auth');

/**
 * Auth's runtime on the site `em` belongs to (services take an `em`, as MikroORM code does);
 * `AppNotInstalled` when the site does not install auth.
 */
export function runtimeFor(em: EntityManager): AuthRuntime {
  return siteOf(em).state.get(AUTH);
}
