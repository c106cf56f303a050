import { AppError } from '../../http/app-error.js';
import type { Executor } from '../../db/database.js';
import { apiUserDisplayName, countOtherEnabledApiUsers, lockApplications, type ApiUser, type ApplicationRef } from './api-user.repository.js';

export type GuardedAction = 'delete' | 'disable' | 'remove';

/** How a caller confirms, per transport: REST's query parameter, the SOAP operations' element. */
export type ConfirmVia = 'rest' | 'soap';
const CONFIRM_VIA: Record<ConfirmVia, string> = { rest: 'Repeat with ?confirm=true', soap: 'Send <confirm>true</confirm>' };

/** @example confirmHint('delete', 'soap') // 'Send <confirm>true</confirm> to delete anyway.' */
export function confirmHint(action: GuardedAction, via: ConfirmVia): string {
  return `${CONFIRM_VIA[via]} to ${action === 'remove' ? 'remove it' : action} anyway.`;
}

/**
 * 409 api_user.last_for_application: the guide's warning, then how to confirm. `detail` gives
 * the REST hint; another transport words its own with `detailFor`, the warning unchanged.
 * @example error.detailFor('soap') // "'Melanie Allen' is used … will fail. Send <confirm>true</confirm> to delete anyway."
 */
export class LastApplicationUserError extends AppError {
  constructor(readonly warning: string, readonly action: GuardedAction, applications: ApplicationRef[]) {
    super('api_user.last_for_application', `${warning} ${confirmHint(action, 'rest')}`, {
      warning,
      applications: applications.map((a) => ({ id: a.id, key: a.key, name: a.name })),
    });
  }

  detailFor(via: ConfirmVia): string {
    return `${this.warning} ${confirmHint(this.action, via)}`;
  }
}

/**
 * The Movius warning, word for word: "'Melanie Allen' is used to connect to 'HttpApi'. If you
 * delete this user, the integration with 'HttpApi' will fail."
 */
export function lastUserWarning(user: Pick<ApiUser, 'firstName' | 'lastName' | 'username'>, applications: ApplicationRef[], action: GuardedAction): string {
  const names = applications.map((a) => `'${a.name}'`).join(', ');
  const name = apiUserDisplayName(user);
  const consequence = action === 'delete' ? 'delete this user'
    : action === 'disable' ? 'disable this user'
    : `remove ${names} from this user`;
  return `'${name}' is used to connect to ${names}. If you ${consequence}, the integration with ${names} will fail.`;
}

/**
 * The warning a Delete confirmation should show now (null when deleting would orphan no
 * application), so a client can show it before the first Yes, as the Movius prompt does. The
 * DELETE itself is still guarded: the state may change in between.
 */
export async function deleteWarningFor(db: Executor, user: ApiUser): Promise<string | null> {
  if (user.status !== 'enabled') return null;
  const orphaned: ApplicationRef[] = [];
  for (const app of user.applications) {
    if ((await countOtherEnabledApiUsers(db, app.id, user.id)) === 0) orphaned.push(app);
  }
  return orphaned.length > 0 ? lastUserWarning(user, orphaned, 'delete') : null;
}

/**
 * Refuses (409 api_user.last_for_application) to leave an application without an enabled API
 * user, unless the caller confirmed. Locks the applications first, so two concurrent removals
 * of an application's last two users cannot both pass: the second sees the first's change.
 * Call inside the transaction that makes the change.
 */
export async function guardLastApplicationUser(
  trx: Executor, user: ApiUser, applications: ApplicationRef[], action: GuardedAction, confirmed: boolean,
): Promise<void> {
  if (user.status !== 'enabled' || applications.length === 0) return;
  await lockApplications(trx, applications.map((a) => a.id));
  const orphaned: ApplicationRef[] = [];
  for (const app of applications) {
    if ((await countOtherEnabledApiUsers(trx, app.id, user.id)) === 0) orphaned.push(app);
  }
  if (orphaned.length === 0 || confirmed) return;
  throw new LastApplicationUserError(lastUserWarning(user, orphaned, action), action, orphaned);
}
