import { randomBytes } from 'node:crypto';
import type { AppCommand, CurrentUser, SiteContext } from '@tessera/core';
import { createUser, findUserByEmail, grantPermission, setPassword } from '@tessera/auth';
import { saveEntry } from './entries.ts';
import { ENTRY_TABLE } from './entry.entity.ts';

/** The demo editor's sign-in. */
export const DEMO_EMAIL = 'editor@example.com';
/** How many entries the demo writes. */
export const DEMO_ENTRIES = 30;

const TOPICS: readonly [string, string[]][] = [
  ['Reusable apps', ['architecture', 'django']],
  ['Fastify plugins', ['fastify', 'node.js']],
  ['Migrations per app', ['postgresql', 'architecture']],
  ['Plain rows for pages', ['performance', 'postgresql']],
  ['Typed hooks', ['typescript', 'architecture']],
  ['Tag clouds', ['tagging', 'design']],
  ['Feeds that validate', ['feeds', 'standards']],
  ['Caching by tags', ['performance', 'caching']],
  ['Sanitised markdown', ['security', 'markdown']],
  ['Forms you can extend', ['forms', 'django']],
];

const DAY = 24 * 3600 * 1000;

function body(topic: string, n: number): string {
  return [
    `Part ${n} of an occasional series on **${topic.toLowerCase()}**.`,
    '',
    '## Why it matters',
    '',
    `A site is a list of apps plus settings. ${topic} keeps each app small enough to read in one sitting.`,
    '',
    '- one thing per app',
    '- overrides, not forks',
    '- tests on a real database',
    '',
    '```ts',
    `const site = defineSettings({ apps: [auth(), tagging(), blog()] });`,
    '```',
    '',
    `> Do one thing, and do it well. (Note ${n}.)`,
  ].join('\n');
}

/**
 * `tessera blog:demo`: the first time, creates a staff editor (printing the sign-in) and
 * ~30 tagged entries over the last four months; does nothing when the blog has entries.
 */
export function blogDemoCommand(out: (line: string) => void = console.log): AppCommand {
  return {
    description:
      'blog:demo: create a staff editor and 30 demo entries, once (no-op when entries exist).',
    async run(site: SiteContext) {
      const em = site.orm.em.fork();
      const [{ n }] = await em.execute<{ n: number }[]>(
        `select count(*)::int as n from ${ENTRY_TABLE}`,
      );
      if (n > 0) {
        out(`The blog has ${n} entries already: no demo content added.`);
        return 0;
      }
      const password = randomBytes(12).toString('base64url');
      let user = await findUserByEmail(em, DEMO_EMAIL);
      if (user) {
        await setPassword(em, user, password);
      } else {
        user = await createUser(em, {
          email: DEMO_EMAIL,
          password,
          displayName: 'Demo Editor',
          isStaff: true,
        });
      }
      for (const codename of ['blog.add_entry', 'blog.change_entry', 'blog.delete_entry']) {
        await grantPermission(em, user, codename);
      }
      const author: CurrentUser = {
        id: user.id,
        email: user.email,
        displayName: user.displayName,
        isActive: true,
        isStaff: true,
        isSuperuser: false,
        hasPermission: () => true,
      };
      const now = Date.now();
      for (let i = 0; i < DEMO_ENTRIES; i += 1) {
        const [topic, tags] = TOPICS[i % TOPICS.length]!;
        const part = Math.floor(i / TOPICS.length) + 1;
        await saveEntry(
          site,
          site.orm.em.fork(),
          null,
          {
            title: `${topic}, part ${part}`,
            slug: '',
            body: body(topic, part),
            excerpt: '',
            // The two newest are drafts, to show what only editors see.
            status: i < 2 ? 'draft' : 'live',
            pubDate: new Date(now - i * 4 * DAY - (i % 5) * 3600 * 1000),
            tags: [...tags, ...(i % 3 === 0 ? ['notes'] : [])],
            extra: {},
          },
          { user: author },
        );
      }
      out(`Created ${DEMO_ENTRIES} demo entries.`);
      out(`Sign in as ${DEMO_EMAIL} with the password ${password} to edit them.`);
      return 0;
    },
  };
}
