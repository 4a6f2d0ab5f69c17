// Finds the PostgreSQL server tests use, once per test run: TESSERA_TEST_DATABASE_URL or
// DATABASE_URL when set, else the local service at 127.0.0.1:5432 when it answers, else an
// embedded PostgreSQL started for this run (a newcomer's machine has no service).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import {
  serverAnswers,
  splitDatabaseUrl,
  startEmbedded,
  type EmbeddedServer,
} from '@tessera/core/internal';

import './provided.ts';

const LOCAL = 'postgres://postgres@127.0.0.1:5432';

let embedded: EmbeddedServer | undefined;
let dataRoot: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  const configured = process.env.TESSERA_TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  let serverUrl: string;
  if (configured) serverUrl = splitDatabaseUrl(configured).serverUrl;
  else if (process.env.TESSERA_TEST_EMBEDDED !== '1' && (await serverAnswers(LOCAL, 1500)))
    serverUrl = LOCAL;
  else {
    dataRoot = mkdtempSync(join(tmpdir(), 'tessera-test-'));
    embedded = await startEmbedded(join(dataRoot, 'postgres'));
    serverUrl = embedded.serverUrl;
  }
  process.env.TESSERA_TEST_SERVER_URL = serverUrl;
  project.provide('tesseraServerUrl', serverUrl);
}

export async function teardown(): Promise<void> {
  await embedded?.stop();
  if (dataRoot) rmSync(dataRoot, { recursive: true, force: true });
}
