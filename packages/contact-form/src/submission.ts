import type { FastifyRequest } from 'fastify';
import { transaction } from '@tessera/core';
import { ContactMessage, type ContactResult } from './contact-message.entity.ts';
import { honeypotFilled, type AnyForm } from './forms.ts';
import { queueDelivery } from './jobs.ts';

/** The longest user agent kept. */
export const USER_AGENT_MAX_LENGTH = 500;

/**
 * Handles a valid submission: the honeypot, then the `contact-form:validate` listeners (which
 * may veto it as spam or change its data), then stores it with its `contact-form:deliver` job in
 * one transaction. Nothing is mailed in the request: a slow or down mail server never holds it.
 * A vetoed message is stored as `spam` and gets no job; the sender is told the same as anyone else.
 */
export async function submit(
  request: FastifyRequest,
  form: AnyForm,
  honeypot: string | false,
  clean: Record<string, unknown>,
): Promise<ContactResult> {
  const site = request.server.tessera;
  const meta = {
    ip: request.ip ? request.ip.slice(0, 45) : null,
    userAgent: request.headers['user-agent']?.slice(0, USER_AGENT_MAX_LENGTH) ?? null,
    userId: request.user?.id ?? null,
  };
  let data = clean;
  let spamReason: string | null = null;
  if (honeypotFilled(request.body, honeypot)) {
    spamReason = 'honeypot';
  } else {
    try {
      const verdict = await site.hooks.run('contact-form:validate', {
        data,
        formName: form.name,
        request,
        ...meta,
      });
      data = verdict.payload.data;
      if (verdict.vetoed) spamReason = (verdict.reason || 'vetoed').slice(0, 200);
    } catch (err) {
      // A failing spam filter must not lose a message: keep and deliver it, and say so loudly.
      request.log.error(
        { err },
        'contact-form:validate listener failed; the message goes out unchecked',
      );
    }
  }

  const message = await transaction(request.em, async (tx) => {
    const stored = tx.create(ContactMessage, {
      formName: form.name,
      data,
      ...meta,
      state: spamReason ? 'spam' : 'pending',
      spamReason,
      attempts: 0,
    });
    await tx.flush();
    // Written by this transaction: the message and its job exist together, or neither does.
    if (!spamReason) await queueDelivery(site, stored.id);
    return stored;
  });
  if (spamReason)
    request.log.info(
      { contactMessage: message.id, reason: spamReason },
      'contact-form: spam kept, not mailed',
    );
  return { id: message.id, formName: message.formName, data };
}
