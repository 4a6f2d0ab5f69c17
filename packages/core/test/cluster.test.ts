import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isPrimary, runPrimary, type ClusterOptions } from '../src/cluster.ts';

const WORKER = fileURLToPath(new URL('./fixtures/cluster-worker.mjs', import.meta.url));

/** Resolves with the next `n` workers that come online. */
function online(n: number): Promise<Worker[]> {
  return new Promise((resolve) => {
    const seen: Worker[] = [];
    const onOnline = (worker: Worker) => {
      seen.push(worker);
      if (seen.length === n) {
        cluster.off('online', onOnline);
        resolve(seen);
      }
    };
    cluster.on('online', onOnline);
  });
}

type Listener = (...args: unknown[]) => void;

/** Snapshots the listeners of `event` on `emitter`; `added()` then answers the new ones. */
function listenersOf(emitter: NodeJS.EventEmitter, event: string) {
  const before = new Set(emitter.listeners(event));
  return { added: () => emitter.listeners(event).filter((l) => !before.has(l)) as Listener[] };
}

describe('runPrimary', () => {
  const warnings: string[] = [];
  const log: ClusterOptions['log'] = {
    info: () => {},
    warn: (message) => void warnings.push(message),
    error: () => {},
  };
  let exitListeners: Listener[] = [];
  afterAll(() => {
    for (const l of exitListeners) cluster.off('exit', l);
  });

  it('runs the workers, replaces one that dies, and stops them all on SIGTERM', async () => {
    expect(isPrimary()).toBe(true);
    cluster.setupPrimary({ exec: WORKER, execArgv: [], silent: true });
    const started = online(2);
    const [sigterm, sigint, exit] = [
      listenersOf(process, 'SIGTERM'),
      listenersOf(process, 'SIGINT'),
      listenersOf(cluster, 'exit'),
    ];
    const done = runPrimary({ workers: 2, log, shutdownTimeoutMs: 10_000 });
    exitListeners = exit.added();
    const [first] = await started;
    expect(Object.keys(cluster.workers ?? {})).toHaveLength(2);

    const replaced = online(1);
    first!.process.kill('SIGKILL');
    await replaced;
    expect(warnings).toEqual([
      expect.stringMatching(/^worker \d+ died \(.+\); starting a new one$/),
    ]);
    expect(Object.keys(cluster.workers ?? {})).toHaveLength(2);

    // What the signal would do, without signalling the test process itself.
    for (const l of sigint.added()) process.off('SIGINT', l);
    sigterm.added()[0]!('SIGTERM');
    await done;
    expect(Object.keys(cluster.workers ?? {})).toHaveLength(0);
    expect(warnings).toHaveLength(1);
  });

  it('runs job workers beside the web workers, and replaces a job worker with a job worker', async () => {
    warnings.length = 0;
    cluster.setupPrimary({ exec: WORKER, execArgv: [], silent: true });
    const roles = new Map<number, string>();
    const said = (worker: Worker, msg: { role?: string }) => void roles.set(worker.id, msg.role!);
    cluster.on('message', said);
    const started = online(2);
    const [sigterm, sigint, exit] = [
      listenersOf(process, 'SIGTERM'),
      listenersOf(process, 'SIGINT'),
      listenersOf(cluster, 'exit'),
    ];
    const done = runPrimary({ workers: 1, jobWorkers: 1, log, shutdownTimeoutMs: 10_000 });
    exitListeners.push(...exit.added());
    await started;
    await until(() => roles.size === 2);
    expect([...roles.values()].sort()).toEqual(['jobs', 'web']);

    const jobWorker = [...roles].find(([, role]) => role === 'jobs')![0];
    roles.clear();
    cluster.workers![jobWorker]!.process.kill('SIGKILL');
    await until(() => roles.size === 1);
    expect([...roles.values()]).toEqual(['jobs']);
    expect(warnings).toEqual([
      expect.stringMatching(/^job worker \d+ died \(.+\); starting a new one$/),
    ]);

    for (const l of sigint.added()) process.off('SIGINT', l);
    sigterm.added()[0]!('SIGTERM');
    await done;
    cluster.off('message', said);
    expect(Object.keys(cluster.workers ?? {})).toHaveLength(0);
  });
});

/** Resolves once `check` answers true (polled; bounded by the test's timeout). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
}
