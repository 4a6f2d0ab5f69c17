// The admin contract: an app declares what it offers the admin in its definition, typed against
// its entity's fields, and the kernel keeps it on the app's declaration for the admin to read.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineAdmin, defineApp, type AdminField, type AdminRegistration } from '../src/index.ts';
import { Note, noteForm } from './fixtures/notes/index.ts';

describe('defineAdmin', () => {
  it('keeps the registration as declared, on the app declaration the admin reads', () => {
    const admin = defineAdmin({
      entities: [
        {
          name: 'note',
          entity: Note,
          columns: ['title', 'createdAt'],
          search: ['title'],
          ordering: ['-createdAt'],
          form: noteForm,
        },
      ],
    });
    const app = defineApp({ name: 'noted', admin });
    expect(app.spec.admin).toBe(admin);
    expect(app.spec.admin?.entities[0]?.columns).toEqual(['title', 'createdAt']);
    expectTypeOf(app.spec.admin).toEqualTypeOf<AdminRegistration | undefined>();
  });

  it('types field names against the entity, so a wrong one fails tsc', () => {
    expectTypeOf<'title'>().toExtend<AdminField<typeof Note>>();
    expectTypeOf<'nope'>().not.toExtend<AdminField<typeof Note>>();
    const wrong = () =>
      defineAdmin({
        // @ts-expect-error — Note has no field 'nope'
        entities: [{ name: 'note', entity: Note, columns: ['nope'] }],
      });
    expect(wrong().entities).toHaveLength(1);
  });
});
