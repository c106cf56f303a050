import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../../http/deps.js';
import { etagOf, requireIfMatch } from '../../http/etag.js';
import { contextOf } from '../../http/request-context.js';
import { IfMatchHeader, OrgParams, problems } from '../../http/schemas.js';
import { TierSchema } from '../api-auth/rate-limit-tiers.js';
import { getCredentialPolicy, POLICY_DAY_LIMITS, presentCredentialPolicy, updateCredentialPolicy } from './credential-policy.js';

const dayCount = ([minimum, maximum]: readonly [number, number], description: string, example: number) =>
  Type.Integer({ minimum, maximum, description, examples: [example] });

const fields = {
  /** The tier of API users that have none of their own (`rate_limit_tier: null`). */
  default_rate_limit_tier: TierSchema,
  max_key_lifetime_days: Type.Union([dayCount(POLICY_DAY_LIMITS.maxKeyLifetimeDays, 'Longest life of a new API key, in days.', 365), Type.Null()], {
    description: 'Longest life of a new API key, in days from its creation; null: no maximum. A maximum also makes an expiry date required.', examples: [365],
  }),
  require_key_expiry: Type.Boolean({ description: 'Every new API key must have an `expires_at`.', examples: [true] }),
  expiry_reminder_days: dayCount(POLICY_DAY_LIMITS.expiryReminderDays, 'How many days before a credential expires the API user\'s contact and the administrators who manage API users get one reminder; 0: no reminders.', 7),
  idle_days: dayCount(POLICY_DAY_LIMITS.idleDays, 'A credential not used for this many days (counted from its creation when never used) is idle.', 90),
  idle_action: Type.Union([Type.Literal('none'), Type.Literal('warn'), Type.Literal('warn_then_disable')], {
    description: '`none`: only listed by GET …/credentials/idle. `warn`: one email to the contact and the administrators. `warn_then_disable`: the warning, then the credential (not the API user) is revoked if still unused after `idle_disable_after_warning_days`.',
    examples: ['warn_then_disable'],
  }),
  idle_disable_after_warning_days: dayCount(POLICY_DAY_LIMITS.idleDisableAfterWarningDays, 'Days between the idle warning and the revocation (`warn_then_disable`).', 14),
};

const EXAMPLE = {
  default_rate_limit_tier: 'medium', max_key_lifetime_days: 365, require_key_expiry: true, expiry_reminder_days: 7,
  idle_days: 90, idle_action: 'warn_then_disable', idle_disable_after_warning_days: 14,
};

export const CredentialPolicySchema = Type.Object(fields, {
  description: "The organization's rules for API user credentials: default rate-limit tier, key lifetime, expiry reminders and idle credentials.",
  examples: [EXAMPLE],
});

const CredentialPolicyChangesBody = Type.Object({
  default_rate_limit_tier: Type.Optional(fields.default_rate_limit_tier),
  max_key_lifetime_days: Type.Optional(fields.max_key_lifetime_days),
  require_key_expiry: Type.Optional(fields.require_key_expiry),
  expiry_reminder_days: Type.Optional(fields.expiry_reminder_days),
  idle_days: Type.Optional(fields.idle_days),
  idle_action: Type.Optional(fields.idle_action),
  idle_disable_after_warning_days: Type.Optional(fields.idle_disable_after_warning_days),
}, {
  additionalProperties: false, minProperties: 1,
  description: 'The fields to change; the others keep their values.',
  examples: [{ idle_action: 'warn_then_disable', idle_days: 60 }, { require_key_expiry: true, max_key_lifetime_days: 365 }, { default_rate_limit_tier: 'high' }],
});

/** GET and PATCH /v1/organizations/{org}/credential-policy. */
export function credentialPolicyRoutes(deps: AppDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v1/organizations/:org/credential-policy', {
      schema: {
        operationId: 'getCredentialPolicy', tags: ['Organizations'], summary: 'Get the credential policy',
        description: 'Default rate-limit tier of API users (low 60, medium 300, high 1200 requests per minute, or unlimited), API key lifetime rules, expiry reminders and what happens to idle credentials. An organization that never changed it has the defaults: tier medium, no maximum key lifetime, expiry not required, reminders 7 days before expiry, idle after 90 days with `idle_action: none`, revocation 14 days after an idle warning. The ETag is the organization\'s version. Needs `api-users:read`.',
        params: OrgParams,
        response: { 200: CredentialPolicySchema, ...problems(401, 403, 404) },
      },
    }, async (request, reply) => {
      const { policy, version } = await getCredentialPolicy(deps, contextOf(request), request.params.org);
      reply.header('etag', etagOf(version));
      return presentCredentialPolicy(policy);
    });

    app.patch('/v1/organizations/:org/credential-policy', {
      schema: {
        operationId: 'updateCredentialPolicy', tags: ['Organizations'], summary: 'Change the credential policy',
        description: 'Changes the fields sent. `expiry_reminder_days` must be shorter than `max_key_lifetime_days`. New rules apply to new API keys and to the next maintenance run (every 15 minutes); existing keys keep their expiry. Needs "Can manage account" (`account:manage`) and If-Match with the organization\'s ETag (from GET of the organization or of this policy); the organization\'s version goes up. Audited as `organization.credential_policy_updated`.',
        params: OrgParams,
        headers: IfMatchHeader,
        body: CredentialPolicyChangesBody,
        response: { 200: CredentialPolicySchema, ...problems(400, 401, 403, 404, 412, 428) },
      },
    }, async (request, reply) => {
      const version = requireIfMatch(request.headers['if-match']);
      const b = request.body;
      const { policy, version: newVersion } = await updateCredentialPolicy(deps, contextOf(request), request.params.org, version, {
        defaultRateLimitTier: b.default_rate_limit_tier, maxKeyLifetimeDays: b.max_key_lifetime_days, requireKeyExpiry: b.require_key_expiry,
        expiryReminderDays: b.expiry_reminder_days, idleDays: b.idle_days, idleAction: b.idle_action, idleDisableAfterWarningDays: b.idle_disable_after_warning_days,
      });
      reply.header('etag', etagOf(newVersion));
      return presentCredentialPolicy(policy);
    });
  };
}
