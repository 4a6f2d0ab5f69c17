// A small app for the test kit's own tests: pages that set and clear a cookie, a form that stores
// a message and fires a hook, and unsafe routes of every method.
import {
  Migration,
  defineApp,
  defineEntity,
  defineForm,
  fields,
  invalidForm,
  p,
} from '@tessera/core';

/** A stored message. */
const MessageSchema = defineEntity({
  name: 'EchoMessage',
  tableName: 'echo_message',
  properties: { id: p.integer().primary(), message: p.string().length(255) },
});
export class EchoMessage extends MessageSchema.class {}
MessageSchema.setClass(EchoMessage);

class Migration0001 extends Migration {
  override up(): void {
    this.addSql(
      'create table "echo_message" ("id" serial primary key, "message" varchar(255) not null);',
    );
  }
}

/** A form with one required field. */
export const echoForm = defineForm({
  name: 'echo',
  fields: {
    message: fields.text({ label: 'Message' }),
    tags: fields.text({ label: 'Tags', required: false }),
  },
});

/** An app whose routes show what the client sent. */
export const echo = defineApp({
  name: 'echo',
  entities: [EchoMessage],
  migrations: [{ name: '0001_initial', class: Migration0001 }],
  hooks: ['echo:said'],
  routes(fastify, ctx) {
    fastify.get('/', { config: { name: 'page' } }, async (request) => ({
      query: request.query,
      cookies: request.cookies,
    }));
    fastify.get('/remember', async (_request, reply) =>
      reply.setCookie('flavour', 'oat', { path: '/' }).send({ ok: true }),
    );
    fastify.get('/forget', async (_request, reply) =>
      reply.clearCookie('flavour', { path: '/' }).send({ ok: true }),
    );
    fastify.post('/form', async (request) => {
      const r = await echoForm.parse(request.body);
      if (!r.ok) throw invalidForm(r.errors);
      request.em.create(EchoMessage, { message: r.data.message });
      await request.em.flush();
      await ctx.site.hooks.emit('echo:said', { message: r.data.message });
      return { body: request.body, contentType: request.headers['content-type'] };
    });
    for (const method of ['put', 'patch', 'delete'] as const) {
      fastify[method]('/thing', async (request) => ({
        method: request.method,
        body: request.body ?? null,
        header: request.headers['x-csrf-token'] ? 'token' : 'none',
      }));
    }
  },
});

declare module '@tessera/core' {
  interface HookPayloads {
    /** Fired by the echo app after a valid form post. */
    'echo:said': { message: string };
  }
}
