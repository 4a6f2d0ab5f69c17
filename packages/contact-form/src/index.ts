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
  DEFAULT_RETRY_DELAY,
  DEFAULT_RETRY_INTERVAL,
  DEFAULT_SENT_TEMPLATE,
  DEFAULT_SUBJECT_TEMPLATE,
  DEFAULT_SUCCESS_REDIRECT,
  DEFAULT_TEMPLATE,
  MAX_RETRY_DELAY,
} from './options.ts';
export type { RecipientsChoice } from './options.ts';
export { RateLimited } from './errors.ts';
export { SENDING_LEASE_MS } from './delivery.ts';
export type { DeliveryReport } from './delivery.ts';
export { deliverPending } from './retry.ts';
