// The framework's floor: a raw Fastify "hello world" in its own process, on the port given.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0) });
process.send?.({ ready: true });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
