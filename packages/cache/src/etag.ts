import { createHash } from 'node:crypto';

/** A strong ETag of a body: the same bytes give the same tag in every process. */
export function etagOf(body: string | Buffer): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

/** True when `If-None-Match` names `etag` (weak comparison, as RFC 9110 asks for GET) or is `*`. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = bare(etag);
  return header.split(',').some((tag) => tag.trim() === '*' || bare(tag) === wanted);
}

/** HTML and JSON get ETags (other types are the static server's business). */
export function wantsEtag(contentType: unknown): boolean {
  const type = String(contentType ?? '').toLowerCase();
  return type.startsWith('text/html') || /^application\/([\w.-]+\+)?json/.test(type);
}
