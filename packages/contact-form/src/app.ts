import { defineApp, fromPackageJson } from '@tessera/core';
import { contactFormChecks } from './checks.ts';
import { ContactMessage } from './contact-message.entity.ts';
import { Delivery } from './delivery.ts';
import { migrations } from './migrations/index.ts';
import { ContactFormOptions } from './options.ts';
import { deliverPending, scheduleRetries } from './retry.ts';
import { contactFormRoutes } from './routes.ts';
import { CONTACT_FORM } from './runtime.ts';

/** The contact form app: `contactForm({ form, recipients, successRedirect, ... })`. */
export const contactForm = defineApp({
  name: 'contact-form',
  ...fromPackageJson(new URL('../package.json', import.meta.url)),
  entities: [ContactMessage],
  migrations,
  migrationsDir: new URL('./migrations/', import.meta.url),
  templates: new URL('../templates/', import.meta.url),
  options: ContactFormOptions,
  hooks: ['contact-form:validate', 'contact-form:sent'],
  setup(fastify, { options, site }) {
    site.state.set(CONTACT_FORM, { options, delivery: new Delivery(site, options) });
    scheduleRetries(fastify, site);
  },
  routes: contactFormRoutes,
  checks: (site) => contactFormChecks(site, site.state.get(CONTACT_FORM).options),
  commands: {
    'contact-form:deliver': {
      description:
        'Mail every pending contact message that is due (--all: every pending one, now).',
      async run(site, args) {
        const report = await deliverPending(site, { all: args.includes('--all') });
        console.log(
          `Delivered ${report.sent} contact message(s); ${report.failed} failed and stay pending.`,
        );
        return report.failed ? 1 : 0;
      },
    },
  },
});
