import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;
// The generator's own test creates and removes packages/zz-generated-* while this file runs.
const apps = readdirSync(join(root, 'packages')).filter((dir) => {
  if (dir.startsWith('zz-generated-')) return false;
  const file = join(root, 'packages', dir, 'package.json');
  return existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).nx?.tags?.includes('scope:app');
});

describe('every app package describes itself for the registry', () => {
  it.each(apps)(
    '%s: its package.json names the factory it exports and the apps it depends on',
    async (dir) => {
      const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
      expect(pkg.tessera, `${pkg.name} needs a "tessera" field`).toBeDefined();
      const mod = (await import(join(root, 'packages', dir, 'src', 'index.ts'))) as Record<
        string,
        { spec?: { name: string; dependsOn?: string[]; version?: string } }
      >;
      const factory = mod[pkg.tessera.factory];
      expect(factory?.spec?.name).toBe(dir);
      expect(factory?.spec?.dependsOn ?? []).toEqual(pkg.tessera.dependsOn);
      expect(factory?.spec?.version, 'the app declares the version its package.json has').toBe(
        pkg.version,
      );
      for (const dep of pkg.tessera.dependsOn as string[])
        expect(pkg.peerDependencies?.[`@tessera/${dep}`]).toBeDefined();
      expect(
        pkg.dependencies?.typebox ?? pkg.peerDependencies?.typebox,
        'typebox is imported by options',
      ).toBeDefined();
    },
  );
});
