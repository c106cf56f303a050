import type { AppDeps } from '../../http/deps.js';
import type { HotRoute } from '../../http/hot-route.js';
import { accountInfoAnswer, type SerializedProfile } from './account-info.routes.js';
import type { CredentialVerifier } from './credential-verifier.js';

/** The X-Application values the route's header schema accepts; anything else is its 400. */
const APPLICATION = /^[a-z][a-z0-9-]{1,39}$/;
const hasProfile = (verified: { profile?: unknown }) => verified.profile !== undefined;

/**
 * GET /v2/account-info from memory: a cached credential, valid now, for an assigned application,
 * within its rate limit, whose profile was already read. Anything else is left to the route in
 * account-info.routes.ts, which answers it (and fills the cache for the next call).
 * @example hot.add(accountInfoHotRoute(deps, verifier));
 */
export function accountInfoHotRoute(deps: Pick<AppDeps, 'clock'>, verifier: CredentialVerifier): HotRoute {
  return {
    method: 'GET',
    url: '/v2/account-info',
    answer: ({ headers, socket, ip }) => {
      const application = headers['x-application'] ?? 'httpapi';
      if (typeof application !== 'string' || !APPLICATION.test(application)) return null;
      // The route's order: Authorization first, X-API-Key when there is none.
      const credential = headers.authorization || headers['x-api-key'];
      if (typeof credential !== 'string' || credential === '') return null;
      const admitted = verifier.admitFromCache(credential, application, ip, headers['user-agent'] ?? null, hasProfile, socket);
      if (!admitted) return null;
      const { json, bytes } = accountInfoAnswer(admitted.verified.profile as SerializedProfile, application, deps.clock.now());
      return { json, bytes, headers: admitted.limit?.headers ?? null };
    },
  };
}
