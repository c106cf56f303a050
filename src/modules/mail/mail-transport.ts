import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Executor } from '../../db/database.js';
import type { AppDeps } from '../../http/deps.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { insertMailMessageOnce } from './mail-message.repository.js';

/** One email as the worker hands it over: built from an outbox job. */
export interface OutgoingEmail {
  /** The outbox job: a retry of the same job is the same email. */
  outboxId: string;
  organizationId: string | null;
  /** RFC 5322 Message-ID, with the angle brackets: `<outbox-id@apiusers>`. */
  messageId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
}

/** Where emails go. `send` resolves only once the message is accepted (stored, or taken by the SMTP server). */
export interface MailTransport {
  send(message: OutgoingEmail): Promise<void>;
}

/*
 * nodemailer waits up to 2 min to connect and 10 min on a silent socket by default; an outage
 * would then hold a worker's lease for minutes. These bound one attempt to well under the lease.
 */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/**
 * Sends through an SMTP server. The Message-ID is the job's, so when a retry follows a lost
 * "250 OK" (the server got the message, we did not hear it) the duplicate is recognisable.
 * @example const transport = createSmtpTransport('smtp://user:pass@smtp.example:587');
 */
export function createSmtpTransport(smtpUrl: string): MailTransport {
  const transporter = nodemailer.createTransport({ url: smtpUrl, ...SMTP_TIMEOUTS });
  return {
    async send(message) {
      await transporter.sendMail({ messageId: message.messageId, from: message.from, to: message.to, subject: message.subject, text: message.text });
    },
  };
}

/** `2026-01-01T09:30:00.000Z` -> `2026-01-01T09-30-00.000Z`: still sorts by time, and is a legal file name everywhere. */
function fileStamp(timestamp: string): string {
  return timestamp.replace(/:/g, '-');
}

/**
 * The development mailbox, used when no SMTP_URL is set: each message is stored in
 * `mail_messages` (listed by GET …/mail) and written as an RFC 5322 `.eml` file under
 * `<dataDir>/mail/`, which any mail client opens. Both are keyed by the outbox job, so a retried
 * send rewrites the same file and keeps one row.
 * @example const transport = createLocalMailbox(db, 'data', systemClock);
 */
export function createLocalMailbox(db: Executor, dataDir: string, clock: Clock): MailTransport {
  const folder = join(dataDir, 'mail');
  return {
    async send(message) {
      const now = clock.now();
      const stored = await insertMailMessageOnce(db, {
        id: newId(now),
        outbox_id: message.outboxId,
        organization_id: message.organizationId,
        message_id: message.messageId,
        to_address: message.to,
        subject: message.subject,
        text_body: message.text,
        created_at: now.toISOString(),
      });
      const raw = await new MailComposer({
        messageId: message.messageId, date: new Date(stored.createdAt), from: message.from, to: message.to, subject: message.subject, text: message.text,
      }).compile().build();
      await mkdir(folder, { recursive: true });
      const file = join(folder, `${fileStamp(stored.createdAt)}-${message.outboxId}.eml`);
      // Write then rename: a crash mid-write leaves a stray .tmp, never a truncated .eml.
      await writeFile(`${file}.tmp`, raw);
      await rename(`${file}.tmp`, file);
    },
  };
}

/**
 * The transport the configuration asks for: SMTP when SMTP_URL is set, else the local mailbox.
 * @example const transport = createMailTransport(deps);
 */
export function createMailTransport(deps: Pick<AppDeps, 'db' | 'clock' | 'config'>): MailTransport {
  return deps.config.smtpUrl ? createSmtpTransport(deps.config.smtpUrl) : createLocalMailbox(deps.db, deps.config.dataDir, deps.clock);
}
