import type { FastifyRequest } from 'fastify';
import type { Principal } from '../modules/sessions/principal.js';

/** Who is acting and from where: what services need to authorize and audit a change. */
export interface RequestContext {
  readonly principal: Principal | null;
  readonly requestId: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
}

/** @example const ctx = contextOf(request); */
export function contextOf(request: FastifyRequest): RequestContext {
  return {
    principal: request.principal ?? null,
    requestId: request.id,
    ip: request.ip,
    userAgent: request.headers['user-agent'] ?? null,
  };
}

/** For changes made outside HTTP (CLI, start-up). */
export function systemContext(label = 'system'): RequestContext {
  return { principal: null, requestId: null, ip: null, userAgent: label };
}
