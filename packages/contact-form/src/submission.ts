import type { FastifyRequest } from 'fastify';
import { ContactMessage, type ContactResult } from './contact-message.entity.ts';
import { SENDING_LEASE_MS, type Delivery } from './delivery.ts';
import { honeypotFilled, type AnyForm } from './forms.ts';

/** The longest user agent kept. */
export const USER_AGENT_MAX_LENGTH = 500;

/**
 * Handles a valid submission: the honeypot, then the `contact-form:validate` listeners (which
 * may veto it as spam or change its data), then stores it, and only then mails it. A vetoed
 * message is stored as `spam` and not mailed; the sender is told the same as anyone else.
 */
export async function submit(
  request: FastifyRequest,
  form: AnyForm,
  honeypot: string | false,
  delivery: Delivery,
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

  const em = request.em;
  const message = em.create(ContactMessage, {
    formName: form.name,
    data,
    ...meta,
    state: spamReason ? 'spam' : 'sending',
    spamReason,
    attempts: spamReason ? 0 : 1,
    nextAttemptAt: spamReason ? null : new Date(Date.now() + SENDING_LEASE_MS),
  });
  await em.flush();
  const result: ContactResult = { id: message.id, formName: message.formName, data };
  if (spamReason) {
    request.log.info(
      { contactMessage: message.id, reason: spamReason },
      'contact-form: spam kept, not mailed',
    );
    return result;
  }
  try {
    await delivery.deliver({
      id: message.id,
      formName: message.formName,
      data,
      ip: meta.ip,
      userAgent: meta.userAgent,
      userId: meta.userId,
      state: 'sending',
      spamReason: null,
      attempts: 1,
      createdAt: message.createdAt,
      sentAt: null,
    });
  } catch (err) {
    // Stored already: the periodic retry takes it over once the claim expires.
    request.log.error(
      { err, contactMessage: message.id },
      'contact-form: delivery could not finish',
    );
  }
  return result;
}
