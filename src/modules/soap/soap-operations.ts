import type { FastifyReply } from 'fastify';
import { Type, type Static } from 'typebox';
import { appError } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import type { RequestContext } from '../../http/request-context.js';
import { Id } from '../../http/schemas.js';
import { timeZoneLabel } from '../../lib/time-zones.js';
import { REQUESTS_PER_MINUTE } from '../api-auth/rate-limit-tiers.js';
import type { CredentialVerifier } from '../api-auth/credential-verifier.js';
import { deleteApiUser, updateApiUser, type ApiUserChanges } from '../api-users/api-user-change.service.js';
import { apiUserDisplayName, findApiUserById, type ApiUser } from '../api-users/api-user.repository.js';
import { ApiUserChangesBody, NewApiUserBody, presentApiUser } from '../api-users/api-user.schemas.js';
import { createApiUser, getApiUser, resendApiUserInvite } from '../api-users/api-user.service.js';
import { deleteWarningFor } from '../api-users/last-application-guard.js';
import { DirectoryQuerySchema } from '../directory/directory.schemas.js';
import { listDirectoryPage, type DirectoryRequest } from '../directory/directory.service.js';
import { organizationDisplayName } from '../organizations/organization.presenter.js';
import { findOrganizationById } from '../organizations/organization.repository.js';
import { grants } from '../roles/privileges.js';
import { listOf, requireVersion, validated, withPointersUnder, type SoapArgs } from './soap-arguments.js';
import { authenticateAdministrator, authenticateApiUser, type SoapCredentialSource } from './soap-credentials.js';

/** One parsed call: the operation's arguments (credentials removed) and where credentials may be. */
export interface SoapCall extends SoapCredentialSource {
  reply: FastifyReply;
  args: SoapArgs;
}

type Operation = (call: SoapCall) => Promise<Record<string, unknown>>;

const ApplicationKey = Type.String({ pattern: '^[a-z][a-z0-9-]{1,39}$' });
const ListQuery = Type.Object(DirectoryQuerySchema, { additionalProperties: false });

const idOf = (operation: string, args: SoapArgs): string => validated<string>(Id, args.id ?? '', `/${operation}/id`);

/**
 * The operations of the SOAP endpoint: each authenticates, then calls the service the matching
 * REST route calls, with the same privilege checks, tenant scoping (the administrator's own
 * organization) and audit. Nothing here decides anything REST does not.
 */
export function soapOperations(deps: AppDeps, verifier: CredentialVerifier): Record<string, Operation> {
  const present = async (user: ApiUser) => presentApiUser(user, (await findOrganizationById(deps.db, user.organizationId))!, deps.clock.now());
  const admin = (call: SoapCall): Promise<RequestContext> => authenticateAdministrator(deps, call);
  const orgOf = (ctx: RequestContext) => ctx.principal!.organizationId;

  /** Disable/Enable: an update of the status alone, as PATCH {status} is. */
  const setStatus = (operation: string, status: 'enabled' | 'disabled'): Operation => async (call) => {
    const ctx = await admin(call);
    const id = idOf(operation, call.args);
    const version = requireVersion(operation, call.args.version);
    const confirmed = call.args.confirm === true;
    const user = await updateApiUser(deps, ctx, orgOf(ctx), id, version, { status }, confirmed);
    return { api_user: await present(user) };
  };

  return {
    /** GET /v2/account-info. */
    async GetCurrentAccountInfo(call) {
      const raw = call.args.application ?? call.request.headers['x-application'] ?? 'httpapi';
      const application = validated<string>(ApplicationKey, raw, '/GetCurrentAccountInfo/application');
      const verified = await authenticateApiUser(verifier, call, call.reply, application);
      const [user, org] = await Promise.all([findApiUserById(deps.db, verified.organizationId, verified.userId), findOrganizationById(deps.db, verified.organizationId)]);
      if (!user || !org) throw appError('credential.invalid', 'The credential no longer belongs to an API user.');
      return {
        api_user: { id: user.id, username: user.username, name: apiUserDisplayName(user), description: user.description, status: user.status, last_sign_in_at: user.lastSignInAt },
        organization: {
          id: org.id, account_number: org.accountNumber, display_name: organizationDisplayName(org), name: org.name,
          time_zone: org.timeZone, time_zone_label: timeZoneLabel(org.timeZone, deps.clock.now()),
        },
        application: { key: application },
        applications: user.applications,
        limits: { tier: user.effectiveRateLimitTier, requests_per_minute: REQUESTS_PER_MINUTE[user.effectiveRateLimitTier] },
      };
    },

    /** GET /v1/organizations/{org}/api-users. */
    async ListApiUsers(call) {
      const ctx = await admin(call);
      const { q, status, role_id, application, sort, limit, cursor } = call.args;
      const given = Object.fromEntries(Object.entries({ q, status, role_id, application, sort, limit, cursor }).filter(([, v]) => v !== undefined && v !== null));
      const query = validated<DirectoryRequest>(ListQuery, given, '/ListApiUsers');
      const page = await listDirectoryPage(deps, ctx, orgOf(ctx), 'api-users:read', 'api', query);
      return { api_users: page.data, next_cursor: page.next_cursor, time_zone: page.time_zone, time_zone_label: page.time_zone_label };
    },

    /** GET /v1/organizations/{org}/api-users/{id}, with the delete warning. */
    async GetApiUser(call) {
      const ctx = await admin(call);
      const user = await getApiUser(deps, ctx, orgOf(ctx), idOf('GetApiUser', call.args));
      return { api_user: { ...(await present(user)), delete_warning: await deleteWarningFor(deps.db, user) } };
    },

    /** POST /v1/organizations/{org}/api-users. */
    async CreateApiUser(call) {
      const ctx = await admin(call);
      const input = (call.args.api_user ?? {}) as Record<string, unknown>;
      const fields = { ...input, applications: listOf(input.applications, 'application') };
      const body = validated<Static<typeof NewApiUserBody>>(NewApiUserBody, Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)), '/CreateApiUser/api_user');
      const { apiUser, inviteSent } = await withPointersUnder('/CreateApiUser/api_user', () => createApiUser(deps, ctx, orgOf(ctx), {
        username: body.username, firstName: body.first_name, lastName: body.last_name, email: body.email, description: body.description,
        status: body.status, applications: body.applications, password: body.password, passwordConfirmation: body.password_confirmation,
      }));
      return { api_user: await present(apiUser), invite_sent: inviteSent };
    },

    /** PATCH /v1/organizations/{org}/api-users/{id}. */
    async UpdateApiUser(call) {
      const ctx = await admin(call);
      const id = idOf('UpdateApiUser', call.args);
      const version = requireVersion('UpdateApiUser', call.args.version);
      const confirmed = call.args.confirm === true;
      const input = { ...((call.args.changes ?? {}) as Record<string, unknown>) };
      if (input.applications !== undefined) input.applications = listOf(input.applications, 'application');
      // An empty <email/> clears it (null in REST); rate_limit_tier "default" is null in REST.
      if (input.email === null || input.email === '') input.email = null;
      if (input.rate_limit_tier === 'default' || input.rate_limit_tier === '') input.rate_limit_tier = null;
      const body = validated<Static<typeof ApiUserChangesBody>>(ApiUserChangesBody, input, '/UpdateApiUser/changes');
      const changes: ApiUserChanges = {
        firstName: body.first_name, lastName: body.last_name, email: body.email, description: body.description, status: body.status,
        applications: body.applications, password: body.password, passwordConfirmation: body.password_confirmation, rateLimitTier: body.rate_limit_tier,
      };
      const user = await withPointersUnder('/UpdateApiUser/changes', () => updateApiUser(deps, ctx, orgOf(ctx), id, version, changes, confirmed));
      return { api_user: await present(user) };
    },

    DisableApiUser: setStatus('DisableApiUser', 'disabled'),
    EnableApiUser: setStatus('EnableApiUser', 'enabled'),

    /** DELETE /v1/organizations/{org}/api-users/{id}: the last-user guard answers the same fault code and text. */
    async DeleteApiUser(call) {
      const ctx = await admin(call);
      const id = idOf('DeleteApiUser', call.args);
      const version = requireVersion('DeleteApiUser', call.args.version);
      await deleteApiUser(deps, ctx, orgOf(ctx), id, version, call.args.confirm === true);
      return { deleted: true };
    },

    /** POST /v1/organizations/{org}/api-users/{id}/invite. */
    async ResendInvite(call) {
      const ctx = await admin(call);
      const user = await resendApiUserInvite(deps, ctx, orgOf(ctx), idOf('ResendInvite', call.args));
      return { api_user: await present(user), invite_sent: true };
    },

    /** POST /v1/verify. */
    async VerifyCredential(call) {
      const ctx = await admin(call);
      const principal = ctx.principal!;
      if (!grants(principal.privileges, 'verify')) {
        throw appError('auth.forbidden', `The verify API needs the "verify" privilege; your role "${principal.roleName}" does not have it.`, { required_privilege: 'verify' });
      }
      const credential = validated<string>(Type.String({ minLength: 1, maxLength: 4096 }), call.args.credential ?? '', '/VerifyCredential/credential');
      const application = validated<string>(ApplicationKey, call.args.application ?? 'httpapi', '/VerifyCredential/application');
      const outcome = await verifier.verifyForService(credential, application, call.request.ip);
      let { verified, code, detail } = outcome;
      // A credential of another organization is invisible to this caller, as in REST.
      if (verified && verified.organizationId !== principal.organizationId) {
        verified = null;
        code = 'NOT_FOUND';
        detail = 'The credential is not known.';
      }
      const [user, org] = verified
        ? await Promise.all([findApiUserById(deps.db, verified.organizationId, verified.userId), findOrganizationById(deps.db, verified.organizationId)])
        : [null, null];
      return {
        valid: code === 'VALID', code, detail,
        api_user: user ? { id: user.id, username: user.username, name: apiUserDisplayName(user), status: user.status } : null,
        organization: org ? { id: org.id, account_number: org.accountNumber, display_name: organizationDisplayName(org) } : null,
        application,
        credential: verified ? { id: verified.credentialId, kind: verified.kind } : null,
        scopes: verified ? [...verified.applications].map((a) => `app:${a}`) : [],
        expires_at: verified?.expiresAt ?? null,
        rate_limit: verified ? (outcome.limit as Record<string, unknown> | null) : null,
        retry_after: outcome.retryAfter,
      };
    },
  };
}
