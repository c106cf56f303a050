import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { appError } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import { problems, Timestamp } from '../../http/schemas.js';
import { findApiUserById } from '../api-users/api-user.repository.js';
import { organizationDisplayName } from '../organizations/organization.presenter.js';
import { findOrganizationById } from '../organizations/organization.repository.js';
import { grants } from '../roles/privileges.js';
import type { CredentialVerifier, VerifyCode } from './credential-verifier.js';
import type { VerifiedCredential } from './verification-cache.js';

const VERIFY_CODES: VerifyCode[] = ['VALID', 'NOT_FOUND', 'MALFORMED', 'DISABLED', 'EXPIRED', 'REVOKED', 'APPLICATION_NOT_ASSIGNED', 'RATE_LIMITED'];

const VerifyResult = Type.Object({
  valid: Type.Boolean(),
  code: Type.Unsafe<VerifyCode>({ type: 'string', enum: VERIFY_CODES, description: 'VALID, or why not.' }),
  detail: Type.String({ description: 'A sentence for logs; do not show it to end users verbatim.' }),
  api_user: Type.Union([Type.Object({ id: Type.String(), username: Type.String(), name: Type.String(), status: Type.String() }), Type.Null()]),
  organization: Type.Union([Type.Object({ id: Type.String(), account_number: Type.String(), display_name: Type.String() }), Type.Null()]),
  application: Type.String({ examples: ['httpapi'] }),
  credential: Type.Union([Type.Object({ id: Type.String(), kind: Type.String({ examples: ['api_key'] }) }), Type.Null()]),
  scopes: Type.Array(Type.String(), { description: 'What the credential may do: its applications, as `app:<key>`.' }),
  expires_at: Type.Union([Timestamp, Type.Null()]),
  rate_limit: Type.Union([
    Type.Object({
      tier: Type.String({ examples: ['medium'] }),
      limit: Type.Union([Type.Integer(), Type.Null()], { description: 'Requests per minute; null when unlimited.' }),
      remaining: Type.Union([Type.Integer(), Type.Null()]),
      reset_seconds: Type.Integer(),
    }),
    Type.Null(),
  ], { description: "The API user's rate-limit state after this call; null when no limit applies or the credential is invalid." }),
  retry_after: Type.Union([Type.Integer(), Type.Null()]),
});

/** What verify answers about a credential's user and organization, read once per cached verification. */
export interface ServiceView {
  api_user: { id: string; username: string; name: string; status: string } | null;
  organization: { id: string; account_number: string; display_name: string } | null;
}

/** The user and organization a verified credential belongs to, read once per cached verification. */
async function loadServiceView(deps: Pick<AppDeps, 'db'>, verified: VerifiedCredential): Promise<ServiceView> {
  const [user, org] = await Promise.all([findApiUserById(deps.db, verified.organizationId, verified.userId), findOrganizationById(deps.db, verified.organizationId)]);
  return {
    api_user: user ? { id: user.id, username: user.username, name: `${user.firstName} ${user.lastName}`.trim() || user.username, status: user.status } : null,
    organization: org ? { id: org.id, account_number: org.accountNumber, display_name: organizationDisplayName(org) } : null,
  };
}

/**
 * The verify answer, as the route and the hot path both send it. Built field by field (nothing
 * undeclared can leak) and serialized with JSON.stringify: the schema serializer checks each of
 * the nullable unions at run time, which is most of the cost of a cached call.
 * test/api/verify-shape.test.ts holds the answer to the schema.
 */
export function verifyResultJson(
  outcome: { code: VerifyCode; detail: string; verified: VerifiedCredential | null; limit: unknown; retryAfter: number | null },
  application: string,
  view: ServiceView | null,
): string {
  const verified = outcome.verified;
  const result: Static<typeof VerifyResult> = {
    valid: outcome.code === 'VALID', code: outcome.code, detail: outcome.detail,
    api_user: view?.api_user ?? null,
    organization: view?.organization ?? null,
    application,
    credential: verified ? { id: verified.credentialId, kind: verified.kind } : null,
    scopes: verified ? [...verified.applications].map((a) => `app:${a}`) : [],
    expires_at: verified?.expiresAt ?? null,
    rate_limit: verified ? (outcome.limit as RateLimitView | null) : null,
    retry_after: outcome.retryAfter,
  };
  return JSON.stringify(result);
}

/** The tail every VALID answer ends with; the rate-limit state goes before it. */
const VALID_TAIL = '"rate_limit":null,"retry_after":null}';

/** A VALID answer's text around its rate_limit, and the last text built from it. */
interface ValidAnswerParts {
  head: string;
  tail: string;
  last: { limit: RateLimitView | null; json: string; bytes: number } | null;
}

/** The rate_limit field of a verify answer. */
export type RateLimitView = { tier: string; limit: number | null; remaining: number | null; reset_seconds: number };

const sameLimit = (a: RateLimitView | null, b: RateLimitView | null) =>
  a === b || (a !== null && b !== null && a.tier === b.tier && a.limit === b.limit && a.remaining === b.remaining && a.reset_seconds === b.reset_seconds);

/**
 * A VALID answer's text before and after its rate_limit, per cached credential and application.
 * Nothing else in it can change while the credential stays cached (a change to the user drops the
 * entry, and with it this), so the hot path serializes only the rate-limit state, and answers
 * with the last text (and its length) when that state has not changed either (an unlimited tier).
 */
const validAnswerParts = new WeakMap<VerifiedCredential, { view: ServiceView; byApplication: Map<string, ValidAnswerParts> }>();

/**
 * The VALID answer, exactly as verifyResultJson writes it, with its length in UTF-8 bytes, from
 * the text kept for this credential and application (built with verifyResultJson on first use).
 */
export function validVerifyAnswer(verified: VerifiedCredential, application: string, view: ServiceView, limit: RateLimitView | null): { json: string; bytes: number } {
  let entry = validAnswerParts.get(verified);
  if (!entry || entry.view !== view) {
    entry = { view, byApplication: new Map() };
    validAnswerParts.set(verified, entry);
  }
  let parts = entry.byApplication.get(application);
  if (!parts) {
    // verifyResultJson writes rate_limit and retry_after last (verify-json.test.ts holds the split to it).
    const whole = verifyResultJson({ code: 'VALID', detail: 'Valid.', verified, limit: null, retryAfter: null }, application, view);
    const limitAt = whole.length - VALID_TAIL.length + '"rate_limit":'.length;
    parts = { head: whole.slice(0, limitAt), tail: whole.slice(limitAt + 'null'.length), last: null };
    entry.byApplication.set(application, parts);
  }
  if (!parts.last || !sameLimit(parts.last.limit, limit)) {
    const json = parts.head + JSON.stringify(limit) + parts.tail;
    parts.last = { limit, json, bytes: Buffer.byteLength(json) };
  }
  return parts.last;
}

/**
 * POST /v1/verify: the platform's own services check a credential an API user presented to them
 * (the Unkey idea, self-hosted). Business outcomes are 200 with a code; only a malformed or
 * unauthorized call is a problem.
 */
export function verifyRoutes(deps: AppDeps, verifier: CredentialVerifier): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/v1/verify', {
      schema: {
        operationId: 'verifyCredential', tags: ['Verify'], summary: 'Verify an API user credential',
        description: 'Send the credential as the API user presented it: an API key (`au_key_…`), an access token (JWT), or `Basic <base64>`; and the application it was presented to. Answers 200 with `valid` and a `code` (VALID, NOT_FOUND, MALFORMED, DISABLED, EXPIRED, REVOKED, APPLICATION_NOT_ASSIGNED, RATE_LIMITED). The caller authenticates with a personal access token of an administrator whose role holds the `verify` privilege; credentials of other organizations answer NOT_FOUND.',
        body: Type.Object({
          credential: Type.String({ minLength: 1, maxLength: 4096 }),
          application: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]{1,39}$', default: 'httpapi' })),
        }, { additionalProperties: false, examples: [{ credential: 'au_key_4fTq8Kx…', application: 'salesforce' }] }),
        response: { 200: VerifyResult, ...problems(400, 401, 403) },
      },
    }, async (request, reply) => {
      const principal = request.principal!;
      if (!grants(principal.privileges, 'verify')) {
        throw appError('auth.forbidden', `The verify API needs the "verify" privilege; your role "${principal.roleName}" does not have it.`, { required_privilege: 'verify' });
      }
      const application = request.body.application ?? 'httpapi';
      const outcome = await verifier.verifyForService(request.body.credential, application, request.ip);
      let verified = outcome.verified;
      let code = outcome.code;
      let detail = outcome.detail;
      // A credential of another organization is invisible to this caller.
      if (verified && verified.organizationId !== principal.organizationId) {
        verified = null;
        code = 'NOT_FOUND';
        detail = 'The credential is not known.';
      }
      const view = verified ? ((verified.serviceView ??= await loadServiceView(deps, verified)) as ServiceView) : null;
      return reply.type('application/json; charset=utf-8').serializer(String).send(verifyResultJson({ code, detail, verified, limit: outcome.limit, retryAfter: outcome.retryAfter }, application, view) as never);
    });
  };
}
