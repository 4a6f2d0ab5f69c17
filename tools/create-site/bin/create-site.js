#!/usr/bin/env node
// npm create @tessera/site@latest my-site -- --apps blog,contact-form,@acme/polls [--registry http://127.0.0.1:4873] [--no-install]
// Plain JavaScript on purpose: it runs on the user's Node, whatever it is (the site brings Node 24).
import { parseArgs } from 'node:util';

const { createSiteProject, checkRuntime, npmIgnoresScripts } = await import('#create');
try {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      apps: { type: 'string' },
      registry: { type: 'string' },
      'no-install': { type: 'boolean' },
    },
  });
  // Before anything is written: which Node runs this, and what the site's scripts will need.
  const runtime = checkRuntime(process.versions.node, npmIgnoresScripts());
  console.log(runtime.message);
  if (runtime.problem) throw new Error(runtime.problem);
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
