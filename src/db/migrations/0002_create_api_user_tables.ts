import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';

/*
 * Frozen in time: never edit after it lands. External applications, which API users may connect
 * as, the transactional outbox, and the local mailbox used when no SMTP server is configured.
 */

const BUILT_IN_APPLICATIONS: Array<[string, string, string]> = [
  ['httpapi', 'HttpApi', 'Any external application calling the HTTP API.'],
  ['salesforce', 'Salesforce', 'The Salesforce app. An API user needs this application, not HttpApi, to connect from Salesforce.'],
];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('applications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('applications_organization_key').on('applications').columns(['organization_id', 'key']).unique().execute();

  await db.schema
    .createTable('user_applications')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_applications_pk', ['user_id', 'application_id'])
    .execute();
  await db.schema.createIndex('user_applications_application').on('user_applications').column('application_id').execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.references('organizations.id').onDelete('set null'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('locked_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'next_attempt_at']).execute();

  await db.schema
    .createTable('mail_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('outbox_id', 'text', (c) => c.notNull().unique())
    .addColumn('organization_id', 'text', (c) => c.references('organizations.id').onDelete('cascade'))
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('mail_messages_organization_created').on('mail_messages').columns(['organization_id', 'created_at', 'id']).execute();

  // Organizations that exist already get the built-in applications; new ones get them at creation.
  const organizations = await db.selectFrom('organizations').select(['id', 'created_at']).execute();
  for (const org of organizations) {
    for (const [key, name, description] of BUILT_IN_APPLICATIONS) {
      await db.insertInto('applications').values({
        id: randomUUID(), organization_id: org.id, key, name, description,
        kind: 'built_in', created_at: org.created_at, updated_at: org.created_at,
      }).execute();
    }
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['mail_messages', 'outbox', 'user_applications', 'applications']) await db.schema.dropTable(table).execute();
}
