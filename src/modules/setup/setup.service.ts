import { appError } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import type { RequestContext } from '../../http/request-context.js';
import { addSeconds } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { keyedHash } from '../../lib/keyed-hash.js';
import { randomToken } from '../../lib/random.js';
import { insertAdministrator, type NewAdministrator } from '../admins/admin.service.js';
import { consumeAllOfKind, findUsableToken, insertOneTimeToken } from '../invites/one-time-token.repository.js';
import { countOrganizations } from '../organizations/organization.repository.js';
import { createOrganization, type NewOrganization } from '../organizations/organization.service.js';
import { BUILT_IN_ROLE } from '../roles/privileges.js';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'secretKey' | 'config'>;

/** The setup link; the token rides in the fragment so it never reaches a server log. */
export function setupUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/setup#token=${token}`;
}

/**
 * On a database without organizations, issues a one-time setup token (valid SETUP_LINK_MINUTES).
 * @returns the token, or null when setup is already done
 */
export async function issueSetupToken(deps: Deps): Promise<{ token: string; expiresAt: string } | null> {
  if ((await countOrganizations(deps.db)) > 0) return null;
  const now = deps.clock.now();
  const token = randomToken();
  const expiresAt = addSeconds(now, deps.config.setupLinkMinutes * 60).toISOString();
  await insertOneTimeToken(deps.db, {
    id: newId(now), kind: 'setup', token_hash: keyedHash(deps.secretKey, 'one-time', token),
    user_id: null, organization_id: null, expires_at: expiresAt, used_at: null, created_at: now.toISOString(),
  });
  return { token, expiresAt };
}

export interface SetupInput {
  token: string;
  organization: NewOrganization;
  owner: Omit<NewAdministrator, 'roleId'> & { password: string };
}

/**
 * Creates the first organization and its Account owner. Consuming every open setup token in the
 * same transaction makes the link single-use even when two requests race: the loser finds its
 * token already used and changes nothing.
 */
export async function completeSetup(deps: Deps, ctx: RequestContext, input: SetupInput) {
  const now = deps.clock.now().toISOString();
  const tokenHash = keyedHash(deps.secretKey, 'one-time', input.token);
  return deps.db.transaction().execute(async (trx) => {
    const token = await findUsableToken(trx, 'setup', tokenHash, now);
    if (!token) throw appError('setup.link_invalid', 'This setup link was already used or has expired. Restart the server on an empty database to print a new one, or run `apiusers init`.');
    const consumed = await consumeAllOfKind(trx, 'setup', now);
    if (!consumed.includes(token.id)) throw appError('setup.link_invalid', 'This setup link was just used by another request.');
    if ((await countOrganizations(trx)) > 0) throw appError('setup.already_done', 'An organization already exists; sign in instead.');
    const organization = await createOrganization(trx, deps.clock, ctx, input.organization);
    const { administrator } = await insertAdministrator(trx, deps, ctx, organization.id, { ...input.owner, roleId: BUILT_IN_ROLE.owner });
    return { organization, owner: administrator };
  });
}
