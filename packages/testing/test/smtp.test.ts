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

  it('refuses a port that is taken, so a test never reads another server’s mail', async () => {
    const first = await startSmtpCapture();
    try {
      await expect(startSmtpCapture({ port: first.port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});
