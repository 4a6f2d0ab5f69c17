import type { CurrentUser } from '@tessera/core';
import type { EntryInput, EntrySummary } from './types.ts';

declare module '@tessera/core' {
  interface HookPayloads {
    /**
     * Before an entry is written. Listeners may return a changed `entry` (the input as the form or
     * API gave it) or `veto(reason)`: then nothing is written and the editor sees the reason.
     * `previous` is the entry as stored (null for a new one).
     */
    'blog:entry-saving': {
      entry: EntryInput;
      previous: EntrySummary | null;
      user: CurrentUser | null;
    };
    /** After an entry (and its tags) committed. `extra` holds an extended form's own fields. */
    'blog:entry-saved': {
      entry: EntrySummary;
      previous: EntrySummary | null;
      created: boolean;
      user: CurrentUser | null;
      extra: Record<string, unknown>;
    };
    /**
     * After an entry first went live — saved live with its date come, or its future date reached
     * (`blog:publish-due`) — once per entry, whatever happens to it later.
     */
    'blog:entry-published': { entry: EntrySummary };
    /** After an entry and its tags were deleted. */
    'blog:entry-deleted': { entry: EntrySummary; user: CurrentUser | null };
  }
  interface JobPayloads {
    /** Every minute: announces the live entries whose publication date has come. */
    'blog:publish-due': Record<string, never>;
  }
  interface RouteParams {
    'blog:entry-list': Record<string, never>;
    'blog:entry-detail': { year: string | number; month: string | number; slug: string };
    'blog:archive-year': { year: string | number };
    'blog:archive-month': { year: string | number; month: string | number };
    'blog:tag': { slug: string };
    'blog:author': { id: string | number };
    'blog:feed-atom': Record<string, never>;
    'blog:feed-rss': Record<string, never>;
    'blog:sitemap': Record<string, never>;
    'blog:entry-drafts': Record<string, never>;
    'blog:entry-create': Record<string, never>;
    'blog:entry-edit': { slug: string };
    'blog:entry-delete': { slug: string };
    'blog:entry-preview': Record<string, never>;
    'blog:api-list': Record<string, never>;
    'blog:api-detail': { slug: string };
  }
}

export {};
