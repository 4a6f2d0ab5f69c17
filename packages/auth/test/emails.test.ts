// One identity per email, the same in every place that keys on it (issue 18, item 4): the user
// lookup, registration's uniqueness and the sign-in throttle all compare `emailKey`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '@tessera/core/internal';
import type { TestSite } from '@tessera/testing';
import { createUser, emailKey, findUserByEmail, normalizeEmail } from '../src/index.ts';
import { DEFAULT_PASSWORD, authSite, browserAt, login, makeUser } from './helpers.ts';

let t: TestSite;
beforeAll(async () => {
  t = await authSite({ loginFailuresPerAccount: 3 }, { settings: { trustProxy: true } });
  await makeUser(t, { email: 'editor2@example.com' });
  await makeUser(t, { email: 'plain@example.com' });
});
afterAll(() => t.close());

const browser = () => browserAt(t);

/** Spellings of editor2@example.com that look the same, or nearly, to a person. */
const EDITOR2 = [
  'edİtor2@example.com', // dotted capital I: JavaScript lower-cases it to i + U+0307
  'EDITOR2@EXAMPLE.COM',
  'ｅｄｉｔｏｒ２@example.com', // full-width letters
  'edi\u200btor2@example.com', // a zero-width space
  'editor2\u2060@example.com', // a word joiner
  'edıtor2@example.com', // dotless i
];

describe('emailKey', () => {
  it('is one value for every look-alike spelling, and the same again when applied twice', () => {
    for (const spelling of EDITOR2) expect(emailKey(spelling)).toBe('editor2@example.com');
    expect(emailKey('straße@Bücher.de')).toBe('strasse@xn--bcher-kva.de');
    for (const e of [...EDITOR2, 'straße@bücher.de', 'no-at-sign'])
      expect(emailKey(emailKey(e))).toBe(emailKey(e));
  });

  it('keeps different letters apart, and the stored email as typed', () => {
    expect(emailKey('josé@example.com')).not.toBe(emailKey('jose@example.com'));
    expect(normalizeEmail(' ｅｄｉ\u200bｔｏｒ２@EXAMPLE.com ')).toBe('editor2@example.com');
    expect(normalizeEmail('Mixed.Case@EXAMPLE.Org')).toBe('Mixed.Case@example.org');
  });
});

describe('one account per email, however it is spelt', () => {
  it('Unicode case folding bypasses the per-account lockout: edİtor2@ counts against editor2@', async () => {
    const attacker = browser();
    const first = await login(attacker, 'editor2@example.com', 'guess one');
    expect(first.statusCode).toBe(422);
    const second = await login(attacker, 'edİtor2@example.com', 'guess two');
    expect(second.headers['ratelimit-remaining']).toBe('1');
    expect((await login(attacker, 'ｅｄｉｔｏｒ２@example.com', 'guess three')).statusCode).toBe(
      429,
    );
    for (const spelling of EDITOR2)
      expect((await login(attacker, spelling)).statusCode, spelling).toBe(429);
  });

  it('finds the account for every spelling, at sign-in and through the service', async () => {
    const owner = await findUserByEmail(t.em(), 'editor2@example.com');
    for (const spelling of EDITOR2)
      expect((await findUserByEmail(t.em(), spelling))?.id, spelling).toBe(owner!.id);
    const c = browser();
    expect((await login(c, 'ｅｄｉｔｏｒ２@EXAMPLE.com')).statusCode).toBe(303);
    expect((await c.get('/private')).json()).toEqual({ email: 'editor2@example.com' });
  });

  it('look-alike addresses cannot make a second account: dotless ı, full-width, zero-width', async () => {
    for (const email of [
      'plaın@example.com',
      'ｐｌａｉｎ@example.com',
      'pla\u200bin@example.com',
      'PLAİN@example.com',
      '\ufeffplain@example.com',
    ]) {
      const res = await browser().post('/accounts/register', {
        email,
        password: DEFAULT_PASSWORD,
        passwordConfirm: DEFAULT_PASSWORD,
      });
      expect(res.statusCode, email).toBe(422);
      expect(res.body).toContain('A user with that email address already exists.');
      await expect(createUser(t.em(), { email }), email).rejects.toMatchObject({
        code: 'TESSERA_AUTH_EMAIL_TAKEN',
      });
    }
  });

  it('stores the email normalised: full-width letters and invisible characters never reach mail', async () => {
    const res = await browser().post('/accounts/register', {
      email: 'ｎｅｗ\u200bcomer@EXAMPLE.com',
      password: DEFAULT_PASSWORD,
      passwordConfirm: DEFAULT_PASSWORD,
    });
    expect(res.statusCode).toBe(303);
    const user = await findUserByEmail(t.em(), 'newcomer@example.com');
    expect(user).toMatchObject({ email: 'newcomer@example.com', emailKey: 'newcomer@example.com' });
  });

  it('refuses an address that grows past 254 characters once normalised, with a clear error', async () => {
    // U+FDFA is one character that NFKC writes as eighteen.
    const email = `${'\ufdfa'.repeat(20)}@example.com`;
    const res = await browser().post('/accounts/register', {
      email,
      password: DEFAULT_PASSWORD,
      passwordConfirm: DEFAULT_PASSWORD,
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Enter a valid email address.');
    await expect(createUser(t.em(), { email })).rejects.toMatchObject({
      code: 'TESSERA_AUTH_INVALID_EMAIL',
    });
  });
});

describe('the migration to email_key', () => {
  it('gives existing users their key, and stops naming the accounts it would make one', async () => {
    const { orm } = t.site;
    const conn = t.em().getConnection();
    await orm.migrator.down('auth.0003_email_key');
    try {
      await conn.execute('truncate auth_user cascade');
      await conn.execute(
        "insert into auth_user (email, password_hash, date_joined) values ('Old.User@example.com', '!', now()), ('plaın@example.com', '!', now())",
      );
      expect(await migrate(orm)).toEqual(['auth.0003_email_key']);
      const rows = await conn.execute<{ email: string; email_key: string }[]>(
        'select email, email_key from auth_user order by id',
      );
      expect(rows).toEqual([
        { email: 'Old.User@example.com', email_key: 'old.user@example.com' },
        { email: 'plaın@example.com', email_key: 'plain@example.com' },
      ]);

      await orm.migrator.down('auth.0003_email_key');
      // Allowed by lower(email), one account by the new key.
      await conn.execute(
        "insert into auth_user (email, password_hash, date_joined) values ('plain@example.com', '!', now())",
      );
      await expect(migrate(orm)).rejects.toThrow(
        /auth\.0003_email_key: users \d+ and \d+ are both 'plain@example\.com'/,
      );
      await conn.execute("delete from auth_user where email = 'plaın@example.com'");
    } finally {
      await migrate(orm);
    }
  });
});
