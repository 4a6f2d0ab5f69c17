// `npm run registry`: Verdaccio on http://127.0.0.1:4873 with storage under .tessera/registry/.
// `npm run registry -- token` prints a publish token for the running registry instead.
import { startRegistry } from './index.ts';

const root = new URL('../../../', import.meta.url).pathname;
const registry = await startRegistry({ dir: `${root}.tessera/registry` });
const token = await registry.token();
registry.writeNpmrc(`${root}.tessera/registry/publish.npmrc`, token);
console.log(`Registry: ${registry.url}  (@tessera/* served here; everything else proxied)`);
console.log(`Publish with: npm publish --userconfig .tessera/registry/publish.npmrc`);
console.log('Ctrl-C stops it.');
const stop = async () => {
  await registry.stop();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
