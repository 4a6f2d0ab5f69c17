import type { FastifyInstance, FastifyRequest } from 'fastify';
import { choose, formView, type AppContext } from '@tessera/core';
import { formFor, type AnyForm } from './forms.ts';
import type { ContactFormOptions } from './options.ts';
import { submissionLimit } from './rate-limit.ts';
import { submit } from './submission.ts';

/** The app's routes: the form (GET/POST), the thank-you page, and the JSON endpoint. */
export async function contactFormRoutes(
  fastify: FastifyInstance,
  { options, site }: AppContext<ContactFormOptions>,
): Promise<void> {
  const siteForm = options.form;
  // The form the app parses: the site's, with the message limit and the honeypot input applied
  // once — or for each request, when the site chose its form with a function.
  const form =
    typeof siteForm === 'function'
      ? (request: FastifyRequest): AnyForm => formFor({ ...options, form: siteForm(request) })
      : formFor({ ...options, form: siteForm });
  const limit = await submissionLimit(fastify, site, options.rateLimit);

  // One view for the page and the JSON endpoint: both store first, then mail; a JSON client gets
  // 202, or core's problem body with the field errors.
  const contact = formView({
    form,
    template: options.template,
    context: () => ({ honeypot: options.honeypot }),
    successRedirect: options.successRedirect,
    action: (request, data) => submit(request, choose(form, request), options.honeypot, data),
    json: (_request, reply) => {
      reply.status(202);
      return { status: 'received' };
    },
  });

  fastify.get('/', { config: { name: 'form' } }, contact.get);
  fastify.post('/', { config: { name: 'form' }, preValidation: limit }, contact.post);

  fastify.get('/sent', { config: { name: 'sent' } }, async (request, reply) =>
    reply.render(choose(options.sentTemplate, request)),
  );

  fastify.get('/api', { config: { name: 'api', api: true } }, async (request) => {
    const shown = choose(form, request);
    return { form: shown.name, schema: shown.schema, honeypot: options.honeypot };
  });
  fastify.post('/api', { config: { name: 'api', api: true }, preValidation: limit }, contact.post);
}
