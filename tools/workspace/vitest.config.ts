import { tesseraVitest } from '../../vitest.preset.ts';

// Workspace checks have little src/ of their own to cover.
export default tesseraVitest(import.meta.dirname, { lines: 0, testTimeout: 120_000 });
