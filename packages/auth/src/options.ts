import { Type, type Static } from 'typebox';
import { override } from '@tessera/core';
import {
  LoginForm,
  PasswordChangeForm,
  PasswordResetForm,
  RegisterForm,
  SetPasswordForm,
} from './forms.ts';
import { argon2id, type PasswordHasher, type PasswordValidator } from './passwords.ts';
import type { User } from './user.entity.ts';

/** What a success redirect function receives besides the request. */
export interface AuthResult {
  user: User | null;
  /** The submitted form's clean data (registration: extra fields included). */
  data?: Record<string, unknown>;
}

export const DEFAULT_LOGIN_TEMPLATE = 'auth/login.njk';
export const DEFAULT_REGISTER_TEMPLATE = 'auth/register.njk';
export const DEFAULT_PASSWORD_CHANGE_TEMPLATE = 'auth/password_change.njk';
export const DEFAULT_PASSWORD_RESET_TEMPLATE = 'auth/password_reset.njk';
export const DEFAULT_PASSWORD_RESET_DONE_TEMPLATE = 'auth/password_reset_done.njk';
export const DEFAULT_PASSWORD_RESET_CONFIRM_TEMPLATE = 'auth/password_reset_confirm.njk';
export const DEFAULT_PASSWORD_RESET_EMAIL_TEMPLATE = 'auth/password_reset_email.txt';
export const DEFAULT_PASSWORD_RESET_SUBJECT_TEMPLATE = 'auth/password_reset_subject.txt';
/** Where a user lands after signing in when no safe `next` was given. */
export const DEFAULT_LOGIN_SUCCESS_REDIRECT = '/';
export const DEFAULT_LOGOUT_SUCCESS_REDIRECT = '/';
export const DEFAULT_REGISTER_SUCCESS_REDIRECT = '/';
export const DEFAULT_PASSWORD_CHANGE_SUCCESS_REDIRECT = '/';
export const DEFAULT_PASSWORD_RESET_SUCCESS_REDIRECT = 'auth:password-reset-done';
export const DEFAULT_PASSWORD_RESET_CONFIRM_SUCCESS_REDIRECT = 'auth:login';
/** Django's default minimum. */
export const DEFAULT_PASSWORD_MIN_LENGTH = 8;
/** How long a password reset link works: three days, like Django. */
export const DEFAULT_PASSWORD_RESET_TIMEOUT_SECONDS = 3 * 24 * 3600;
/** Failed sign-ins allowed per account (email) within the window. */
export const DEFAULT_LOGIN_FAILURES_PER_ACCOUNT = 5;
/** Failed sign-ins allowed per client address within the window. */
export const DEFAULT_LOGIN_FAILURES_PER_IP = 20;
/** The throttle window: counting starts at the first failure; refusals last until it ends. */
export const DEFAULT_LOGIN_THROTTLE_WINDOW_SECONDS = 15 * 60;
/** The coarse per-address limit on every POST to the auth routes. */
export const DEFAULT_POST_RATE_LIMIT = 100;
export const DEFAULT_POST_RATE_LIMIT_WINDOW_SECONDS = 10 * 60;
/** The hashers: argon2id with OWASP's parameters. */
export const DEFAULT_PASSWORD_HASHERS: readonly PasswordHasher[] = [argon2id()];

/** Every message a user reads, each replaceable by the site. */
export const DEFAULT_MESSAGES = {
  invalidLogin:
    'Please enter a correct email and password. Note that the password is case-sensitive.',
  throttled: 'Too many failed sign-in attempts. Try again in %s.',
  emailTaken: 'A user with that email address already exists.',
  invalidEmail: 'Enter a valid email address.',
  passwordMismatch: 'The two password fields didn’t match.',
  wrongCurrentPassword: 'Your old password was entered incorrectly. Please enter it again.',
  passwordChanged: 'Your password was changed.',
  passwordResetComplete: 'Your password has been set. You may sign in now.',
  resetLinkInvalid:
    'This password reset link is not valid: it may have been used already or changed. Please request a new one.',
  resetLinkExpired: 'This password reset link has expired. Please request a new one.',
  loggedIn: 'You are signed in as %s.',
  registered: 'Welcome, %s: your account is ready.',
  loggedOut: 'You have been signed out.',
  loginRequired: 'Please sign in to see this page.',
  rateLimited: 'Too many requests from your address. Try again in %s.',
};

const fn = Type.Function([Type.Any()], Type.Any());
/** Every auth redirect: a route name, a path, or a function of the request and `AuthResult`. */
const redirect = override.redirect<AuthResult>;

const seconds = (d: number) => Type.Integer({ minimum: 1, default: d });
const count = (d: number) => Type.Integer({ minimum: 0, default: d });

const Messages = Type.Object(
  Object.fromEntries(
    Object.entries(DEFAULT_MESSAGES).map(([k, v]) => [
      k,
      Type.String({ minLength: 1, default: v }),
    ]),
  ) as { [K in keyof typeof DEFAULT_MESSAGES]: ReturnType<typeof Type.String> },
  { default: {}, additionalProperties: false },
);

const Hasher = Type.Unsafe<PasswordHasher>(
  Type.Refine(
    Type.Unsafe({}),
    (v: unknown) =>
      typeof v === 'object' &&
      v !== null &&
      ['identifies', 'hash', 'verify', 'mustUpdate'].every(
        (k) => typeof (v as Record<string, unknown>)[k] === 'function',
      ),
    () =>
      'must be a password hasher (argon2id() or an object with identifies, hash, verify, mustUpdate)',
  ),
);

/** The auth app's options; every field has a default. */
export const AuthOptions = Type.Object({
  /** Offer the register page; `false` removes the route. */
  registration: Type.Boolean({ default: true }),
  /** Sign a new user in right after registering. */
  loginOnRegister: Type.Boolean({ default: true }),
  /**
   * The site's public origin (`https://example.com`) for links in mail. Empty: the request's
   * own origin (development only; production requires it so no Host header can poison a link).
   */
  siteUrl: Type.String({ default: '', pattern: '^(https?://[^/\\s]+)?$' }),

  loginTemplate: override.template(DEFAULT_LOGIN_TEMPLATE),
  loginForm: override.form(LoginForm),
  /** A safe `next` (form field or query) wins over it. */
  loginSuccessRedirect: redirect(DEFAULT_LOGIN_SUCCESS_REDIRECT),
  logoutSuccessRedirect: redirect(DEFAULT_LOGOUT_SUCCESS_REDIRECT),
  registerTemplate: override.template(DEFAULT_REGISTER_TEMPLATE),
  registerForm: override.form(RegisterForm),
  registerSuccessRedirect: redirect(DEFAULT_REGISTER_SUCCESS_REDIRECT),
  passwordChangeTemplate: override.template(DEFAULT_PASSWORD_CHANGE_TEMPLATE),
  passwordChangeForm: override.form(PasswordChangeForm),
  passwordChangeSuccessRedirect: redirect(DEFAULT_PASSWORD_CHANGE_SUCCESS_REDIRECT),
  passwordResetTemplate: override.template(DEFAULT_PASSWORD_RESET_TEMPLATE),
  passwordResetForm: override.form(PasswordResetForm),
  passwordResetSuccessRedirect: redirect(DEFAULT_PASSWORD_RESET_SUCCESS_REDIRECT),
  passwordResetDoneTemplate: override.template(DEFAULT_PASSWORD_RESET_DONE_TEMPLATE),
  passwordResetConfirmTemplate: override.template(DEFAULT_PASSWORD_RESET_CONFIRM_TEMPLATE),
  passwordResetConfirmForm: override.form(SetPasswordForm),
  passwordResetConfirmSuccessRedirect: redirect(DEFAULT_PASSWORD_RESET_CONFIRM_SUCCESS_REDIRECT),
  passwordResetEmailTemplate: override.template(DEFAULT_PASSWORD_RESET_EMAIL_TEMPLATE),
  passwordResetSubjectTemplate: override.template(DEFAULT_PASSWORD_RESET_SUBJECT_TEMPLATE),
  passwordResetTimeoutSeconds: seconds(DEFAULT_PASSWORD_RESET_TIMEOUT_SECONDS),

  /** The first hashes new passwords; the rest only verify older hashes (upgraded at next login). */
  passwordHashers: Type.Array(Hasher, { minItems: 1, default: DEFAULT_PASSWORD_HASHERS }),
  passwordMinLength: Type.Integer({
    minimum: 1,
    maximum: 1024,
    default: DEFAULT_PASSWORD_MIN_LENGTH,
  }),
  /** Refuse passwords from the built-in list of the most common ones. */
  rejectCommonPasswords: Type.Boolean({ default: true }),
  /** More password rules, run after the built-in ones. */
  passwordValidators: Type.Array(Type.Unsafe<PasswordValidator>(fn), { default: [] }),

  /** Failed sign-ins per account within the window before refusals (0 turns the check off). */
  loginFailuresPerAccount: count(DEFAULT_LOGIN_FAILURES_PER_ACCOUNT),
  /** Failed sign-ins per client address within the window (0 turns the check off). */
  loginFailuresPerIp: count(DEFAULT_LOGIN_FAILURES_PER_IP),
  loginThrottleWindowSeconds: seconds(DEFAULT_LOGIN_THROTTLE_WINDOW_SECONDS),
  /** POSTs per client address to the auth routes within the window (0 turns it off). */
  postRateLimit: count(DEFAULT_POST_RATE_LIMIT),
  postRateLimitWindowSeconds: seconds(DEFAULT_POST_RATE_LIMIT_WINDOW_SECONDS),

  /** The texts users read; replace any of them. */
  messages: Messages,
});

/** The auth app's resolved options. */
export type AuthOptions = Static<typeof AuthOptions>;
/** The user-facing messages. */
export type AuthMessages = typeof DEFAULT_MESSAGES;
