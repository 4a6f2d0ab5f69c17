#!/usr/bin/env node
// The `tessera` command: run it from a site's folder (`tessera serve`, `tessera migrate`, ...).
const { main } = await import('#cli');
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exitCode = 1;
}
