// Written by `tessera makemigrations`: this app's migrations, in order.
import type { MigrationObject } from '@tessera/core';
import { Migration0001 } from './0001_initial.ts';

export const migrations: MigrationObject[] = [{ name: '0001_initial', class: Migration0001 }];
