import type { FastifyInstance } from 'fastify';
import { pruneRateLimits, type EntityManager, type SiteContext } from '@tessera/core';
import type { DeliveryReport } from './delivery.ts';
import { CONTACT_FORM } from './runtime.ts';

/**
 * Delivers the site's due pending messages now (what `tessera contact-form:deliver` runs);
 * `all` also takes those still waiting for their next attempt.
 */
export async function deliverPending(
  site: SiteContext,
  opts: { all?: boolean } = {},
): Promise<DeliveryReport> {
  return site.state.get(CONTACT_FORM).delivery.deliverDue(opts);
}

/**
 * Retries pending deliveries inside the server every `retryInterval` ms (0: never), from the
 * moment the site is ready until it closes. The timer never keeps the process alive, and a
 * close waits for a run in progress.
 */
export function scheduleRetries(fastify: FastifyInstance, site: SiteContext): void {
  const { options, delivery } = site.state.get(CONTACT_FORM);
  if (options.retryInterval === 0) return;
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = (async function retryPendingContactMessages() {
      try {
        const report = await delivery.deliverDue();
        if (report.sent || report.failed) site.log.info(report, 'contact-form: retried deliveries');
        // Core's counters have no scheduled pruning yet (a job will do it): until then, this tick.
        if (options.rateLimit !== false) await pruneRateLimits(site.orm.em as EntityManager);
      } catch (err) {
        site.log.error({ err }, 'contact-form: the delivery retry failed');
      } finally {
        running = null;
      }
    })();
  };
  let timer: NodeJS.Timeout | undefined;
  fastify.addHook('onReady', async function startContactFormRetries() {
    timer = setInterval(tick, options.retryInterval);
    timer.unref();
  });
  site.onClose(async () => {
    clearInterval(timer);
    await running;
  });
}
