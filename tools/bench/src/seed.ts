// Seeds the bench database with SQL (generate_series), not through the ORM: 10,000 entries take
// about a second, 1,000,000 well under the bench's budget. The tables are the ones the site's
// migrations made; the rows are what the apps would have written (live entries with rendered
// HTML and an excerpt, authors, tags on entries through tagging's generic relation).
import pg from 'pg';

/** How many of each the bench seeds. */
export interface SeedShape {
  entries: number;
  authors: number;
  tags: number;
  tagsPerEntry: number;
}

export const SEED: Omit<SeedShape, 'entries'> = { authors: 50, tags: 200, tagsPerEntry: 3 };

const BODY =
  'A paragraph of *markdown* long enough to look like a post: what was built, why it was built ' +
  'that way, and what was measured afterwards. Then a [link](https://example.com/) and a list.';
const HTML =
  '<p>A paragraph of <em>markdown</em> long enough to look like a post: what was built, why it ' +
  'was built that way, and what was measured afterwards. Then a <a href="https://example.com/" ' +
  'rel="nofollow noopener">link</a> and a list.</p>';
const EXCERPT =
  'A paragraph of markdown long enough to look like a post: what was built, why it was built ' +
  'that way, and what was measured afterwards.';

/**
 * Empties the apps' tables and fills them: `authors` users, `tags` tags, `entries` live entries
 * one minute apart (the newest a day old), each by author `i % authors` with `tagsPerEntry`
 * distinct tags. Answers the seconds it took.
 */
export async function seed(databaseUrl: string, shape: SeedShape): Promise<number> {
  const { entries, authors, tags, tagsPerEntry } = shape;
  if (tagsPerEntry > tags) throw new Error('More tags per entry than tags.');
  const started = performance.now();
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => {});
  await client.connect();
  try {
    const q = (sql: string, values: unknown[] = []) => client.query(sql, values);
    // Every trigger runs (the blog keeps its entry counts with them), and commits stay
    // synchronous: hint bits of an asynchronously committed insert cannot be set until its WAL
    // is flushed, and VACUUM would then leave the pages out of the visibility map.
    await q(`set maintenance_work_mem = '256MB'`);
    await q(
      `truncate blog_entry, tagging_tagged_item, tagging_tag, auth_user restart identity cascade`,
    );
    await q(
      `insert into auth_user (email, email_key, display_name, password_hash, date_joined)
       select 'author' || i || '@example.com', 'author' || i || '@example.com', 'Author ' || i,
              '!unusable', now() - interval '2 years'
         from generate_series(1, $1::int) i`,
      [authors],
    );
    await q(
      `insert into tagging_tag (name, slug)
       select 'Topic ' || i, 'topic-' || i from generate_series(1, $1::int) i`,
      [tags],
    );
    await q(
      `insert into blog_entry (title, slug, body, body_html, excerpt, status, pub_date,
                               first_published_at, author_id, created_at, updated_at)
       select 'Entry number ' || i, 'entry-' || i, $2 || ' (' || i || ')', $3, $4 || ' (' || i || ')',
              'live', t.at, t.at, 1 + (i % $5::int), t.at, t.at
         from generate_series(1, $1::int) i,
              lateral (select now() - interval '1 day' - ($1::int - i) * interval '1 minute' as at) t`,
      [entries, BODY, HTML, EXCERPT, authors],
    );
    // Distinct tags per entry: offsets spread evenly round the tag numbers. Consistent by
    // construction, so the per-row foreign-key checks (3 per entry) are skipped for this one.
    const step = Math.floor(tags / tagsPerEntry);
    await q(`set session_replication_role = replica`);
    await q(
      `insert into tagging_tagged_item (tag_id, entity_type, entity_id, created_at)
       select 1 + ((i + k * $2::int) % $3::int), 'blog_entry', i, now() - interval '1 day'
         from generate_series(1, $1::int) i, generate_series(0, $4::int - 1) k`,
      [entries, step, tags, tagsPerEntry],
    );
    await q(`reset session_replication_role`);
    // As autovacuum would have left a table this size: statistics and the visibility map.
    for (const table of ['auth_user', 'tagging_tag', 'blog_entry', 'tagging_tagged_item'])
      await q(`vacuum (analyze) ${table}`);
  } finally {
    await client.end();
  }
  return (performance.now() - started) / 1000;
}
