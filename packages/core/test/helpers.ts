// Builders and constants shared by core's tests: the fixture apps and site folders.
import { fileURLToPath } from 'node:url';
import { createTestSite, type TestSite, type TestSiteOptions } from '@tessera/testing';
import { notes } from './fixtures/notes/index.ts';
import { pins } from './fixtures/pins/index.ts';

export { notes, pins };

/** The fixture site's template folder (overrides notes/detail.njk and the error pages). */
export const SITE_TEMPLATES = new URL('./fixtures/site/templates/', import.meta.url);
/** The fixture site's static folder. */
export const SITE_STATIC = new URL('./fixtures/site/static/', import.meta.url);
/** A site static folder that claims `notes/app.css`, which the notes app also ships. */
export const CONFLICTING_STATIC = new URL('./fixtures/conflict-static/', import.meta.url);
/** The settings module the CLI tests load with `--settings`. */
export const SETTINGS_FILE = fileURLToPath(new URL('./fixtures/settings.ts', import.meta.url));

/** The notes app mounted at /notes (and pins), plus whatever else a test needs. */
export function createNotesSite(opts: Partial<TestSiteOptions> = {}): Promise<TestSite> {
  return createTestSite({
    apps: [notes(), pins()],
    ...opts,
    routes: { mounts: { notes: '/notes' }, ...opts.routes },
  });
}

/** The CSRF token in a rendered form. */
export function csrfFrom(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('No CSRF token in the page.');
  return token;
}

/** Resolves once `n` callers have arrived: every caller waits for the last one. */
export class Barrier {
  readonly #n: number;
  #arrived = 0;
  #release!: () => void;
  readonly #done = new Promise<void>((resolve) => (this.#release = resolve));

  constructor(n: number) {
    this.#n = n;
  }

  arrive(): Promise<void> {
    this.#arrived += 1;
    if (this.#arrived === this.#n) this.#release();
    return this.#done;
  }
}
