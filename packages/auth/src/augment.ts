import type { FastifyRequest } from 'fastify';
import type { CurrentUser } from '@tessera/core';
import type { SendResetPayload } from './reset-mail.ts';
import type { User } from './user.entity.ts';

/** Why a sign-in failed (`auth:login-failed`). */
export type LoginFailureReason = 'credentials' | 'inactive' | 'throttled';

declare module '@tessera/core' {
  interface HookPayloads {
    /** A visitor created an account (after it was saved). `data` is the form's clean data without passwords. */
    'auth:user-registered': { user: User; data: Record<string, unknown>; request: FastifyRequest };
    /** A user signed in (after the session was rotated). */
    'auth:logged-in': { user: User; request: FastifyRequest };
    /** A visitor signed out; `user` is who they were (null when already anonymous). */
    'auth:logged-out': { user: CurrentUser | null; request: FastifyRequest };
    /** A sign-in was refused. `email` is what was typed; it may belong to no account. */
    'auth:login-failed': {
      email: string;
      ip: string;
      reason: LoginFailureReason;
      request: FastifyRequest;
    };
    /** A user's password was changed (knowing the old one) or set from a reset link. */
    'auth:password-changed': { user: User; via: 'change' | 'reset'; request: FastifyRequest };
  }
  interface JobPayloads {
    /** Mails a reset link to an address, if it has an active account (queued for every address). */
    'auth:send-reset': SendResetPayload;
  }
  interface RouteParams {
    'auth:login': Record<string, never>;
    'auth:logout': Record<string, never>;
    'auth:register': Record<string, never>;
    'auth:password-change': Record<string, never>;
    'auth:password-reset': Record<string, never>;
    'auth:password-reset-done': Record<string, never>;
    'auth:password-reset-confirm': { uid: string; token: string };
  }
}

declare module 'fastify' {
  interface Session {
    /** The signed-in user's id. */
    authUserId?: number;
    /** Ties the session to the password it was opened with (see `sessionAuthHash`). */
    authHash?: string;
    /** A checked reset token, kept here so it leaves the address bar (and Referer headers). */
    authResetToken?: string;
  }
}
