// Written by `tessera makemigrations`: this app's migrations, in order.
import type { MigrationObject } from '@mikro-orm/core';
import { Migration0001 } from './0001_initial.ts';
import { Migration0002 } from './0002_rate_limit.ts';

export const migrations: MigrationObject[] = [
  { name: '0001_initial', class: Migration0001 },
  { name: '0002_rate_limit', class: Migration0002 },
];
