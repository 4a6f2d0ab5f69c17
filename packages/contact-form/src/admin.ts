// What the contact form offers the admin: stored messages, read-only (what a visitor sent is not
// staff's to edit), filtered by delivery state, with spam marking and re-sending as actions.
import { defineAdmin } from '@tessera/core';
import { ContactMessage } from './contact-message.entity.ts';
import { markNotSpam, markSpam, resend } from './moderation.ts';

const count = (n: number) => `${n} message${n === 1 ? '' : 's'}`;

/** The contact form's admin registration. */
export const contactFormAdmin = defineAdmin({
  entities: [
    {
      name: 'message',
      entity: ContactMessage,
      columns: ['createdAt', 'state', 'formName', 'attempts', 'spamReason'],
      // The submitted fields are one JSON document: the search matches its text (a sender's
      // address, words of the message).
      search: ['data'],
      filters: [
        {
          field: 'state',
          label: 'Status',
          choices: [
            ['pending', 'Pending'],
            ['sent', 'Sent'],
            ['spam', 'Spam'],
          ],
        },
        'createdAt',
      ],
      ordering: ['-createdAt'],
      actions: [
        {
          name: 'mark-spam',
          label: 'Mark as spam',
          handler: async (ctx, ids) => `Marked ${count(await markSpam(ctx.em, ids))} as spam.`,
        },
        {
          name: 'not-spam',
          label: 'Not spam: deliver',
          handler: async (ctx, ids) =>
            `${count(await markNotSpam(ctx.site, ctx.em, ids))} back out of spam, queued for delivery.`,
        },
        {
          name: 'resend',
          label: 'Re-send a failed delivery',
          handler: async (ctx, ids) =>
            `Queued ${count(await resend(ctx.site, ctx.em, ids))} for delivery (pending ones only).`,
        },
      ],
    },
  ],
});
