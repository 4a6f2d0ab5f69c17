import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSite } from '@tessera/testing';
import { PostgresRateLimitStore } from '@tessera/core';
import { User, createUserCommand, pruneCommand, type CommandIo } from '../src/index.ts';
import { DEFAULT_PASSWORD, authSite, login } from './helpers.ts';

let t: TestSite;
beforeAll(async () => {
  t = await authSite();
});
afterAll(() => t.close());

/** A terminal-less run: the password arrives on stdin, as from a script. */
function piped(stdin: string) {
  const lines: string[] = [];
  const io: CommandIo = {
    input: Readable.from([stdin]),
    out: (line) => lines.push(line),
    promptHidden: () => Promise.reject(new Error('no terminal')),
  };
  return { io, lines };
}

/** An interactive run: each prompt answers the next of `answers`. */
function terminal(answers: string[]) {
  const lines: string[] = [];
  const input = Object.assign(Readable.from([]), { isTTY: true });
  const io: CommandIo = {
    input,
    out: (line) => lines.push(line),
    promptHidden: async () => answers.shift()!,
  };
  return { io, lines };
}

describe('tessera createuser', () => {
  it('is an app command named createuser', () => {
    const spec = t.site.apps.find((a) => a.name === 'auth')!;
    expect(Object.keys(spec.commands!)).toEqual(['createuser', 'auth:prune']);
  });

  it('creates a superuser with the password read from stdin, who can then sign in', async () => {
    const { io, lines } = piped(`${DEFAULT_PASSWORD}\nignored second line\n`);
    const code = await createUserCommand(io).run(t.site, [
      '--email',
      'root@example.com',
      '--superuser',
      '--name',
      'Root',
    ]);
    expect(code).toBe(0);
    expect(lines.at(-1)).toMatch(/^Created user root@example\.com \(id \d+\) as a superuser\.$/);
    const user = await t.em().findOneOrFail(User, { email: 'root@example.com' });
    expect(user).toMatchObject({ isStaff: true, isSuperuser: true, displayName: 'Root' });
    expect((await login(t.client(), 'root@example.com')).statusCode).toBe(303);
  });

  it('prompts twice on a terminal and creates a staff user', async () => {
    const { io, lines } = terminal(['a terminal passphrase', 'a terminal passphrase']);
    expect(await createUserCommand(io).run(t.site, ['--email', 'tty@example.com', '--staff'])).toBe(
      0,
    );
    expect(lines.at(-1)).toContain('as staff');
    const user = await t.em().findOneOrFail(User, { email: 'tty@example.com' });
    expect(user).toMatchObject({ isStaff: true, isSuperuser: false });
  });

  it('refuses mismatched prompts, weak passwords and taken emails, creating nobody', async () => {
    const before = await t.em().count(User);
    const mismatch = terminal(['one passphrase here', 'another passphrase']);
    expect(await createUserCommand(mismatch.io).run(t.site, ['--email', 'x@example.com'])).toBe(1);
    expect(mismatch.lines.at(-1)).toContain("didn't match");
    const weak = piped('password\n');
    expect(await createUserCommand(weak.io).run(t.site, ['--email', 'x@example.com'])).toBe(1);
    expect(weak.lines.join('\n')).toContain('This password is too common.');
    const taken = piped(`${DEFAULT_PASSWORD}\n`);
    expect(await createUserCommand(taken.io).run(t.site, ['--email', 'ROOT@example.com'])).toBe(1);
    expect(taken.lines.at(-1)).toContain('already exists');
    expect(await t.em().count(User)).toBe(before);
  });

  it('answers bad usage with exit code 2 and the usage line', async () => {
    const missing = piped('');
    expect(await createUserCommand(missing.io).run(t.site, [])).toBe(2);
    expect(missing.lines.join('\n')).toContain('--email: This field is required.');
    const bad = piped('');
    expect(await createUserCommand(bad.io).run(t.site, ['--email', 'nope'])).toBe(2);
    expect(bad.lines.join('\n')).toContain('Enter a valid email address.');
    const unknown = piped('');
    expect(
      await createUserCommand(unknown.io).run(t.site, ['--email', 'a@example.com', '--admin']),
    ).toBe(2);
    expect(unknown.lines.join('\n')).toContain('usage: tessera createuser');
  });

  it('makes an account without a password with --no-password', async () => {
    const { io } = piped('');
    expect(
      await createUserCommand(io).run(t.site, ['--email', 'invite@example.com', '--no-password']),
    ).toBe(0);
    const user = await t.em().findOneOrFail(User, { email: 'invite@example.com' });
    expect(user.passwordHash.startsWith('!')).toBe(true);
  });
});

describe('tessera auth:prune', () => {
  it('deletes rate-limit counters whose window has ended and keeps live ones', async () => {
    const store = new PostgresRateLimitStore(t.site, 'auth:login');
    await store.hit(['old', 'live'], 60_000);
    const conn = t.em().getConnection();
    await conn.execute(
      "update core_rate_limit set expires_at = now() - interval '1 second' where namespace = 'auth:login'",
    );
    await store.hit(['live'], 60_000);
    const { io, lines } = piped('');
    expect(await pruneCommand(io).run(t.site, [])).toBe(0);
    expect(lines).toEqual(['Removed 1 expired rate-limit counter.']);
    expect(await store.peek(['old', 'live'])).toMatchObject([{ current: 0 }, { current: 1 }]);
  });
});
