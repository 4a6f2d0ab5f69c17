// System checks: every mistake a site can make in composing apps, with an id and a hint (like
// Django's `E001`). The boot runs the ones it can answer and refuses to serve on an error;
// `tessera check` runs them all (the database's too) and prints every message.
import { ImproperlyConfigured } from './errors.ts';

/** How bad a finding is: an error stops the boot and fails `tessera check`; a warning is printed. */
export type CheckLevel = 'error' | 'warning';

/** One finding of a system check. */
export interface CheckMessage {
  /** `tessera.E008`, `blog.W001`: the app's name, then E (error) or W (warning) and a number. */
  id: string;
  level: CheckLevel;
  /** What is wrong, naming the app, the option or the file. */
  message: string;
  /** What to do about it (often "Did you mean …?"). */
  hint?: string;
}

/** An error finding. */
export function checkError(id: string, message: string, hint?: string): CheckMessage {
  return { id, level: 'error', message, ...(hint ? { hint } : {}) };
}

/** A warning finding. */
export function checkWarning(id: string, message: string, hint?: string): CheckMessage {
  return { id, level: 'warning', message, ...(hint ? { hint } : {}) };
}

/** One finding as a line: `tessera.E008: message HINT: hint`. */
export function formatCheck(m: CheckMessage): string {
  return `${m.id}: ${m.message}${m.hint ? `\n\tHINT: ${m.hint}` : ''}`;
}

/** Every finding as Django prints them, errors first. */
export function formatChecks(messages: readonly CheckMessage[]): string {
  const errors = messages.filter((m) => m.level === 'error');
  const warnings = messages.filter((m) => m.level === 'warning');
  const parts: string[] = [];
  if (errors.length) parts.push(`ERRORS:\n${errors.map(formatCheck).join('\n')}`);
  if (warnings.length) parts.push(`WARNINGS:\n${warnings.map(formatCheck).join('\n')}`);
  const n = messages.length;
  return `System check identified ${n} issue${n === 1 ? '' : 's'}:\n\n${parts.join('\n\n')}`;
}

/**
 * A boot that found errors: it stops with every finding (not only the first), each with its id
 * and hint, so a site is fixed in one round.
 */
export class SystemCheckFailed extends ImproperlyConfigured {
  readonly messages: readonly CheckMessage[];

  constructor(messages: readonly CheckMessage[]) {
    super(formatChecks(messages));
    this.messages = messages;
  }
}

/**
 * Where a boot's findings go: thrown as `SystemCheckFailed` when an error is among them (the
 * default), or kept for `tessera check` to print with the rest.
 */
export class CheckCollector {
  readonly messages: CheckMessage[] = [];
  readonly #collect: boolean;

  constructor(opts: { collect: boolean }) {
    this.#collect = opts.collect;
  }

  /** Adds findings; throws at once on errors unless collecting. */
  add(found: readonly CheckMessage[]): void {
    this.messages.push(...found);
    if (!this.#collect && found.some((m) => m.level === 'error'))
      throw new SystemCheckFailed(this.messages.filter((m) => m.level === 'error'));
  }

  /** True when an error has been found. */
  get failed(): boolean {
    return this.messages.some((m) => m.level === 'error');
  }
}
