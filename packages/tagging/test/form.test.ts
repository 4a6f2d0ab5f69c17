import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineForm } from '@tessera/core';
import type { TestSite } from '@tessera/testing';
import { tagsField, TAGS_INPUT_MAX_LENGTH } from '../src/index.ts';
import { BookForm } from './fixtures/library.ts';
import { makeBooks, taggingSite } from './helpers.ts';

const form = defineForm({ name: 'tags', fields: { tags: tagsField({ label: 'Tags' }) } });

describe('tagsField', () => {
  it('parses typed text into clean names merged by slug', async () => {
    expect(await form.parse({ tags: 'a, b c, "multi word", A' })).toEqual({
      ok: true,
      data: { tags: ['a', 'b c', 'multi word'] },
    });
  });

  it('takes a list of names from JSON clients, and nothing as no tags', async () => {
    expect(await form.parse({ tags: ['x', 'y z'] })).toEqual({
      ok: true,
      data: { tags: ['x', 'y z'] },
    });
    expect(await form.parse({})).toEqual({ ok: true, data: { tags: [] } });
  });

  it.each([
    [{ tags: '"   ", ok, ' + 'x'.repeat(51) }, /longer than 50 characters/],
    [{ tags: '!!!' }, /at least one letter or digit/],
    [{ tags: 'x'.repeat(TAGS_INPUT_MAX_LENGTH + 1) }, /at most 1000 characters/],
    [{ tags: { not: 'text' } }, /Enter tags as text/],
    [{ tags: ['ok', 7] }, /not text/],
  ])('rejects %j with a message for the person typing', async (input, message) => {
    const r = await form.parse(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.tags![0]).toMatch(message);
  });

  it('can be required and follow the site rules', async () => {
    const strict = defineForm({
      name: 'strict',
      fields: { tags: tagsField({ label: 'Tags', required: true, maxLength: 3, lowercase: true }) },
    });
    const empty = await strict.parse({ tags: ' , ' });
    expect(empty.ok ? [] : empty.errors.tags).toEqual(['This field is required.']);
    expect(await strict.parse({ tags: 'ABC' })).toEqual({ ok: true, data: { tags: ['abc'] } });
    expect((await strict.parse({ tags: 'abcd' })).ok).toBe(false);
    expect(strict.fields.tags.required).toBe(true);
  });

  it('shows bound names, tag rows or typed text in a text input', () => {
    const value = (v: unknown) => form.bind({ tags: v }).fields[0]!.value;
    expect(value(['a', 'multi word'])).toBe('a, "multi word"');
    expect(value([{ name: 'Python', slug: 'python' }])).toBe('Python');
    expect(value('as typed, "kept')).toBe('as typed, "kept');
    expect(value(undefined)).toBe('');
    expect(form.bind().fields[0]!.widget).toBe('text');
  });
});

describe('a form of another app that includes the tags field', () => {
  let t: TestSite;
  beforeAll(async () => {
    t = await taggingSite();
  });
  afterAll(() => t.close());

  it('renders the current tags joined, and saves edited tags with the entity', async () => {
    const [book] = await makeBooks(t, 1);
    await t.app.tagging.setTags(t.em(), book!, ['Python', 'web dev']);
    const c = t.client();
    const page = await c.get(`/books/${book!.id}/edit`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(
      /<input type="text" name="tags" id="id_tags" value="Python, &quot;web dev&quot;"/,
    );

    const changed: unknown[] = [];
    t.site.hooks.on('tagging:tags-changed', function record(p) {
      changed.push(p);
    });
    const saved = await c.post(`/books/${book!.id}/edit`, {
      title: 'Renamed',
      tags: 'python, "data science"',
    });
    expect(saved.statusCode).toBe(303);
    expect(await t.app.tagging.tagsFor(t.em(), book!)).toEqual([
      { name: 'data science', slug: 'data-science' },
      { name: 'Python', slug: 'python' },
    ]);
    expect(changed).toEqual([
      {
        type: 'library_book',
        id: book!.id,
        added: [{ name: 'data science', slug: 'data-science' }],
        removed: [{ name: 'web dev', slug: 'web-dev' }],
      },
    ]);
  });

  it('re-renders with the error and the typed text when a tag is bad, changing nothing', async () => {
    const [book] = await makeBooks(t, 1);
    await t.app.tagging.setTags(t.em(), book!, ['kept']);
    const res = await t.client().post(`/books/${book!.id}/edit`, {
      title: 'New title',
      tags: 'fine, "!!!"',
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('needs at least one letter or digit');
    expect(res.body).toContain('value="fine, &quot;!!!&quot;"');
    expect(await t.app.tagging.tagsFor(t.em(), book!)).toEqual([{ name: 'kept', slug: 'kept' }]);
    expect(BookForm.fields.tags.label).toBe('Tags');
  });
});
