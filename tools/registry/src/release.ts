// `npm run release`: changesets version → build every package → changesets publish, to the registry
// npm is configured with. `npm run release:local` does the same against the local Verdaccio
// (started here when it is not running), with a publish token made on the fly.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { startRegistry, type Registry } from './index.ts';

const root = new URL('../../../', import.meta.url).pathname;
const local = process.argv.includes('--local');

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status})`);
}

let registry: Registry | undefined;
const env: NodeJS.ProcessEnv = { ...process.env };
if (local) {
  const url = 'http://127.0.0.1:4873';
  const running = await fetch(`${url}/-/ping`).then(
    (r) => r.ok,
    () => false,
  );
  if (!running) registry = await startRegistry({ dir: `${root}.tessera/registry`, quiet: true });
  const { token } = (await (
    await fetch(`${url}/-/user/org.couchdb.user:tessera`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'tessera', password: 'tessera-local-publisher' }),
    })
  ).json()) as { token: string };
  mkdirSync(`${root}.tessera/registry`, { recursive: true });
  const npmrc = `${root}.tessera/registry/publish.npmrc`;
  const { writeFileSync } = await import('node:fs');
  writeFileSync(
    npmrc,
    `registry=${url}/\n@tessera:registry=${url}/\n//127.0.0.1:4873/:_authToken=${token}\n`,
  );
  env.NPM_CONFIG_USERCONFIG = npmrc;
  env.npm_config_registry = `${url}/`;
}
try {
  run('npx', ['changeset', 'version'], env);
  run('npx', ['nx', 'run-many', '-t', 'build', '--output-style=static'], env);
  run('npx', ['changeset', 'publish'], env);
} finally {
  await registry?.stop();
}
