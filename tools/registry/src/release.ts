// `npm run release`: version, build and publish to npm's @tessera registry.
// `npm run release:local`: the same, to the Verdaccio on 127.0.0.1:4873 (started when not running).
import { runRelease } from './publish.ts';

process.exitCode = await runRelease(process.argv.slice(2), {
  root: new URL('../../../', import.meta.url).pathname,
});
