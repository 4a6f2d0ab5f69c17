import { Feed } from 'feed';
import type { FeedRow } from './queries.ts';

/** What a feed says about itself. */
export interface FeedInfo {
  title: string;
  description: string;
  language: string;
  /** The site's origin (`https://example.org`), for absolute URLs. */
  origin: string;
  /** The blog's front page (a path). */
  home: string;
  atom: string;
  rss: string;
}

/** Plain text as HTML: feed readers read Atom `type="html"` titles and RSS descriptions as HTML. */
function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** The Atom 1.0 or RSS 2.0 document of `rows` (newest first). */
export function buildFeed(info: FeedInfo, rows: FeedRow[], format: 'atom' | 'rss'): string {
  const abs = (path: string) => new URL(path, info.origin).href;
  const feed = new Feed({
    title: info.title,
    description: info.description || undefined,
    id: abs(info.home),
    link: abs(info.home),
    language: info.language,
    // The newest change of any entry shown, so an unchanged blog gives the same feed twice.
    updated: rows.reduce<Date>(
      (max, r) => (r.updatedAt > max ? r.updatedAt : max),
      rows[0]?.updatedAt ?? new Date(0),
    ),
    generator: 'Tessera blog',
    feedLinks: { atom: abs(info.atom), rss: abs(info.rss) },
  });
  for (const row of rows) {
    const link = abs(row.url);
    feed.addItem({
      title: escapeHtml(row.title),
      id: link,
      guid: link,
      link,
      date: row.updatedAt,
      published: row.pubDate,
      description: escapeHtml(row.excerpt),
      content: row.html,
      author: row.author ? [{ name: row.author.name }] : undefined,
      // Atom gets the slug as `term` only: the feed package writes a `label` attribute unescaped.
      category: row.tags.map((t) => (format === 'atom' ? { term: t.slug } : { name: t.name })),
    });
  }
  return format === 'atom' ? feed.atom1() : feed.rss2();
}
