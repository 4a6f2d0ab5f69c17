// How two versions of an API differ, name by name (members of interfaces, classes and enums one by
// one), which bump each difference needs, and whether the pending changesets give it.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { INTERNAL, printDeclaration, type ApiEntry } from './extract.ts';
import type { Report } from './report.ts';

/** A breaking change can break code built on the package; an addition cannot. */
export type Severity = 'breaking' | 'addition';

/** One difference: the name (`Site.url` for a member), what happened, and how much it matters. */
export interface Change {
  key: string;
  what: string;
  severity: Severity;
}

export type Bump = 'patch' | 'minor' | 'major';
const RANK = { none: 0, patch: 1, minor: 2, major: 3 } as const;

/** The bump a change needs: for 0.x a minor is what breaks and a patch what adds; from 1.0, major and minor. */
export function neededBump(severity: Severity, version: string): Bump {
  const stable = Number(version.split('.')[0]) >= 1;
  if (severity === 'breaking') return stable ? 'major' : 'minor';
  return stable ? 'minor' : 'patch';
}

/** The biggest bump any pending changeset in `dir` asks for, by package. */
export function pendingBumps(dir: string): Map<string, Bump> {
  const out = new Map<string, Bump>();
  if (!existsSync(dir)) return out;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md')) {
    const front = /^---\n([^]*?)\n---/.exec(readFileSync(join(dir, file), 'utf8'))?.[1] ?? '';
    for (const m of front.matchAll(/^\s*["']?([^"':\s]+)["']?\s*:\s*(patch|minor|major)\s*$/gm)) {
      const [, name, bump] = m as unknown as [string, string, Bump];
      if (RANK[bump] > RANK[out.get(name) ?? 'none']) out.set(name, bump);
    }
  }
  return out;
}

/** The differences from `before` to `after`. Names used by the exports only count when they change. */
export function diffApis(before: Map<string, ApiEntry>, after: Map<string, ApiEntry>): Change[] {
  const out: Change[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(key);
    const b = after.get(key);
    if (a && b) {
      if (a.text !== b.text) out.push(...diffDeclarations(key, a.text, b.text));
    } else if ((a ?? b)!.section !== INTERNAL) {
      out.push(
        a
          ? { key, what: 'removed', severity: 'breaking' }
          : { key, what: 'added', severity: 'addition' },
      );
    }
  }
  return out.sort((x, y) => x.key.localeCompare(y.key));
}

type Member = { text: string; optional: boolean };
type Shape = {
  kind: ts.SyntaxKind;
  head: string;
  members: Map<string, Member>;
  implementable: boolean;
};

/** How one name's declarations changed: member by member where both are one interface, class or enum. */
export function diffDeclarations(key: string, before: string, after: string): Change[] {
  const a = parse(before);
  const b = parse(after);
  const changed: Change[] = [{ key, what: 'changed', severity: 'breaking' }];
  if (a.statements.every(ts.isFunctionDeclaration) && b.statements.every(ts.isFunctionDeclaration))
    return functionsAdded(a, b)
      ? [{ key, what: 'gained a signature or an optional parameter', severity: 'addition' }]
      : changed;
  const sa = a.statements.length === 1 ? shape(a.statements[0]!, a) : undefined;
  const sb = b.statements.length === 1 ? shape(b.statements[0]!, b) : undefined;
  if (!sa || !sb || sa.kind !== sb.kind || sa.head !== sb.head) return changed;
  const out: Change[] = [];
  for (const name of new Set([...sa.members.keys(), ...sb.members.keys()])) {
    const ma = sa.members.get(name);
    const mb = sb.members.get(name);
    const at = `${key}.${name}`;
    if (ma && mb) {
      if (ma.text !== mb.text) out.push({ key: at, what: 'changed', severity: 'breaking' });
    } else if (ma) out.push({ key: at, what: 'removed', severity: 'breaking' });
    else if (mb!.optional || !sb.implementable)
      out.push({ key: at, what: 'added', severity: 'addition' });
    // A site or an app may implement an interface: a member it must now have breaks it.
    else out.push({ key: at, what: 'added as a required member', severity: 'breaking' });
  }
  return out;
}

function parse(text: string): ts.SourceFile {
  return ts.createSourceFile('api.d.ts', text, ts.ScriptTarget.Latest, true);
}

/** Whether `b`'s functions are `a`'s with signatures added, or one signature with optional parameters added. */
function functionsAdded(a: ts.SourceFile, b: ts.SourceFile): boolean {
  const print = (file: ts.SourceFile) => file.statements.map((s) => printDeclaration(s, file));
  const pa = print(a);
  const pb = print(b);
  if (pa.every((s) => pb.includes(s))) return true;
  if (pa.length !== 1 || pb.length !== 1) return false;
  const fa = a.statements[0] as ts.FunctionDeclaration;
  const fb = b.statements[0] as ts.FunctionDeclaration;
  const text = (n: ts.Node | undefined, f: ts.SourceFile) => (n ? printDeclaration(n, f) : '');
  const list = (ns: ts.NodeArray<ts.Node> | undefined, f: ts.SourceFile) =>
    (ns ?? []).map((n) => text(n, f));
  const same = (x: string[], y: string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return (
    same(list(fa.typeParameters, a), list(fb.typeParameters, b)) &&
    text(fa.type, a) === text(fb.type, b) &&
    same(list(fa.parameters, a), list(fb.parameters, b).slice(0, fa.parameters.length)) &&
    fb.parameters
      .slice(fa.parameters.length)
      .every((p) => p.questionToken || p.initializer || p.dotDotDotToken)
  );
}

/** A declaration with members: its head (everything but the members) and each member by name. */
function shape(node: ts.Statement, file: ts.SourceFile): Shape | undefined {
  const f = ts.factory;
  let head: ts.Node;
  let members: readonly ts.Node[];
  let implementable = false;
  if (ts.isInterfaceDeclaration(node)) {
    head = f.updateInterfaceDeclaration(
      node,
      node.modifiers,
      node.name,
      node.typeParameters,
      node.heritageClauses,
      [],
    );
    members = node.members;
    implementable = true;
  } else if (ts.isTypeAliasDeclaration(node) && ts.isTypeLiteralNode(node.type)) {
    head = f.updateTypeAliasDeclaration(
      node,
      node.modifiers,
      node.name,
      node.typeParameters,
      f.createTypeLiteralNode([]),
    );
    members = node.type.members;
    implementable = true;
  } else if (ts.isClassDeclaration(node)) {
    head = f.updateClassDeclaration(
      node,
      node.modifiers,
      node.name,
      node.typeParameters,
      node.heritageClauses,
      [],
    );
    members = node.members.filter((m) => !isPrivate(m));
  } else if (ts.isEnumDeclaration(node)) {
    head = f.updateEnumDeclaration(node, node.modifiers, node.name, []);
    members = node.members;
  } else if (ts.isModuleDeclaration(node) && node.body && ts.isModuleBlock(node.body)) {
    head = f.updateModuleDeclaration(node, node.modifiers, node.name, f.createModuleBlock([]));
    members = node.body.statements;
  } else return undefined;
  const byName = new Map<string, Member>();
  for (const m of members) {
    const name = memberName(m, file);
    const text = printDeclaration(m, file);
    const had = byName.get(name);
    const optional = !!(m as { questionToken?: ts.Node }).questionToken;
    byName.set(
      name,
      had
        ? { text: `${had.text}\n${text}`, optional: had.optional && optional }
        : { text, optional },
    );
  }
  return { kind: node.kind, head: printDeclaration(head, file), members: byName, implementable };
}

function isPrivate(m: ts.ClassElement): boolean {
  return (
    (m.name !== undefined && ts.isPrivateIdentifier(m.name)) ||
    !!ts.getModifiers(m as ts.HasModifiers)?.some((x) => x.kind === ts.SyntaxKind.PrivateKeyword)
  );
}

function memberName(m: ts.Node, file: ts.SourceFile): string {
  const name = (m as { name?: ts.Node }).name;
  if (name && (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)))
    return name.text;
  if (ts.isVariableStatement(m))
    return m.declarationList.declarations.map((d) => d.name.getText(file)).join(', ');
  // Call, construct and index signatures, computed names: the member's text is its name.
  return printDeclaration(m, file);
}

/** `entries` as they were at the last release: the report's names with the changed ones put back. */
export function releasedApi(report: Report): Map<string, ApiEntry> {
  const out = new Map(report.entries);
  for (const [key, was] of report.released) {
    if (was) out.set(key, was);
    else out.delete(key);
  }
  return out;
}

/** The report to write for `current`: the changes since the last release kept with what they were. */
export function nextReport(
  name: string,
  version: string,
  old: Report | undefined,
  current: Map<string, ApiEntry>,
): Report {
  const base = !old ? current : old.version === version ? releasedApi(old) : old.entries;
  const released = new Map<string, ApiEntry | null>();
  for (const key of new Set([...base.keys(), ...current.keys()]))
    if (base.get(key)?.text !== current.get(key)?.text) released.set(key, base.get(key) ?? null);
  return { name, version, entries: current, released };
}

/**
 * What is wrong with a package's API against its report and the pending changesets: changes since
 * the last release that need a bigger bump than any changeset gives, and a report that is out of date.
 */
export function apiProblems(opts: {
  name: string;
  version: string;
  reportFile: string;
  report: Report | undefined;
  current: Map<string, ApiEntry>;
  pending: Bump | undefined;
}): string[] {
  const { name, version, report, current, pending } = opts;
  if (!report)
    return [`${name}: no API report at ${opts.reportFile}; run npm run api and commit it.`];
  const problems: string[] = [];
  const since = report.version === version ? releasedApi(report) : report.entries;
  const changes = diffApis(since, current);
  const needed = changes
    .map((c) => neededBump(c.severity, version))
    .reduce<Bump | 'none'>((x, y) => (RANK[y] > RANK[x] ? y : x), 'none');
  if (RANK[needed] > RANK[pending ?? 'none']) {
    const list = changes
      .filter((c) => neededBump(c.severity, version) === needed)
      .map((c) => `  - \`${c.key}\` ${c.what}${c.severity === 'breaking' ? ' (breaking)' : ''}`);
    const rule =
      needed === 'patch'
        ? 'an addition needs at least a patch'
        : needed === 'minor' && version.startsWith('0.')
          ? 'while it is 0.x, a breaking change needs at least a minor'
          : `this change needs a ${needed}`;
    problems.push(
      `${name}: its public API changed since ${report.version}, and ${rule}, but .changeset/ has ${pending ? `only a ${pending}` : 'no changeset'} for it:\n${list.join('\n')}\n` +
        `  Add one: npx changeset --${needed} ${name} -m "…" (or undo the change if it was not meant).`,
    );
  }
  const stale = diffApis(report.entries, current);
  const moved = [...new Set([...report.entries.keys(), ...current.keys()])].some(
    (k) => report.entries.get(k)?.text !== current.get(k)?.text,
  );
  if (moved) {
    const names = stale.slice(0, 5).map((c) => `\`${c.key}\` ${c.what}`);
    const more = stale.length > 5 ? `, and ${stale.length - 5} more` : '';
    problems.push(
      `${name}: ${opts.reportFile} is out of date${names.length ? ` (${names.join(', ')}${more})` : ''}; run npm run api and commit it.`,
    );
  }
  return problems;
}
