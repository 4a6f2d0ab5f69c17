import { defineSettings } from '@tessera/core';
import { base } from './base.ts';

export default defineSettings({
  ...base,
  env: 'test',
  logLevel: 'silent',
  mail: { transport: 'outbox', from: 'site@example.com', managers: ['managers@example.com'] },
});
