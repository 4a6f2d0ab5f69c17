import { fields, type Field } from '@tessera/core';
import { Type } from 'typebox';
import { cleanTagNames, formatTagInput, parseTagInput, type NameRules } from './names.ts';
import { DEFAULT_LOWERCASE, DEFAULT_TAG_MAX_LENGTH } from './options.ts';

/** The longest text a tags input accepts. */
export const TAGS_INPUT_MAX_LENGTH = 1000;

/** Options of `tagsField`. */
export interface TagsFieldOptions extends Partial<NameRules> {
  label: string;
  help?: string;
  /** At least one tag is needed (default false). */
  required?: boolean;
}

/**
 * A form field for tags, for any app's form: typed as text (`a, b c, "multi word"`), parsed into
 * clean names merged by slug, shown as a text input holding the current tags joined. Bind it a
 * list of names or of `{ name }` rows (what `tagsFor` answers), or the text typed.
 * JSON clients may send an array of names instead of text.
 * `maxLength` and `lowercase` should match the site's tagging options (`fastify.tagging.rules`).
 */
export function tagsField(o: TagsFieldOptions): Field<string[]> {
  const rules: NameRules = {
    maxLength: o.maxLength ?? DEFAULT_TAG_MAX_LENGTH,
    lowercase: o.lowercase ?? DEFAULT_LOWERCASE,
  };
  const required = o.required ?? false;
  return fields.custom<string[]>({
    schema: Type.Union([
      Type.String({ maxLength: TAGS_INPUT_MAX_LENGTH }),
      Type.Array(Type.String({ maxLength: rules.maxLength })),
    ]),
    label: o.label,
    help: o.help ?? 'Separate tags with commas; put a tag of several words in double quotes.',
    widget: 'text',
    required,
    attrs: { maxlength: TAGS_INPUT_MAX_LENGTH, autocomplete: 'off' },
    parse(raw) {
      let names: unknown[];
      if (raw === undefined || raw === null) names = [];
      else if (typeof raw === 'string') {
        if (raw.length > TAGS_INPUT_MAX_LENGTH) {
          return { error: `Ensure this value has at most ${TAGS_INPUT_MAX_LENGTH} characters.` };
        }
        names = parseTagInput(raw);
      } else if (Array.isArray(raw)) names = raw;
      else return { error: 'Enter tags as text.' };
      try {
        const tags = cleanTagNames(names, rules);
        if (required && !tags.length) return { error: 'This field is required.' };
        return { value: tags.map((t) => t.name) };
      } catch (err) {
        return { error: (err as Error).message };
      }
    },
    format(value) {
      if (Array.isArray(value)) return formatTagInput(value as (string | { name: string })[]);
      return typeof value === 'string' ? value : '';
    },
  });
}
