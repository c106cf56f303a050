import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { appError } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import { contextOf } from '../../http/request-context.js';
import { Id, OrgParams, Page, PageQuery, problems, Timestamp } from '../../http/schemas.js';
import { decodeCursor, encodeCursor } from '../../lib/cursor.js';
import type { MailMessage } from './mail-message.repository.js';
import { listMail } from './mail.service.js';

const MailMessageSchema = Type.Object({
  id: Id,
  message_id: Type.String({ description: 'The RFC 5322 Message-ID; every retry of one email carries the same.', examples: ['<01936f6e-9b3a-7cc1-8a55-2f1e0c0d4b7a@apiusers>'] }),
  to: Type.String({ description: 'The recipient.', examples: ['melanie.allen@acme.example'] }),
  subject: Type.String({ examples: ['You are invited to administer Acme Corp'] }),
  text: Type.String({ description: 'The plain-text body, as it would have been sent; it may hold a one-time link.' }),
  created_at: Timestamp,
}, {
  description: 'An email kept by the local mailbox.',
  examples: [{
    id: '01936f6e-9b3a-7cc1-8a55-2f1e0c0d4b7a',
    message_id: '<01936f6e-9a00-7cc1-8a55-2f1e0c0d4b7a@apiusers>',
    to: 'melanie.allen@acme.example',
    subject: 'You are invited to administer Acme Corp',
    text: 'Olivia Owner invited you to administer Acme Corp.\n\nChoose your password: http://127.0.0.1:3000/invite#token=…\n',
    created_at: '2026-11-25T14:18:00.000Z',
  }],
});

function presentMailMessage(m: MailMessage) {
  return { id: m.id, message_id: m.messageId, to: m.to, subject: m.subject, text: m.text, created_at: m.createdAt };
}

/**
 * The dev mailbox route, registered in the administrator scope; it answers 404 mail.unavailable
 * when SMTP_URL is set, and stays in the OpenAPI document either way.
 * @example await secured.register(mailRoutes(deps));
 */
export function mailRoutes(deps: AppDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v1/organizations/:org/mail', {
      schema: {
        operationId: 'listMail', tags: ['Mail'], summary: 'Read the local mailbox',
        description: 'For development and trials: when no SMTP_URL is set, the emails the service would have sent (invitations, notices) are kept here, newest first, keyset-paginated, and written as .eml files under DATA_DIR/mail. With SMTP_URL set the mailbox does not exist and this answers 404. Needs "Can manage account" (`account:manage`): the messages hold invitation links.',
        params: OrgParams,
        querystring: Type.Object(PageQuery),
        response: { 200: Page(MailMessageSchema, 'A page of emails.'), ...problems(400, 401, 403, 404) },
      },
    }, async (request) => {
      const limit = request.query.limit ?? 50;
      const before = request.query.cursor !== undefined ? decodeCursor(request.query.cursor, 2) : undefined;
      if (before === null) throw appError('request.cursor_invalid', 'The cursor is not one this API returned; start again without it.');
      const rows = await listMail(deps, contextOf(request), {
        organizationId: request.params.org, before: before as [string, string] | undefined, limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { data: page.map(presentMailMessage), next_cursor: rows.length > limit && last ? encodeCursor([last.createdAt, last.id]) : null };
    });
  };
}
