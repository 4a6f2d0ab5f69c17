// Editing tags themselves (not what carries them): renaming one, and merging several into one
// so that every item tagged with any of them carries the one kept. Both run in a transaction,
// fire `tagging:tags-changed` for every entity whose tags changed, and invalidate the pages of
// the tags involved — after the commit, as every tagging write does.
import {
  invalidateOnCommit,
  transaction,
  type EntityManager,
  type SiteContext,
} from '@tessera/core';
import { cacheTagsOfChange } from './cache-tags.ts';
import { TagExists, TagNotFound } from './errors.ts';
import { cleanTagName, type TagRow } from './names.ts';
import { getTagging, type TagsChanged } from './tagging.ts';

interface TagRecord extends TagRow {
  id: number;
}

async function tagsById(tx: EntityManager, ids: readonly number[]): Promise<TagRecord[]> {
  return tx.execute<TagRecord[]>(
    'select id, name, slug from tagging_tag where id in (?) order by id for update',
    [ids],
  );
}

/** Every entity carrying one of `tagIds`, with which of them it carries. */
async function carriers(tx: EntityManager, tagIds: readonly number[]) {
  return tx.execute<{ entity_type: string; entity_id: number; tag_ids: number[] }[]>(
    `select entity_type, entity_id, array_agg(tag_id order by tag_id) as tag_ids
       from tagging_tagged_item where tag_id in (?) group by entity_type, entity_id`,
    [tagIds],
  );
}

/** After the commit: each change's hook, and one invalidation of every page they touch. */
function announce(
  site: SiteContext,
  onCommit: (fn: () => Promise<void> | void) => void,
  changes: TagsChanged[],
  tags: TagRow[],
) {
  invalidateOnCommit(site, onCommit, cacheTagsOfChange({ added: tags, removed: [] }));
  for (const change of changes) onCommit(() => site.hooks.emit('tagging:tags-changed', change));
}

/**
 * Renames tag `id` (its slug follows its new name). A name whose slug another tag has is
 * refused with `TagExists`: merge them instead. Every item carrying it gets `tagging:tags-changed`.
 */
export async function renameTag(
  site: SiteContext,
  em: EntityManager,
  id: number,
  name: string,
): Promise<TagRow> {
  const clean = cleanTagName(name, getTagging(site).rules);
  return transaction(em, async (tx, onCommit) => {
    const [tag] = await tagsById(tx, [id]);
    if (!tag) throw new TagNotFound(id);
    const taken = await tx.execute('select 1 from tagging_tag where slug = ? and id <> ?', [
      clean.slug,
      id,
    ]);
    if (taken.length) throw new TagExists(clean.name);
    await tx.execute('update tagging_tag set name = ?, slug = ? where id = ?', [
      clean.name,
      clean.slug,
      id,
    ]);
    const changes = (await carriers(tx, [id])).map((c) => ({
      type: c.entity_type,
      id: c.entity_id,
      added: [clean],
      removed: [{ name: tag.name, slug: tag.slug }],
    }));
    announce(site, onCommit, changes, [clean, tag]);
    return clean;
  });
}

/**
 * Merges the tags `ids` into the first of them (the oldest, lowest id): every item tagged with
 * any of them carries it afterwards, and the others are deleted. Answers the tag kept and how
 * many items gained it.
 */
export async function mergeTags(
  site: SiteContext,
  em: EntityManager,
  ids: readonly number[],
): Promise<{ into: TagRow; merged: TagRow[]; moved: number }> {
  return transaction(em, async (tx, onCommit) => {
    const tags = await tagsById(tx, ids);
    if (!tags.length) throw new TagNotFound(ids[0] ?? 0);
    const [into, ...others] = tags as [TagRecord, ...TagRecord[]];
    if (!others.length) return { into, merged: [], moved: 0 };
    const otherIds = others.map((t) => t.id);
    const affected = await carriers(tx, [into.id, ...otherIds]);
    const moved = await tx.execute<{ id: number }[]>(
      `insert into tagging_tagged_item (tag_id, entity_type, entity_id, created_at)
       select distinct on (entity_type, entity_id) ?, entity_type, entity_id, created_at
         from tagging_tagged_item where tag_id in (?)
        order by entity_type, entity_id, created_at
       on conflict do nothing returning id`,
      [into.id, otherIds],
    );
    await tx.execute('delete from tagging_tag where id in (?)', [otherIds]);
    const changes = affected.map((c) => ({
      type: c.entity_type,
      id: c.entity_id,
      added: c.tag_ids.includes(into.id) ? [] : [{ name: into.name, slug: into.slug }],
      removed: others
        .filter((t) => c.tag_ids.includes(t.id))
        .map((t) => ({ name: t.name, slug: t.slug })),
    }));
    announce(site, onCommit, changes, tags);
    return {
      into: { name: into.name, slug: into.slug },
      merged: others.map((t) => ({ name: t.name, slug: t.slug })),
      moved: moved.length,
    };
  });
}
