import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { auditRoutes } from '../modules/audit/audit.routes.js';
import { administratorRoutes } from '../modules/admins/admin.routes.js';
import { inviteRoutes } from '../modules/invites/invite.routes.js';
import { organizationRoutes } from '../modules/organizations/organization.routes.js';
import { roleRoutes } from '../modules/roles/role.routes.js';
import { sessionRoutes, signInRoutes } from '../modules/sessions/session.routes.js';
import { setupRoutes } from '../modules/setup/setup.routes.js';
import { accessTokenRoutes } from '../modules/tokens/access-token.routes.js';
import { consumptionRoutes } from '../modules/api-auth/account-info.routes.js';
import { accountInfoHotRoute } from '../modules/api-auth/account-info.hot.js';
import { verifyHotRoute } from '../modules/api-auth/verify.hot.js';
import { soapRoutes } from '../modules/soap/soap.routes.js';
import { apiUserInviteRoutes } from '../modules/api-users/api-user-invite.routes.js';
import { apiUserRoutes } from '../modules/api-users/api-user.routes.js';
import { applicationRoutes } from '../modules/applications/application.routes.js';
import { mailRoutes } from '../modules/mail/mail.routes.js';
import { credentialPolicyRoutes } from '../modules/organizations/credential-policy.routes.js';
import { idleCredentialRoutes } from '../modules/api-auth/idle-credentials.routes.js';
import { apiKeyRoutes } from '../modules/api-keys/api-key.routes.js';
import { CredentialVerifier } from '../modules/api-auth/credential-verifier.js';
import { verifyRoutes } from '../modules/api-auth/verify.routes.js';
import { createTierRequestLimiter } from '../modules/api-auth/request-limiter.js';
import { oauthRoutes } from '../modules/oauth/oauth.routes.js';
import { publicKeyRoutes } from '../modules/oauth/public-key.routes.js';
import { requireAdministrator } from './authenticate.js';
import type { AppDeps } from './deps.js';
import { healthRoutes } from './health.routes.js';
import { HotPath } from './hot-path.js';
import { installMetrics, RequestDurationHistogram } from './metrics.js';
import { requestIdOf } from './request-id.js';
import { openApiOptions } from './openapi.js';
import { installProblemHandlers } from './problem-handler.js';
import { problemRoutes } from './problem.routes.js';
import { LOG_REDACT_PATHS } from './log-redaction.js';
import { lazyChildLoggerFactory } from './lazy-request-logger.js';
import { rejectNulCharacters } from './reject-nul.js';
import { createValidatorCompiler } from './validation.js';
import { Problem } from './schemas.js';
import { spaFallback, webUi, webUiRoot } from './web-ui.js';

export interface BuildOptions {
  /** A pino logger config or instance; tests pass `false`. */
  logger?: FastifyServerOptions['logger'] | undefined;
  /** Process-wide metrics (event loop, GC, memory); the server turns these on. */
  defaultMetrics?: boolean;
  /** The built web UI's folder; default: `dist/web` when it has been built, else none. */
  webRoot?: string | null;
}

/**
 * Builds the whole HTTP application from its dependencies, without listening: tests call
 * `app.inject()`, `serve` calls `listen()`.
 * @example const app = await buildApp(deps); await app.listen({ port: 3000 });
 */
export async function buildApp(deps: AppDeps, options: BuildOptions = {}): Promise<FastifyInstance> {
  const hot = new HotPath({ trustProxy: deps.config.trustProxy, enabled: deps.config.hotPath, fastLane: deps.config.fastLane });
  const app = Fastify({
    logger: options.logger === undefined ? { level: deps.config.logLevel, redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' } } : options.logger,
    bodyLimit: deps.config.bodyLimit,
    trustProxy: deps.config.trustProxy,
    genReqId: requestIdOf,
    routerOptions: { ignoreTrailingSlash: true },
    serverFactory: hot.serverFactory,
    childLoggerFactory: lazyChildLoggerFactory,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(createValidatorCompiler());
  // Every body is JSON. Fastify also parses text/plain by default, which would turn a wrong
  // Content-Type into a 400 "must be object" instead of 415 (RFC 9110 §15.5.16).
  app.removeContentTypeParser('text/plain');
  app.addSchema(Problem);
  const uiRoot = options.webRoot === undefined ? webUiRoot(import.meta.dirname) : options.webRoot;
  installProblemHandlers(app, deps.config.publicUrl, uiRoot ? spaFallback : undefined);
  rejectNulCharacters(app);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  const duration = new RequestDurationHistogram();
  const metrics = installMetrics(app, { defaultMetrics: options.defaultMetrics ?? false, duration });
  hot.attach(app, duration, metrics);

  await app.register(fastifySwagger, openApiOptions(deps.config.publicUrl));
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });

  await app.register(healthRoutes(deps, metrics));
  await app.register(problemRoutes());
  await app.register(apiUserInviteRoutes(deps));
  const verifier = new CredentialVerifier(deps, (error) => app.log.warn({ err: error }, 'could not record a credential use'));
  const limiter = createTierRequestLimiter(deps, { log: app.log, metrics });
  verifier.limiter = limiter;
  // PostgreSQL: the counts not yet shared go to the database before it closes.
  app.addHook('onClose', () => limiter.close());
  await app.register(consumptionRoutes(deps, verifier));
  hot.add(accountInfoHotRoute(deps, verifier));
  await app.register(soapRoutes(deps, verifier, metrics));
  // Sets verifier.accessTokens, so it must be registered before any request is served.
  await app.register(oauthRoutes(deps, verifier, (route) => hot.add(route)));
  // The administrators' side: cookies are parsed and set only here, so the consumption API's hot
  // path carries no cookie hooks.
  await app.register(async (admin) => {
    await admin.register(fastifyCookie);
    await admin.register(setupRoutes(deps));
    await admin.register(signInRoutes(deps));
    await admin.register(inviteRoutes(deps));
    await admin.register(securedRoutes(deps, verifier));
  });
  hot.add(verifyHotRoute(deps, verifier));

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(webUi(uiRoot));
  return app;
}

/** Every route that needs a signed-in administrator (session cookie + CSRF, or an access token). */
function securedRoutes(deps: AppDeps, verifier: CredentialVerifier) {
  return async (secured: FastifyInstance) => {
    requireAdministrator(secured, deps);
    await secured.register(sessionRoutes(deps));
    await secured.register(accessTokenRoutes(deps));
    await secured.register(organizationRoutes(deps));
    await secured.register(administratorRoutes(deps));
    await secured.register(roleRoutes(deps));
    await secured.register(auditRoutes(deps));
    await secured.register(applicationRoutes(deps));
    await secured.register(apiUserRoutes(deps));
    await secured.register(mailRoutes(deps));
    await secured.register(credentialPolicyRoutes(deps));
    await secured.register(idleCredentialRoutes(deps));
    await secured.register(apiKeyRoutes(deps));
    await secured.register(publicKeyRoutes(deps));
    await secured.register(verifyRoutes(deps, verifier));
  };
}
