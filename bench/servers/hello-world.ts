import Fastify from 'fastify';

/*
 * The baseline: a bare Fastify route with the same Fastify version as apiusers, logger off.
 * Every case is reported as a ratio to this, measured in the same round.
 */
const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
