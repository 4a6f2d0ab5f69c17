// `tessera serve` with two workers: /metrics counts what every process served, not the answer of
// whichever worker took the scrape (nor "the primary did not answer in time").
import { dropDatabase, ensureDatabase } from '@tessera/core/internal';
import { testServerUrl } from '@tessera/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, serveSite, waitFor, type ServedSite } from './processes.ts';

const REQUESTS = 24;

describe('metrics of a site served by two worker processes', () => {
  const database = `tessera_t_metrics_${process.pid}`;
  let site: ServedSite;
  beforeAll(async () => {
    await ensureDatabase(testServerUrl(), database);
    site = await serveSite({
      HARDENING_DATABASE_URL: `${testServerUrl()}/${database}`,
      WEB_CONCURRENCY: '2',
    });
  }, 120_000);
  afterAll(async () => {
    await site?.stop(5_000);
    await dropDatabase(testServerUrl(), database);
  });

  it('regression: /metrics aggregates every worker’s requests', async () => {
    // Both workers listening: the primary answered /healthz as soon as the first did.
    const seen = new Set<number>();
    await waitFor(
      'both workers to answer',
      async () => {
        const o = await send(`${site.url}/probe/pid`);
        if (o.status === 200) seen.add((JSON.parse(o.body) as { pid: number }).pid);
        return seen.size === 2;
      },
      60_000,
    );
    const before = await countedPidRequests();
    const pids = new Set<number>();
    for (let i = 0; i < REQUESTS; i++) {
      // A connection of its own each time, so the primary hands them to both workers.
      const o = await send(`${site.url}/probe/pid`);
      expect(o.status).toBe(200);
      pids.add((JSON.parse(o.body) as { pid: number }).pid);
    }
    expect(pids.size).toBe(2);
    expect((await countedPidRequests()) - before).toBe(REQUESTS);
  });

  /** How many `/probe/pid` requests the site's metrics count, over every process. */
  async function countedPidRequests(): Promise<number> {
    const metrics = await send(`${site.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.body).not.toContain('did not answer');
    return [
      ...metrics.body.matchAll(
        /^tessera_http_request_duration_seconds_count\{[^}]*route="\/probe\/pid"[^}]*\} (\d+)$/gm,
      ),
    ].reduce((sum, m) => sum + Number(m[1]), 0);
  }
});
