import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { OutageReport, RedisLink } from './redis-link.ts';
import type { CacheLogger } from './store.ts';

/** What one process tells the others: keys to drop and tags to void. */
export interface BroadcastMessage {
  keys?: string[];
  tags?: string[];
}

interface Listener {
  message(msg: BroadcastMessage): void;
  /** The channel was down: messages may have been missed. */
  resync(): void;
}

/** Where the channel is. */
export interface BroadcastOptions {
  url: string;
  channel: string;
  log: CacheLogger;
  timeoutMs: number;
}

/**
 * Invalidations shared between processes that each keep their own memory cache, over Redis
 * pub/sub. A message that cannot be sent is kept and sent when Redis returns; a process whose
 * subscription dropped starts its cache afresh, as it may have missed messages meanwhile.
 */
export class Broadcast {
  readonly #origin = randomUUID();
  readonly #channel: string;
  readonly #pub: RedisLink;
  readonly #sub: RedisLink;
  readonly #pending: BroadcastMessage[] = [];
  #listener: Listener | undefined;
  #flushing: Promise<void> | undefined;

  constructor(opts: BroadcastOptions) {
    this.#channel = opts.channel;
    const report = new OutageReport(opts.url, opts.log);
    const link = { url: opts.url, log: opts.log, timeoutMs: opts.timeoutMs, report };
    this.#pub = new RedisLink({
      ...link,
      onReady: (client) => this.#flush(client),
    });
    this.#sub = new RedisLink({
      ...link,
      onReady: async (client) => {
        await client.subscribe(this.#channel);
        this.#listener?.resync();
      },
    });
    this.#sub.client.on('message', (channel: string, text: string) => {
      if (channel !== this.#channel) return;
      const msg = decode(text);
      if (msg && msg.o !== this.#origin) this.#listener?.message(msg);
    });
  }

  /** The process's store, told of every message from another process. */
  listen(listener: Listener): void {
    this.#listener = listener;
  }

  /** True while messages can be both sent and received. */
  available(): boolean {
    if (!this.#pub.available() || !this.#sub.available()) return false;
    if (this.#pending.length) {
      if (!this.#flushing)
        this.#flushing = this.#pub
          .run((client) => this.#flush(client))
          .catch(() => {})
          .finally(() => (this.#flushing = undefined));
      return false;
    }
    return true;
  }

  async publish(msg: BroadcastMessage): Promise<void> {
    try {
      await this.#pub.run((c) => c.publish(this.#channel, this.#encode(msg)));
    } catch {
      this.#pending.push(msg);
    }
  }

  /** Waits up to `ms` for both connections. */
  async ready(ms: number): Promise<boolean> {
    const [pub, sub] = await Promise.all([this.#pub.ready(ms), this.#sub.ready(ms)]);
    return pub && sub;
  }

  async close(): Promise<void> {
    await Promise.all([this.#pub.close(), this.#sub.close()]);
  }

  async #flush(client: Redis): Promise<void> {
    while (this.#pending.length) {
      await client.publish(this.#channel, this.#encode(this.#pending[0]!));
      this.#pending.shift();
    }
  }

  #encode(msg: BroadcastMessage): string {
    return JSON.stringify({ o: this.#origin, ...msg });
  }
}

function decode(text: string): (BroadcastMessage & { o?: string }) | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object'
      ? (value as BroadcastMessage & { o?: string })
      : undefined;
  } catch {
    return undefined;
  }
}
