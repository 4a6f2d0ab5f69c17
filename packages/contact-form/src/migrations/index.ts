// Written by `tessera makemigrations`: this app's migrations, in order.
import type { MigrationObject } from '@tessera/core';
import { Migration0001 } from './0001_initial.ts';
import { Migration0002 } from './0002_shared_rate_limit.ts';
import { Migration0003 } from './0003_delivery_jobs.ts';

export const migrations: MigrationObject[] = [
  { name: '0001_initial', class: Migration0001 },
  { name: '0002_shared_rate_limit', class: Migration0002 },
  { name: '0003_delivery_jobs', class: Migration0003 },
];
