import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@tessera/core/internal';
import { main } from '../src/cli.ts';
import {
  createToken,
  isRunning,
  npmrcFor,
  startRegistry,
  upstreamRegistry,
  writeNpmrc,
  type Registry,
} from '../src/index.ts';
import { npm, npmView, probePackage, tempDir, writeTree } from './helpers.ts';

describe('the local registry', () => {
  let dir: string;
  let registry: Registry;
  let upstream: string;
  beforeAll(async () => {
    dir = tempDir('registry');
    upstream = upstreamRegistry();
    registry = await startRegistry({ dir, port: await freePort(), quiet: true });
  });
  afterAll(async () => {
    await registry?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes its config at run time, proxying to the registry npm is configured with', () => {
    const config = readFileSync(join(dir, 'config.yaml'), 'utf8');
    expect(registry.upstream).toBe(upstream);
    expect(config).toContain(`url: ${JSON.stringify(upstream)}`);
    expect(config).toMatch(/'@tessera\/\*':\n {4}access: \$all\n {4}publish: \$authenticated\n/);
    expect(config).toContain(`storage: ${JSON.stringify(join(dir, 'storage'))}`);
    expect(registry.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('publishes @tessera/* only with a token, serves it from its storage, and proxies the rest', async () => {
    const pkg = join(dir, 'probe');
    writeTree(pkg, {
      'package.json': probePackage('@tessera/probe', '1.2.3'),
      'index.js': 'export const probe = 1;\n',
    });
    const anonymous = writeNpmrc(join(dir, 'anonymous.npmrc'), registry.url, 'not-a-token');
    const refused = npm(['publish', '--userconfig', anonymous], pkg);
    expect(refused.status).not.toBe(0);

    const token = await registry.token();
    const npmrc = registry.writeNpmrc(join(dir, 'publish.npmrc'), token);
    expect(readFileSync(npmrc, 'utf8')).toBe(npmrcFor(registry.url, token));
    const published = npm(['publish', '--userconfig', npmrc], pkg);
    expect(published.out).toContain('@tessera/probe@1.2.3');
    expect(published.status).toBe(0);

    const reader = writeNpmrc(join(dir, 'reader.npmrc'), registry.url, token, upstream);
    expect(npmView('@tessera/probe', 'version', reader, dir)).toBe('1.2.3');
    const stored = await fetch(`${registry.url}/@tessera%2fprobe`);
    expect(((await stored.json()) as { versions: object }).versions).toHaveProperty('1.2.3');
    // Nothing else of the scope exists here, and nothing of it is looked for upstream.
    expect((await fetch(`${registry.url}/@tessera%2fnot-published`)).status).toBe(404);
    const proxied = await fetch(`${registry.url}/semver`);
    expect(proxied.status).toBe(200);
    expect(((await proxied.json()) as { name: string }).name).toBe('semver');
  });

  it('answers a token for an existing user with its password and refuses a wrong one', async () => {
    await createToken(registry.url, 'editor', 'first-password');
    await expect(createToken(registry.url, 'editor', 'first-password')).resolves.toMatch(/\S/);
    await expect(createToken(registry.url, 'editor', 'wrong-password')).rejects.toThrow(
      /refused user editor/,
    );
  });

  it('refuses to proxy to itself when npm already points at its address', async () => {
    const port = await freePort();
    const loop = tempDir('loop');
    await expect(
      startRegistry({ dir: loop, port, upstream: `http://127.0.0.1:${port}/` }),
    ).rejects.toThrow(/cannot proxy to itself/);
    expect(await isRunning(`http://127.0.0.1:${port}`)).toBe(false);
    rmSync(loop, { recursive: true, force: true });
  });

  it('stops when asked and no longer answers', async () => {
    const stopDir = tempDir('stop');
    const other = await startRegistry({ dir: stopDir, port: await freePort(), quiet: true });
    try {
      expect(await isRunning(other.url)).toBe(true);
      await other.stop();
      expect(await isRunning(other.url)).toBe(false);
      expect(() => process.kill(other.pid, 0)).toThrow();
    } finally {
      await other.stop();
      rmSync(stopDir, { recursive: true, force: true });
    }
  });
});

describe('npm run registry', () => {
  const root = tempDir('registry-cli');
  const lines: string[] = [];
  const out = (line: string) => void lines.push(line);
  let started: Registry | undefined;
  afterAll(async () => {
    await started?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('starts Verdaccio with storage under .tessera/registry and prints its URL', async () => {
    const port = String(await freePort());
    await expect(main(['token', '--port', port], root, out)).rejects.toThrow(/No registry answers/);
    started = await main(['--port', port], root, out);
    expect(started?.url).toBe(`http://127.0.0.1:${port}`);
    expect(lines.join('\n')).toContain(`Registry: http://127.0.0.1:${port}`);
    expect(readFileSync(join(root, '.tessera/registry/config.yaml'), 'utf8')).toContain(
      join(root, '.tessera/registry/storage'),
    );
    expect(await main(['--port', port], root, out)).toBeUndefined();
    expect(lines.at(-1)).toMatch(/already answers/);
  });

  it('`token` makes a publish token without a prompt and writes it into publish.npmrc', async () => {
    const port = new URL(started!.url).port;
    lines.length = 0;
    await main(['token', '--port', port], root, out);
    const npmrc = readFileSync(join(root, '.tessera/registry/publish.npmrc'), 'utf8');
    expect(npmrc).toContain(`@tessera:registry=${started!.url}/`);
    expect(npmrc).toContain(`//127.0.0.1:${port}/:_authToken=${lines[0]}`);
    expect(npmrc).toContain(`registry=${upstreamRegistry()}`);
  });

  it('refuses an unknown command and a bad port', async () => {
    await expect(main(['serve'], root, out)).rejects.toThrow(/Unknown command 'serve'/);
    await expect(main(['--port', 'x'], root, out)).rejects.toThrow(/--port needs a port number/);
  });
});
