import type { FastifyRequest } from 'fastify';
import type { StoredMessage } from './contact-message.entity.ts';

/** What `contact-form:validate` listeners receive; return `veto(reason)` to mark the message as spam. */
export interface ContactValidatePayload {
  /** The clean fields; a listener may return the payload with changed data (it is stored as given). */
  data: Record<string, unknown>;
  /** The form's name (`contact`, or the site's own). */
  formName: string;
  ip: string | null;
  userAgent: string | null;
  /** The logged-in sender's id, when there is one. */
  userId: number | null;
  /** The request, for anything else a spam filter wants (referrer, language). */
  request: FastifyRequest;
}

/** What `contact-form:sent` listeners receive, once a message has been mailed. */
export interface ContactSentPayload {
  message: StoredMessage;
  recipients: string[];
}

declare module '@tessera/core' {
  interface HookPayloads {
    /** Before a valid message is stored: listeners may veto it (stored as spam, not mailed). */
    'contact-form:validate': ContactValidatePayload;
    /** After a message has been mailed (by its `contact-form:deliver` job, in a worker). */
    'contact-form:sent': ContactSentPayload;
  }
  interface JobPayloads {
    /** Mails one stored message; queued with it, one per message (`exclusive`, keyed by its id). */
    'contact-form:deliver': { messageId: number };
  }
  interface RouteParams {
    /** GET shows the form, POST submits it. */
    'contact-form:form': Record<string, never>;
    /** The thank-you page. */
    'contact-form:sent': Record<string, never>;
    /** GET describes the form (JSON schema), POST submits JSON. */
    'contact-form:api': Record<string, never>;
  }
}
