import { defineForm, fields } from '@tessera/core';
import { DISPLAY_NAME_MAX_LENGTH } from './user.entity.ts';

// Checks that need the database or the site's options (is the email taken, is the password
// strong enough, do the two passwords match) run in the views, not in these forms: a site that
// replaces a form keeps them.

/** Sign in: email and password. */
export const LoginForm = defineForm({
  name: 'login',
  fields: {
    email: fields.email({ label: 'Email' }),
    password: fields.password({ label: 'Password' }),
  },
});

/** Create an account. Extend it (`RegisterForm.extend({ fields: {...} })`) to ask for more. */
export const RegisterForm = defineForm({
  name: 'register',
  fields: {
    email: fields.email({ label: 'Email' }),
    displayName: fields.text({
      label: 'Name',
      required: false,
      maxLength: DISPLAY_NAME_MAX_LENGTH,
      help: 'How the site shows you to others.',
    }),
    password: fields.password({ label: 'Password' }),
    passwordConfirm: fields.password({
      label: 'Password confirmation',
      help: 'Enter the same password as before, for verification.',
    }),
  },
});

/** Change a known password. */
export const PasswordChangeForm = defineForm({
  name: 'password-change',
  fields: {
    currentPassword: fields.password({ label: 'Old password' }),
    newPassword: fields.password({ label: 'New password' }),
    newPasswordConfirm: fields.password({ label: 'New password confirmation' }),
  },
});

/** Ask for a reset link. */
export const PasswordResetForm = defineForm({
  name: 'password-reset',
  fields: {
    email: fields.email({ label: 'Email' }),
  },
});

/** Set a new password from a reset link. */
export const SetPasswordForm = defineForm({
  name: 'set-password',
  fields: {
    newPassword: fields.password({ label: 'New password' }),
    newPasswordConfirm: fields.password({ label: 'New password confirmation' }),
  },
});
