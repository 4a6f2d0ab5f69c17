// Finds the PostgreSQL server tests use, once per test run: TESSERA_TEST_DATABASE_URL or
// DATABASE_URL when set, else the local service at 127.0.0.1:5432 when it answers, else an
// embedded PostgreSQL started for this run (a newcomer's machine has no service).
import type { TestProject } from 'vitest/node';
import { scratchServer, type EmbeddedServer } from '@tessera/core/internal';

import './provided.ts';

let server: EmbeddedServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  server = await scratchServer(process.env.TESSERA_TEST_DATABASE_URL ?? process.env.DATABASE_URL, {
    embedded: process.env.TESSERA_TEST_EMBEDDED === '1',
  });
  process.env.TESSERA_TEST_SERVER_URL = server.serverUrl;
  project.provide('tesseraServerUrl', server.serverUrl);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
