// Picks the settings module for TESSERA_ENV (or NODE_ENV): development, production or test.
import { environmentName } from '@tessera/core';

const modules = {
  development: () => import('./development.ts'),
  production: () => import('./production.ts'),
  test: () => import('./test.ts'),
};

export default (await modules[environmentName()]()).default;
