import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createTestSite, type TestSite } from '@tessera/testing';
import { CompiledReads, countQueries, kysely, transaction, type TablesOf } from '../src/index.ts';
import { Note, type NoteSchema } from './fixtures/notes/note.entity.ts';
import { notes } from './helpers.ts';

type NotesTables = TablesOf<typeof NoteSchema>;

let t: TestSite;
beforeAll(async () => {
  t = await createTestSite({ apps: [notes()] });
  const em = t.em();
  em.create(Note, { title: 'first', body: '' });
  em.create(Note, { title: 'second', body: '' });
  await em.flush();
});
afterAll(() => t.close());

describe('kysely(em)', () => {
  it('is typed from the entities: tables by table name, columns by column name', () => {
    const rows = () =>
      kysely<NotesTables>(t.em())
        .selectFrom('notes_note')
        .select(['id', 'title', 'created_at'])
        .execute();
    expectTypeOf(rows).returns.resolves.items.toEqualTypeOf<{
      id: number;
      title: string;
      created_at: Date;
    }>();
    // @ts-expect-error: no such column
    kysely<NotesTables>(t.em()).selectFrom('notes_note').select(['titel']);
  });

  it('counts its queries with the ORM’s, so countQueries and the debug header stay true', async () => {
    const em = t.em();
    const { result, queries } = await countQueries(async () => {
      const rows = await kysely<NotesTables>(em)
        .selectFrom('notes_note')
        .select('title')
        .orderBy('id')
        .execute();
      await em.count(Note, {});
      return rows.map((r) => r.title);
    });
    expect(result).toEqual(['first', 'second']);
    expect(queries).toBe(2);
  });

  it('joins the transaction its EntityManager is in', async () => {
    const seen = await transaction(t.em(), async (tx) => {
      tx.create(Note, { title: 'uncommitted', body: '' });
      await tx.flush();
      return kysely<NotesTables>(tx)
        .selectFrom('notes_note')
        .select('title')
        .where('title', '=', 'uncommitted')
        .execute();
    });
    expect(seen).toEqual([{ title: 'uncommitted' }]);
    await t.em().nativeDelete(Note, { title: 'uncommitted' });
  });
});

describe('CompiledReads', () => {
  const byTitle = (reads: CompiledReads<NotesTables>, title: string) =>
    reads.run(
      t.em(),
      'by-title',
      (db, slot) =>
        db
          .selectFrom('notes_note')
          .select(['id', 'title'])
          .where('title', '=', slot<string>('title')),
      { title },
    );

  it.each([true, false])(
    'builds a read once per key and binds each run’s values (prepared: %s)',
    async (prepared) => {
      const reads = new CompiledReads<NotesTables>(t.site.orm.em, { prepared });
      let builds = 0;
      const run = (title: string) =>
        reads.run(
          t.em(),
          'by-title',
          (db, slot) => {
            builds += 1;
            return db
              .selectFrom('notes_note')
              .select('title')
              .where('title', '=', slot<string>('title'));
          },
          { title },
        );
      expect(await run('first')).toEqual([{ title: 'first' }]);
      expect(await run('second')).toEqual([{ title: 'second' }]);
      expect(await run('none')).toEqual([]);
      expect(builds).toBe(1);
    },
  );

  it('counts each run as one query', async () => {
    const reads = new CompiledReads<NotesTables>(t.site.orm.em, { prepared: true });
    const { queries } = await countQueries(async () => {
      await byTitle(reads, 'first');
      await byTitle(reads, 'second');
    });
    expect(queries).toBe(2);
  });

  it('runs inside a transaction as an ordinary query of that transaction', async () => {
    const reads = new CompiledReads<NotesTables>(t.site.orm.em, { prepared: true });
    const seen = await transaction(t.em(), async (tx) => {
      tx.create(Note, { title: 'inside', body: '' });
      await tx.flush();
      return reads.run(
        tx,
        'by-title',
        (db, slot) =>
          db.selectFrom('notes_note').select('title').where('title', '=', slot<string>('title')),
        { title: 'inside' },
      );
    });
    expect(seen).toEqual([{ title: 'inside' }]);
    await t.em().nativeDelete(Note, { title: 'inside' });
  });

  it('names the slot a run forgot', async () => {
    const reads = new CompiledReads<NotesTables>(t.site.orm.em, { prepared: false });
    await expect(
      reads.run(
        t.em(),
        'by-title',
        (db, slot) =>
          db.selectFrom('notes_note').select('title').where('title', '=', slot<string>('title')),
        {},
      ),
    ).rejects.toThrow("The read 'by-title' needs a value for 'title'.");
  });
});
