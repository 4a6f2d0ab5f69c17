// Which packages a project's files import, and which of those its package.json does not declare.
// Lint's @nx/dependency-checks covers the runtime code of every project through Nx's graph; this
// covers what it leaves out (tests and configs, whose imports may be devDependencies, the workspace
// root, and the files a created site is made of) with the same rule: declare what you import.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** The parts of a package.json that declare dependencies. */
export interface Manifest {
  name?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** Runtime code needs its imports installed wherever the package is; dev files only in development. */
export type Role = 'runtime' | 'dev';

/** One import a package.json does not declare where it should. */
export interface Undeclared {
  file: string;
  pkg: string;
  role: Role;
}

/** A file of a project: its path relative to the project and its text. */
export interface SourceFile {
  path: string;
  text: string;
}

const SKIP = new Set(['node_modules', 'dist', 'coverage', '.reports', '.tessera', '.nx', '.git']);
const CODE = /\.(?:[cm]?[jt]s|tsx)$/;
/** The package an import names ('a/b' → 'a', '@s/a/b' → '@s/a'), or none for files and builtins. */
export function packageOf(specifier: string): string | undefined {
  if (/^[./#]/.test(specifier) || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return builtinModules.includes(name) ? undefined : name;
}

/** The packages a file's text imports: static, dynamic, type-only, require() and resolve() calls. */
export function importsOf(text: string): string[] {
  const found = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  if (text.includes('.resolve(')) found.push(...resolved(text));
  return [...new Set(found.map(packageOf).filter((p): p is string => !!p))];
}

/**
 * What `require.resolve('x')`, `createRequire(…).resolve('x')` and `import.meta.resolve('x')`
 * name: uses of a package that are not import statements.
 */
function resolved(text: string): string[] {
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'resolve' &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      const on = node.expression.expression;
      if (
        (ts.isIdentifier(on) && on.text === 'require') ||
        ts.isCallExpression(on) ||
        ts.isMetaProperty(on)
      )
        out.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('file.ts', text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS));
  return out;
}

/** Tests, test helpers and tool configuration are dev files; everything else is runtime code. */
export function roleOf(path: string): Role {
  return /(^|\/)(test|tests|__tests__)\/|\.test\.[^/]+$|(^|\/)(vitest|vite|eslint)\.config\.[^/]+$/.test(
    path,
  )
    ? 'dev'
    : 'runtime';
}

/** The code files under `dir` (relative paths), leaving out build output and nested packages. */
export function codeFiles(dir: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) {
        if (!SKIP.has(name) && !existsSync(join(path, 'package.json'))) walk(path);
      } else if (CODE.test(name) || at.endsWith('/bin')) {
        out.push({ path: relative(dir, path), text: readFileSync(path, 'utf8') });
      }
    }
  };
  walk(dir);
  return out;
}

/**
 * The imports of `files` that `manifest` does not declare: runtime code's must be in
 * dependencies, peerDependencies or optionalDependencies; dev files' may be in any section.
 */
export function undeclaredImports(
  manifest: Manifest,
  files: SourceFile[],
  role: (path: string) => Role = roleOf,
): Undeclared[] {
  const runtime = {
    ...manifest.dependencies,
    ...manifest.peerDependencies,
    ...manifest.optionalDependencies,
  };
  const any = { ...runtime, ...manifest.devDependencies };
  const out: Undeclared[] = [];
  for (const file of files) {
    const r = role(file.path);
    for (const pkg of importsOf(file.text)) {
      if (pkg === manifest.name || (r === 'runtime' ? runtime : any)[pkg]) continue;
      out.push({ file: file.path, pkg, role: r });
    }
  }
  return out;
}

/** One line per undeclared import, saying where it belongs. */
export function describeUndeclared(project: string, found: Undeclared[]): string[] {
  return found.map(
    (u) =>
      `${project}: ${u.file} imports ${u.pkg}, which its package.json does not declare` +
      (u.role === 'runtime'
        ? ' in dependencies or peerDependencies'
        : ' (devDependencies is enough for tests)'),
  );
}
