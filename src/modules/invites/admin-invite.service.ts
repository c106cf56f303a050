import { appError } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import type { RequestContext } from '../../http/request-context.js';
import { newId } from '../../lib/ids.js';
import { keyedHash } from '../../lib/keyed-hash.js';
import { hashPassword } from '../../lib/password-hash.js';
import { assertAdminPassword } from '../admins/admin-password-policy.js';
import { findAdministratorById, updateUser } from '../admins/admin.repository.js';
import { recordAudit } from '../audit/record-audit.js';
import { insertCredential } from '../tokens/credential.repository.js';
import { consumeToken, findUsableToken } from './one-time-token.repository.js';

/**
 * An invited administrator chooses a password through their one-time link and becomes enabled.
 * The link works once: the conditional consume is the lock.
 */
export async function acceptAdminInvite(deps: Pick<AppDeps, 'db' | 'clock' | 'secretKey'>, ctx: RequestContext, input: { token: string; password: string }) {
  const now = deps.clock.now();
  const at = now.toISOString();
  return deps.db.transaction().execute(async (trx) => {
    const token = await findUsableToken(trx, 'admin_invite', keyedHash(deps.secretKey, 'one-time', input.token), at);
    if (!token?.user_id || !token.organization_id) throw appError('invite.link_invalid', 'This invitation link was already used or has expired; ask for a new invitation.');
    const admin = await findAdministratorById(trx, token.organization_id, token.user_id);
    if (!admin || admin.status !== 'invited') throw appError('invite.link_invalid', 'This invitation is no longer open.');
    assertAdminPassword(input.password, { email: admin.email });
    if (!(await consumeToken(trx, token.id, at))) throw appError('invite.link_invalid', 'This invitation link was just used.');
    await insertCredential(trx, {
      id: newId(now), user_id: admin.id, organization_id: admin.organizationId, kind: 'password', secret_hash: await hashPassword(input.password),
      hint: '', name: 'password', expires_at: null, revoked_at: null, last_used_at: null, last_used_ip: null, last_used_user_agent: null,
      created_by: admin.id, created_at: at,
    });
    await updateUser(trx, admin.organizationId, admin.id, null, { status: 'enabled', updated_at: at });
    await recordAudit(trx, deps.clock, { ...ctx, userAgent: admin.email }, {
      organizationId: admin.organizationId, action: 'administrator.invite_accepted', targetType: 'administrator', targetId: admin.id,
    });
    return (await findAdministratorById(trx, admin.organizationId, admin.id))!;
  });
}
