import { stateKey, type SiteContext } from '@tessera/core';
import type { AdminModel } from './models.ts';
import type { AdminOptions } from './options.ts';
import type { CheckMessage } from '@tessera/core';

/** The admin's state on a site: its options and the models installed apps registered. */
export interface AdminRuntime {
  options: AdminOptions;
  models: AdminModel[];
  /** What could not be registered, for `tessera check` and the boot. */
  problems: CheckMessage[];
  /** The template each page of each model renders, once found on the search path. */
  templates: Map<string, string>;
  /** A registered model by app and entity name. */
  model(app: string, entity: string): AdminModel | undefined;
}

/** The admin's key in `site.state`. */
export const ADMIN = stateKey<AdminRuntime>('admin');

/** The admin's runtime on `site` (throws `AppNotInstalled` without the admin). */
export function adminOf(site: SiteContext): AdminRuntime {
  return site.state.get(ADMIN);
}
