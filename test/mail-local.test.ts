import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { pino } from 'pino';
import { createManualClock } from '../src/lib/clock.js';
import { enqueueEmail, messageIdFor } from '../src/modules/mail/email.js';
import { listMailMessages } from '../src/modules/mail/mail-message.repository.js';
import { createMailTransport } from '../src/modules/mail/mail-transport.js';
import { startOutboxWorker } from '../src/modules/mail/outbox-worker.js';
import { addAdministrator, as, setupOrganization, type TestSession } from './support/sessions.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('local mailbox (no SMTP_URL)', () => {
  const clock = createManualClock('2026-03-02T09:00:00.000Z');
  let t: TestApp;
  let owner: TestSession;
  let mailDir: string;
  before(async () => {
    t = await startTestApp({ clock });
    owner = await setupOrganization(t);
    mailDir = join(t.deps.config.dataDir, 'mail');
  });
  after(() => t.close());

  const send = async (key: string, subject: string) => {
    const { id } = await t.deps.db.transaction().execute((trx) => enqueueEmail(trx, clock, {
      organizationId: owner.organizationId, to: 'melanie.allen@acme.example', subject, text: `Hello Melanie,\n\nYour code is ${key}.\n`, dedupeKey: key,
    }));
    const worker = startOutboxWorker(t.deps, createMailTransport(t.deps), pino({ level: 'silent' }), { poll: false });
    assert.equal(await worker.drain(), 1);
    await worker.stop();
    return id;
  };
  const emlFiles = () => readdirSync(mailDir).filter((f) => f.endsWith('.eml'));

  it('delivered email -> stored in the mailbox and written as a parsable .eml under DATA_DIR/mail', async () => {
    const id = await send('local-1', 'Welcome to Acme');
    const [stored] = await listMailMessages(t.deps.db, { organizationId: owner.organizationId, limit: 10 });
    assert.deepEqual(
      stored && [stored.outboxId, stored.messageId, stored.to, stored.subject, stored.text, stored.createdAt],
      [id, messageIdFor(id), 'melanie.allen@acme.example', 'Welcome to Acme', 'Hello Melanie,\n\nYour code is local-1.\n', '2026-03-02T09:00:00.000Z'],
    );
    const files = emlFiles().filter((f) => f.includes(id));
    assert.deepEqual(files, [`2026-03-02T09-00-00.000Z-${id}.eml`]);
    const mail = await simpleParser(readFileSync(join(mailDir, files[0]!)));
    assert.equal(mail.messageId, `<${id}@apiusers>`);
    assert.equal(mail.subject, 'Welcome to Acme');
    assert.equal(mail.text, 'Hello Melanie,\n\nYour code is local-1.\n');
    assert.equal(mail.from?.value[0]?.address, 'no-reply@apiusers.localhost');
    assert.equal(mail.date?.toISOString(), '2026-03-02T09:00:00.000Z');
  });

  it('the same job sent again (a retry) -> still one stored message and one file', async () => {
    clock.advance(60_000);
    const id = await send('local-retry', 'Sent twice');
    clock.advance(60_000);
    const transport = createMailTransport(t.deps);
    await transport.send({
      outboxId: id, organizationId: owner.organizationId, messageId: messageIdFor(id), from: t.deps.config.mailFrom,
      to: 'melanie.allen@acme.example', subject: 'Sent twice', text: 'Hello Melanie,\n\nYour code is local-retry.\n',
    });
    const stored = (await listMailMessages(t.deps.db, { organizationId: owner.organizationId, limit: 100 })).filter((m) => m.outboxId === id);
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.createdAt, '2026-03-02T09:01:00.000Z', 'the first copy is kept');
    assert.equal(emlFiles().filter((f) => f.includes(id)).length, 1);
  });

  describe('GET /v1/organizations/{org}/mail', () => {
    const url = (query = '') => `/v1/organizations/${owner.organizationId}/mail${query}`;

    it('200 newest first, keyset-paginated', async () => {
      clock.advance(60_000);
      const newest = await send('local-newest', 'Newest');
      const first = await as(t.app, owner, { method: 'GET', url: url('?limit=2') });
      assert.equal(first.statusCode, 200, first.body);
      const page1 = first.json();
      assert.deepEqual(Object.keys(page1.data[0]).sort(), ['created_at', 'id', 'message_id', 'subject', 'text', 'to']);
      assert.equal(page1.data[0].message_id, messageIdFor(newest));
      assert.deepEqual(page1.data.map((m: { subject: string }) => m.subject), ['Newest', 'Sent twice']);
      assert.equal(typeof page1.next_cursor, 'string');
      const second = await as(t.app, owner, { method: 'GET', url: url(`?limit=2&cursor=${page1.next_cursor}`) });
      assert.equal(second.statusCode, 200, second.body);
      const page2 = second.json();
      assert.deepEqual(page2.data.map((m: { subject: string }) => m.subject), ['Welcome to Acme']);
      assert.equal(page2.next_cursor, null);
    });

    it('400 for a cursor the API did not issue', async () => {
      const response = await as(t.app, owner, { method: 'GET', url: url('?cursor=not-a-cursor') });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().code, 'request.cursor_invalid');
    });

    it('401 without a session', async () => {
      const response = await t.app.inject({ method: 'GET', url: url() });
      assert.equal(response.statusCode, 401);
    });

    it('403 for an Administrator (the mailbox holds invitation links; it needs account:manage)', async () => {
      const admin = await addAdministrator(t, owner, 'administrator');
      const response = await as(t.app, admin, { method: 'GET', url: url() });
      assert.equal(response.statusCode, 403, response.body);
      assert.equal(response.json().code, 'auth.forbidden');
      assert.match(response.json().detail, /account:manage/);
    });

    it('404 for another organization\'s mailbox', async () => {
      const other = await setupOrganization(t, { name: 'Other Corp' });
      const response = await as(t.app, other, { method: 'GET', url: url() });
      assert.equal(response.statusCode, 404, response.body);
      assert.ok(!response.body.includes('Welcome to Acme'));
    });
  });
});

describe('GET /v1/organizations/{org}/mail with SMTP_URL set', () => {
  let t: TestApp;
  let owner: TestSession;
  before(async () => {
    t = await startTestApp({ env: { SMTP_URL: 'smtp://127.0.0.1:2525' } });
    owner = await setupOrganization(t);
  });
  after(() => t.close());

  it('404 that says mail goes through SMTP', async () => {
    const response = await as(t.app, owner, { method: 'GET', url: `/v1/organizations/${owner.organizationId}/mail` });
    assert.equal(response.statusCode, 404, response.body);
    assert.equal(response.json().code, 'mail.unavailable');
    assert.match(response.json().detail, /SMTP_URL/);
  });
});
