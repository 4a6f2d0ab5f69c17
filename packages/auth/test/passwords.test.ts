import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSite } from '@tessera/testing';
import { User, argon2id, type PasswordHasher } from '../src/index.ts';
import { Passwords, builtInValidators, validatePassword } from '../src/passwords.ts';
import { ResetTokens, decodeUid, encodeUid } from '../src/tokens.ts';
import { humanDuration } from '../src/view-kit.ts';
import { DEFAULT_PASSWORD, FAST_ARGON2, authSite, login, makeUser } from './helpers.ts';

/** The costs the site used "last year": cheaper than today's. */
const OLD_ARGON2 = { memoryCost: 8, timeCost: 1, parallelism: 1 };
const NEW_ARGON2 = { memoryCost: 16, timeCost: 2, parallelism: 1 };

/** A legacy scheme a site migrated from: verify only, never hash new passwords with it. */
const legacy: PasswordHasher = {
  algorithm: 'legacy',
  identifies: (encoded) => encoded.startsWith('legacy$'),
  hash: async (password) => `legacy$${password}`,
  verify: async (encoded, password) => encoded === `legacy$${password}`,
  mustUpdate: () => false,
};

let t: TestSite;
beforeAll(async () => {
  t = await authSite({ passwordHashers: [argon2id(NEW_ARGON2), legacy] });
});
afterAll(() => t.close());

describe('password hashing', () => {
  it('upgrades a hash made with older parameters on the next successful login', async () => {
    const oldHash = await argon2id(OLD_ARGON2).hash(DEFAULT_PASSWORD);
    const user = await makeUser(t, { email: 'old@example.com' });
    await t.em().nativeUpdate(User, { id: user.id }, { passwordHash: oldHash });

    // A failed login changes nothing.
    await login(t.client(), 'old@example.com', 'not the right one');
    expect((await t.em().findOneOrFail(User, { id: user.id })).passwordHash).toBe(oldHash);

    const c = t.client();
    expect((await login(c, 'old@example.com')).statusCode).toBe(303);
    const upgraded = (await t.em().findOneOrFail(User, { id: user.id })).passwordHash;
    expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=16,t=2,p=1\$/);
    // The session opened with the upgraded hash stays valid.
    expect((await c.get('/private')).statusCode).toBe(200);
    expect((await login(t.client(), 'old@example.com')).statusCode).toBe(303);
  });

  it('moves a hash from a verify-only hasher to the preferred one', async () => {
    const user = await makeUser(t, { email: 'legacy@example.com' });
    await t
      .em()
      .nativeUpdate(User, { id: user.id }, { passwordHash: `legacy$${DEFAULT_PASSWORD}` });
    expect((await login(t.client(), 'legacy@example.com')).statusCode).toBe(303);
    expect((await t.em().findOneOrFail(User, { id: user.id })).passwordHash).toMatch(
      /^\$argon2id\$/,
    );
  });

  it('hashes new passwords with the first hasher and never throws on a malformed hash', async () => {
    const passwords = new Passwords([argon2id(FAST_ARGON2)]);
    const encoded = await passwords.hash('pw');
    expect(encoded).toMatch(/^\$argon2id\$v=19\$m=8,t=1,p=1\$/);
    expect(await passwords.check(encoded, 'pw')).toEqual({ ok: true });
    expect(await passwords.check('$argon2id$garbage', 'pw')).toEqual({ ok: false });
    expect(argon2id().mustUpdate('$argon2id$garbage')).toBe(true);
    expect(await passwords.check('!unusable', 'pw')).toEqual({ ok: false });
  });
});

describe('password rules', () => {
  const rules = builtInValidators({ minLength: 10, rejectCommon: true });

  it('accepts a long uncommon password and explains every broken rule', async () => {
    expect(await validatePassword(rules, DEFAULT_PASSWORD, { email: 'a@example.com' })).toEqual([]);
    expect(await validatePassword(rules, '123456', {})).toEqual([
      'This password is too short. It must contain at least 10 characters.',
      'This password is entirely numeric.',
      'This password is too common.',
    ]);
    expect(await validatePassword(rules, 'Josephine!!', { displayName: 'Josephine' })).toEqual([
      'This password is too similar to your email address or name.',
    ]);
  });

  it('leaves the common list out when asked, and runs a site rule', async () => {
    const mine = [
      ...builtInValidators({ minLength: 4, rejectCommon: false }),
      (pw: string) => (pw.includes('tessera') ? 'Do not use the site name.' : undefined),
    ];
    expect(await validatePassword(mine, 'qwertyuiop', {})).toEqual([]);
    expect(await validatePassword(mine, 'my tessera pw', {})).toEqual([
      'Do not use the site name.',
    ]);
  });

  it('registration uses the site rules', async () => {
    const strict = await authSite({
      passwordMinLength: 40,
      passwordValidators: [(pw) => (/[A-Z]/.test(pw) ? undefined : 'Use a capital letter.')],
    });
    try {
      const res = await strict.client().post('/accounts/register', {
        email: 'strict@example.com',
        password: DEFAULT_PASSWORD,
        passwordConfirm: DEFAULT_PASSWORD,
      });
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('at least 40 characters');
      expect(res.body).toContain('Use a capital letter.');
    } finally {
      await strict.close();
    }
  });
});

describe('reset tokens', () => {
  const user = { id: 7, email: 'tok@example.com', passwordHash: '$argon2id$x', lastLogin: null };
  const tokens = new ResetTokens('a secret that is long enough for tests', 3600);

  it('are valid for the same user state and invalid once anything changes', () => {
    const token = tokens.make(user);
    expect(tokens.check(user, token)).toBe('valid');
    expect(tokens.check({ ...user, passwordHash: '$argon2id$y' }, token)).toBe('invalid');
    expect(tokens.check({ ...user, lastLogin: new Date() }, token)).toBe('invalid');
    expect(tokens.check({ ...user, email: 'other@example.com' }, token)).toBe('invalid');
    expect(tokens.check({ ...user, id: 8 }, token)).toBe('invalid');
    expect(new ResetTokens('another secret that is long enough', 3600).check(user, token)).toBe(
      'invalid',
    );
    expect(tokens.check(user, 'garbage')).toBe('invalid');
  });

  it('expire after the timeout and are refused from the future', () => {
    const hourAndMinuteAgo = new ResetTokens(
      'a secret that is long enough for tests',
      3600,
      () => Date.now() - 3660_000,
    );
    expect(tokens.check(user, hourAndMinuteAgo.make(user))).toBe('expired');
    const tomorrow = new ResetTokens(
      'a secret that is long enough for tests',
      3600,
      () => Date.now() + 86_400_000,
    );
    expect(tokens.check(user, tomorrow.make(user))).toBe('invalid');
  });

  it('encode user ids in links and refuse anything else', () => {
    expect(decodeUid(encodeUid(42))).toBe(42);
    expect(decodeUid('!!')).toBeNull();
    expect(decodeUid(Buffer.from('abc').toString('base64url'))).toBeNull();
    expect(decodeUid(Buffer.from('99999999999').toString('base64url'))).toBeNull();
    expect(decodeUid(Buffer.from('3000000000').toString('base64url'))).toBeNull();
  });
});

describe('durations in messages', () => {
  it('read naturally', () => {
    expect(humanDuration(900)).toBe('15 minutes');
    expect(humanDuration(60)).toBe('1 minute');
    expect(humanDuration(0.2)).toBe('1 second');
    expect(humanDuration(45)).toBe('45 seconds');
    expect(humanDuration(7200)).toBe('2 hours');
  });
});
