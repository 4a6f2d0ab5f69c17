import { tesseraVitest } from '../../vitest.preset.ts';

// Most of the bench's src/ runs only against a live site (npm run bench, npm run soak); its tests
// cover the logic that reads and reports the figures (soak-report.ts).
export default tesseraVitest(import.meta.dirname, { lines: 0 });
