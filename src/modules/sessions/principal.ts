import { appError } from '../../http/app-error.js';
import { grants, PRIVILEGES, type Privilege } from '../roles/privileges.js';

/** The signed-in administrator behind a request. */
export interface Principal {
  readonly userId: string;
  readonly organizationId: string;
  readonly email: string;
  readonly roleId: string;
  readonly roleName: string;
  readonly privileges: readonly string[];
  readonly via: 'session' | 'token' | 'cli';
  readonly sessionId: string | null;
}

/**
 * The one authorization check of every organization route: another organization's id is a 404
 * (it leaks nothing), a missing privilege a 403 that names it.
 * @example authorize(principal, params.org, 'admins:manage');
 */
export function authorize(principal: Principal | null, organizationId: string, privilege: Privilege | null): Principal {
  if (!principal) throw appError('auth.unauthenticated', 'Sign in or send a personal access token.');
  if (principal.organizationId !== organizationId) {
    throw appError('organization.not_found', `No organization ${organizationId} is visible to you.`);
  }
  if (privilege && !grants(principal.privileges, privilege)) {
    throw appError('auth.forbidden', `This needs the "${privilege}" privilege (${PRIVILEGES[privilege].split(':')[0]}); your role "${principal.roleName}" does not have it.`, {
      required_privilege: privilege,
    });
  }
  return principal;
}
