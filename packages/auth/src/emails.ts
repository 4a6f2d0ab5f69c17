import { domainToASCII } from 'node:url';

/** Characters that draw nothing: zero-width spaces and joiners, soft hyphens, bidi marks, BOMs… */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;
/** A combining dot above a letter that already has one (`İ` lower-cases to `i` + U+0307). */
const EXTRA_DOT = /(?<=[ij])\u0307/gu;

/**
 * The form an email is stored and mailed in: compatibility-normalised (NFKC: full-width letters
 * become ASCII, `ﬁ` becomes `fi`), invisible characters removed, trimmed, the domain lower-cased.
 * The local part keeps its case, as Django keeps it.
 */
export function normalizeEmail(email: string): string {
  const s = email.normalize('NFKC').replace(INVISIBLE, '').trim();
  const at = s.lastIndexOf('@');
  return at < 0 ? s : s.slice(0, at) + s.slice(at).toLowerCase();
}

/**
 * What makes two emails the same account: the one value every lookup, uniqueness check and
 * sign-in throttle compares (stored as `auth_user.email_key`). It is computed here, once, rather
 * than by PostgreSQL's `lower()`, whose folding depends on the server's locale and differs from
 * JavaScript's (`İ`). On top of `normalizeEmail`: one case fold, upper then lower case, so letters
 * whose case differs by language meet their plain forms (`ı` and `İ` are `i`, `ß` is `ss`, the
 * Kelvin sign is `k`); the dot left over on `i` removed; and the domain in its ASCII (IDNA) form.
 */
export function emailKey(email: string): string {
  const folded = normalizeEmail(email)
    .toUpperCase()
    .toLowerCase()
    .normalize('NFD')
    .replace(EXTRA_DOT, '')
    .normalize('NFKC');
  const at = folded.lastIndexOf('@');
  if (at < 0) return folded;
  const domain = folded.slice(at + 1);
  return folded.slice(0, at + 1) + (domainToASCII(domain) || domain);
}
