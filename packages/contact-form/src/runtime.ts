import { stateKey } from '@tessera/core';
import type { Delivery } from './delivery.ts';
import type { ContactFormOptions } from './options.ts';

/** What the app keeps for one site: its resolved options and the delivery every path shares. */
export interface ContactFormRuntime {
  options: ContactFormOptions;
  /** Mails stored messages: what each `contact-form:deliver` job runs. */
  delivery: Delivery;
}

/** The app's state on a site: `site.state.get(CONTACT_FORM)` (set in `setup`). */
export const CONTACT_FORM = stateKey<ContactFormRuntime>('contact-form');
