#!/usr/bin/env node
// npm create @tessera/app@latest @acme/polls [-- --description "…" --registry http://127.0.0.1:4873 --no-install]
// Plain JavaScript on purpose: it runs on the user's Node, whatever it is (the app brings Node 24).
import { parseArgs } from 'node:util';

const { createAppProject, checkRuntime, npmIgnoresScripts } = await import('#create');
try {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      description: { type: 'string' },
      registry: { type: 'string' },
      'no-install': { type: 'boolean' },
    },
  });
  // Before anything is written: which Node runs this, and what the app's scripts will need.
  const runtime = checkRuntime(process.versions.node, npmIgnoresScripts(), 'create-app', 'app');
  console.log(runtime.message);
  if (runtime.problem) throw new Error(runtime.problem);
  createAppProject({
    name: positionals[0] ?? 'my-app',
    dir: positionals[1],
    description: values.description,
    registry: values.registry,
    install: !values['no-install'],
  });
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
}
