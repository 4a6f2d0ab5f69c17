import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCountChange, type TestSite } from '@tessera/testing';
import {
  DEFAULT_MAX_LENGTH,
  DEFAULT_TEXTAREA_MAX_LENGTH,
  CORE_TEMPLATES,
  Templates,
  defineForm,
  fields,
  type Field,
} from '../src/index.ts';
import { Note, noteForm } from './fixtures/notes/index.ts';
import { createNotesSite, csrfFrom, notes, pins } from './helpers.ts';

const ok = <T>(value: T) => ({ value });
const err = (error: string) => ({ error });
const REQUIRED = err('This field is required.');
const NOT_ALLOWED = err('This field contains characters that are not allowed.');
const NOT_TEXT = err('This field contains characters that are not valid text.');

describe('field kinds', () => {
  it('text: trims, requires, and refuses control characters, line breaks and over-long input', () => {
    const f = fields.text({ label: 'Name', minLength: 2 });
    expect(f.parse('  Ann  ')).toEqual(ok('Ann'));
    expect(f.parse(42)).toEqual(ok('42'));
    expect(f.parse(['first', 'last'])).toEqual(ok('last'));
    expect(f.parse('')).toEqual(REQUIRED);
    expect(f.parse(undefined)).toEqual(REQUIRED);
    expect(f.parse('A')).toEqual(err('Ensure this value has at least 2 characters.'));
    expect(f.parse('a\u0000b')).toEqual(NOT_ALLOWED);
    expect(f.parse('a\u007fb')).toEqual(NOT_ALLOWED);
    expect(f.parse('line\nbreak')).toEqual(NOT_ALLOWED);
    expect(f.parse('x'.repeat(DEFAULT_MAX_LENGTH))).toEqual(ok('x'.repeat(DEFAULT_MAX_LENGTH)));
    expect(f.parse('x'.repeat(DEFAULT_MAX_LENGTH + 1))).toEqual(
      err(`Ensure this value has at most ${DEFAULT_MAX_LENGTH} characters.`),
    );
    // Characters, not UTF-16 units: 255 emoji fit.
    expect(f.parse('😀'.repeat(DEFAULT_MAX_LENGTH))).toEqual(ok('😀'.repeat(DEFAULT_MAX_LENGTH)));
    expect(f.parse('bad \uFFFD byte')).toEqual(NOT_TEXT);
    expect(f.parse({ a: 1 })).toEqual(err('Enter text.'));
    expect(fields.text({ label: 'Optional', required: false }).parse('  ')).toEqual(ok(''));
  });

  it('textarea: keeps line breaks and tabs, still refuses other control characters', () => {
    const f = fields.textarea({ label: 'Message' });
    expect(f.parse('one\r\ntwo\tthree')).toEqual(ok('one\r\ntwo\tthree'));
    expect(f.parse('bell\u0007')).toEqual(NOT_ALLOWED);
    expect(f.parse('x'.repeat(DEFAULT_TEXTAREA_MAX_LENGTH + 1))).toEqual(
      err(`Ensure this value has at most ${DEFAULT_TEXTAREA_MAX_LENGTH} characters.`),
    );
    expect(f.attrs).toEqual({ maxlength: DEFAULT_TEXTAREA_MAX_LENGTH });
  });

  it('password: keeps surrounding spaces and allows long passphrases', () => {
    const f = fields.password({ label: 'Password' });
    expect(f.parse('  secret  ')).toEqual(ok('  secret  '));
    expect(f.parse('p'.repeat(1024))).toEqual(ok('p'.repeat(1024)));
    expect(f.parse('p'.repeat(1025))).toEqual(
      err('Ensure this value has at most 1024 characters.'),
    );
    expect(f.widget).toBe('password');
  });

  it('hidden: optional unless told otherwise', () => {
    expect(fields.hidden({ label: 'Next' }).parse(undefined)).toEqual(ok(''));
    expect(fields.hidden({ label: 'Id', required: true }).parse('')).toEqual(REQUIRED);
  });

  it('email: a plausible address, on one line, at most 254 characters', () => {
    const f = fields.email({ label: 'Email' });
    expect(f.parse(' ann@example.com ')).toEqual(ok('ann@example.com'));
    expect(f.parse('not-an-email')).toEqual(err('Enter a valid email address.'));
    expect(f.parse('ann@localhost')).toEqual(err('Enter a valid email address.'));
    expect(f.parse('Ann <ann@example.com>')).toEqual(err('Enter a valid email address.'));
    expect(f.parse('ann@example.com\r\nBcc: all@example.com')).toEqual(NOT_ALLOWED);
    expect(f.parse(`${'a'.repeat(250)}@example.com`)).toEqual(
      err('Ensure this value has at most 254 characters.'),
    );
    expect(f.parse('')).toEqual(REQUIRED);
    expect(fields.email({ label: 'Email', required: false }).parse('')).toEqual(ok(''));
  });

  it('url: http or https only', () => {
    const f = fields.url({ label: 'Website' });
    expect(f.parse('https://example.com/a?b=c')).toEqual(ok('https://example.com/a?b=c'));
    expect(f.parse('javascript:alert(1)')).toEqual(err('Enter a valid URL.'));
    expect(f.parse('ftp://example.com')).toEqual(err('Enter a valid URL.'));
    expect(f.parse('')).toEqual(REQUIRED);
    expect(fields.url({ label: 'Website', required: false }).parse('')).toEqual(ok(''));
  });

  it('integer: whole numbers within bounds', () => {
    const f = fields.integer({ label: 'Age', min: 0, max: 150 });
    expect(f.parse('42')).toEqual(ok(42));
    expect(f.parse(' -0 ')).toEqual(ok(-0));
    expect(f.parse(7)).toEqual(ok(7));
    expect(f.parse('4.2')).toEqual(err('Enter a whole number.'));
    expect(f.parse(4.2)).toEqual(err('Enter a whole number.'));
    expect(f.parse('1e3')).toEqual(err('Enter a whole number.'));
    expect(f.parse('9'.repeat(16))).toEqual(err('Enter a whole number.'));
    expect(f.parse(true)).toEqual(err('Enter a whole number.'));
    expect(f.parse('-1')).toEqual(err('Ensure this value is at least 0.'));
    expect(f.parse('151')).toEqual(err('Ensure this value is at most 150.'));
    expect(f.parse('')).toEqual(REQUIRED);
    expect(fields.integer({ label: 'Age', required: false }).parse(undefined)).toEqual(ok(null));
  });

  it('checkbox: on or off, and required means it must be ticked', () => {
    const f = fields.checkbox({ label: 'Subscribe' });
    for (const on of ['on', 'true', '1', true, 1]) expect(f.parse(on)).toEqual(ok(true));
    for (const off of [undefined, null, '', 'false', '0', false, 0]) {
      expect(f.parse(off)).toEqual(ok(false));
    }
    expect(f.parse('maybe')).toEqual(err('Enter yes or no.'));
    const agree = fields.checkbox({ label: 'I agree', required: true });
    expect(agree.parse(undefined)).toEqual(REQUIRED);
    expect(agree.parse('on')).toEqual(ok(true));
  });

  it('choice: one of the choices, and the message quotes (at most 50 characters of) the rest', () => {
    const f = fields.choice({
      label: 'Colour',
      choices: [
        ['red', 'Red'],
        ['blue', 'Blue'],
      ],
    });
    expect(f.parse('blue')).toEqual(ok('blue'));
    expect(f.parse('green')).toEqual(
      err('Select a valid choice. "green" is not one of the available choices.'),
    );
    expect(f.parse('g'.repeat(80))).toEqual(
      err(`Select a valid choice. "${'g'.repeat(50)}" is not one of the available choices.`),
    );
    expect(f.parse({ x: 1 })).toEqual(
      err('Select a valid choice. "{"x":1}" is not one of the available choices.'),
    );
    expect(f.parse('')).toEqual(
      err('Select a valid choice. "" is not one of the available choices.'),
    );
    const optional = fields.choice({ label: 'C', required: false, choices: [['a', 'A']] });
    expect(optional.parse('')).toEqual(ok(''));
    expect(optional.parse(undefined)).toEqual(ok(''));
  });

  it('multipleChoice: any of the choices, in their order, each once; required means one at least', () => {
    const f = fields.multipleChoice({
      label: 'Colours',
      choices: [
        ['red', 'Red'],
        ['blue', 'Blue'],
      ],
    });
    expect(f.parse(['blue', 'red', 'blue'])).toEqual(ok(['red', 'blue']));
    expect(f.parse('blue')).toEqual(ok(['blue']));
    expect(f.parse(undefined)).toEqual(ok([]));
    expect(f.parse(['red', 'green'])).toEqual(
      err('Select a valid choice. "green" is not one of the available choices.'),
    );
    const required = fields.multipleChoice({ label: 'C', required: true, choices: [['a', 'A']] });
    expect(required.parse([])).toEqual(REQUIRED);
    expect(fields.multipleChoice({ label: 'None', choices: [] }).parse(undefined)).toEqual(ok([]));
  });

  it('multipleChoice: renders a checkbox a choice, ticked as bound, and keeps what was sent on errors', async () => {
    const form = defineForm({
      name: 'paint',
      fields: {
        colours: fields.multipleChoice({
          label: 'Colours',
          choices: [
            ['red', 'Red'],
            ['blue', 'Blue'],
          ],
        }),
      },
    });
    const templates = new Templates([{ owner: 'core', dir: CORE_TEMPLATES }], { cache: false });
    const html = templates.env.renderString(
      '{% import "core/forms.njk" as forms %}{{ forms.fields(form) }}',
      { form: form.bind({ colours: ['blue'] }) },
    );
    expect(html).toContain('<legend>Colours</legend>');
    expect(html).toContain('<input type="checkbox" name="colours" value="red" id="id_colours_0">');
    expect(html).toContain(
      '<input type="checkbox" name="colours" value="blue" id="id_colours_1" checked>',
    );
    const refused = await form.parse({ colours: ['red', 'green'] });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && form.bind(refused.values).fields[0]!.selected).toEqual(['red', 'green']);
  });

  it('datetime: an ISO date and time between 1900 and 9999', () => {
    const f = fields.datetime({ label: 'When' });
    expect(f.parse('2024-03-05T10:30Z')).toEqual(ok(new Date('2024-03-05T10:30:00Z')));
    expect(f.parse('2024-03-05')).toEqual(ok(new Date('2024-03-05')));
    expect(f.parse('yesterday')).toEqual(err('Enter a valid date and time (YYYY-MM-DDTHH:MM).'));
    expect(f.parse(20240305)).toEqual(err('Enter a valid date and time (YYYY-MM-DDTHH:MM).'));
    expect(f.parse('2024-13-45')).toEqual(err('Enter a valid date and time.'));
    expect(f.parse('1800-01-01')).toEqual(err('Enter a valid date and time.'));
    expect(f.parse('')).toEqual(REQUIRED);
    expect(fields.datetime({ label: 'When', required: false }).parse('')).toEqual(ok(null));
  });

  it('datetime: a time without an offset is UTC, as the widget shows it, in any server time zone', () => {
    // Regression: it was read as the server's local time, so on a server outside UTC every save
    // of an unchanged form moved the date by the zone's offset.
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      const f = fields.datetime({ label: 'When' });
      const at = new Date('2024-03-05T10:30:00Z');
      expect(f.parse('2024-03-05T10:30')).toEqual(ok(at));
      expect(f.parse('2024-03-05 10:30:15')).toEqual(ok(new Date('2024-03-05T10:30:15Z')));
      expect(f.parse('2024-03-05T10:30+01:00')).toEqual(ok(new Date('2024-03-05T09:30:00Z')));
      const shown = defineForm({ name: 'w', fields: { when: f } }).bind({ when: at }).fields[0]!;
      expect(f.parse(shown.value)).toEqual(ok(at));
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('custom: any field with a schema, metadata, a parse step and a display format', () => {
    const tags: Field<string[]> = fields.custom({
      schema: fields.text({ label: 'x' }).schema,
      label: 'Tags',
      widget: 'text',
      required: false,
      parse: (raw) => ({
        value: String(raw ?? '')
          .split(/,\s*/)
          .filter(Boolean),
      }),
      format: (value) => (Array.isArray(value) ? value.join(', ') : String(value ?? '')),
    });
    const form = defineForm({ name: 'tagged', fields: { tags } });
    expect(tags.parse('a, b')).toEqual(ok(['a', 'b']));
    expect(form.bind({ tags: ['a', 'b'] }).fields[0]?.value).toBe('a, b');
  });
});

describe('forms', () => {
  const signup = defineForm({
    name: 'signup',
    fields: {
      email: fields.email({ label: 'Email', help: 'We never share it.' }),
      password: fields.password({ label: 'Password' }),
      born: fields.datetime({ label: 'Born', required: false }),
      news: fields.checkbox({ label: 'News' }),
    },
    clean(data) {
      if (data.password.length < 8) return { password: ['Use at least 8 characters.'] };
    },
  });

  it('parse answers clean data', async () => {
    const r = await signup.parse({ email: 'a@example.com', password: 'long enough', news: 'on' });
    expect(r).toEqual({
      ok: true,
      data: { email: 'a@example.com', password: 'long enough', born: null, news: true },
    });
  });

  it('rejects unknown fields, accepts the CSRF token and `next`', async () => {
    const base = { email: 'a@example.com', password: 'long enough' };
    expect((await signup.parse({ ...base, _csrf: 't', next: '/x' })).ok).toBe(true);
    const r = await signup.parse({ ...base, isAdmin: 'on', role: 'root' });
    expect(r).toMatchObject({ ok: false, errors: { __all__: ['Unknown fields: isAdmin, role.'] } });
  });

  it('refuses what is not an object', async () => {
    for (const input of [null, 'email=a', ['a']]) {
      expect(await signup.parse(input)).toEqual({
        ok: false,
        errors: { __all__: ['Send the form fields as an object.'] },
        values: {},
      });
    }
  });

  it('keeps submitted values for the re-rendered form, except passwords', async () => {
    const r = await signup.parse({ email: 'nope', password: 'short', news: 'on' });
    expect(r).toEqual({
      ok: false,
      errors: { email: ['Enter a valid email address.'] },
      values: { email: 'nope', password: '', born: undefined, news: 'on' },
    });
  });

  it('keeps nothing of an object sent for a field: printing it back must not throw', async () => {
    const hostile = { toString: 1, valueOf: 2 };
    const r = await signup.parse({ email: hostile, password: 'x', news: [hostile] });
    expect(r).toMatchObject({ ok: false, values: { email: '', news: '' } });
    if (r.ok) throw new Error('parsed');
    const bound = signup.bind(r.values, r.errors);
    expect(bound.fields.find((f) => f.name === 'email')?.value).toBe('');
  });

  it('runs the clean step only once every field parsed', async () => {
    const r = await signup.parse({ email: 'a@example.com', password: 'short' });
    expect(r).toMatchObject({ ok: false, errors: { password: ['Use at least 8 characters.'] } });
  });

  it('extend adds and replaces fields, accepts extra inputs and chains clean steps', async () => {
    const extended = signup.extend({
      name: 'signup-plus',
      fields: {
        email: fields.email({ label: 'Work email' }),
        company: fields.text({ label: 'Company' }),
      },
      accept: ['website'],
      clean(data) {
        if (data.company === 'ACME') return { company: ['Not ACME again.'] };
      },
    });
    expect(extended.name).toBe('signup-plus');
    expect(Object.keys(extended.fields)).toEqual(['email', 'password', 'born', 'news', 'company']);
    expect(extended.fields.email.label).toBe('Work email');
    const base = { email: 'a@example.com', password: 'long enough', website: '' };
    expect(await extended.parse({ ...base, company: 'ACME' })).toMatchObject({
      errors: { company: ['Not ACME again.'] },
    });
    expect(await extended.parse({ ...base, password: 'short', company: 'Inc' })).toMatchObject({
      errors: { password: ['Use at least 8 characters.'] },
    });
    expect(await extended.parse({ ...base, company: 'Inc' })).toMatchObject({ ok: true });
    expect(signup.extend({}).name).toBe('signup');
    expect(await signup.parse({ ...base })).toMatchObject({
      errors: { __all__: ['Unknown field: website.'] },
    });
  });

  it('extend puts new fields where `order` says, the fields it leaves out following as they were', () => {
    const extended = signup.extend({
      fields: { company: fields.text({ label: 'Company' }) },
      order: ['email', 'company'],
    });
    expect(Object.keys(extended.fields)).toEqual(['email', 'company', 'password', 'born', 'news']);
    expect(extended.bind().fields.map((f) => f.name)).toEqual(Object.keys(extended.fields));
    // A later extend keeps the order it was given.
    const again = extended.extend({ fields: { email: fields.email({ label: 'Work email' }) } });
    expect(Object.keys(again.fields)).toEqual(['email', 'company', 'password', 'born', 'news']);
  });

  it('extend refuses an order naming a field the form does not have', () => {
    expect(() =>
      // @ts-expect-error: 'compnay' is not a field of the form
      signup.extend({ fields: { company: fields.text({ label: 'Company' }) }, order: ['compnay'] }),
    ).toThrow("A form's field order names fields it does not have: compnay");
  });

  it('schema describes the data for JSON clients', () => {
    expect(signup.schema).toMatchObject({
      type: 'object',
      title: 'signup',
      additionalProperties: false,
      required: ['email', 'password'],
      properties: {
        email: {
          type: 'string',
          format: 'email',
          title: 'Email',
          description: 'We never share it.',
        },
        news: { type: 'boolean', title: 'News' },
      },
    });
  });

  it('bind gives templates each field with its value and errors', () => {
    const bound = signup.bind(
      { email: 'a@example.com', born: new Date('2024-03-05T10:30:00Z'), news: true },
      { email: ['Taken.'], __all__: ['Try again.'] },
    );
    expect(bound.errors).toEqual(['Try again.']);
    expect(bound.fields.map((f) => [f.name, f.value, f.errors])).toEqual([
      ['email', 'a@example.com', ['Taken.']],
      ['password', '', []],
      ['born', '2024-03-05T10:30', []],
      ['news', true, []],
    ]);
    expect(bound.fields[0]).toMatchObject({ id: 'id_email', widget: 'email', required: true });
    expect(signup.bind().fields[3]?.value).toBe('');
  });
});

describe('forms in a site', () => {
  const extended = noteForm.extend({
    fields: {
      mood: fields.choice({
        label: 'Mood',
        choices: [
          ['calm', 'Calm'],
          ['busy', 'Busy'],
        ],
      }),
      priority: fields.integer({ label: 'Priority', required: false, min: 1, max: 5 }),
      done: fields.checkbox({ label: 'Done' }),
      ref: fields.hidden({ label: 'Ref' }),
    },
  });
  let t: TestSite;
  beforeAll(async () => {
    t = await createNotesSite({ apps: [notes({ form: extended }), pins()] });
  });
  afterAll(() => t.close());

  it('an extended form’s new fields render through core/forms.njk with no template change', async () => {
    const res = await t.client().get('/notes/new');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<label for="id_mood">Mood <span class="required"');
    expect(res.body).toMatch(
      /<select name="mood" id="id_mood" required>\s*<option value="calm">Calm<\/option>/,
    );
    expect(res.body).toContain('<input type="number" name="priority" id="id_priority" value="">');
    expect(res.body).toContain('<input type="checkbox" name="done" id="id_done">');
    expect(res.body).toContain('<input type="hidden" name="ref" id="id_ref" value="">');
    expect(res.body).toMatch(
      /<textarea name="body" id="id_body" rows="8" maxlength="2000"><\/textarea>/,
    );
  });

  it('an invalid post re-renders with 422, errors beside each field and the values kept, writing nothing', async () => {
    const c = t.client();
    const res = await expectCountChange(t.em, Note, 0, () =>
      c.post('/notes/new', {
        title: 'Kept <b>title</b>',
        body: 'Kept body',
        mood: 'angry',
        priority: '9',
      }),
    );
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('value="Kept &lt;b&gt;title&lt;/b&gt;"');
    expect(res.body).toContain('>Kept body</textarea>');
    expect(res.body).toMatch(
      /data-field="mood">[\s\S]*?<ul class="errorlist" id="id_mood_errors"><li>Select a valid choice. &quot;angry&quot; is not one of the available choices.<\/li><\/ul>/,
    );
    expect(res.body).toMatch(
      /data-field="priority">[\s\S]*?aria-invalid="true"[\s\S]*?<li>Ensure this value is at most 5.<\/li>/,
    );
    expect(res.body).not.toMatch(/data-field="title">[\s\S]*?errorlist[\s\S]*?data-field="body"/);
  });

  it('a clean-step error shows above the fields', async () => {
    const res = await t.client().post('/notes/new', { title: 'Untitled', mood: 'calm' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toMatch(/data-field="title">[\s\S]*?<li>Give the note a real title.<\/li>/);
  });

  it('invalid UTF-8 in a posted form becomes a field error, not a stored replacement character', async () => {
    const c = t.client();
    const page = await c.get('/notes/new');
    const res = await expectCountChange(t.em, Note, 0, () =>
      c.post(
        '/notes/new',
        `title=caf%E9&mood=calm&_csrf=${encodeURIComponent(csrfFrom(page.body))}`,
        {
          csrf: false,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        },
      ),
    );
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('This field contains characters that are not valid text.');
  });

  it('a valid post writes the note and redirects', async () => {
    const res = await expectCountChange(t.em, Note, 1, () =>
      t.client().post('/notes/new', { title: 'Fine', mood: 'busy', done: 'on', priority: '2' }),
    );
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/notes');
  });

  it('a JSON route answers 422 with a problem body naming each field, writing nothing', async () => {
    const res = await expectCountChange(t.em, Note, 0, () =>
      t.client().post('/notes/api/notes', { title: '', mood: 'calm', extra: 1 }, { json: true }),
    );
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toEqual({
      type: 'about:blank',
      title: 'Unprocessable content',
      status: 422,
      detail: 'The submitted data is not valid.',
      code: 'TESSERA_INVALID_FORM',
      errors: { title: ['This field is required.'], __all__: ['Unknown field: extra.'] },
    });
  });

  it('a form view answers a JSON client with the problem body and code invalidForm() gives', async () => {
    const res = await expectCountChange(t.em, Note, 0, () =>
      t.client().post('/notes/new', { title: '', mood: 'calm' }, { json: true }),
    );
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({
      status: 422,
      code: 'TESSERA_INVALID_FORM',
      errors: { title: ['This field is required.'] },
    });
  });

  it('a JSON route creates with valid data', async () => {
    const res = await t
      .client()
      .post('/notes/api/notes', { title: 'Via JSON', mood: 'calm' }, { json: true });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ title: 'Via JSON' });
  });
});
