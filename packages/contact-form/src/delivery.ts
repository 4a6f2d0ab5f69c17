import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { EntityManager, SiteContext } from '@tessera/core';
import { ContactForm, type AnyForm } from './forms.ts';
import type { DeliveryState, StoredMessage } from './contact-message.entity.ts';
import {
  DEFAULT_BODY_TEMPLATE,
  DEFAULT_SUBJECT_TEMPLATE,
  type RecipientsChoice,
} from './options.ts';

/** What delivery needs of the app's options. */
export interface DeliveryOptions {
  form: AnyForm | ((request: FastifyRequest) => AnyForm);
  recipients?: RecipientsChoice;
  subjectTemplate?: string;
  bodyTemplate?: string;
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

/** What one run of a message's delivery did. */
export type DeliveryOutcome = 'sent' | 'not pending';

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

/**
 * Mails stored messages to the site's managers: what the `contact-form:deliver` job runs, once
 * per message (the job is exclusive per message, so no two runs hold one message at once). A run
 * checks the message is still pending first, so a repeated run (a worker killed after the mail
 * went out but before the job finished) changes nothing once the message is marked sent.
 */
export class Delivery {
  readonly #site: SiteContext;
  readonly #options: DeliveryOptions;

  constructor(site: SiteContext, options: DeliveryOptions) {
    this.#site = site;
    this.#options = options;
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

  /**
   * Mails message `id` if it is still pending: counts the attempt first (so a run that never
   * comes back is counted), then sends, then marks it sent and fires `contact-form:sent`. A failed
   * send keeps the message pending with the reason and throws, so the job is retried.
   */
  async deliver(em: EntityManager, id: number, log: FastifyBaseLogger): Promise<DeliveryOutcome> {
    const conn = em.getConnection();
    const [row] = await conn.execute<MessageRow[]>(
      `update contact_form_message set attempts = attempts + 1
       where id = ? and state = 'pending' returning ${COLUMNS}`,
      [id],
    );
    // Sent by an earlier run, kept as spam, or deleted: nothing to do, and nothing to retry.
    if (!row) return 'not pending';
    const message = fromRow(row);
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
      log.warn(
        { err, contactMessage: id, attempts: message.attempts },
        'contact-form: delivery failed; the message stays pending and its job is retried',
      );
      await conn.execute(
        `update contact_form_message set last_error = ? where id = ? and state = 'pending'`,
        [String((err as Error)?.message ?? err).slice(0, 2000), id],
        'run',
      );
      throw err;
    }
    const rows = await conn.execute<{ sent_at: Date }[]>(
      `update contact_form_message set state = 'sent', sent_at = now(), last_error = null
       where id = ? and state = 'pending' returning sent_at`,
      [id],
    );
    const sent: StoredMessage = {
      ...message,
      state: 'sent',
      sentAt: rows[0] ? new Date(rows[0].sent_at) : new Date(),
    };
    try {
      await this.#site.hooks.emit('contact-form:sent', { message: sent, recipients: to });
    } catch (err) {
      log.error({ err, contactMessage: id }, 'contact-form:sent listener failed');
    }
    return 'sent';
  }
}
