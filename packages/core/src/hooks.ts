import { Hookable } from 'hookable';

/**
 * Every app's hook names and payloads, merged by declaration:
 * `declare module '@tessera/core' { interface HookPayloads { 'blog:entry-saved': { entry: Entry } } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface HookPayloads {}

/** A hook name some installed app declares. */
export type HookName = keyof HookPayloads & string;

const VETO = Symbol('tessera.veto');

/** What a listener returns to stop the action the hook announces. */
export interface Veto {
  readonly [VETO]: true;
  readonly reason: string;
}

/** Returns a veto: the action the hook announces does not happen, with `reason` given. */
export function veto(reason: string): Veto {
  return { [VETO]: true, reason };
}

function isVeto(value: unknown): value is Veto {
  return typeof value === 'object' && value !== null && VETO in value;
}

/**
 * A listener observes a payload (returns nothing), transforms it (returns a new payload of the
 * same shape) or vetoes the action (returns `veto(reason)`).
 */
export type HookListener<P> = (payload: P) => void | P | Veto | Promise<void | P | Veto>;

/** What `hooks.run` answers: the payload as the listeners left it, or the veto that stopped it. */
export type HookResult<P> =
  { vetoed: false; payload: P } | { vetoed: true; reason: string; payload: P };

type AnyListener = HookListener<unknown>;

/**
 * A hook name no app declares in `HookPayloads` (any payload goes); a declared name only matches
 * the typed overload, so a wrong payload or listener for it fails `tsc`.
 */
type Undeclared<N extends string> = N & (N extends HookName ? never : unknown);

/**
 * The site's hook registry: one per site (no globals). Listeners run in the order they were
 * added; each sees the payload the previous one returned; the first veto stops the chain.
 */
export class Hooks {
  readonly #hookable = new Hookable();
  readonly #listing = new Map<string, string[]>();
  readonly #declared = new Map<string, string>();
  /** Each listener's switch, by hook name: an isolated hook's earlier listeners are off. */
  readonly #switches = new Map<string, { on: boolean }[]>();

  /** Records that `app` declares `name` (for `tessera hooks`). */
  declare(name: string, app: string): void {
    this.#declared.set(name, app);
  }

  /**
   * Adds a listener; returns a function that removes it. Only a hook some app declares in
   * `HookPayloads` is accepted, so a misspelled name fails `tsc` (and, from JavaScript, the boot).
   */
  on<N extends HookName>(name: N, listener: HookListener<HookPayloads[N]>): () => void;
  on(name: string, listener: AnyListener): () => void {
    const names = this.#listing.get(name) ?? [];
    const label = listener.name || '(anonymous)';
    names.push(label);
    this.#listing.set(name, names);
    const state = { on: true };
    const switches = this.#switches.get(name) ?? [];
    switches.push(state);
    this.#switches.set(name, switches);
    // Switched off (isolated by a test), a listener observes nothing and changes nothing.
    const switched: AnyListener = (payload) => (state.on ? listener(payload) : undefined);
    Object.defineProperty(switched, 'name', { value: label });
    const remove = this.#hookable.hook(name, switched as never);
    let removed = false;
    return () => {
      // Removing twice must not take another listener's name off the list.
      if (removed) return;
      removed = true;
      remove();
      names.splice(names.indexOf(label), 1);
      switches.splice(switches.indexOf(state), 1);
    };
  }

  /**
   * Switches off every listener `name` has now, until `restore()`: listeners added later still
   * run. For tests that replace a hook's listeners with a fake (`fakeHook` in the test kit).
   */
  isolate(name: HookName): { restore(): void } {
    const off = [...(this.#switches.get(name) ?? [])].filter((s) => s.on);
    for (const s of off) s.on = false;
    return {
      restore() {
        for (const s of off) s.on = true;
      },
    };
  }

  /** Runs the listeners in order, threading the payload; stops at the first veto. */
  run<N extends HookName>(name: N, payload: HookPayloads[N]): Promise<HookResult<HookPayloads[N]>>;
  run<P, N extends string = string>(name: Undeclared<N>, payload: P): Promise<HookResult<P>>;
  run(name: string, payload: unknown): Promise<HookResult<unknown>> {
    return this.#hookable.callHookWith(
      async function threadPayload(listeners, args): Promise<HookResult<unknown>> {
        let current = args[0];
        for (const listener of listeners) {
          const out = await listener(current);
          if (isVeto(out)) return { vetoed: true, reason: out.reason, payload: current };
          if (out !== undefined) current = out;
        }
        return { vetoed: false, payload: current };
      },
      name,
      [payload] as never,
    );
  }

  /** Tells every listener; return values and vetoes are ignored (for after-the-fact hooks). */
  async emit<N extends HookName>(name: N, payload: HookPayloads[N]): Promise<void>;
  async emit<N extends string>(name: Undeclared<N>, payload: unknown): Promise<void>;
  async emit(name: string, payload: unknown): Promise<void> {
    await this.#hookable.callHookWith(
      async function observe(listeners, args) {
        for (const listener of listeners) await listener(args[0]);
      },
      name,
      [payload] as never,
    );
  }

  /** Every declared or listened-to hook with the app that declares it and its listeners in order. */
  list(): { name: string; app: string | undefined; listeners: string[] }[] {
    const names = new Set([...this.#declared.keys(), ...this.#listing.keys()]);
    return [...names].sort().map((name) => ({
      name,
      app: this.#declared.get(name),
      listeners: [...(this.#listing.get(name) ?? [])],
    }));
  }
}
