import { appError } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import type { RequestContext } from '../../http/request-context.js';
import { authorize } from '../sessions/principal.js';
import { listMailMessages, type MailListQuery, type MailMessage } from './mail-message.repository.js';

/**
 * The local (development) mailbox of an organization, newest first; needs `account:manage`, because
 * the messages hold one-time invitation links that would let a reader take over those accounts.
 * Authorization comes first, so a caller without access learns nothing about the mail setup.
 * @example const page = await listMail(deps, ctx, { organizationId, limit: 51 });
 * @throws AppError mail.unavailable (404) when SMTP_URL is set: mail then leaves the server and is not kept
 */
export async function listMail(deps: Pick<AppDeps, 'db' | 'config'>, ctx: RequestContext, query: MailListQuery): Promise<MailMessage[]> {
  authorize(ctx.principal, query.organizationId, 'account:manage');
  if (deps.config.smtpUrl) {
    throw appError('mail.unavailable', 'This server sends email through SMTP (SMTP_URL is set), so it keeps no local mailbox; look in the recipients\' inboxes.');
  }
  return listMailMessages(deps.db, query);
}
