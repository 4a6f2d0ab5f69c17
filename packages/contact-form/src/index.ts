/** @tessera/contact-form — a contact form that emails the site's managers and keeps every message. */
import './augment.ts';

export { contactForm } from './app.ts';
export type { ContactSentPayload, ContactValidatePayload } from './augment.ts';
export { ContactMessage, ContactMessageSchema, DELIVERY_STATES } from './contact-message.entity.ts';
export type { ContactResult, DeliveryState, StoredMessage } from './contact-message.entity.ts';
export { ContactForm, DEFAULT_MESSAGE_MAX_LENGTH, DEFAULT_NAME_MAX_LENGTH } from './forms.ts';
export {
  ContactFormOptions,
  DEFAULT_BODY_TEMPLATE,
  DEFAULT_HONEYPOT,
  DEFAULT_RATE_LIMIT_MAX,
  DEFAULT_RATE_LIMIT_WINDOW,
  DEFAULT_SENT_TEMPLATE,
  DEFAULT_SUBJECT_TEMPLATE,
  DEFAULT_SUCCESS_REDIRECT,
  DEFAULT_TEMPLATE,
} from './options.ts';
export type { RecipientsChoice } from './options.ts';
export { RateLimited } from './errors.ts';
export type { DeliveryOutcome } from './delivery.ts';
export {
  DELIVERY_HEARTBEAT_SECONDS,
  DELIVERY_RETRY,
  queueDelivery,
  queueUndelivered,
} from './jobs.ts';
export type { QueueReport } from './jobs.ts';
export { MARKED_BY_STAFF, markNotSpam, markSpam, resend } from './moderation.ts';
