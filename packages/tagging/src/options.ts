import { override } from '@tessera/core';
import { Type, type Static } from 'typebox';

/** The longest tag name, in characters (django-tagging's MAX_TAG_LENGTH). */
export const DEFAULT_TAG_MAX_LENGTH = 50;
/** The `tagging_tag.name` column's size: no `maxLength` option may exceed it. */
export const TAG_NAME_COLUMN_LENGTH = 100;
/** Store names as typed (`Python`); `true` stores them lower-cased (django-tagging's FORCE_LOWERCASE_TAGS). */
export const DEFAULT_LOWERCASE = false;
/** How many of the most used tags the tag list (cloud) shows. */
export const DEFAULT_CLOUD_SIZE = 100;
/** How many weight classes the cloud spreads tags over (1 = least used … steps = most used). */
export const DEFAULT_CLOUD_STEPS = 4;
/** How many items of each entity type a tag's page lists, most recently tagged first. */
export const DEFAULT_ITEMS_PER_TYPE = 50;
/** The tag list (cloud) page's template. */
export const DEFAULT_LIST_TEMPLATE = 'tagging/tag_list.njk';
/** A tag's page template. */
export const DEFAULT_DETAIL_TEMPLATE = 'tagging/tag_detail.njk';

/** The tagging app's options; every field has a default. */
export const TaggingOptions = Type.Object(
  {
    maxLength: Type.Integer({
      minimum: 1,
      maximum: TAG_NAME_COLUMN_LENGTH,
      default: DEFAULT_TAG_MAX_LENGTH,
    }),
    lowercase: Type.Boolean({ default: DEFAULT_LOWERCASE }),
    cloudSize: Type.Integer({ minimum: 1, maximum: 10_000, default: DEFAULT_CLOUD_SIZE }),
    cloudSteps: Type.Integer({ minimum: 1, maximum: 10, default: DEFAULT_CLOUD_STEPS }),
    itemsPerType: Type.Integer({ minimum: 1, maximum: 1000, default: DEFAULT_ITEMS_PER_TYPE }),
    /** The tag list (cloud) page's template: a name, or a function of the request. */
    listTemplate: override.template(DEFAULT_LIST_TEMPLATE),
    /** A tag's page template: a name, or a function of the request. */
    detailTemplate: override.template(DEFAULT_DETAIL_TEMPLATE),
  },
  { additionalProperties: false },
);

/** The tagging app's resolved options. */
export type TaggingOptions = Static<typeof TaggingOptions>;
