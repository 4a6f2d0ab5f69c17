import { fileURLToPath } from 'node:url';
import type { Alias } from 'vite';
import { tesseraVitest } from '../../vitest.preset.ts';

const config = tesseraVitest(import.meta.dirname, { lines: 80, testTimeout: 600_000 });
// The end-to-end test drives the local registry; the preset maps @tessera/* to packages/ only.
(config.resolve!.alias as Alias[]).unshift({
  find: /^@tessera\/registry$/,
  replacement: fileURLToPath(new URL('../registry/src/index.ts', import.meta.url)),
});
export default config;
