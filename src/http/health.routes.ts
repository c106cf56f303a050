import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Registry } from 'prom-client';
import { Type } from 'typebox';
import type { AppDeps } from './deps.js';
import { problems } from './schemas.js';

const Health = Type.Object({ status: Type.String({ examples: ['ok'] }) });

/** Liveness (the process answers), readiness (the database answers) and Prometheus metrics. */
export function healthRoutes(deps: Pick<AppDeps, 'database'>, metrics: Registry): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/livez', {
      schema: {
        operationId: 'getLiveness', tags: ['Operations'], summary: 'Liveness probe', security: [],
        description: 'Answers 200 while the process can serve HTTP. Does not touch the database.',
        response: { 200: Health },
      },
    }, async () => ({ status: 'ok' }));

    app.get('/readyz', {
      schema: {
        operationId: 'getReadiness', tags: ['Operations'], summary: 'Readiness probe', security: [],
        description: 'Answers 200 when the database answers a query, 503 otherwise, so a load balancer stops sending traffic.',
        response: { 200: Health, 503: Health },
      },
    }, async (request, reply) => {
      try {
        await deps.database.ping();
        return { status: 'ok' };
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        return reply.code(503).send({ status: 'database unavailable' });
      }
    });

    app.get('/metrics', {
      schema: {
        operationId: 'getMetrics', tags: ['Operations'], summary: 'Prometheus metrics', security: [],
        description: 'Process metrics and request durations in the Prometheus text format. Protect it at your load balancer if it must not be public.',
        produces: ['text/plain'],
        response: { 200: Type.String({ description: 'Prometheus exposition format' }), ...problems() },
      },
    }, async (_request, reply) => {
      reply.type(metrics.contentType);
      return metrics.metrics();
    });
  };
}
