import { defineForm, fields } from '@tessera/core';
import { tagsField } from '@tessera/tagging';
import { SLUG_MAX_LENGTH, SLUG_PATTERN, slugifyTitle } from './markdown.ts';

/** Longest title. */
export const TITLE_MAX_LENGTH = 200;
/** Longest markdown body, in characters. */
export const BODY_MAX_LENGTH = 200_000;
/** Longest hand-written excerpt. */
export const EXCERPT_MAX_LENGTH = 2_000;

/**
 * The staff form for an entry. Extend it (`entryForm.extend({ fields: { … } })`) and pass it as
 * the `form` option: the blog's template renders the new fields, and their values reach the
 * `blog:entry-saving` and `blog:entry-saved` hooks as `extra`.
 */
export const entryForm = defineForm({
  name: 'entry',
  fields: {
    title: fields.text({ label: 'Title', maxLength: TITLE_MAX_LENGTH }),
    slug: fields.text({
      label: 'Slug',
      required: false,
      maxLength: SLUG_MAX_LENGTH,
      help: 'Lower-case letters, digits and dashes; left empty, it is made from the title.',
    }),
    body: fields.textarea({ label: 'Body', maxLength: BODY_MAX_LENGTH, help: 'Markdown.' }),
    excerpt: fields.textarea({
      label: 'Excerpt',
      required: false,
      maxLength: EXCERPT_MAX_LENGTH,
      help: 'Plain text for lists and feeds; left empty, it is taken from the body.',
    }),
    status: fields.choice({
      label: 'Status',
      choices: [
        ['draft', 'Draft'],
        ['live', 'Live'],
      ] as const,
    }),
    pubDate: fields.datetime({
      label: 'Publication date and time (UTC)',
      required: false,
      help: 'Left empty: now for a new entry; an entry already saved keeps its date. A live entry dated in the future appears at that time.',
    }),
    tags: tagsField({ label: 'Tags' }),
  },
  clean(data) {
    if (data.slug && !SLUG_PATTERN.test(data.slug)) {
      return { slug: ['Use lower-case letters, digits and single dashes only (my-first-entry).'] };
    }
    if (!data.slug && !slugifyTitle(data.title)) {
      return { slug: ['Enter a slug: the title has no letters or digits to make one from.'] };
    }
  },
});

/** The entry form's type, for extended forms. */
export type EntryForm = typeof entryForm;
