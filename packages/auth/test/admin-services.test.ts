import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import type { AdminContext, AdminRow, Form } from '@tessera/core';
import type { TestSite } from '@tessera/testing';
import { AuthenticatedUser, ensurePermissions } from '../src/index.ts';
import { authAdmin } from '../src/admin.ts';
import { lines, saveGroupFromAdmin, saveUserFromAdmin } from '../src/admin-services.ts';
import { authSite, makeStaff, makeSuperuser } from './helpers.ts';

// What auth registers with the admin, called as the admin calls it (the admin's own tests drive
// the same through its pages): every write checks every name first, in one transaction.

let t: TestSite;
let root: AdminContext;
let staff: AdminContext;

/** An admin context for `user`, as the admin builds it for a request. */
function contextOf(user: { id: number; email: string; isSuperuser: boolean }): AdminContext {
  return {
    site: t.site,
    em: t.em(),
    user: new AuthenticatedUser({
      id: user.id,
      email: user.email,
      display_name: '',
      password_hash: '',
      is_active: true,
      is_staff: true,
      is_superuser: user.isSuperuser,
      permissions: [],
    }),
    request: { protocol: 'http', host: 'example.com' } as FastifyRequest,
  };
}

const [userEntity, groupEntity] = authAdmin.entities as unknown as [
  (typeof authAdmin.entities)[number],
  (typeof authAdmin.entities)[number],
];

beforeAll(async () => {
  t = await authSite();
  await ensurePermissions(t.em(), [
    { codename: 'notes.add_note', name: 'Can add note' },
    'notes.change_note',
  ]);
  root = contextOf(await makeSuperuser(t, { email: 'root@example.com' }));
  staff = contextOf(await makeStaff(t, { email: 'staff@example.com' }));
});
afterAll(() => t?.close());

describe('auth’s admin services', () => {
  it('read names one a line or comma-separated, each once', () => {
    expect(lines(' a\nb, c\n\na ')).toEqual(['a', 'b', 'c']);
    expect(lines(undefined)).toEqual([]);
    expect(lines(['b', ' a', 'b'])).toEqual(['b', 'a']);
  });

  it('build the forms with every group and permission to tick, labelled', async () => {
    await saveGroupFromAdmin(root, null, { name: 'listed' });
    const build = userEntity.form as (ctx: AdminContext) => Promise<Form>;
    const form = await build(root);
    expect(Object.keys(form.fields)).toEqual([
      'email',
      'displayName',
      'isActive',
      'isStaff',
      'isSuperuser',
      'groups',
      'permissions',
    ]);
    expect(form.fields.groups!.choices).toContainEqual(['listed', 'listed']);
    const group = await (groupEntity.form as (ctx: AdminContext) => Promise<Form>)(root);
    expect(group.fields.permissions!.choices).toEqual([
      ['notes.add_note', 'Can add note (notes.add_note)'],
      ['notes.change_note', 'notes.change_note'],
    ]);
  });

  it('save a group with its permissions, and change them', async () => {
    const id = await saveGroupFromAdmin(root, null, {
      name: 'writers',
      permissions: 'notes.add_note\nnotes.change_note',
    });
    const row = { id, name: 'writers' } as AdminRow;
    expect(await groupEntity.initial!(root, row)).toMatchObject({
      permissions: ['notes.add_note', 'notes.change_note'],
    });
    await groupEntity.save!(root, row, { name: 'authors', permissions: 'notes.change_note' });
    expect(await groupEntity.initial!(root, row)).toMatchObject({
      permissions: ['notes.change_note'],
    });
    await expect(saveGroupFromAdmin(root, null, { name: 'authors' })).rejects.toMatchObject({
      errors: { name: ['A group is already named authors.'] },
    });
    await groupEntity.delete!(root, row);
    expect(await t.em().execute('select 1 from auth_group where id = ?', [id])).toEqual([]);
  });

  it('save a user with groups and permissions; leave out a group and it is left', async () => {
    await saveGroupFromAdmin(root, null, { name: 'readers' });
    const id = await saveUserFromAdmin(root, null, {
      email: 'Reader@Example.com',
      displayName: 'Reader',
      isActive: true,
      groups: 'readers',
      permissions: 'notes.add_note',
    });
    const row = { id } as AdminRow;
    expect(await userEntity.initial!(root, row)).toMatchObject({
      groups: ['readers'],
      permissions: ['notes.add_note'],
    });
    await userEntity.save!(root, row, { email: 'reader@example.com', isActive: true });
    expect(await userEntity.initial!(root, row)).toMatchObject({ groups: [], permissions: [] });
  });

  it('refuse a taken or too long address, and superuser status from a non-superuser', async () => {
    await expect(
      saveUserFromAdmin(root, null, { email: 'ROOT@example.com', isActive: true }),
    ).rejects.toMatchObject({ errors: { email: [expect.stringContaining('already exists')] } });
    const id = await saveUserFromAdmin(root, null, { email: 'other@example.com', isActive: true });
    await expect(
      saveUserFromAdmin(root, id, { email: 'root@example.com', isActive: true }),
    ).rejects.toHaveProperty('errors.email');
    await expect(
      saveUserFromAdmin(root, null, { email: `${'a'.repeat(250)}@example.com` }),
    ).rejects.toHaveProperty('errors.email');
    await expect(
      saveUserFromAdmin(staff, id, { email: 'other@example.com', isSuperuser: true }),
    ).rejects.toMatchObject({ errors: { isSuperuser: ['Only a superuser may change this.'] } });
  });

  it('deactivate, activate and send a reset link as actions', async () => {
    const id = await saveUserFromAdmin(root, null, { email: 'act@example.com', isActive: true });
    const [activate, deactivate, reset] = userEntity.actions!;
    expect(await deactivate!.handler(root, [id, root.user.id])).toBe('Deactivated 1 user.');
    expect(await activate!.handler(root, [id])).toBe('Activated 1 user.');
    expect(await reset!.handler(root, [id])).toBe('Queued a password reset link for 1 user.');
    await t.site.jobs.drain({ only: 'auth:send-reset' });
    expect(t.outbox.at(-1)?.to).toEqual(['act@example.com']);
  });
});
