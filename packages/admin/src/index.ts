/** @tessera/admin — staff manage every installed app's data through the app's own forms and hooks. */
import './augment.ts';

export { admin } from './app.ts';
export {
  AdminOptions,
  DEFAULT_PAGE_SIZE,
  DEFAULT_RECENT_ACTIONS,
  MAX_PAGE_SIZE,
} from './options.ts';
export { LogEntry, LogEntrySchema, LOG_ACTIONS } from './log-entry.entity.ts';
export type { LogAction } from './log-entry.entity.ts';
export { modelPermissions } from './permissions.ts';
export * from './errors.ts';
