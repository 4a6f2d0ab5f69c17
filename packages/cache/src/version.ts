import { readFileSync } from 'node:fs';

/** This package's version: part of the response cache's keys, so a new release never reads old entries. */
export const CACHE_VERSION: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;
