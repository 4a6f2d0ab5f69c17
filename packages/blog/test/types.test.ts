import { describe, expectTypeOf, it } from 'vitest';
import type { HookPayloads, RouteParams, UrlFor } from '@tessera/core';
import type { EntryInput, EntrySummary } from '../src/index.ts';
import { blog } from '../src/index.ts';

// Checked by `tsc` (the package's typecheck); at run time these only prove the file loads.
describe('types', () => {
  it('types the blog’s route names and their parameters', () => {
    const url = ((name: string) => name) as unknown as UrlFor;
    expectTypeOf(url('blog:entry-list')).toBeString();
    expectTypeOf(url('blog:entry-detail', { year: 2024, month: '05', slug: 'hello' })).toBeString();
    // @ts-expect-error the detail page needs its year and month
    url('blog:entry-detail', { slug: 'hello' });
    // @ts-expect-error no such route
    url('blog:entry');
    expectTypeOf<RouteParams['blog:api-detail']>().toEqualTypeOf<{ slug: string }>();
  });

  it('types the hook payloads', () => {
    expectTypeOf<HookPayloads['blog:entry-saving']['entry']>().toEqualTypeOf<EntryInput>();
    expectTypeOf<HookPayloads['blog:entry-published']>().toEqualTypeOf<{ entry: EntrySummary }>();
    expectTypeOf<HookPayloads['blog:entry-deleted']['entry']['tags']>().toEqualTypeOf<string[]>();
  });

  it('lets a site pass only the options it changes', () => {
    expectTypeOf(blog).toBeCallableWith({ paginateBy: 5, templates: { detail: 'x.njk' } });
    // @ts-expect-error paginateBy is a number
    blog({ paginateBy: 'ten' });
  });
});
