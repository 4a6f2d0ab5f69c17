import { describe, expect, it } from 'vitest';
import { SystemCheckFailed, defineApp, defineForm, fields } from '@tessera/core';
import { Book } from './fixtures/shelf.ts';
import { adminSite } from './helpers.ts';

/** An app registering books with the given (broken) registration. */
function broken(entity: Record<string, unknown>) {
  return defineApp({
    name: 'broken',
    admin: { entities: [{ name: 'book', entity: Book, columns: ['title'], ...entity } as never] },
  })();
}

async function findings(entity: Record<string, unknown>): Promise<string[]> {
  const err = await adminSite({}, { apps: [broken(entity)] }).then(
    async (t) => {
      await t.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SystemCheckFailed);
  return (err as SystemCheckFailed).messages.map((m) => `${m.id} ${m.message} ${m.hint ?? ''}`);
}

describe('tessera check on admin registrations', () => {
  it('reports a field the entity does not have, with the closest one', async () => {
    const [found] = await findings({ columns: ['titel'] });
    expect(found).toContain('admin.E003');
    expect(found).toContain("columns names field 'titel'");
    expect(found).toContain("'title'");
  });

  it('reports a misnamed search field, ordering, read-only field and display field', async () => {
    const found = await findings({
      search: ['writer'],
      ordering: ['-made'],
      readOnly: ['nope'],
      display: 'name',
    });
    expect(found.map((f) => f.split(' ')[0])).toEqual([
      'admin.E003',
      'admin.E003',
      'admin.E003',
      'admin.E003',
    ]);
  });

  it('reports a filter that names a missing field, or one that needs choices', async () => {
    const found = await findings({ filters: ['colour', 'title'] });
    expect(found[0]).toContain("filters names field 'colour'");
    expect(found[1]).toContain('admin.E004');
    expect(found[1]).toContain("filter 'title' needs choices");
  });

  it('reports a form option the app does not have, and a form without a save', async () => {
    const save = async () => 1;
    const [missing] = await findings({ form: 'bookForm', save });
    expect(missing).toContain('admin.E005');
    expect(missing).toContain("names form option 'bookForm'");
    const form = defineForm({ name: 'b', fields: { title: fields.text({ label: 'T' }) } });
    const [unsaved] = await findings({ form });
    expect(unsaved).toContain('has a form but no save');
    const [formless] = await findings({ save });
    expect(formless).toContain('has a save but no form');
  });

  it('reports a page size that is not a whole number from 1 to 500', async () => {
    // Regression: 0 listed no objects at all, and a negative one was a 500 (PostgreSQL refused the LIMIT).
    for (const pageSize of [0, -1, 2.5, 501]) {
      const [found] = await findings({ pageSize });
      expect(found).toContain('admin.E007');
      expect(found).toContain(`pageSize ${pageSize}`);
    }
  });

  it('reports an entity that is not the site’s, a bad name and a bad action name', async () => {
    class Stranger {}
    expect((await findings({ entity: Stranger }))[0]).toContain('admin.E002');
    expect((await findings({ name: 'Book!' }))[0]).toContain('admin.E001');
    const handler = async () => {};
    expect((await findings({ actions: [{ name: 'Do It', label: 'x', handler }] }))[0]).toContain(
      'admin.E006',
    );
  });
});
