import type { FastifyRequest } from 'fastify';
import type { EntityManager, SiteContext } from '@tessera/core';
import { ContactForm, type AnyForm } from './forms.ts';
import type { DeliveryState, StoredMessage } from './contact-message.entity.ts';
import {
  DEFAULT_BODY_TEMPLATE,
  DEFAULT_RETRY_DELAY,
  DEFAULT_SUBJECT_TEMPLATE,
  MAX_RETRY_DELAY,
  type RecipientsChoice,
} from './options.ts';

/**
 * How long a process may hold a message in `sending` before another may take it over: longer
 * than any SMTP timeout, so a slow send is never doubled, yet a crashed process loses nothing.
 */
export const SENDING_LEASE_MS = 15 * 60_000;

/** What delivery needs of the app's options. */
export interface DeliveryOptions {
  form: AnyForm | ((request: FastifyRequest) => AnyForm);
  recipients?: RecipientsChoice;
  subjectTemplate?: string;
  bodyTemplate?: string;
  retryDelay?: number;
}

/** What a delivery run did. */
export interface DeliveryReport {
  /** Messages mailed in this run. */
  sent: number;
  /** Messages whose attempt failed; they stay pending for a later attempt. */
  failed: number;
}

interface MessageRow {
  id: number;
  form_name: string;
  data: Record<string, unknown> | string;
  ip: string | null;
  user_agent: string | null;
  user_id: number | null;
  state: DeliveryState;
  spam_reason: string | null;
  attempts: number;
  created_at: Date | string;
  sent_at: Date | string | null;
}

const COLUMNS =
  'id, form_name, data, ip, user_agent, user_id, state, spam_reason, attempts, created_at, sent_at';

function fromRow(row: MessageRow): StoredMessage {
  return {
    id: row.id,
    formName: row.form_name,
    data: typeof row.data === 'string' ? JSON.parse(row.data) : row.data,
    ip: row.ip,
    userAgent: row.user_agent,
    userId: row.user_id,
    state: row.state,
    spamReason: row.spam_reason,
    attempts: row.attempts,
    createdAt: new Date(row.created_at),
    sentAt: row.sent_at === null ? null : new Date(row.sent_at),
  };
}

function display(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.map(display).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The wait before attempt `attempts + 1`: doubling from `base`, at most an hour. */
export function backoff(base: number, attempts: number): number {
  return Math.min(base * 2 ** Math.max(0, attempts - 1), MAX_RETRY_DELAY);
}

/**
 * Mails stored messages to the site's managers. Each message is claimed atomically before it is
 * sent (`sending`, with a lease), so two processes retrying at once never mail one twice; a
 * failed send puts it back to `pending` with a later next attempt, so none is lost.
 */
export class Delivery {
  readonly #site: SiteContext;
  readonly #options: DeliveryOptions;

  constructor(site: SiteContext, options: DeliveryOptions) {
    this.#site = site;
    this.#options = options;
  }

  get #em(): EntityManager {
    return this.#site.orm.em as EntityManager;
  }

  /**
   * The fields of a message with their form labels, in the form's order, for the mail body. A
   * form chosen per request is unknown to a retry: the base form's labels serve every delivery.
   */
  fields(message: StoredMessage): { name: string; label: string; value: string }[] {
    const form = this.#options.form;
    const known: AnyForm['fields'] = typeof form === 'function' ? ContactForm.fields : form.fields;
    const names = [
      ...Object.keys(known).filter((k) => k in message.data),
      ...Object.keys(message.data).filter((k) => !(k in known)),
    ];
    return names.map((name) => ({
      name,
      label: known[name]?.label ?? name,
      value: display(message.data[name]),
    }));
  }

  /** Who receives `message`: the `recipients` option, else the site's managers. */
  async recipients(message: StoredMessage): Promise<string[]> {
    const choice = this.#options.recipients;
    if (typeof choice === 'function') return choice(message);
    return choice ?? this.#site.settings.mail.managers;
  }

  /** The mail for `message`: its subject on one line, and its plain-text body. */
  async compose(message: StoredMessage): Promise<{ subject: string; text: string }> {
    const context = {
      message,
      data: message.data,
      fields: this.fields(message),
      form_name: message.formName,
    };
    const templates = this.#site.templates;
    const [subject, text] = await Promise.all([
      templates.renderText(this.#options.subjectTemplate ?? DEFAULT_SUBJECT_TEMPLATE, context),
      templates.renderText(this.#options.bodyTemplate ?? DEFAULT_BODY_TEMPLATE, context),
    ]);
    // A subject is one line whatever the template says (the mailer strips breaks as well).
    return { subject: subject.replace(/\s+/g, ' ').trim(), text };
  }

  /** Mails a message this process has claimed; answers whether it went out. */
  async deliver(message: StoredMessage): Promise<boolean> {
    let to: string[];
    try {
      to = await this.recipients(message);
      const { subject, text } = await this.compose(message);
      const email = message.data.email;
      await this.#site.mail.send({
        to,
        subject,
        text,
        ...(typeof email === 'string' && email ? { replyTo: email } : {}),
      });
    } catch (err) {
      const wait = backoff(this.#options.retryDelay ?? DEFAULT_RETRY_DELAY, message.attempts);
      this.#site.log.warn(
        { err, contactMessage: message.id, attempts: message.attempts, retryInMs: wait },
        'contact-form: delivery failed; the message stays pending',
      );
      await this.#em.getConnection().execute(
        `update contact_form_message set state = 'pending', last_error = ?,
             next_attempt_at = now() + make_interval(secs => ?)
           where id = ? and state = 'sending' and attempts = ?`,
        [
          String((err as Error)?.message ?? err).slice(0, 2000),
          wait / 1000,
          message.id,
          message.attempts,
        ],
        'run',
      );
      return false;
    }
    const rows = await this.#em.getConnection().execute<{ sent_at: Date }[]>(
      `update contact_form_message set state = 'sent', sent_at = now(), next_attempt_at = null,
         last_error = null
       where id = ? and state = 'sending' and attempts = ? returning sent_at`,
      [message.id, message.attempts],
    );
    const sent: StoredMessage = {
      ...message,
      state: 'sent',
      sentAt: rows[0] ? new Date(rows[0].sent_at) : new Date(),
    };
    try {
      await this.#site.hooks.emit('contact-form:sent', { message: sent, recipients: to });
    } catch (err) {
      this.#site.log.error(
        { err, contactMessage: message.id },
        'contact-form:sent listener failed',
      );
    }
    return true;
  }

  /**
   * Takes the next due message for this process: a `pending` one whose time has come (any
   * pending one with `all`), or a `sending` one whose claim expired. Atomic across processes.
   */
  async claim(skip: readonly number[], all = false): Promise<StoredMessage | null> {
    const rows = await this.#em.getConnection().execute<MessageRow[]>(
      `update contact_form_message
       set state = 'sending', attempts = attempts + 1,
           next_attempt_at = now() + make_interval(secs => ?)
       where id = (
         select id from contact_form_message
         where ((state = 'pending' and (?::boolean or next_attempt_at is null or next_attempt_at <= now()))
             or (state = 'sending' and next_attempt_at <= now()))
           and not (id = any(?::int[]))
         order by id
         limit 1
         for update skip locked)
       returning ${COLUMNS}`,
      [SENDING_LEASE_MS / 1000, all, `{${skip.join(',')}}`],
    );
    return rows[0] ? fromRow(rows[0]) : null;
  }

  /**
   * Delivers every due message, one claim at a time (so several processes share the work);
   * each message is tried at most once per run.
   */
  async deliverDue(opts: { all?: boolean } = {}): Promise<DeliveryReport> {
    const tried: number[] = [];
    const report: DeliveryReport = { sent: 0, failed: 0 };
    for (;;) {
      const message = await this.claim(tried, opts.all);
      if (!message) return report;
      tried.push(message.id);
      if (await this.deliver(message)) report.sent += 1;
      else report.failed += 1;
    }
  }
}
