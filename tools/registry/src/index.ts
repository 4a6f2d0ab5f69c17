// @tessera/registry: the local private registry (Verdaccio on loopback) and the release steps
// `npm run registry`, `npm run release` and `npm run release:local` run.
export * from './registry.ts';
export * from './publish.ts';
