// Written by `tessera makemigrations`: this app's migrations, in order.
import type { MigrationObject } from '@tessera/core';
import { Migration0001 } from './0001_initial.ts';
import { Migration0002 } from './0002_permissions.ts';
import { Migration0003 } from './0003_page_reads.ts';
import { Migration0004 } from './0004_publish_pending.ts';

export const migrations: MigrationObject[] = [
  { name: '0001_initial', class: Migration0001 },
  { name: '0002_permissions', class: Migration0002 },
  { name: '0003_page_reads', class: Migration0003 },
  { name: '0004_publish_pending', class: Migration0004 },
];
