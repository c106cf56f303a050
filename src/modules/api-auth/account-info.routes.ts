import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { appError } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import { problems, Id, Timestamp } from '../../http/schemas.js';
import { timeZoneLabel } from '../../lib/time-zones.js';
import { findApiUserById } from '../api-users/api-user.repository.js';
import { ApplicationRefSchema } from '../applications/application.schemas.js';
import { OrganizationRefSchema } from '../directory/directory.schemas.js';
import { organizationDisplayName } from '../organizations/organization.presenter.js';
import { findOrganizationById } from '../organizations/organization.repository.js';
import { BASIC_CHALLENGE } from './basic-credentials.js';
import { REQUESTS_PER_MINUTE } from './rate-limit-tiers.js';
import type { CredentialVerifier } from './credential-verifier.js';
import type { VerifiedCredential } from './verification-cache.js';

const AccountInfo = Type.Object({
  api_user: Type.Object({
    id: Id,
    username: Type.String({ examples: ['apiuser-038271645590@apiconnector.example'] }),
    name: Type.String(),
    description: Type.String(),
    status: Type.String({ examples: ['enabled'] }),
    last_sign_in_at: Type.Union([Timestamp, Type.Null()]),
  }),
  organization: Type.Object({ ...OrganizationRefSchema.properties, name: Type.String(), time_zone: Type.String(), time_zone_label: Type.String() }),
  application: Type.Object({ key: Type.String({ examples: ['httpapi'] }) }, { description: 'The application this call was made as (X-Application).' }),
  applications: Type.Array(ApplicationRefSchema, { description: 'Every application this API user may connect as.' }),
  limits: Type.Object({
    tier: Type.String({ description: 'low, medium, high or unlimited: the user\'s own tier or the organization default.', examples: ['medium'] }),
    requests_per_minute: Type.Union([Type.Integer(), Type.Null()], { description: 'null: unlimited.' }),
  }, { description: 'The current state is in the RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset headers.' }),
});

const ApplicationHeader = Type.Object({
  'x-application': Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]{1,39}$', default: 'httpapi', description: 'The external application making the call (httpapi, salesforce or a custom key).' })),
});

interface Profile {
  api_user: { id: string; username: string; name: string; description: string; status: string; last_sign_in_at: string | null };
  organization: { id: string; account_number: string; display_name: string; name: string; time_zone: string };
  applications: Array<{ id: string; key: string; name: string }>;
  limits: { tier: string; requests_per_minute: number | null };
}

/** The user and organization as account-info shows them, read once per cached verification. */
async function loadProfile(deps: Pick<AppDeps, 'db'>, verified: VerifiedCredential): Promise<Profile> {
  const [user, org] = await Promise.all([
    findApiUserById(deps.db, verified.organizationId, verified.userId),
    findOrganizationById(deps.db, verified.organizationId),
  ]);
  if (!user || !org) throw appError('credential.invalid', 'The credential no longer belongs to an API user.', { headers: { 'www-authenticate': BASIC_CHALLENGE } });
  return {
    api_user: { id: user.id, username: user.username, name: `${user.firstName} ${user.lastName}`.trim() || user.username, description: user.description, status: user.status, last_sign_in_at: user.lastSignInAt },
    organization: { id: org.id, account_number: org.accountNumber, display_name: organizationDisplayName(org), name: org.name, time_zone: org.timeZone },
    applications: user.applications,
    limits: { tier: user.effectiveRateLimitTier, requests_per_minute: REQUESTS_PER_MINUTE[user.effectiveRateLimitTier] },
  };
}

/** What account-info answers for a credential, serialized once per cached verification. */
export interface SerializedProfile {
  zone: string;
  /** JSON up to the organization's time_zone_label value. */
  head: string;
  /** JSON after the application. */
  tail: string;
}

function serializedProfile(p: Profile): SerializedProfile {
  const organization = JSON.stringify(p.organization);
  return {
    zone: p.organization.time_zone,
    head: `{"api_user":${JSON.stringify(p.api_user)},"organization":${organization.slice(0, -1)},"time_zone_label":`,
    tail: `,"applications":${JSON.stringify(p.applications)},"limits":${JSON.stringify(p.limits)}}`,
  };
}

/**
 * The account-info answer: the credential's serialized profile, with the organization's time
 * zone label at `now` and the application of this call. The route and the hot path both answer
 * with this. The answer is built from fields chosen one by one in loadProfile (nothing
 * undeclared can leak) and serialized once per cached credential; only the zone label and the
 * application change between calls. test/api/account-info-shape.test.ts holds it to the schema.
 */
export function accountInfoJson(profile: SerializedProfile, application: string, now: Date): string {
  return textWithLabel(profile, application, timeZoneLabel(profile.zone, now));
}

function textWithLabel(profile: SerializedProfile, application: string, label: string): string {
  return `${profile.head}${JSON.stringify(label)}},"application":{"key":${JSON.stringify(application)}}${profile.tail}`;
}

/** Per cached profile, the last answer built: the same text while the zone label and the application stay. */
const lastAnswers = new WeakMap<SerializedProfile, { label: string; application: string; json: string; bytes: number }>();

/**
 * accountInfoJson's text with its length in UTF-8 bytes, for the hot path: an integration calls
 * with one application, and the zone label changes at most once a minute, so the text (flat,
 * ready for the socket) and its length are usually the last call's.
 */
export function accountInfoAnswer(profile: SerializedProfile, application: string, now: Date): { json: string; bytes: number } {
  const label = timeZoneLabel(profile.zone, now);
  const last = lastAnswers.get(profile);
  if (last && last.label === label && last.application === application) return last;
  const json = textWithLabel(profile, application, label);
  const answer = { label, application, json, bytes: Buffer.byteLength(json) };
  lastAnswers.set(profile, answer);
  return answer;
}

/**
 * The consumption API of API users. `GET /v2/account-info` is the call integrators make to test
 * their credentials (dotdigital's "account-info").
 */
export function consumptionRoutes(deps: AppDeps, verifier: CredentialVerifier): FastifyPluginAsyncTypebox {
  return async (app) => {

    app.get('/v2/account-info', {
      schema: {
        operationId: 'getAccountInfo', tags: ['Consumption API'], summary: 'Test your API user credentials',
        description: 'Authenticate with HTTP Basic (API user username and password), an API key (`Authorization: Bearer au_key_…` or `X-API-Key`), or an access token from /oauth/token (`Authorization: Bearer <JWT>`). Name the external application in X-Application (default httpapi): an API user may connect only as the applications assigned to it, so an HttpApi-only user calling as Salesforce gets 403 application_not_assigned. Repeated failures answer 429 with Retry-After.',
        security: [{ apiUserBasic: [] }, { apiUserKey: [] }, { apiUserKeyHeader: [] }],
        headers: ApplicationHeader,
        response: { 200: AccountInfo, ...problems(400, 401, 403, 429) },
      },
    }, async (request, reply) => {
      const application = request.headers['x-application'] ?? 'httpapi';
      const pending = verifier.authenticateRequest(request, reply, application);
      const verified = pending instanceof Promise ? await pending : pending;
      const profile = (verified.profile ??= serializedProfile(await loadProfile(deps, verified))) as SerializedProfile;
      return reply.type('application/json; charset=utf-8').serializer(String).send(accountInfoJson(profile, application, deps.clock.now()) as never);
    });
  };
}
