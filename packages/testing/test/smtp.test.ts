import { connect } from 'node:net';
import { Mailer } from '@tessera/core';
import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import { startSmtpCapture } from '../src/index.ts';

const quiet = { info: () => {} } as unknown as FastifyBaseLogger;

describe('the SMTP capture', () => {
  it('keeps each message a real SMTP client sends, with its recipients and its text unstuffed', async () => {
    const smtp = await startSmtpCapture();
    const mailer = new Mailer(`smtp://127.0.0.1:${smtp.port}`, 'site@example.com', quiet);
    try {
      await mailer.send({
        to: ['a@example.com', 'b@example.com'],
        subject: 'Hi',
        text: 'first\n.leading dot\nlast',
      });
      await mailer.send({ to: 'c@example.com', subject: 'Again', text: 'second' });
      expect(smtp.messages.map((m) => m.to)).toEqual([
        ['a@example.com', 'b@example.com'],
        ['c@example.com'],
      ]);
      expect(smtp.messages[0]!.data).toContain('Subject: Hi');
      expect(smtp.messages[0]!.data).toContain('\n.leading dot\n');
      expect(smtp.messages[0]!.data).not.toContain('..leading');
    } finally {
      mailer.close();
      await smtp.close();
    }
  });

  it('holds a sender until released, and forgets a held message whose sender went away', async () => {
    const smtp = await startSmtpCapture({ hold: true });
    const mailer = new Mailer(`smtp://127.0.0.1:${smtp.port}`, 'site@example.com', quiet);
    try {
      let answered = false;
      const sending = mailer
        .send({ to: 'a@example.com', subject: 'Held', text: 'wait' })
        .then(() => (answered = true));
      // A sender that will go away before its answer (a killed process).
      const gone = connect(smtp.port, '127.0.0.1');
      gone.on('error', () => {});
      gone.write('EHLO x\r\nMAIL FROM:<s@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n');
      gone.write('Subject: Dropped\r\n\r\nbye\r\n.\r\n');
      await expect.poll(() => smtp.held.length).toBe(2);
      expect(answered).toBe(false);
      expect(smtp.messages).toEqual([]);
      gone.destroy();
      await expect.poll(() => smtp.held.map((m) => m.to)).toEqual([['a@example.com']]);
      smtp.release();
      await sending;
      expect(smtp.held).toEqual([]);
      expect(smtp.messages.map((m) => m.to)).toEqual([['a@example.com']]);
      // Released: later messages are accepted at once.
      await mailer.send({ to: 'c@example.com', subject: 'Later', text: 'now' });
      expect(smtp.messages).toHaveLength(2);
    } finally {
      mailer.close();
      await smtp.close();
    }
  });

  it('refuses a port that is taken, so a test never reads another server’s mail', async () => {
    const first = await startSmtpCapture();
    try {
      await expect(startSmtpCapture({ port: first.port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});
