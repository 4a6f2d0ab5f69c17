import { kysely, type EntityManager, type SiteContext } from '@tessera/core';
import type { TagCount, Tagging, TaggableItem } from './tagging.ts';
import type { TagRow } from './names.ts';
import type { TaggingTables } from './tables.ts';
import { visibleItems } from './visibility.ts';

/** A tag in the cloud: its count, its weight class (1 = least used … steps) and its page. */
export interface CloudTag extends TagCount {
  weight: number;
  url: string;
}

/** One entity type's part of a tag's page. */
export interface TagSection {
  type: string;
  label: string;
  items: TaggableItem[];
}

/** What a tag's page shows. */
export interface TagPage {
  tag: TagRow & { url: string };
  sections: TagSection[];
}

/**
 * Spreads counts over `steps` weight classes on a logarithmic scale, so a few very common tags do
 * not flatten the rest (django-tagging's `calculate_cloud`). Answers the tags sorted by name.
 */
export function cloud(
  tags: readonly TagCount[],
  steps: number,
  url: (slug: string) => string,
): CloudTag[] {
  if (!tags.length) return [];
  const counts = tags.map((t) => t.count);
  const min = Math.min(...counts);
  const max = Math.max(...counts);
  const delta = (max - min) / steps;
  const thresholds = Array.from({ length: steps }, (_, i) => min + (i + 1) * delta);
  const scaled = (count: number) => (max === 1 ? count : (Math.log(count) * max) / Math.log(max));
  return tags
    .map((t) => {
      const w = scaled(t.count);
      const step = thresholds.findIndex((limit) => w <= limit);
      return { ...t, weight: step === -1 ? steps : step + 1, url: url(t.slug) };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || (a.slug < b.slug ? -1 : 1));
}

/** The tag list: the `size` most used tags, by name, with weights. */
export async function tagCloud(
  site: SiteContext,
  tagging: Tagging,
  em: EntityManager,
  size: number,
  steps: number,
): Promise<CloudTag[]> {
  const common = await tagging.mostCommon(em, { limit: size });
  return cloud(common, steps, (slug) => site.url('tagging:tag-detail', { slug }));
}

/**
 * A tag's page: the tag, then for each registered entity type (in registration order) its most
 * recently tagged items a visitor may see, as the type's `load` shows them. Null when no tag has
 * this slug or a visitor may see nothing carrying it. One query for the tag and the ids, then one
 * `load` per type that has items.
 */
export async function tagPage(
  site: SiteContext,
  tagging: Tagging,
  em: EntityManager,
  slug: string,
  perType: number,
): Promise<TagPage | null> {
  const db = kysely<TaggingTables>(em);
  // The tag, and for each entity type its `perType` most recently tagged visible ids, in one query.
  const rows = await db
    .selectFrom('tagging_tag as t')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom((eb) =>
            eb
              .selectFrom('tagging_tagged_item as i')
              .select((eb) => [
                'i.entity_type',
                'i.entity_id',
                'i.created_at',
                'i.id',
                eb.fn
                  .agg<number>('row_number')
                  .over((over) =>
                    over
                      .partitionBy('i.entity_type')
                      .orderBy('i.created_at', 'desc')
                      .orderBy('i.id', 'desc'),
                  )
                  .as('n'),
              ])
              .whereRef('i.tag_id', '=', 't.id')
              .where(visibleItems(db, tagging.taggables, 'i'))
              .as('ranked'),
          )
          .select(['ranked.entity_type', 'ranked.entity_id', 'ranked.created_at', 'ranked.id'])
          .where('ranked.n', '<=', perType)
          .as('x'),
      (join) => join.onTrue(),
    )
    .select(['t.name', 't.slug', 'x.entity_type', 'x.entity_id'])
    .where('t.slug', '=', slug)
    .orderBy('x.created_at', 'desc')
    .orderBy('x.id', 'desc')
    .execute();
  const first = rows[0];
  // A tag carried only by what a visitor may not see is not there for them.
  if (!first || rows.every((r) => r.entity_id === null)) return null;
  const idsByType = new Map<string, number[]>();
  for (const row of rows) {
    if (row.entity_type === null || row.entity_id === null) continue;
    const ids = idsByType.get(row.entity_type) ?? [];
    ids.push(row.entity_id);
    idsByType.set(row.entity_type, ids);
  }
  const sections: TagSection[] = [];
  for (const taggable of tagging.taggables) {
    const ids = idsByType.get(taggable.type);
    if (!ids) continue;
    const loaded = new Map((await taggable.load(em, ids)).map((item) => [Number(item.id), item]));
    const items = ids.map((id) => loaded.get(id)).filter((i): i is TaggableItem => !!i);
    if (items.length) sections.push({ type: taggable.type, label: taggable.label, items });
  }
  return {
    tag: {
      name: first.name,
      slug: first.slug,
      url: site.url('tagging:tag-detail', { slug: first.slug }),
    },
    sections,
  };
}
