// Graceful shutdown: SIGTERM to `tessera serve` while slow requests run. Every request the site
// had accepted finishes with its full answer; nothing is cut mid-way; the process exits 0.
import { dropDatabase, ensureDatabase } from '@tessera/core/internal';
import { testServerUrl } from '@tessera/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, serveSite, waitFor, type Outcome, type ServedSite } from './processes.ts';

/** How long each request of the load takes inside the site. */
const SLOW_MS = 600;
const LOOPS = 8;

describe('graceful shutdown', () => {
  const database = `tessera_t_shutdown_${process.pid}`;
  let site: ServedSite;
  beforeAll(async () => {
    await ensureDatabase(testServerUrl(), database);
    site = await serveSite({ HARDENING_DATABASE_URL: `${testServerUrl()}/${database}` });
  }, 120_000);
  afterAll(async () => {
    await site?.stop(5_000);
    await dropDatabase(testServerUrl(), database);
  });

  it('SIGTERM during a load finishes every accepted request with its whole answer; none is reset', async () => {
    const outcomes: Outcome[] = [];
    let sigtermAt = Infinity;
    let launching = true;
    // A load balancer that has not noticed yet: it keeps sending until the port refuses.
    const loops = Array.from({ length: LOOPS }, async () => {
      while (launching) {
        const o = await send(`${site.url}/probe/slow?ms=${SLOW_MS}`, { timeoutMs: 20_000 });
        outcomes.push(o);
        if (o.status === undefined && o.startedAt > sigtermAt) return;
      }
    });
    await waitFor('the load to run', () => outcomes.length >= LOOPS * 2, 30_000);
    sigtermAt = Date.now();
    site.child.kill('SIGTERM');
    const exit = await site.exited();
    launching = false;
    await Promise.all(loops);

    expect(exit).toEqual({ code: 0, signal: null });
    // Requests the site took (it wrote their first line) all finished, whole.
    const accepted = outcomes.filter((o) => o.body.startsWith('accepted by'));
    for (const o of accepted) {
      expect(o.status).toBe(200);
      expect(o.complete, o.error).toBe(true);
      expect(o.body).toMatch(/^accepted by \d+\ndone 1\n$/);
    }
    // Some were in flight when the signal came: the test saw shutdown finish them.
    const finishedAfter = accepted.filter(
      (o) => o.acceptedAt! < sigtermAt && o.endedAt > sigtermAt,
    );
    expect(finishedAfter.length).toBeGreaterThanOrEqual(LOOPS / 2);
    // The rest were refused after the signal, never failed before it: no connection, or a 503.
    for (const o of outcomes.filter((x) => !x.body.startsWith('accepted by'))) {
      expect(o.endedAt).toBeGreaterThanOrEqual(sigtermAt);
      if (o.status !== undefined) expect(o.status).toBe(503);
      else expect(o.error).toMatch(/ECONNREFUSED|ECONNRESET/);
    }
    // And nothing listens any more.
    expect((await send(`${site.url}/healthz`)).error).toBe('ECONNREFUSED');
  }, 60_000);
});
