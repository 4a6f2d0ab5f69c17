import { Type, type Static } from 'typebox';

/** Objects per change-list page when a registration names none (Django's `list_per_page`). */
export const DEFAULT_PAGE_SIZE = 50;
/** The largest page size a registration or the site may choose: a page is one statement either way. */
export const MAX_PAGE_SIZE = 500;
/** How many of the latest changes the admin's home page lists. */
export const DEFAULT_RECENT_ACTIONS = 10;

/** The admin's options; every field has a default. */
export const AdminOptions = Type.Object(
  {
    /** Objects per change-list page, unless a registration says otherwise. */
    pageSize: Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE }),
    /** Latest changes on the home page (0: none). */
    recentActions: Type.Integer({ minimum: 0, maximum: 100, default: DEFAULT_RECENT_ACTIONS }),
  },
  { additionalProperties: false },
);

/** The admin's resolved options. */
export type AdminOptions = Static<typeof AdminOptions>;
