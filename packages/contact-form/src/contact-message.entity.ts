import { defineEntity, p } from '@tessera/core';

/**
 * Where a message stands: `pending` until its `contact-form:deliver` job has mailed it, `sent`
 * once mailed, `spam` when vetoed (kept, never mailed).
 */
export type DeliveryState = 'pending' | 'sent' | 'spam';

/** Every delivery state, for the column's check constraint. */
export const DELIVERY_STATES = ['pending', 'sent', 'spam'] as const;

/** A stored message as a plain row: what templates, hooks and `recipients` functions receive. */
export interface StoredMessage {
  id: number;
  formName: string;
  data: Record<string, unknown>;
  ip: string | null;
  userAgent: string | null;
  userId: number | null;
  state: DeliveryState;
  spamReason: string | null;
  attempts: number;
  createdAt: Date;
  sentAt: Date | null;
}

/** What a successful submission answers, and what a `successRedirect` function receives. */
export interface ContactResult {
  id: number;
  formName: string;
  data: Record<string, unknown>;
}

/**
 * One submitted message, stored before anything is mailed so that none is lost: the submitted
 * fields as JSON, who sent it, and where its delivery stands.
 */
export const ContactMessageSchema = defineEntity({
  name: 'ContactMessage',
  tableName: 'contact_form_message',
  indexes: [{ properties: ['state'] }],
  properties: {
    id: p.integer().primary(),
    /** The name of the form that took it (`contact`, or the site's extended form). */
    formName: p.string().length(100),
    /** Every submitted field, by name. */
    data: p.json<Record<string, unknown>>(),
    ip: p.string().length(45).nullable(),
    userAgent: p.string().length(500).nullable(),
    /** The logged-in sender's id (no foreign key: the app does not depend on auth). */
    userId: p.integer().nullable(),
    state: p.enum(DELIVERY_STATES).default('pending'),
    /** Why it was vetoed (`honeypot`, or a `contact-form:validate` listener's reason). */
    spamReason: p.string().length(200).nullable(),
    /** Delivery attempts so far (each run of its job counts one, before it sends). */
    attempts: p.integer().default(0),
    /** Why the last attempt failed (cleared once sent). */
    lastError: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    sentAt: p.datetime().nullable(),
  },
});

/** A stored contact message. */
export class ContactMessage extends ContactMessageSchema.class {}
ContactMessageSchema.setClass(ContactMessage);
