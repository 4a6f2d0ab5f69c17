import { defineApp, fromPackageJson } from '@tessera/core';
import { ContactMessage } from './contact-message.entity.ts';
import { deliverPending, scheduleRetries } from './retry.ts';
import { NoRecipients } from './errors.ts';
import { migrations } from './migrations/index.ts';
import { ContactFormOptions, checkOptions } from './options.ts';
import { contactFormRoutes } from './routes.ts';

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
    checkOptions(options);
    if (!options.recipients && site.settings.mail.managers.length === 0) throw new NoRecipients();
    scheduleRetries(fastify, site, options);
  },
  routes: contactFormRoutes,
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
