import { defineApp, fromPackageJson } from '@tessera/core';
import { contactFormAdmin } from './admin.ts';
import { contactFormChecks } from './checks.ts';
import { ContactMessage } from './contact-message.entity.ts';
import { Delivery } from './delivery.ts';
import { migrations } from './migrations/index.ts';
import { ContactFormOptions } from './options.ts';
import { contactFormJobs, queueUndelivered } from './jobs.ts';
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
  setup(_fastify, { options, site }) {
    site.state.set(CONTACT_FORM, { options, delivery: new Delivery(site, options) });
  },
  routes: contactFormRoutes,
  checks: (site) => contactFormChecks(site, site.state.get(CONTACT_FORM).options),
  jobs: contactFormJobs,
  admin: contactFormAdmin,
  commands: {
    'contact-form:deliver': {
      description:
        'Queue a delivery job for every pending contact message that has none (the workers mail them).',
      async run(site) {
        const { pending, queued } = await queueUndelivered(site);
        console.log(
          `${pending} contact message(s) pending: queued ${queued}; ${pending - queued} already had a delivery job.`,
        );
        return 0;
      },
    },
  },
});
