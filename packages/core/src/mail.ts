import nodemailer, { type Transporter } from 'nodemailer';
import type { FastifyBaseLogger } from 'fastify';

/** A message as the outbox keeps it. */
export interface SentMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html?: string;
  replyTo?: string;
  headers?: Record<string, string>;
}

/** What `mail.send` takes. */
export interface MailMessage {
  to: string | string[];
  subject: string;
  text: string;
  html?: string;
  replyTo?: string;
  from?: string;
  headers?: Record<string, string>;
}

/**
 * Where mail goes: `'console'` (logged, for development), `'outbox'` (kept in memory, for tests),
 * or an SMTP URL (`smtp://user:pass@host:587`) for nodemailer.
 */
export type MailTransportSetting = 'console' | 'outbox' | string;

/** Header values may not carry line breaks: that is how header injection works. */
function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').trim();
}

/** The site's mailer: one nodemailer transport, plus an outbox when the transport is `'outbox'`. */
export class Mailer {
  readonly outbox: SentMail[] = [];
  readonly from: string;
  readonly #transport: Transporter | null;
  readonly #mode: 'console' | 'outbox' | 'smtp';
  readonly #log: FastifyBaseLogger;
  /** Tests set this to make the next sends fail like a broken SMTP server. */
  failWith: Error | null = null;

  constructor(setting: MailTransportSetting, from: string, log: FastifyBaseLogger) {
    this.from = from;
    this.#log = log;
    if (setting === 'console' || setting === 'outbox') {
      this.#mode = setting;
      this.#transport = null;
    } else {
      this.#mode = 'smtp';
      this.#transport = nodemailer.createTransport(setting);
    }
  }

  /** Sends one message; throws when the transport fails, so callers can keep it for a retry. */
  async send(message: MailMessage): Promise<void> {
    if (this.failWith) throw this.failWith;
    const mail: SentMail = {
      from: oneLine(message.from ?? this.from),
      to: (Array.isArray(message.to) ? message.to : [message.to]).map(oneLine),
      subject: oneLine(message.subject),
      text: message.text,
      ...(message.html ? { html: message.html } : {}),
      ...(message.replyTo ? { replyTo: oneLine(message.replyTo) } : {}),
      ...(message.headers
        ? {
            headers: Object.fromEntries(
              Object.entries(message.headers).map(([k, v]) => [oneLine(k), oneLine(v)]),
            ),
          }
        : {}),
    };
    if (mail.to.length === 0) throw new Error('A message needs at least one recipient.');
    if (this.#mode === 'outbox') {
      this.outbox.push(mail);
    } else if (this.#mode === 'console') {
      this.#log.info({ mail: { to: mail.to, subject: mail.subject } }, `mail:\n${mail.text}`);
    } else {
      await this.#transport!.sendMail(mail);
    }
  }

  close(): void {
    this.#transport?.close();
  }
}
