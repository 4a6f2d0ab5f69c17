// A published package's public API, read from the declarations (`.d.ts`) TypeScript emits for it:
// every name each entry point exports, the types those names use without exporting them, and what
// the package adds to other modules (`declare module 'fastify' { … }`), each printed on its own.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** A package published from the workspace, with the entry points its `exports` names. */
export interface PublishedPackage {
  /** Its folder, absolute. */
  dir: string;
  name: string;
  version: string;
  /** Import path (`@tessera/testing/global-setup`) → its TypeScript source, absolute. */
  entries: Map<string, string>;
}

/** One name of the API: where it is reached (`key`) and its declarations, printed without comments. */
export interface ApiEntry {
  key: string;
  /** The heading of the report section it belongs to. */
  section: string;
  text: string;
}

/** The section of names used by the exports but not exported themselves. */
export const INTERNAL = 'Used by the exports above, not exported';
/** The section of what the package adds to other modules' declarations. */
export const AUGMENTS = 'Added to other modules';

/** The packages under packages/ and tools/ that are published: not private, with entry points. */
export function publishedPackages(root: string): PublishedPackage[] {
  return ['packages', 'tools'].flatMap((group) => {
    if (!existsSync(join(root, group))) return [];
    return readdirSync(join(root, group)).flatMap((name) => {
      const dir = join(root, group, name);
      if (!existsSync(join(dir, 'package.json'))) return [];
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (pkg.private) return [];
      const entries = new Map<string, string>();
      for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
        const source = (target as { source?: string } | string | null) ?? undefined;
        if (typeof source === 'object' && source?.source)
          entries.set(
            subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`,
            join(dir, source.source),
          );
      }
      return entries.size ? [{ dir, name: pkg.name, version: pkg.version, entries }] : [];
    });
  });
}

// Declarations are emitted into memory under this folder, mirroring the workspace.
const VIRTUAL = '/__tessera_api__';
const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

/**
 * Prints a declaration without comments and without `export`, `declare` or `default`, its unions'
 * members sorted: TypeScript orders them by when it met each type, which changes with what else
 * the program checks.
 */
export function printDeclaration(node: ts.Node, file: ts.SourceFile): string {
  const sorted = ts.transform(node, [sortUnions(file)]).transformed[0]!;
  const text = printer.printNode(ts.EmitHint.Unspecified, sorted, file);
  if (ts.isExportDeclaration(node) || ts.isExportAssignment(node)) return text;
  return text.replace(/^(?:(?:export|declare|default)\s+)+/, '');
}

function sortUnions(file: ts.SourceFile): ts.TransformerFactory<ts.Node> {
  return (context) => {
    const visit = (node: ts.Node): ts.Node => {
      const next = ts.visitEachChild(node, visit, context);
      if (!ts.isUnionTypeNode(next)) return next;
      const keyed = next.types.map((t) => ({
        t,
        key: printer.printNode(ts.EmitHint.Unspecified, t, file),
      }));
      keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      return context.factory.updateUnionTypeNode(
        next,
        context.factory.createNodeArray(keyed.map((k) => k.t)),
      );
    };
    return visit;
  };
}

/** Emits every package's declarations in one program and reads each package's API from them. */
export function extractApis(root: string, packages: PublishedPackage[]): Map<string, ApiEntry[]> {
  const emitted = emitDeclarations(root, packages);
  const virtualOf = (file: string) =>
    join(VIRTUAL, relative(root, file)).replace(/\.([cm]?)ts$/, '.d.$1ts');
  const program = declarationProgram(emitted);
  const checker = program.getTypeChecker();
  const out = new Map<string, ApiEntry[]>();
  for (const pkg of packages) {
    const home = join(VIRTUAL, relative(root, pkg.dir)) + '/';
    const ours = (node: ts.Node) => node.getSourceFile().fileName.startsWith(home);
    out.set(pkg.name, packageApi(pkg, program, checker, virtualOf, ours, home));
  }
  return out;
}

function emitDeclarations(root: string, packages: PublishedPackage[]): Map<string, string> {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.base.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  );
  const options: ts.CompilerOptions = {
    ...config?.options,
    // Workspace packages resolve to each other's sources, so nothing needs building first.
    customConditions: ['source'],
    declaration: true,
    emitDeclarationOnly: true,
    // Declarations need the types of what is declared, not a check of every body (typecheck does that).
    noCheck: true,
    noEmit: false,
    declarationMap: false,
    sourceMap: false,
    rootDir: root,
    outDir: VIRTUAL,
  };
  const roots = packages.flatMap((p) => [...p.entries.values()]);
  const program = ts.createProgram(roots, options);
  const emitted = new Map<string, string>();
  program.emit(undefined, (file, text) => emitted.set(file, text), undefined, true);
  return emitted;
}

/** A program over the emitted declarations alone: relative imports resolve among them, packages not. */
function declarationProgram(emitted: Map<string, string>): ts.Program {
  const options: ts.CompilerOptions = {
    noLib: true,
    types: [],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    noEmit: true,
  };
  const host = ts.createCompilerHost(options);
  host.fileExists = (f) => emitted.has(f);
  host.readFile = (f) => emitted.get(f);
  host.directoryExists = (d) => d.startsWith(VIRTUAL);
  host.getDirectories = () => [];
  host.realpath = (f) => f;
  host.getSourceFile = (f, language) => {
    const text = emitted.get(f);
    return text === undefined ? undefined : ts.createSourceFile(f, text, language, true);
  };
  return ts.createProgram([...emitted.keys()], options, host);
}

function packageApi(
  pkg: PublishedPackage,
  program: ts.Program,
  checker: ts.TypeChecker,
  virtualOf: (file: string) => string,
  ours: (node: ts.Node) => boolean,
  home: string,
): ApiEntry[] {
  const entries: ApiEntry[] = [];
  const exported = new Set<ts.Symbol>();
  const pending: ts.Node[] = [];
  for (const [importPath, source] of pkg.entries) {
    const file = program.getSourceFile(virtualOf(source));
    const module = file && checker.getSymbolAtLocation(file);
    if (!module) throw new Error(`${pkg.name}: no declarations for ${importPath} (${source})`);
    const prefix = importPath === pkg.name ? '' : `${importPath.slice(pkg.name.length + 1)}:`;
    for (const symbol of checker.getExportsOfModule(module)) {
      const target =
        symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      const declarations = (target.declarations ?? []).filter(ours);
      exported.add(target);
      pending.push(...declarations);
      const text = declarations.length
        ? declarations.map((d) => printDeclaration(statementOf(d), d.getSourceFile())).join('\n')
        : reexport(symbol);
      entries.push({ key: `${prefix}${symbol.name}`, section: importPath, text });
    }
  }
  // What the exported declarations use from this package without exporting it is API too.
  const internal = new Map<string, ts.Node[]>();
  const seen = new Set<ts.Symbol>();
  const visit = (node: ts.Node): void => {
    const name = ts.isTypeReferenceNode(node)
      ? node.typeName
      : ts.isExpressionWithTypeArguments(node) || ts.isTypeQueryNode(node)
        ? ts.isTypeQueryNode(node)
          ? node.exprName
          : node.expression
        : undefined;
    if (name) {
      let symbol = checker.getSymbolAtLocation(
        ts.isPropertyAccessExpression(name) ? name.expression : name,
      );
      if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
      if (
        symbol &&
        !exported.has(symbol) &&
        !seen.has(symbol) &&
        !(symbol.flags & ts.SymbolFlags.TypeParameter)
      ) {
        seen.add(symbol);
        // Declarations inside an augmentation are entries of their own already.
        const declarations = (symbol.declarations ?? []).filter(
          (d) => ours(d) && !ts.isModuleBlock(d.parent),
        );
        if (declarations.length) {
          internal.set(symbol.name, [...(internal.get(symbol.name) ?? []), ...declarations]);
          declarations.forEach(visit);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  // Augmentations of other modules: each interface (or other statement) they declare.
  for (const file of program.getSourceFiles()) {
    if (!file.fileName.startsWith(home)) continue;
    for (const statement of file.statements) {
      if (
        !ts.isModuleDeclaration(statement) ||
        !statement.body ||
        !ts.isModuleBlock(statement.body)
      )
        continue;
      const target = ts.isStringLiteral(statement.name) ? `'${statement.name.text}'` : 'global';
      for (const inner of statement.body.statements) {
        const name = (inner as { name?: ts.Node }).name;
        const key = `${name && ts.isIdentifier(name) ? name.text : printDeclaration(inner, file)} (in ${target})`;
        entries.push({ key, section: AUGMENTS, text: printDeclaration(inner, file) });
        pending.push(inner);
      }
    }
  }
  pending.forEach(visit);
  for (const [name, declarations] of internal) {
    const text = [
      ...new Set(declarations.map((d) => printDeclaration(statementOf(d), d.getSourceFile()))),
    ];
    entries.push({ key: `${name} (not exported)`, section: INTERNAL, text: text.join('\n') });
  }
  return mergeByKey(entries);
}

/** The statement to print for a declaration: a variable's own `const x: T`, else the node itself. */
function statementOf(node: ts.Node): ts.Node {
  if (ts.isVariableDeclaration(node) && ts.isVariableDeclarationList(node.parent)) {
    const list = ts.factory.createVariableDeclarationList([node], node.parent.flags);
    return ts.factory.createVariableStatement(undefined, list);
  }
  return node;
}

/** A name re-exported from another package: the export statement itself is its signature. */
function reexport(symbol: ts.Symbol): string {
  const specifier = symbol.declarations?.find(ts.isExportSpecifier);
  const statement = specifier?.parent.parent;
  if (!specifier || !statement || !ts.isExportDeclaration(statement) || !statement.moduleSpecifier)
    return `unresolved ${symbol.name}`;
  const from = specifier.propertyName ? `${specifier.propertyName.getText()} as ` : '';
  return `export { ${from}${specifier.name.getText()} } from ${statement.moduleSpecifier.getText()};`;
}

/** One entry per key (interfaces may be declared in several augmentations). */
function mergeByKey(entries: ApiEntry[]): ApiEntry[] {
  const byKey = new Map<string, ApiEntry>();
  for (const e of entries) {
    const had = byKey.get(e.key);
    byKey.set(e.key, had ? { ...had, text: `${had.text}\n${e.text}` } : e);
  }
  return [...byKey.values()];
}

/** Where a package keeps its API report. */
export const reportPath = (pkg: PublishedPackage): string => join(pkg.dir, 'API.md');
