// Settings every environment shares: the apps this site installs and how it runs.
// Secrets and addresses come from the environment (.env), never from this file.
import { admin } from '@tessera/admin';
import { auth } from '@tessera/auth';
import { blog } from '@tessera/blog';
import { cache } from '@tessera/cache';
import { ContactForm, contactForm } from '@tessera/contact-form';
import { fields, loadEnv, parseList, type InstalledApp, type SettingsInput } from '@tessera/core';
import { tagging } from '@tessera/tagging';
import { routes } from '../routes.ts';

export const env = loadEnv();

/** The contact form, extended with one field before the message — the site's override, no fork. */
export const SiteContactForm = ContactForm.extend({
  name: 'site-contact',
  order: ['name', 'email', 'topic'],
  fields: {
    topic: fields.choice({
      label: 'Topic',
      choices: [
        ['general', 'A general question'],
        ['work', 'Working together'],
        ['bug', 'Something is broken'],
      ],
    }),
  },
});

/** The apps this site installs, with its options; production passes its URL and Redis. */
export function installApps(opts: { siteUrl?: string; redisUrl?: string } = {}): InstalledApp[] {
  return [
    auth({ registerSuccessRedirect: 'home', ...(opts.siteUrl ? { siteUrl: opts.siteUrl } : {}) }),
    tagging(),
    blog({
      paginateBy: 10,
      feedTitle: 'Tessera blog',
      ...(opts.siteUrl ? { siteUrl: opts.siteUrl } : {}),
    }),
    contactForm({ form: SiteContactForm, successRedirect: 'contact-form:sent' }),
    cache(opts.redisUrl ? { backend: 'redis', url: opts.redisUrl } : {}),
    admin(),
  ];
}

export const base: SettingsInput = {
  siteName: 'Tessera',
  apps: installApps({ redisUrl: env.REDIS_URL }),
  routes,
  templates: new URL('../../templates/', import.meta.url),
  static: new URL('../../static/', import.meta.url),
  databaseUrl: env.DATABASE_URL,
  embeddedDir: new URL('../../.tessera/postgres', import.meta.url).pathname,
  secretKey: env.SECRET_KEY ?? 'development-only-secret-key-change-me-in-production',
  host: env.HOST ?? '127.0.0.1',
  port: env.PORT ?? 3000,
  mail: {
    transport: env.SMTP_URL ?? 'console',
    from: env.DEFAULT_FROM_EMAIL ?? 'webmaster@localhost',
    managers: parseList(env.MANAGERS ?? 'managers@localhost'),
  },
  // One hook listener: the site notes each entry that goes live.
  listeners(hooks, site) {
    hooks.on('blog:entry-published', function announcePublished({ entry }) {
      site.log.info({ slug: entry.slug }, `published: ${entry.title}`);
    });
  },
};
