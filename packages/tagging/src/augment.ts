import type { Tagging, TagsChanged } from './tagging.ts';

declare module '@tessera/core' {
  interface HookPayloads {
    /** An entity's tags changed (fired after the transaction committed; not fired when nothing changed). */
    'tagging:tags-changed': TagsChanged;
  }
  interface RouteParams {
    /** The tag list (cloud) page. */
    'tagging:tag-list': Record<string, never>;
    /** A tag's page: its items of every registered entity type. */
    'tagging:tag-detail': { slug: string };
    /** The tag list as JSON. */
    'tagging:api-tag-list': Record<string, never>;
    /** A tag's page as JSON. */
    'tagging:api-tag-detail': { slug: string };
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The tagging API: tag any entity, read tags in batches, register entity types for tag pages. */
    tagging: Tagging;
  }
}
