import { describe, expectTypeOf, it } from 'vitest';
import { RegisterForm } from '@tessera/auth';
import { fields, type HookPayloads, type RouteParams, type UrlFor } from '@tessera/core';
import type { EntryInput, EntrySummary } from '../src/index.ts';
import { blog, entryForm } from '../src/index.ts';

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
    expectTypeOf(blog).toBeCallableWith({ paginateBy: 5, detailTemplate: 'x.njk' });
    expectTypeOf(blog).toBeCallableWith({ listTemplate: () => 'site/list.njk' });
    // @ts-expect-error paginateBy is a number
    blog({ paginateBy: 'ten' });
    // @ts-expect-error a misspelled option
    blog({ paginatBy: 5 });
    // @ts-expect-error the old nested `templates` option is gone: one option per page
    blog({ templates: { detail: 'x.njk' } });
    // @ts-expect-error a template is a name or a function of the request
    blog({ listTemplate: 42 });
  });

  it('takes the entry form or one extended from it, never a form of another shape', () => {
    const extended = entryForm.extend({ fields: { subtitle: fields.text({ label: 'Subtitle' }) } });
    blog({ form: extended });
    blog({ form: () => extended });
    // @ts-expect-error the registration form lacks the entry's fields
    blog({ form: RegisterForm });
  });

  it('takes redirects by route name, path or function, never an unknown or parameterised name', () => {
    blog({ successRedirect: 'blog:entry-drafts', deleteRedirect: '/blog/drafts' });
    blog({ successRedirect: (_request, entry) => `/blog/drafts?saved=${entry.slug}` });
    // @ts-expect-error no route has this name
    blog({ successRedirect: 'blog:entry-lst' });
    // @ts-expect-error the entry's page needs parameters a redirect by name cannot give
    blog({ deleteRedirect: 'blog:entry-detail' });
    // @ts-expect-error a path starts with a slash
    blog({ deleteRedirect: 'blog/drafts' });
  });
});
