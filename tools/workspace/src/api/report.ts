// The API report a package keeps in API.md: every name of its public API with its declarations,
// and, while it has unreleased changes, what the changed names were at its last version.
import ts from 'typescript';
import { printDeclaration, type ApiEntry } from './extract.ts';

/** A report: the package's version when it was written, its API then, and what changed since. */
export interface Report {
  name: string;
  version: string;
  /** Key → section and declarations. */
  entries: Map<string, ApiEntry>;
  /** Names changed since `version` was released → their declarations then (none: added since). */
  released: Map<string, ApiEntry | null>;
}

const FENCE = '```';
const CHANGED = 'Changed since ';

/** The report as Markdown, one `### name` heading and TypeScript block per name. */
export function renderReport(report: Report): string {
  const sections = new Map<string, ApiEntry[]>();
  for (const e of report.entries.values())
    sections.set(e.section, [...(sections.get(e.section) ?? []), e]);
  const block = (e: ApiEntry) => `### \`${e.key}\`\n\n${FENCE}ts\n${e.text}\n${FENCE}\n`;
  const out = [
    `# ${report.name}: public API`,
    '',
    `Written by \`npm run api\` from the package's declarations (\`.d.ts\`); do not edit it by hand.`,
    `\`npm test\` fails when the package's API differs from this file, and when the changes since the`,
    `last release have no changeset of the bump they need.`,
    '',
    `version: ${report.version}`,
    '',
  ];
  for (const [section, entries] of sections) {
    out.push(`## ${section}`, '');
    for (const e of [...entries].sort((a, b) => a.key.localeCompare(b.key))) out.push(block(e));
  }
  if (report.released.size) {
    out.push(`## ${CHANGED}${report.version}`, '');
    out.push(`What these names were in ${report.version}; the changes need a changeset.`, '');
    for (const [key, was] of [...report.released].sort(([a], [b]) => a.localeCompare(b)))
      out.push(was ? block(was) : `### \`${key}\`\n\nAdded since ${report.version}.\n`);
  }
  return out.join('\n');
}

/** Reads a report written by `renderReport`; every declaration is printed again, so layout never counts. */
export function parseReport(text: string): Report {
  if (/^<{7}|^>{7}/m.test(text))
    throw new Error('it has merge conflict markers: take either side, then run npm run api');
  const name = /^# (.+): public API$/m.exec(text)?.[1];
  const version = /^version: (\S+)$/m.exec(text)?.[1];
  if (!name || !version) throw new Error('it is not an API report written by npm run api');
  const report: Report = { name, version, entries: new Map(), released: new Map() };
  let section = '';
  const heading = /^## (.+)$|^### `(.+)`$|^Added since \S+\.$|^```ts\n([^]*?)\n```$/gm;
  let key = '';
  for (const m of text.matchAll(heading)) {
    if (m[1]) section = m[1];
    else if (m[2]) key = m[2];
    else if (m[0].startsWith('Added since')) report.released.set(key, null);
    else {
      const entry = { key, section, text: normalise(m[3]!) };
      if (section.startsWith(CHANGED)) report.released.set(key, entry);
      else report.entries.set(key, entry);
    }
  }
  // A released entry belongs to the section its name is in now, or was in.
  for (const [key, was] of report.released)
    if (was) was.section = report.entries.get(key)?.section ?? was.section;
  return report;
}

/** Declarations printed the one way the printer prints them, whatever their layout. */
export function normalise(text: string): string {
  const file = ts.createSourceFile('api.d.ts', text, ts.ScriptTarget.Latest, true);
  return file.statements.map((s) => printDeclaration(s, file)).join('\n');
}
