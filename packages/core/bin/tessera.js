#!/usr/bin/env node
// The `tessera` command: run it from a site's folder (`tessera serve`, `tessera migrate`, ...).
import * as nodeModule from 'node:module';

// Node's compile cache (in the OS temp folder, or where NODE_COMPILE_CACHE says): a restart reads
// each module's bytecode instead of compiling it again — most of a cold start is compiling.
// Entries are checked against the source, so an upgrade is never served stale code.
nodeModule.enableCompileCache?.();
const { main } = await import('#cli');
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exitCode = 1;
}
