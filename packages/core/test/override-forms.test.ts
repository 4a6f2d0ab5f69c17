// Form override points beyond their boot check, and the way from an EntityManager to its site.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import type { TestSite } from '@tessera/testing';
import {
  ImproperlyConfigured,
  NotASiteEntityManager,
  defineForm,
  fields,
  resolveOptions,
  siteOf,
} from '../src/index.ts';
import { NotesOptions, noteForm } from './fixtures/notes/index.ts';
import { createNotesSite } from './helpers.ts';

const request = {} as FastifyRequest;

/** A form written by hand, from JavaScript, with `title` misspelled. */
const misspelled = defineForm({
  name: 'typo-note',
  fields: {
    titel: fields.text({ label: 'Title' }),
    body: fields.textarea({ label: 'Body', required: false }),
  },
});

describe('a replacement form must extend the app’s', () => {
  it('names the field it lacks and the form field that looks like it', () => {
    expect(() => resolveOptions('notes', NotesOptions, { form: misspelled })).toThrow(
      "tessera.E007: App 'notes': option 'form' must extend the app's form 'note', but form 'typo-note' lacks 'title'.\n\tHINT: Did you mean 'titel' for 'title'? Make it with note.extend",
    );
  });

  it('checks each form a form function answers, when it answers', () => {
    let answer: unknown = noteForm.extend({
      name: 'mood-note',
      fields: { mood: fields.text({ label: 'Mood' }) },
    });
    const options = resolveOptions('notes', NotesOptions, { form: () => answer as never });
    const choose = options.form as (request: FastifyRequest) => unknown;
    expect(choose(request)).toBe(answer);
    answer = misspelled;
    expect(() => choose(request)).toThrow(ImproperlyConfigured);
    expect(() => choose(request)).toThrow(
      "App 'notes': the form option 'form' (a function) must extend the app's form 'note', but form 'typo-note' lacks 'title'.",
    );
    answer = 'notes/form.njk';
    expect(() => choose(request)).toThrow(
      "App 'notes': the form option 'form' (a function) must answer a form (got string).",
    );
  });
});

describe('siteOf(em)', () => {
  let t: TestSite;
  beforeAll(async () => {
    t = await createNotesSite();
  });
  afterAll(() => t.close());

  it('answers the site whose ORM made the EntityManager, forks included', () => {
    expect(siteOf(t.em())).toBe(t.site);
    expect(siteOf(t.site.orm.em.fork())).toBe(t.site);
  });

  it('refuses an EntityManager no site made', () => {
    const foreign = { config: { registerExtension() {}, getExtension: () => undefined } };
    expect(() => siteOf(foreign)).toThrow(NotASiteEntityManager);
  });
});
