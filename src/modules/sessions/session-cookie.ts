import type { FastifyReply } from 'fastify';
import { SESSION_COOKIE } from '../../http/authenticate.js';

/**
 * The session cookie: HttpOnly (no script reads it), SameSite=Lax, Secure when the service is
 * reached over https. A session cookie (no Max-Age): the server decides when it expires.
 */
export function setSessionCookie(reply: FastifyReply, publicUrl: string, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure: publicUrl.startsWith('https:') });
}

export function clearSessionCookie(reply: FastifyReply, publicUrl: string): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: publicUrl.startsWith('https:') });
}
