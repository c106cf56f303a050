import { pino } from 'pino';
import { createMailTransport, type MailTransport } from '../modules/mail/mail-transport.js';
import { listMail } from '../modules/mail/mail.service.js';
import { startOutboxWorker } from '../modules/mail/outbox-worker.js';
import { mailboxFiles } from './mailbox-files.js';
import type { OwnerSession } from './owner-session.js';

/** Where an email queued by a command went, as `--json` prints it. */
export interface MailDelivery {
  to: string;
  status: 'sent' | 'queued';
  via: 'smtp' | 'local_mailbox';
  /** host:port of SMTP_URL, without its credentials. */
  smtp_host: string | null;
  /** The local mailbox message (`apiusers mail show`), and its .eml file. */
  mail_id: string | null;
  file: string | null;
  /** Why it is still queued; `apiusers serve` keeps retrying it. */
  error: string | null;
}

/**
 * Sends what the outbox holds now, the way `serve` would, instead of leaving the email for the
 * next `serve` to find: the CLI has no worker running behind it. Reports the email to `to`.
 * @example const delivery = await deliverQueuedMail(session, 'melanie.allen@acme.example');
 */
export async function deliverQueuedMail({ deps, org, ctx }: OwnerSession, to: string): Promise<MailDelivery> {
  const attempts: Array<{ to: string; outboxId: string; error: string | null }> = [];
  const inner = createMailTransport(deps);
  const recording: MailTransport = {
    async send(message) {
      try {
        await inner.send(message);
        attempts.push({ to: message.to, outboxId: message.outboxId, error: null });
      } catch (error) {
        attempts.push({ to: message.to, outboxId: message.outboxId, error: (error as Error).message });
        throw error;
      }
    },
  };
  // Silent: a failed attempt is reported below, once, instead of as a log line.
  const worker = startOutboxWorker(deps, recording, pino({ level: 'silent' }), { poll: false });
  let drainError: string | null = null;
  try {
    await worker.drain();
  } catch (error) {
    drainError = (error as Error).message;
  } finally {
    await worker.stop();
  }
  const smtpHost = deps.config.smtpUrl ? new URL(deps.config.smtpUrl).host : null;
  const ours = attempts.filter((a) => a.to === to).at(-1);
  const delivery: MailDelivery = {
    to, status: ours && ours.error === null ? 'sent' : 'queued', via: smtpHost ? 'smtp' : 'local_mailbox', smtp_host: smtpHost,
    mail_id: null, file: null, error: ours?.error ?? drainError ?? (ours ? null : 'not attempted'),
  };
  if (delivery.status === 'sent' && delivery.via === 'local_mailbox') {
    const recent = await listMail(deps, ctx, { organizationId: org.id, limit: 50 });
    delivery.mail_id = recent.find((m) => m.outboxId === ours!.outboxId)?.id ?? null;
    delivery.file = (await mailboxFiles(deps.config.dataDir)).get(ours!.outboxId) ?? null;
  }
  return delivery;
}

/** One or more lines saying where the email went, for people. */
export function describeDelivery(delivery: MailDelivery, accountNumber: string, what = 'Invitation'): string {
  if (delivery.status === 'queued') {
    return `${what} to ${delivery.to} is queued but not sent yet (${delivery.error}); apiusers serve keeps retrying it.`;
  }
  if (delivery.via === 'smtp') return `${what} emailed to ${delivery.to} through SMTP (${delivery.smtp_host}).`;
  return `${what} to ${delivery.to} is in the local mailbox (no SMTP_URL is set):\n` +
    `  apiusers mail show --org ${accountNumber} ${delivery.mail_id ?? '<id from mail list>'}\n` +
    `  file: ${delivery.file ?? '(not found under DATA_DIR/mail)'}`;
}
