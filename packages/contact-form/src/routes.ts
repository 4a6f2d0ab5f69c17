import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalidForm, type AppContext, type BoundForm } from '@tessera/core';
import { Delivery } from './delivery.ts';
import { formFor } from './forms.ts';
import type { ContactFormOptions, TemplateChoice } from './options.ts';
import { submissionLimit } from './rate-limit.ts';
import { submit } from './submission.ts';

function templateFor(choice: TemplateChoice, request: FastifyRequest): string {
  return typeof choice === 'function' ? choice(request) : choice;
}

/** The app's routes: the form (GET/POST), the thank-you page, and the JSON endpoint. */
export async function contactFormRoutes(
  fastify: FastifyInstance,
  { options, site }: AppContext<ContactFormOptions>,
): Promise<void> {
  const form = formFor(options);
  const delivery = new Delivery(site, options);
  const limit = await submissionLimit(fastify, site, options.rateLimit);
  const page = (request: FastifyRequest, reply: FastifyReply, bound: BoundForm, status?: number) =>
    reply.render(
      templateFor(options.template, request),
      { form: bound, honeypot: options.honeypot },
      status,
    );

  fastify.get('/', { config: { name: 'form' } }, async (request, reply) =>
    page(request, reply, form.bind()),
  );

  fastify.post('/', { config: { name: 'form' }, preValidation: limit }, async (request, reply) => {
    const parsed = await form.parse(request.body);
    if (!parsed.ok) return page(request, reply, form.bind(parsed.values, parsed.errors), 422);
    const result = await submit(request, form, options.honeypot, delivery, parsed.data);
    return reply.redirectTo(options.successRedirect, result);
  });

  fastify.get('/sent', { config: { name: 'sent' } }, async (request, reply) =>
    reply.render(templateFor(options.sentTemplate, request)),
  );

  fastify.get('/api', { config: { name: 'api', api: true } }, async () => ({
    form: form.name,
    schema: form.schema,
    honeypot: options.honeypot,
  }));

  fastify.post(
    '/api',
    { config: { name: 'api', api: true }, preValidation: limit },
    async (request, reply) => {
      const parsed = await form.parse(request.body);
      if (!parsed.ok) throw invalidForm(parsed.errors, 'The message has errors; see `errors`.');
      await submit(request, form, options.honeypot, delivery, parsed.data);
      return reply.status(202).send({ status: 'received' });
    },
  );
}
