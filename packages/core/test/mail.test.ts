import type { FastifyBaseLogger } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestSite,
  startSmtpCapture,
  type SmtpCapture,
  type TestSite,
} from '@tessera/testing';
import { Mailer } from '../src/index.ts';
import { freePort } from '../src/internal.ts';

/** A logger that keeps what `info` was given. */
function recordingLog(): { log: FastifyBaseLogger; lines: unknown[][] } {
  const lines: unknown[][] = [];
  const log = { info: (...args: unknown[]) => lines.push(args) } as unknown as FastifyBaseLogger;
  return { log, lines };
}

describe('the outbox transport', () => {
  let t: TestSite;
  beforeAll(async () => {
    t = await createTestSite({ apps: [] });
  });
  afterAll(() => t.close());

  it('keeps every message, from the site’s sender unless told otherwise', async () => {
    await t.site.mail.send({ to: 'a@example.com', subject: 'Hello', text: 'Body' });
    await t.site.mail.send({
      to: ['b@example.com', 'c@example.com'],
      subject: 'Again',
      text: 'Text',
      html: '<p>Html</p>',
      replyTo: 'r@example.com',
      from: 'other@example.com',
      headers: { 'x-app': 'notes' },
    });
    expect(t.outbox).toEqual([
      { from: 'site@example.com', to: ['a@example.com'], subject: 'Hello', text: 'Body' },
      {
        from: 'other@example.com',
        to: ['b@example.com', 'c@example.com'],
        subject: 'Again',
        text: 'Text',
        html: '<p>Html</p>',
        replyTo: 'r@example.com',
        headers: { 'x-app': 'notes' },
      },
    ]);
    expect(t.site.settings.mail.managers).toEqual(['managers@example.com']);
  });

  it('strips line breaks from every header value, so no header can be injected', async () => {
    await t.site.mail.send({
      to: 'victim@example.com\r\nBcc: everyone@example.com',
      subject: 'Hi\nBcc: everyone@example.com',
      text: 'Body\nwith lines',
      replyTo: 'r@example.com\r\nX-Evil: 1',
      headers: { 'x-note': 'one\r\nX-Evil: 1' },
    });
    const sent = t.outbox.at(-1)!;
    expect(sent.to).toEqual(['victim@example.com Bcc: everyone@example.com']);
    expect(sent.subject).toBe('Hi Bcc: everyone@example.com');
    expect(sent.replyTo).toBe('r@example.com X-Evil: 1');
    expect(sent.headers).toEqual({ 'x-note': 'one X-Evil: 1' });
    expect(sent.text).toBe('Body\nwith lines');
  });

  it('failWith makes sends throw like a broken SMTP server, until cleared', async () => {
    const before = t.outbox.length;
    t.site.mail.failWith = new Error('smtp down');
    await expect(
      t.site.mail.send({ to: 'a@example.com', subject: 'S', text: 'T' }),
    ).rejects.toThrow('smtp down');
    t.site.mail.failWith = null;
    await t.site.mail.send({ to: 'a@example.com', subject: 'S', text: 'T' });
    expect(t.outbox.length).toBe(before + 1);
  });

  it('a message without a recipient is refused', async () => {
    await expect(t.site.mail.send({ to: [], subject: 'S', text: 'T' })).rejects.toThrow(
      'A message needs at least one recipient.',
    );
  });
});

describe('the console transport', () => {
  it('logs the recipients, subject and text instead of sending', async () => {
    const { log, lines } = recordingLog();
    const mailer = new Mailer('console', 'site@example.com', log);
    await mailer.send({ to: 'a@example.com', subject: 'Hello', text: 'Body' });
    expect(lines).toEqual([[{ mail: { to: ['a@example.com'], subject: 'Hello' } }, 'mail:\nBody']]);
    expect(mailer.outbox).toEqual([]);
    mailer.close();
  });
});

describe('an SMTP transport', () => {
  let smtp: SmtpCapture;
  beforeAll(async () => {
    smtp = await startSmtpCapture();
  });
  afterAll(() => smtp.close());

  it('delivers through the server at the URL', async () => {
    const mailer = new Mailer(
      `smtp://127.0.0.1:${smtp.port}`,
      'site@example.com',
      recordingLog().log,
    );
    await mailer.send({ to: 'a@example.com', subject: 'Over SMTP', text: 'Body' });
    mailer.close();
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0]?.data).toContain('Subject: Over SMTP');
    expect(smtp.messages[0]?.data).toContain('To: a@example.com');
    expect(smtp.messages[0]?.to).toEqual(['a@example.com']);
  });

  it('throws when the server does not answer, so the caller can retry', async () => {
    const port = await freePort();
    const mailer = new Mailer(`smtp://127.0.0.1:${port}`, 'site@example.com', recordingLog().log);
    await expect(mailer.send({ to: 'a@example.com', subject: 'S', text: 'T' })).rejects.toThrow(
      /ECONNREFUSED/,
    );
    mailer.close();
  });
});
