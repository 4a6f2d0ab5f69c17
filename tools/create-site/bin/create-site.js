#!/usr/bin/env node
// npm create @tessera/site@latest my-site -- --apps blog,contact-form [--registry http://127.0.0.1:4873] [--no-install]
import { parseArgs } from 'node:util';

const { createSiteProject } = await import('#create');
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18))
  console.warn(
    `A Tessera site runs its TypeScript settings with Node's type stripping: it needs Node 22.18 or newer (this is ${process.versions.node}).`,
  );
try {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      apps: { type: 'string' },
      registry: { type: 'string' },
      'no-install': { type: 'boolean' },
    },
  });
  createSiteProject({
    dir: positionals[0] ?? 'my-site',
    apps: (values.apps ?? 'contact-form')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    registry: values.registry,
    install: !values['no-install'],
  });
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
}
