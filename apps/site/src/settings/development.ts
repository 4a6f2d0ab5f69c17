import { defineSettings } from '@tessera/core';
import { base } from './base.ts';

export default defineSettings({
  ...base,
  env: 'development',
  debug: true,
  prettyLogs: true,
  logLevel: 'info',
});
