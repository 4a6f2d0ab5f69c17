// Composition mistakes fail the boot — from untyped JavaScript settings too — with the app, the
// key and the closest valid value; none reaches a request. Each is a system check with an id.
import { describe, expect, it } from 'vitest';
import { createTestSite, type TestSite } from '@tessera/testing';
import {
  SystemCheckFailed,
  checkWarning,
  defineApp,
  defineForm,
  fields,
  type CheckMessage,
  type InstalledApp,
} from '../src/index.ts';
import { notes, pins } from './helpers.ts';

/** Boots a notes site with `change` applied; answers the findings the boot stopped with. */
async function bootFindings(change: {
  apps?: InstalledApp[];
  settings?: Record<string, unknown>;
  mounts?: Record<string, string>;
}): Promise<CheckMessage[]> {
  let t: TestSite | undefined;
  try {
    t = await createTestSite({
      apps: change.apps ?? [notes(), pins()],
      routes: { mounts: change.mounts ?? { notes: '/notes' } },
      settings: change.settings as never,
    });
  } catch (err) {
    if (err instanceof SystemCheckFailed) return [...err.messages];
    throw err;
  } finally {
    await t?.close();
  }
  throw new Error('The boot did not fail.');
}

/** What JavaScript settings would pass: anything, unchecked by `tsc`. */
const js = (value: unknown) => value as never;

describe('settings are checked at boot', () => {
  it('a setting of the wrong type names the setting and the value (E001)', async () => {
    const found = await bootFindings({
      settings: { rateLimit: js({ max: 'lots', timeWindow: 60 }) },
    });
    expect(found).toEqual([
      expect.objectContaining({
        id: 'tessera.E001',
        message: 'Setting \'rateLimit.max\' must be integer (got "lots").',
      }),
    ]);
  });

  it('an unknown setting suggests the closest one (E002)', async () => {
    const found = await bootFindings({ settings: { sesion: js({}) } });
    expect(found).toEqual([
      {
        id: 'tessera.E002',
        level: 'error',
        message: "Setting 'sesion' is not a Tessera setting.",
        hint: "Did you mean 'session'?",
      },
    ]);
  });

  it('a mount for an app the site does not install names the closest installed one (E006)', async () => {
    const found = await bootFindings({ mounts: { notes: '/notes', note: '/n' } });
    expect(found).toEqual([
      expect.objectContaining({ id: 'tessera.E006', hint: "Did you mean 'notes'?" }),
    ]);
  });

  it('a missing dependency names the app to add (E003)', async () => {
    const found = await bootFindings({ apps: [pins()], mounts: {} });
    expect(found.map((m) => m.id)).toEqual(['tessera.E003']);
    expect(found[0]!.message).toBe("App 'pins' depends on app 'notes', which is not installed.");
  });
});

describe('app options are checked at boot', () => {
  it('a misspelled option names the app and the closest option (E005)', async () => {
    const found = await bootFindings({ apps: [notes(js({ titel: 'x' })), pins()] });
    expect(found).toEqual([
      {
        id: 'tessera.E005',
        level: 'error',
        message: "App 'notes': 'titel' is not an option of this app.",
        hint: "Did you mean 'title'?",
      },
    ]);
  });

  it('a form that does not extend the app’s form names the fields it lacks (E007)', async () => {
    const other = defineForm({ name: 'signup', fields: { email: fields.email({ label: 'E' }) } });
    const found = await bootFindings({ apps: [notes(js({ form: other })), pins()] });
    expect(found).toEqual([
      expect.objectContaining({
        id: 'tessera.E007',
        message:
          "App 'notes': option 'form' must extend the app's form 'note', but form 'signup' lacks 'title', 'body'.",
      }),
    ]);
  });

  it('every mistake is reported at once, not only the first', async () => {
    const found = await bootFindings({
      apps: [notes(js({ titel: 'x', paginateBy: 0 })), pins()],
      settings: { sesion: js({}) },
    });
    expect(found.map((m) => m.id).sort()).toEqual(['tessera.E002']);
    const options = await bootFindings({
      apps: [notes(js({ titel: 'x', paginateBy: 0 })), pins()],
    });
    expect(options.map((m) => m.message)).toEqual([
      "App 'notes': 'titel' is not an option of this app.",
      "App 'notes': option 'paginateBy' must be >= 1 (got 0).",
    ]);
  });
});

describe('the mounted site is checked before it serves', () => {
  it('a redirect to a route that does not exist suggests the closest name (E008)', async () => {
    const found = await bootFindings({
      apps: [notes(js({ successRedirect: 'notes:lst' })), pins()],
    });
    expect(found).toEqual([
      {
        id: 'tessera.E008',
        level: 'error',
        message:
          "App 'notes': option 'successRedirect' names route 'notes:lst', which no installed app or the site declares.",
        hint: "Did you mean 'notes:list'?",
      },
    ]);
  });

  it('a redirect by name to a route that needs parameters is refused (E008)', async () => {
    const found = await bootFindings({
      apps: [notes(js({ successRedirect: 'notes:detail' })), pins()],
    });
    expect(found[0]).toMatchObject({
      id: 'tessera.E008',
      message: expect.stringContaining(
        "names route 'notes:detail' (/notes/:id), which needs parameters",
      ),
    });
  });

  it('a template that is not on the search path suggests the closest (E009)', async () => {
    const found = await bootFindings({
      apps: [notes(js({ formTemplate: 'notes/frm.njk' })), pins()],
    });
    expect(found).toEqual([
      expect.objectContaining({ id: 'tessera.E009', hint: "Did you mean 'notes/form.njk'?" }),
    ]);
  });

  it('an override of a route that does not exist suggests the closest name (E010)', async () => {
    const found = await bootFindings({
      settings: { routeOverrides: { 'notes:detial': { preHandler: async () => {} } } },
    });
    expect(found).toEqual([
      expect.objectContaining({ id: 'tessera.E010', hint: "Did you mean 'notes:detail'?" }),
    ]);
  });

  it('a listener for a hook no installed app fires suggests the closest (E011)', async () => {
    const found = await bootFindings({
      settings: {
        listeners: js((hooks: { on(name: string, fn: () => void): void }) =>
          hooks.on('notes:svaed', function audit() {}),
        ),
      },
    });
    expect(found).toEqual([
      {
        id: 'tessera.E011',
        level: 'error',
        message:
          "A listener waits for hook 'notes:svaed', which no installed app fires (listeners: audit).",
        hint: "Did you mean 'notes:saved'?",
      },
    ]);
  });

  it('an unsafe route an app registers in setup, outside the site’s context, is refused (E012)', async () => {
    const leaky = defineApp({
      name: 'leaky',
      setup(fastify) {
        fastify.post('/leaky', async () => ({ ok: true }));
      },
    });
    const found = await bootFindings({ apps: [notes(), pins(), leaky()] });
    expect(found).toEqual([
      expect.objectContaining({
        id: 'tessera.E012',
        message:
          "App 'leaky' registers POST /leaky in setup, outside the site's context: it has no session and no CSRF protection.",
      }),
    ]);
  });

  it('an app’s own checks run at boot, with its ids', async () => {
    const picky = defineApp({
      name: 'picky',
      checks: (site) =>
        site.settings.siteName === 'Tessera'
          ? [{ id: 'picky.E001', level: 'error', message: 'Give the site a name.' }]
          : [],
    });
    const found = await bootFindings({ apps: [notes(), pins(), picky()] });
    expect(found).toEqual([{ id: 'picky.E001', level: 'error', message: 'Give the site a name.' }]);
  });

  it('a warning does not stop the boot', async () => {
    const chatty = defineApp({
      name: 'chatty',
      checks: () => [checkWarning('chatty.W001', 'Just so you know.')],
    });
    const t = await createTestSite({
      apps: [notes(), pins(), chatty()],
      routes: { mounts: { notes: '/notes' } },
    });
    try {
      expect((await t.client().get('/notes')).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});
