// W6: the blog's list page written by hand on Fastify + MikroORM entities + Nunjucks, without
// Tessera — what a team writes without us, to compare W1 with. Honest, not tuned: the ORM's
// findAndCount with the author populated, the page's tags in one more query, a Nunjucks
// environment with its cache on, the same markup as the blog's list. No sessions, CSRF,
// security headers or metrics (a hand-written page would have to add them).
//
//   node server.ts <port>     DATABASE_URL from the environment; answers { ready } over IPC
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { MikroORM, RequestContext, defineConfig } from '@mikro-orm/postgresql';
import nunjucks from 'nunjucks';
import { Author, Entry, Tag, TaggedItem } from './entities.ts';

const PER_PAGE = 10;
const port = Number(process.argv[2] ?? 0);

const orm = await MikroORM.init(
  defineConfig({
    clientUrl: process.env.DATABASE_URL,
    entities: [Author, Tag, TaggedItem, Entry],
    debug: false,
  }),
);
const env = new nunjucks.Environment(
  new nunjucks.FileSystemLoader(fileURLToPath(new URL('./templates/', import.meta.url))),
  { autoescape: true },
);
const day = new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'UTC' });
env.addFilter('date', (d: Date, style?: string) =>
  style === 'iso' ? d.toISOString() : day.format(d),
);

const app = Fastify({ logger: { level: 'warn' } });
app.addHook('onRequest', (_request, _reply, done) => RequestContext.create(orm.em, done));
app.get<{ Querystring: { page?: string } }>('/blog/', async (request, reply) => {
  const number = Math.max(1, Number.parseInt(request.query.page ?? '1', 10) || 1);
  const em = orm.em;
  const [entries, count] = await em.findAndCount(
    Entry,
    { status: 'live', pubDate: { $lte: new Date() } },
    {
      orderBy: { pubDate: 'desc', id: 'desc' },
      limit: PER_PAGE,
      offset: (number - 1) * PER_PAGE,
      populate: ['author'],
    },
  );
  const pages = Math.max(1, Math.ceil(count / PER_PAGE));
  if (number > pages) return reply.code(404).send('Not found');
  const tagged = entries.length
    ? await em.find(
        TaggedItem,
        { entityType: 'blog_entry', entityId: { $in: entries.map((e) => e.id) } },
        { populate: ['tag'], orderBy: { id: 'asc' } },
      )
    : [];
  const tagsOf = new Map<number, Tag[]>();
  for (const t of tagged) {
    const list = tagsOf.get(t.entityId) ?? [];
    list.push(t.tag as Tag);
    tagsOf.set(t.entityId, list);
  }
  const html = env.render('list.njk', {
    entries: entries.map((e) => ({
      title: e.title,
      excerpt: e.excerpt,
      pubDate: e.pubDate,
      url: `/blog/${e.pubDate.getUTCFullYear()}/${String(e.pubDate.getUTCMonth() + 1).padStart(2, '0')}/${e.slug}`,
      author: e.author
        ? {
            name: (e.author as Author).displayName,
            url: `/blog/author/${(e.author as Author).id}/`,
          }
        : null,
      tags: (tagsOf.get(e.id) ?? []).map((t) => ({ name: t.name, url: `/blog/tag/${t.slug}/` })),
    })),
    page: { number, pages, hasPrevious: number > 1, hasNext: number < pages },
  });
  return reply.type('text/html; charset=utf-8').send(html);
});

await app.listen({ host: '127.0.0.1', port });
process.send?.({ ready: true });
process.on('message', (msg: { type: string }) => {
  if (msg.type === 'rss') process.send?.({ type: 'rss', rss: process.memoryUsage().rss });
});
process.once(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => orm.close())
      .then(() => process.exit(0)),
);
