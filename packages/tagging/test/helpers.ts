import { createTestSite, type TestSite, type TestSiteOptions } from '@tessera/testing';
import { tagging, type TaggingOptions } from '../src/index.ts';
import { gallery } from './fixtures/gallery.ts';
import { library, Book } from './fixtures/library.ts';
import { Photo } from './fixtures/gallery.ts';

/** Where the tests mount the tagging app. */
export const DEFAULT_MOUNT = '/tags';

/** A site with tagging at `/tags` and the two fixture apps (books at `/books`, photos). */
export function taggingSite(
  options: Partial<TaggingOptions> = {},
  more: Partial<TestSiteOptions> = {},
): Promise<TestSite> {
  return createTestSite({
    apps: [tagging(options), library(), gallery()],
    routes: { mounts: { tagging: DEFAULT_MOUNT, library: '/books' }, ...more.routes },
    settings: more.settings,
  });
}

/** Saves `n` books titled `Book 1…n`; answers them in order. */
export async function makeBooks(t: TestSite, n: number, published = true): Promise<Book[]> {
  const em = t.em();
  const books = Array.from({ length: n }, (_, i) =>
    em.create(Book, { title: `Book ${i + 1}`, published }),
  );
  await em.flush();
  return books;
}

/** Saves photos with these captions; answers them in order. */
export async function makePhotos(t: TestSite, ...captions: string[]): Promise<Photo[]> {
  const em = t.em();
  const photos = captions.map((caption) => em.create(Photo, { caption }));
  await em.flush();
  return photos;
}

export { Book, Photo };
