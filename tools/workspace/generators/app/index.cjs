// `npx nx g @tessera/tools:app <name>`: a new app package in packages/<name> with the standard shape
// (STYLE.md). The files come from create-app's template, the one `npm create @tessera/app` writes
// a standalone app from, so the two never drift apart.
const { formatFiles } = require('@nx/devkit');

module.exports = async function appGenerator(tree, options) {
  const { appFiles, initialChangeset, APP_NAME } =
    await import('../../../create-app/src/template.ts');
  const name = options.name;
  if (!APP_NAME.test(name))
    throw new Error(`'${name}' is not an app name: use lower-case letters, digits and dashes.`);
  const root = `packages/${name}`;
  if (tree.exists(root)) throw new Error(`${root} already exists.`);
  const files = appFiles({ name, mode: 'workspace', description: options.description });
  for (const [path, text] of Object.entries(files)) tree.write(`${root}/${path}`, text);
  tree.write(`.changeset/${name}-initial.md`, initialChangeset(name));
  await formatFiles(tree);
  return () => console.log(`Created ${root}. Run npm install, then: npx nx test @tessera/${name}`);
};
