import type { Selectable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { MailMessageTable } from '../../db/schema.js';

export type MailMessageRow = Selectable<MailMessageTable>;

/** An email kept by the local mailbox (no SMTP server configured). */
export interface MailMessage {
  id: string;
  outboxId: string;
  organizationId: string | null;
  messageId: string;
  to: string;
  subject: string;
  text: string;
  createdAt: string;
}

function toMailMessage(row: MailMessageRow): MailMessage {
  return {
    id: row.id,
    outboxId: row.outbox_id,
    organizationId: row.organization_id,
    messageId: row.message_id,
    to: row.to_address,
    subject: row.subject,
    text: row.text_body,
    createdAt: row.created_at,
  };
}

/**
 * Stores a message once per outbox job (outbox_id is unique): a retried delivery of the same job
 * keeps the first copy instead of failing or duplicating it.
 * @example const stored = await insertMailMessageOnce(db, row);
 * @returns the stored message: the new one, or the copy a previous attempt stored
 */
export async function insertMailMessageOnce(db: Executor, row: MailMessageRow): Promise<MailMessage> {
  await db.insertInto('mail_messages').values(row).onConflict((oc) => oc.column('outbox_id').doNothing()).execute();
  const stored = await db.selectFrom('mail_messages').selectAll().where('outbox_id', '=', row.outbox_id).executeTakeFirstOrThrow();
  return toMailMessage(stored);
}

export interface MailListQuery {
  organizationId: string;
  /** Newest first: rows strictly older than this (created_at, id) key. */
  before?: [string, string] | undefined;
  limit: number;
}

/** @example const page = await listMailMessages(db, { organizationId, limit: 51 }); */
export async function listMailMessages(db: Executor, q: MailListQuery): Promise<MailMessage[]> {
  let query = db.selectFrom('mail_messages').selectAll().where('organization_id', '=', q.organizationId);
  if (q.before) {
    const [at, id] = q.before;
    query = query.where((eb) => eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]));
  }
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
  return rows.map(toMailMessage);
}

