import type { IncomingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request's id: the caller's X-Request-Id when it is a plausible one (load balancers set
 * one, so one id follows a request across services), else a new UUID.
 * @example Fastify({ genReqId: requestIdOf })
 */
export function requestIdOf(req: { headers: Readonly<IncomingHttpHeaders> }): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
