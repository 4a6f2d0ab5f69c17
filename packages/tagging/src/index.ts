/** @tessera/tagging — tags for any entity of any app, with querying by tags. */
import './augment.ts';

export { tagging } from './app.ts';
export {
  TaggingOptions,
  DEFAULT_TAG_MAX_LENGTH,
  DEFAULT_LOWERCASE,
  DEFAULT_CLOUD_SIZE,
  DEFAULT_CLOUD_STEPS,
  DEFAULT_ITEMS_PER_TYPE,
  DEFAULT_LIST_TEMPLATE,
  DEFAULT_DETAIL_TEMPLATE,
  TAG_NAME_COLUMN_LENGTH,
} from './options.ts';
export { Tag, TagSchema, TAG_SLUG_COLUMN_LENGTH } from './tag.entity.ts';
export { TaggedItem, TaggedItemSchema, ENTITY_TYPE_COLUMN_LENGTH } from './tagged-item.entity.ts';
export type { TaggingTables } from './tables.ts';
export { TAGGING, Tagging, getTagging, registerTaggable } from './tagging.ts';
export { TAGGING_CACHE_TAGS, cacheTagsOfChange } from './cache-tags.ts';
export type {
  FindTaggedOptions,
  RegisteredTaggable,
  SimilarItem,
  TagCount,
  TaggableItem,
  TaggableType,
  TagsChanged,
  WriteOptions,
} from './tagging.ts';
export type { EntityClass, EntityRef, EntityType, TagTarget } from './refs.ts';
export {
  cleanTagName,
  cleanTagNames,
  formatTagInput,
  parseTagInput,
  slugify,
  SLUG_MAX_URL_LENGTH,
} from './names.ts';
export type { NameRules, TagRow } from './names.ts';
export { tagsField, TAGS_INPUT_MAX_LENGTH } from './forms.ts';
export type { TagsFieldOptions } from './forms.ts';
export { cloud } from './pages.ts';
export type { ReadOptions, Visibility, VisibleIds } from './visibility.ts';
export { mergeTags, renameTag } from './tag-edits.ts';
export { TagRenameForm } from './admin.ts';
export type { CloudTag, TagPage, TagSection } from './pages.ts';
export * from './errors.ts';
