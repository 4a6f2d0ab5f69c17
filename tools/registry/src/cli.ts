// `npm run registry`: Verdaccio on http://127.0.0.1:4873 with storage under .tessera/registry/;
// Ctrl-C stops it. `npm run registry -- token` makes a publish token for the running registry and
// writes .tessera/registry/publish.npmrc. `--port <n>` and `--dir <folder>` change the defaults.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_PORT,
  createToken,
  isRunning,
  startRegistry,
  upstreamRegistry,
  writeNpmrc,
  type Registry,
} from './registry.ts';

/** Runs `npm run registry [-- token] [--port n] [--dir d]`; answers the registry it started. */
export async function main(
  argv: string[],
  root: string,
  out: (line: string) => void = console.log,
): Promise<Registry | undefined> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { port: { type: 'string' }, dir: { type: 'string' } },
  });
  const port = values.port ? Number(values.port) : DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`--port needs a port number, not '${values.port}'.`);
  const dir = resolve(root, values.dir ?? '.tessera/registry');
  const url = `http://127.0.0.1:${port}`;
  const npmrc = join(dir, 'publish.npmrc');

  if (positionals[0] === 'token') {
    if (!(await isRunning(url)))
      throw new Error(`No registry answers at ${url}: start it with npm run registry.`);
    const token = await createToken(url);
    writeNpmrc(npmrc, url, token, upstreamRegistry());
    out(token);
    out(`Wrote ${npmrc}: npm publish --userconfig ${npmrc}`);
    return undefined;
  }
  if (positionals.length) throw new Error(`Unknown command '${positionals[0]}'. Try: token`);
  if (await isRunning(url)) {
    out(`A registry already answers at ${url}.`);
    return undefined;
  }
  const registry = await startRegistry({ dir, port });
  writeNpmrc(npmrc, url, await registry.token(), registry.upstream);
  out(`Registry: ${url}  (@tessera/* served here; everything else proxied to npm's registry)`);
  out(`Install from it: npm config set @tessera:registry ${url}/`);
  out(`Publish to it:   npm run release:local   (or npm publish --userconfig ${npmrc})`);
  out('Ctrl-C stops it.');
  return registry;
}

if (import.meta.main) {
  const root = new URL('../../../', import.meta.url).pathname;
  try {
    const registry = await main(process.argv.slice(2), root);
    const stop = async () => {
      await registry?.stop();
      process.exit(0);
    };
    if (registry) {
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  }
}
