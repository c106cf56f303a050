import { appError } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import type { RequestContext } from '../../http/request-context.js';
import { keyedHash } from '../../lib/keyed-hash.js';
import { recordAudit } from '../audit/record-audit.js';
import { consumeToken, findUsableToken } from '../invites/one-time-token.repository.js';
import { findOrganizationById } from '../organizations/organization.repository.js';
import { generateApiUserPassword, setApiUserPassword, typedPasswordHash } from './api-user-credentials.js';
import { assertApiUserPassword } from './api-user-password-policy.js';
import { findApiUserById, type ApiUser } from './api-user.repository.js';
import { assertPasswordsMatch } from './api-user.service.js';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'secretKey' | 'invalidation'>;

/**
 * Opens an API user's invitation once: either reveals a freshly generated password (shown only
 * in this answer, stored as an HMAC) or stores the password the API user chose. The link is used
 * up either way.
 */
export async function openApiUserInvite(
  deps: Deps, ctx: RequestContext, input: { token: string; password?: string | undefined; passwordConfirmation?: string | undefined },
): Promise<{ apiUser: ApiUser; password: string | null }> {
  assertPasswordsMatch(input.password, input.passwordConfirmation);
  const typedHash = input.password !== undefined ? await typedPasswordHash(input.password) : null;
  const now = deps.clock.now().toISOString();
  const result = await deps.db.transaction().execute(async (trx) => {
    const token = await findUsableToken(trx, 'api_user_invite', keyedHash(deps.secretKey, 'one-time', input.token), now);
    const user = token?.user_id && token.organization_id ? await findApiUserById(trx, token.organization_id, token.user_id) : null;
    if (!token || !user) throw appError('invite.link_invalid', 'This link was already used, replaced by a newer invitation, or has expired. Ask your administrator to resend the invitation.');
    let password: string | null = null;
    if (input.password !== undefined) {
      const org = (await findOrganizationById(trx, user.organizationId))!;
      assertApiUserPassword(input.password, { username: user.username, email: user.email, organizationName: org.name });
    }
    if (!(await consumeToken(trx, token.id, now))) throw appError('invite.link_invalid', 'This link was just used.');
    if (typedHash !== null) {
      await setApiUserPassword(trx, deps, user, { typedHash }, user.id);
    } else {
      password = generateApiUserPassword();
      await setApiUserPassword(trx, deps, user, { generated: password }, user.id);
    }
    await recordAudit(trx, deps.clock, { ...ctx, userAgent: user.username }, {
      organizationId: user.organizationId, action: input.password !== undefined ? 'api_user.password_chosen' : 'api_user.password_revealed',
      targetType: 'api_user', targetId: user.id,
    });
    return { apiUser: user, password };
  });
  await deps.invalidation.userChanged(result.apiUser.id);
  return result;
}
