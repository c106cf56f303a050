import { appError } from '../../http/app-error.js';
import type { Executor } from '../../db/database.js';
import { apiUserDisplayName, countOtherEnabledApiUsers, lockApplications, type ApiUser, type ApplicationRef } from './api-user.repository.js';

export type GuardedAction = 'delete' | 'disable' | 'remove';

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
  const warning = lastUserWarning(user, orphaned, action);
  throw appError('api_user.last_for_application', `${warning} Repeat with ?confirm=true to ${action === 'remove' ? 'remove it' : action} anyway.`, {
    warning,
    applications: orphaned.map((a) => ({ id: a.id, key: a.key, name: a.name })),
  });
}
