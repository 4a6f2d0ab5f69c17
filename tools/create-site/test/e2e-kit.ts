// What the end-to-end test needs around the sites it creates: the packages built and staged as
// `npm pack` would publish them, an environment for child processes, a loopback SMTP server that
// keeps what it receives, a site started with `npm start`, and a browser-like client.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { workspacePackages, type WorkspacePackage } from '@tessera/registry';
import { startSmtpCapture } from '@tessera/testing';

/** The monorepo's root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The workspace's TypeScript compiler. */
export const TSC = createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');

/** Who commits and tags in the release stage. */
export const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Tessera E2E',
  GIT_AUTHOR_EMAIL: 'e2e@example.com',
  GIT_COMMITTER_NAME: 'Tessera E2E',
  GIT_COMMITTER_EMAIL: 'e2e@example.com',
};

// What this test process carries that a user's shell would not: vitest's and npm's run state,
// and settings a site reads from its environment.
const INHERITED_NOT =
  /^(VITEST.*|TEST|NODE_ENV|NODE_OPTIONS|NODE_V8_COVERAGE|INIT_CWD|TESSERA_.*|DATABASE_URL|SECRET_KEY|SMTP_URL|MANAGERS|PORT|HOST|npm_(?!config_).*|npm_config_local_prefix)$/i;

/** The environment of every child: this Node first on PATH, nothing of vitest's or npm's run. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!INHERITED_NOT.test(key)) env[key] = value;
  env.PATH = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`;
  env.NODE = process.execPath;
  return { ...env, ...GIT_IDENTITY, ...extra };
}

/**
 * The environment of a user's shell: like `childEnv`, but with the PATH the user had before npm
 * and this workspace put their Node first — the machine's own Node (Node 20 on these machines),
 * which a created site must not depend on.
 */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = childEnv(extra);
  const ours = dirname(process.execPath);
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((d) => d !== ours && !/node_modules[\\/](\.bin|@npmcli)|node-gyp-bin/.test(d))
    .join(delimiter);
  delete env.NODE;
  return env;
}

function internalDeps(p: WorkspacePackage, names: Set<string>): string[] {
  const json = p.json as Record<string, Record<string, string> | undefined>;
  return [
    ...new Set(
      ['dependencies', 'peerDependencies', 'devDependencies'].flatMap((k) =>
        Object.keys(json[k] ?? {}).filter((n) => names.has(n) && n !== p.json.name),
      ),
    ),
  ];
}

/** Every package a release publishes (the workspace's public ones), dependencies first. */
export function publishablePackages(): WorkspacePackage[] {
  const pkgs = workspacePackages(ROOT).filter((p) => !p.json.private);
  const names = new Set(pkgs.map((p) => p.json.name));
  const out: WorkspacePackage[] = [];
  const visit = (p: WorkspacePackage) => {
    if (out.includes(p)) return;
    for (const dep of internalDeps(p, names)) visit(pkgs.find((q) => q.json.name === dep)!);
    out.push(p);
  };
  pkgs.forEach(visit);
  return out;
}

function tsc(dir: string): Promise<void> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [TSC, '-p', 'tsconfig.build.json'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('exit', (code) =>
      code === 0 ? res() : rej(new Error(`build of ${dir} failed:\n${output}`)),
    );
  });
}

/**
 * Builds each package into its own `dist/` (git-ignored), emptied first so nothing stale ships,
 * as `nx run-many -t build` would: a package after what it depends on, two at a time.
 */
export async function buildPackages(pkgs: WorkspacePackage[]): Promise<void> {
  const names = new Set(pkgs.map((p) => p.json.name));
  const built = new Set<string>();
  let waiting = [...pkgs];
  while (waiting.length) {
    const ready = waiting.filter((p) => internalDeps(p, names).every((d) => built.has(d)));
    for (let i = 0; i < ready.length; i += 2) {
      await Promise.all(
        ready.slice(i, i + 2).map(async (p) => {
          rmSync(join(p.dir, 'dist'), { recursive: true, force: true });
          await tsc(p.dir);
          built.add(p.json.name);
        }),
      );
    }
    waiting = waiting.filter((p) => !built.has(p.json.name));
  }
}

/** The files `npm pack` puts in a package's tarball, by path inside the package. */
export function packedFiles(dir: string): string[] {
  const raw = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return (JSON.parse(raw) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path).sort();
}

/**
 * Copies exactly what each package's tarball holds into `stage`, a workspace of its own with the
 * monorepo's changesets, so a release there never touches the repository's versions or files.
 */
export function stageRelease(
  pkgs: WorkspacePackage[],
  stage: string,
  packed: Map<string, string[]>,
): void {
  const dirs = pkgs.map((p) => relative(ROOT, p.dir));
  for (const [i, p] of pkgs.entries()) {
    for (const file of packed.get(p.json.name)!) {
      mkdirSync(dirname(join(stage, dirs[i]!, file)), { recursive: true });
      cpSync(join(p.dir, file), join(stage, dirs[i]!, file));
    }
  }
  writeFileSync(
    join(stage, 'package.json'),
    JSON.stringify({ name: 'tessera-release-stage', private: true, workspaces: dirs }, null, 2),
  );
  // changesets recognises an npm workspace by its lockfile.
  writeFileSync(
    join(stage, 'package-lock.json'),
    JSON.stringify({ name: 'tessera-release-stage', lockfileVersion: 3, requires: true }),
  );
  cpSync(join(ROOT, '.changeset'), join(stage, '.changeset'), { recursive: true });
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: stage, env: childEnv(), stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-qm', 'release stage');
}

/** A message the SMTP server received: its envelope, headers and decoded text body. */
export interface ReceivedMail {
  to: string[];
  headers: Record<string, string>;
  text: string;
}

function decode(headers: Record<string, string>, body: string): string {
  if (!/quoted-printable/i.test(headers['content-transfer-encoding'] ?? '')) return body;
  const text = body.replace(/=\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(text[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

function parseMail(rcpt: string[], raw: string): ReceivedMail {
  const at = raw.indexOf('\n\n');
  const head = raw.slice(0, at).replace(/\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split('\n')) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { to: rcpt, headers, text: decode(headers, raw.slice(at + 2)) };
}

/** A running SMTP capture, with what it received parsed into headers and text. */
export interface SmtpServer {
  port: number;
  readonly mails: ReceivedMail[];
  /** Drops open connections and stops listening. */
  close(): Promise<void>;
}

/** The test kit's SMTP capture on loopback, reading each message as the assertions need it. */
export async function smtpServer(): Promise<SmtpServer> {
  const capture = await startSmtpCapture();
  return {
    port: capture.port,
    get mails() {
      return capture.messages.map((m) => parseMail(m.to, m.data));
    },
    close: () => capture.close(),
  };
}

/** A site running as `npm start` in its own process group. */
export interface RunningSite {
  url: string;
  pid: number;
  /** Everything the site printed so far. */
  output(): string;
  /** SIGTERM to the site's processes (tessera finishes in-flight requests), then waits for them. */
  stop(): Promise<void>;
}

/** Starts `npm start` in `dir` and waits until `/healthz` answers on `port`. */
export async function startSite(
  dir: string,
  port: number,
  env: NodeJS.ProcessEnv,
): Promise<RunningSite> {
  const child: ChildProcess = spawn('npm', ['start'], {
    cwd: dir,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let failed: Error | undefined;
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  child.once('error', (err) => (failed = err));
  const exited = new Promise<void>((res) => {
    child.once('exit', () => res());
    child.once('error', () => res());
  });
  const url = `http://127.0.0.1:${port}`;
  const group = -(child.pid ?? 0);
  const alive = () => {
    try {
      process.kill(group, 0);
      return true;
    } catch {
      return false;
    }
  };
  const site: RunningSite = {
    url,
    pid: child.pid!,
    output: () => output,
    async stop() {
      if (!child.pid) return;
      if (alive()) process.kill(group, 'SIGTERM');
      await exited;
      for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
      if (alive()) process.kill(group, 'SIGKILL');
    },
  };
  for (let i = 0; i < 300; i++) {
    if (failed || child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `the site in ${dir} exited before it answered: ${failed?.message ?? ''}\n${output}`,
      );
    try {
      if ((await fetch(`${url}/healthz`)).ok) return site;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await site.stop();
  throw new Error(`the site in ${dir} did not answer /healthz:\n${output}`);
}

/** A client that keeps cookies, like a browser, and sends what a TLS front server would add. */
export class Browser {
  readonly #cookies = new Map<string, string>();
  readonly base: string;
  constructor(base: string) {
    this.base = base;
  }

  async #fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(`${this.base}${path}`, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        // Production sites send Secure cookies only over HTTPS, which the front server terminates.
        'x-forwarded-proto': 'https',
        accept: 'text/html',
        cookie: [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      this.#cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    return res;
  }

  get(path: string): Promise<Response> {
    return this.#fetch(path);
  }

  /** GETs the page at `path`, then posts its form back with `fields` and the page's CSRF token. */
  async submit(path: string, fields: Record<string, string>): Promise<Response> {
    const page = await (await this.get(path)).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
    if (!csrf) throw new Error(`no CSRF token in the page at ${path}:\n${page}`);
    return this.#fetch(path, {
      method: 'POST',
      // A browser names the page's origin on every form post; the site checks it (as Django does).
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: `https://${new URL(this.base).host}`,
      },
      body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
    });
  }
}
