import { loadConfig } from '../config/config.js';
import type { AppDeps } from '../http/deps.js';
import type { RequestContext } from '../http/request-context.js';
import type { Organization } from '../modules/organizations/organization.repository.js';
import { ownerPrincipal, resolveOrganization } from './cli-principal.js';
import { createDeps } from './create-deps.js';

/** What a command acting for an organization's owner works with. */
export interface OwnerSession {
  deps: AppDeps;
  org: Organization;
  /** The owner as principal (`via: cli`), so services apply the same guards and audit as over HTTP. */
  ctx: RequestContext;
}

/**
 * Opens the database, resolves `--org` and runs `work` as the Account owner; closes the database
 * whatever happens.
 * @example await runAsOwner(env, options.org, async ({ deps, org, ctx }) => listApplications(deps, ctx, org.id));
 */
export async function runAsOwner<T>(env: Record<string, string | undefined>, orgRef: string, work: (session: OwnerSession) => Promise<T>): Promise<T> {
  const deps = await createDeps(loadConfig(env));
  try {
    const org = await resolveOrganization(deps.db, orgRef);
    const ctx: RequestContext = { principal: await ownerPrincipal(deps.db, org), requestId: null, ip: null, userAgent: 'apiusers-cli' };
    return await work({ deps, org, ctx });
  } finally {
    await deps.database.destroy();
  }
}
