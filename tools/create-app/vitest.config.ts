import { tesseraVitest } from '../../vitest.preset.ts';

export default tesseraVitest(import.meta.dirname, { lines: 90 });
