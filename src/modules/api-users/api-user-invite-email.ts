import type { Executor } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { enqueueEmail } from '../mail/email.js';
import { apiUserDisplayName, type ApiUser } from './api-user.repository.js';

/** The Movius invite: the username, and either a one-time link to the password or the password itself. */
export interface InviteDelivery {
  organizationName: string;
  link?: string | undefined;
  password?: string | undefined;
  expiresAt?: string | undefined;
}

/**
 * Queues the invitation in the caller's transaction (outbox): it is sent only if the change
 * commits, and retried until the mail server takes it.
 */
export async function enqueueApiUserInvite(trx: Executor, clock: Clock, user: ApiUser, delivery: InviteDelivery, dedupeKey: string): Promise<void> {
  const apps = user.applications.map((a) => a.name).join(', ') || 'none yet';
  const secretPart = delivery.password !== undefined
    ? `Password: ${delivery.password}\n\nKeep it safe: this email is the only place it is written down.`
    : `Open this link once to see your password (or choose your own). It works one time and expires at ${delivery.expiresAt} (UTC):\n\n  ${delivery.link}`;
  const text = [
    `Hello ${apiUserDisplayName(user)},`,
    '',
    `${delivery.organizationName} created an API user for you. Use these credentials to call the API:`,
    '',
    `Username: ${user.username}`,
    secretPart,
    '',
    `External applications: ${apps}`,
    'Send the application with each call, for example the header X-Application: httpapi.',
    '',
    'Test your credentials with: GET /v2/account-info (HTTP Basic authentication).',
  ].join('\n');
  await enqueueEmail(trx, clock, {
    organizationId: user.organizationId,
    to: user.email!,
    subject: `Your API user for ${delivery.organizationName}`,
    text,
    dedupeKey,
  });
}
