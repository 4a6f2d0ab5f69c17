/** @tessera/auth — who is this? Users, groups, permissions, sessions, and the pages around them. */
import './augment.ts';

export { auth, AUTH_HOOKS } from './app.ts';
export type { LoginFailureReason } from './augment.ts';
export {
  AuthOptions,
  DEFAULT_MESSAGES,
  DEFAULT_LOGIN_TEMPLATE,
  DEFAULT_REGISTER_TEMPLATE,
  DEFAULT_PASSWORD_CHANGE_TEMPLATE,
  DEFAULT_PASSWORD_RESET_TEMPLATE,
  DEFAULT_PASSWORD_RESET_DONE_TEMPLATE,
  DEFAULT_PASSWORD_RESET_CONFIRM_TEMPLATE,
  DEFAULT_PASSWORD_RESET_EMAIL_TEMPLATE,
  DEFAULT_PASSWORD_RESET_SUBJECT_TEMPLATE,
  DEFAULT_LOGIN_SUCCESS_REDIRECT,
  DEFAULT_LOGOUT_SUCCESS_REDIRECT,
  DEFAULT_REGISTER_SUCCESS_REDIRECT,
  DEFAULT_PASSWORD_CHANGE_SUCCESS_REDIRECT,
  DEFAULT_PASSWORD_RESET_SUCCESS_REDIRECT,
  DEFAULT_PASSWORD_RESET_CONFIRM_SUCCESS_REDIRECT,
  DEFAULT_PASSWORD_MIN_LENGTH,
  DEFAULT_PASSWORD_RESET_TIMEOUT_SECONDS,
  DEFAULT_LOGIN_FAILURES_PER_ACCOUNT,
  DEFAULT_LOGIN_FAILURES_PER_IP,
  DEFAULT_LOGIN_THROTTLE_WINDOW_SECONDS,
  DEFAULT_POST_RATE_LIMIT,
  DEFAULT_POST_RATE_LIMIT_WINDOW_SECONDS,
  DEFAULT_PASSWORD_HASHERS,
} from './options.ts';
export type { AuthMessages, AuthResult } from './options.ts';
export * from './errors.ts';
export {
  LoginForm,
  RegisterForm,
  PasswordChangeForm,
  PasswordResetForm,
  SetPasswordForm,
} from './forms.ts';
export { User, UserSchema, EMAIL_MAX_LENGTH, DISPLAY_NAME_MAX_LENGTH } from './user.entity.ts';
export { Group, GroupSchema } from './group.entity.ts';
export { Permission, PermissionSchema } from './permission.entity.ts';
export { requireUser, requireStaff, requirePermission, loginUrl } from './guards.ts';
export {
  createUser,
  findUserByEmail,
  storableEmail,
  setPassword,
  checkPassword,
  ensurePermissions,
  grantPermission,
  revokePermission,
  ensureGroup,
  addUserToGroup,
  removeUserFromGroup,
  CODENAME,
} from './users.ts';
export type { NewUser, PermissionSpec } from './users.ts';
export { emailKey, normalizeEmail } from './emails.ts';
export { RESET_MAIL_RETRY, sendResetMail } from './reset-mail.ts';
export type { SendResetPayload } from './reset-mail.ts';
export { argon2id, DEFAULT_ARGON2_PARAMS, UNUSABLE_PASSWORD_PREFIX } from './passwords.ts';
export type {
  Argon2Params,
  PasswordContext,
  PasswordHasher,
  PasswordValidator,
} from './passwords.ts';
export { AuthenticatedUser } from './current-user.ts';
export { GroupAdminForm, UserAdminForm } from './admin.ts';
export { createUserCommand, pruneCommand } from './commands.ts';
export type { CommandIo } from './commands.ts';
export type { ThrottleState } from './throttle.ts';
