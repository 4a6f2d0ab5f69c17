// What tagging offers the admin: tags, renamed with a form of one field and merged as a bulk
// action — both through `renameTag`/`mergeTags`, so the hook fires and tag pages invalidate.
import { defineAdmin, defineForm, fields, invalidForm } from '@tessera/core';
import { TagExists } from './errors.ts';
import { TAG_NAME_COLUMN_LENGTH } from './options.ts';
import { Tag } from './tag.entity.ts';
import { mergeTags, renameTag } from './tag-edits.ts';

/** The admin's form for a tag: its name (the slug follows). */
export const TagRenameForm = defineForm({
  name: 'tag-rename',
  fields: {
    name: fields.text({
      label: 'Name',
      maxLength: TAG_NAME_COLUMN_LENGTH,
      help: 'The address (slug) follows the name. To join two tags, merge them from the list.',
    }),
  },
});

/** A rename's refusal beside the name field: a taken or invalid name. */
function nameError(err: unknown): never {
  const e = err as { code?: string; message?: string };
  if (err instanceof TagExists || e.code?.startsWith('TESSERA_TAGGING_'))
    throw invalidForm({ name: [e.message ?? 'Not a valid tag name.'] });
  throw err;
}

/** Tagging's admin registration. */
export const taggingAdmin = defineAdmin({
  entities: [
    {
      name: 'tag',
      entity: Tag,
      columns: ['name', 'slug'],
      search: ['name', 'slug'],
      ordering: ['name'],
      form: TagRenameForm,
      // Tags are made by tagging things; the admin renames, merges and never adds one bare.
      add: false,
      actions: [
        {
          name: 'merge',
          label: 'Merge selected tags into the oldest of them',
          async handler(ctx, ids) {
            const { into, merged, moved } = await mergeTags(ctx.site, ctx.em, ids);
            if (!merged.length) return 'Select two tags or more to merge.';
            return `Merged ${merged.map((t) => `“${t.name}”`).join(', ')} into “${into.name}” (${moved} item(s) gained it).`;
          },
        },
      ],
      save: async (ctx, row, data) => {
        await renameTag(ctx.site, ctx.em, row!.id, String(data.name)).catch(nameError);
        return row!.id;
      },
    },
  ],
});
