import { describe, expect, expectTypeOf, it } from 'vitest';
import type { HookPayloads, RouteParams, UrlFor } from '@tessera/core';
import { tagging, type TagRow, type Tagging, type TagsChanged } from '../src/index.ts';

describe('types other apps rely on (checked by tsc)', () => {
  it('names the routes with their params and types the hook payload', () => {
    expectTypeOf<RouteParams['tagging:tag-detail']>().toEqualTypeOf<{ slug: string }>();
    expectTypeOf<RouteParams['tagging:api-tag-detail']>().toEqualTypeOf<{ slug: string }>();
    expectTypeOf<HookPayloads['tagging:tags-changed']>().toEqualTypeOf<TagsChanged>();
    const url: UrlFor = (name, params?: unknown) => `${name} ${JSON.stringify(params ?? {})}`;
    expect(url('tagging:tag-list')).toBe('tagging:tag-list {}');
    // @ts-expect-error a tag's page needs its slug
    expect(url('tagging:tag-detail')).toBe('tagging:tag-detail {}');
  });

  it('answers tagsForMany as a Map from entity id to tag rows', () => {
    expectTypeOf<ReturnType<Tagging['tagsForMany']>>().toEqualTypeOf<
      Promise<Map<number, TagRow[]>>
    >();
    expectTypeOf<Awaited<ReturnType<Tagging['findTagged']>>>().toEqualTypeOf<number[]>();
  });

  it('takes a template by name or as a function of the request, and refuses other options', () => {
    expectTypeOf(tagging).toBeCallableWith({ listTemplate: 'site/tags.njk' });
    expectTypeOf(tagging).toBeCallableWith({ detailTemplate: () => 'site/tag.njk' });
    // @ts-expect-error a template is a name or a function
    tagging({ listTemplate: 42 });
    // @ts-expect-error a misspelled option
    tagging({ listTemplates: 'site/tags.njk' });
  });
});
