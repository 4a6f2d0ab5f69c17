// What `npm test` needs from the machine besides npm packages, checked in its first seconds: it
// installs what is missing when it may (root, with apt-get), else it stops and prints the command.
// PostgreSQL needs nothing here: the tests use the local server when one answers, else an embedded one.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A system package some tests run. */
export interface Requirement {
  /** The Debian package that provides it. */
  apt: string;
  /** Which tests need it, and where they look for it. */
  neededBy: string;
  present(): boolean;
}

/** Whether `command` is an executable on PATH. */
export function onPath(command: string, path = process.env.PATH ?? ''): boolean {
  return path.split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
}

export const REQUIREMENTS: Requirement[] = [
  {
    apt: 'chromium',
    neededBy: "apps/site/test/browser.test.ts drives Debian's Chromium at /usr/bin/chromium",
    present: () => existsSync('/usr/bin/chromium'),
  },
  {
    apt: 'nginx',
    neededBy:
      'apps/site/test/hardening/cluster.test.ts runs deploy/nginx.conf with /usr/sbin/nginx',
    present: () => existsSync('/usr/sbin/nginx'),
  },
  {
    apt: 'redis-server',
    neededBy: 'the fault tests (apps/site/test/hardening, packages/cache) start redis-server',
    present: () => onPath('redis-server'),
  },
];

/** How the check reaches the machine; tests replace it. */
export interface Machine {
  isRoot: boolean;
  hasAptGet: boolean;
  /** Runs a command with its output shown; answers whether it succeeded. */
  run(command: string, args: string[]): boolean;
  log(line: string): void;
}

export const THIS_MACHINE: Machine = {
  isRoot: process.getuid?.() === 0,
  hasAptGet: onPath('apt-get'),
  run: (command, args) =>
    spawnSync(command, args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status === 0,
  log: (line) => console.log(line),
};

/** The one command that installs `packages`, as the user should type it. */
export function installCommand(packages: string[], isRoot: boolean): string {
  return `${isRoot ? '' : 'sudo '}apt-get install -y ${packages.join(' ')}`;
}

/**
 * Makes sure every requirement is present: installs the missing ones with apt-get when running as
 * root, else answers the message to stop with (what is missing, why, and the exact command).
 */
export function ensureSystemPackages(
  machine: Machine = THIS_MACHINE,
  requirements: Requirement[] = REQUIREMENTS,
): { ok: true } | { ok: false; message: string } {
  const missing = requirements.filter((r) => !r.present());
  if (!missing.length) return { ok: true };
  const names = missing.map((r) => r.apt);
  const why = missing.map((r) => `  ${r.apt.padEnd(13)} ${r.neededBy}`).join('\n');
  if (machine.isRoot && machine.hasAptGet) {
    machine.log(`npm test: installing ${names.join(', ')} with apt-get:\n${why}`);
    const installed =
      machine.run('apt-get', ['update', '-qq']) &&
      machine.run('apt-get', ['install', '-y', '-qq', ...names]);
    const still = requirements.filter((r) => !r.present()).map((r) => r.apt);
    if (installed && !still.length) return { ok: true };
    return {
      ok: false,
      message: `npm test could not install ${(still.length ? still : names).join(', ')}. Install them, then run npm test again:\n\n  ${installCommand(names, true)}\n`,
    };
  }
  const how = machine.hasAptGet
    ? `  ${installCommand(names, machine.isRoot)}`
    : `  On Debian or Ubuntu: ${installCommand(names, machine.isRoot)}\n  Elsewhere, install the same programs at the paths above with your package manager.`;
  return {
    ok: false,
    message: `npm test needs system packages that are not installed:\n${why}\n\nInstall them, then run npm test again:\n\n${how}\n`,
  };
}

/** Whether a Redis answers PING at 127.0.0.1:`port` (asked with redis-cli). */
export function redisAnswers(port: number): boolean {
  const ping = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'ping'], {
    encoding: 'utf8',
    timeout: 3_000,
  });
  return ping.stdout?.trim() === 'PONG';
}

/**
 * The Redis the cache tests use at 127.0.0.1:6379: the machine's when it answers, else one this
 * run starts (nothing kept on disk) and stops at the end. Answers the one it started, if any.
 */
export async function ensureRedis(
  log: (line: string) => void = console.log,
  port = 6379,
): Promise<ChildProcess | undefined> {
  if (redisAnswers(port)) return undefined;
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  for (let waited = 0; waited < 10_000; waited += 100) {
    if (redisAnswers(port)) {
      log(
        `npm test: no Redis answered at 127.0.0.1:${port}; started one for this run (pid ${child.pid}).`,
      );
      return child;
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(
    `npm test: no Redis answers at 127.0.0.1:${port}, and redis-server did not start there.`,
  );
}
