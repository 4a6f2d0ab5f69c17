import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCountChange, recordHook, type TestSite } from '@tessera/testing';
import { Hooks, transaction, veto } from '../src/index.ts';
import { Note } from './fixtures/notes/index.ts';
import { createNotesSite } from './helpers.ts';

describe('Hooks', () => {
  it('a listener that returns nothing observes; the payload goes on unchanged', async () => {
    const hooks = new Hooks();
    const seen: unknown[] = [];
    hooks.on('notes:before-save', function observe(p) {
      seen.push(p);
    });
    const payload = { title: 'T', body: 'B' };
    expect(await hooks.run('notes:before-save', payload)).toEqual({ vetoed: false, payload });
    expect(seen).toEqual([payload]);
  });

  it('a listener that returns a payload transforms it for the next listener and the caller', async () => {
    const hooks = new Hooks();
    hooks.on('notes:before-save', (p) => ({ ...p, title: p.title.trim() }));
    hooks.on('notes:before-save', async (p) => ({ ...p, title: p.title.toUpperCase() }));
    const r = await hooks.run('notes:before-save', { title: '  quiet ', body: '' });
    expect(r).toEqual({ vetoed: false, payload: { title: 'QUIET', body: '' } });
  });

  it('a veto stops the chain and says why', async () => {
    const hooks = new Hooks();
    const later: unknown[] = [];
    hooks.on('notes:before-save', (p) => ({ ...p, body: 'changed' }));
    hooks.on('notes:before-save', () => veto('looks like spam'));
    hooks.on('notes:before-save', (p) => void later.push(p));
    const r = await hooks.run('notes:before-save', { title: 'T', body: 'B' });
    expect(r).toEqual({
      vetoed: true,
      reason: 'looks like spam',
      payload: { title: 'T', body: 'changed' },
    });
    expect(later).toEqual([]);
  });

  it('emit tells every listener and ignores vetoes and returned values', async () => {
    const hooks = new Hooks();
    const calls: string[] = [];
    hooks.on('notes:saved', (p) => {
      calls.push(`first ${p.id}`);
      return veto('ignored');
    });
    hooks.on('notes:saved', (p) => {
      calls.push(`second ${p.id}`);
      return { id: 99, title: 'ignored' };
    });
    hooks.on('notes:saved', (p) => void calls.push(`third ${p.id}`));
    await expect(hooks.emit('notes:saved', { id: 1, title: 'T' })).resolves.toBeUndefined();
    expect(calls).toEqual(['first 1', 'second 1', 'third 1']);
  });

  it('running a hook nobody listens to answers the payload as given', async () => {
    const hooks = new Hooks();
    expect(await hooks.run('nobody:listens', { a: 1 })).toEqual({
      vetoed: false,
      payload: { a: 1 },
    });
    await expect(hooks.emit('nobody:listens', {})).resolves.toBeUndefined();
  });

  it('on() answers a function that removes the listener, once', async () => {
    const hooks = new Hooks();
    const calls: string[] = [];
    const removeA = hooks.on('notes:saved', function a() {
      calls.push('a');
    });
    hooks.on('notes:saved', function b() {
      calls.push('b');
    });
    removeA();
    removeA();
    await hooks.emit('notes:saved', { id: 1, title: 't' });
    expect(calls).toEqual(['b']);
    expect(hooks.list()).toEqual([{ name: 'notes:saved', app: undefined, listeners: ['b'] }]);
  });

  it('list() names each hook, the app declaring it and its listeners in order', () => {
    const hooks = new Hooks();
    hooks.declare('notes:saved', 'notes');
    hooks.declare('notes:before-save', 'notes');
    hooks.on('notes:before-save', function spamFilter() {});
    hooks.on('notes:before-save', () => {});
    // @ts-expect-error — no app declares this hook: `tsc` refuses the name, the boot refuses the listener
    hooks.on('other:thing', function audit() {});
    expect(hooks.list()).toEqual([
      { name: 'notes:before-save', app: 'notes', listeners: ['spamFilter', '(anonymous)'] },
      { name: 'notes:saved', app: 'notes', listeners: [] },
      { name: 'other:thing', app: undefined, listeners: ['audit'] },
    ]);
  });
});

describe('hooks in a site', () => {
  let t: TestSite;
  let saved: { id: number; title: string }[];
  beforeAll(async () => {
    t = await createNotesSite({
      settings: {
        listeners(hooks) {
          hooks.on('notes:before-save', function refuseSpam(p) {
            if (/spam/i.test(p.title)) return veto('Notes about spam are not kept.');
          });
          hooks.on('notes:before-save', function shout(p) {
            return p.title.endsWith('!') ? { ...p, title: p.title.toUpperCase() } : undefined;
          });
        },
      },
    });
    saved = recordHook(t.site.hooks, 'notes:saved');
  });
  afterAll(() => t.close());

  it('a vetoed note is not written, and the page says why', async () => {
    const res = await expectCountChange(t.em, Note, 0, () =>
      t.client().post('/notes/new', { title: 'Cheap spam', body: '' }),
    );
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Notes about spam are not kept.');
    expect(res.body).toContain('value="Cheap spam"');
    expect(saved).toEqual([]);
  });

  it('a vetoed JSON create answers 422 with the app’s error code', async () => {
    const res = await t.client().post('/notes/api/notes', { title: 'spam' }, { json: true });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'TESSERA_NOTES_REJECTED',
      detail: 'The note was not saved: Notes about spam are not kept.',
    });
  });

  it('a transforming listener changes what is written', async () => {
    await t.client().post('/notes/new', { title: 'loud!', body: '' });
    const [row] = await t.em().find(Note, { title: 'LOUD!' });
    expect(row).toBeDefined();
    expect(saved.at(-1)).toEqual({ id: row!.id, title: 'LOUD!' });
  });

  it('tessera hooks lists the site’s listeners under the app’s hooks', () => {
    expect(t.site.hooks.list()).toEqual([
      { name: 'notes:before-save', app: 'notes', listeners: ['refuseSpam', 'shout'] },
      { name: 'notes:saved', app: 'notes', listeners: ['recordForTest'] },
    ]);
  });
});

describe('transaction', () => {
  let t: TestSite;
  beforeAll(async () => {
    t = await createNotesSite();
  });
  afterAll(() => t.close());

  it('runs onCommit callbacks only after the commit, in order', async () => {
    const events: string[] = [];
    const result = await transaction(t.em(), async (tx, onCommit) => {
      tx.create(Note, { title: 'committed', body: '' });
      await tx.flush();
      onCommit(async () => {
        // Another connection sees the row: the transaction has committed.
        events.push(`first sees ${await t.em().count(Note, { title: 'committed' })}`);
      });
      onCommit(() => void events.push('second'));
      events.push('inside');
      return 'done';
    });
    expect(result).toBe('done');
    expect(events).toEqual(['inside', 'first sees 1', 'second']);
  });

  it('runs no onCommit callback after a rollback, and writes nothing', async () => {
    const events: string[] = [];
    await expectCountChange(t.em, Note, 0, () =>
      expect(
        transaction(t.em(), async (tx, onCommit) => {
          tx.create(Note, { title: 'rolled back', body: '' });
          await tx.flush();
          onCommit(() => void events.push('announced'));
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind'),
    );
    expect(events).toEqual([]);
  });
});
