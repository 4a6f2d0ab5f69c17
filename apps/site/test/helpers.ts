// The demo site as tests build it: the same apps, routes, templates and listeners as
// src/settings/base.ts, on a database of its own, with the demo content and a known editor.
import { blogDemoCommand, DEMO_EMAIL } from '@tessera/blog';
import { findUserByEmail, setPassword } from '@tessera/auth';
import type { SettingsInput } from '@tessera/core';
import { createTestSite, type TestClient, type TestSite } from '@tessera/testing';
import { base } from '../src/settings/base.ts';

/** The demo editor's password in tests. */
export const EDITOR_PASSWORD = 'correct horse battery staple 42';
export { DEMO_EMAIL as EDITOR_EMAIL };

/**
 * The composed site with its demo content (30 entries with tags, a staff editor); `without`
 * leaves apps out (by name).
 */
export async function createDemoSite(
  settings: Partial<SettingsInput> = {},
  without: string[] = [],
): Promise<TestSite> {
  const t = await createTestSite({
    apps: base.apps.filter((a) => !without.includes(a.spec.name)),
    routes: base.routes,
    settings: {
      templates: base.templates,
      static: base.static,
      listeners: base.listeners,
      siteName: base.siteName,
      ...settings,
    },
  });
  await blogDemoCommand(() => {}).run(t.site, []);
  const em = t.em();
  const editor = await findUserByEmail(em, DEMO_EMAIL);
  if (!editor) throw new Error('The demo command made no editor.');
  await setPassword(em, editor, EDITOR_PASSWORD);
  await em.flush();
  return t;
}

/** The value of the first `name="…"` input of a form in `html`. */
export function inputValue(html: string, name: string): string | undefined {
  return new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html)?.[1];
}

/** A client signed in as the demo editor. */
export async function signedInEditor(t: TestSite): Promise<TestClient> {
  const editor = t.client();
  const res = await editor.post('/accounts/login', {
    email: DEMO_EMAIL,
    password: EDITOR_PASSWORD,
  });
  if (res.statusCode !== 303) throw new Error(`The demo editor cannot sign in: ${res.statusCode}.`);
  return editor;
}
