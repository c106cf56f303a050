import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createManualClock } from '../src/lib/clock.js';
import { enqueueEmail } from '../src/modules/mail/email.js';
import { createMailTransport } from '../src/modules/mail/mail-transport.js';
import { startOutboxWorker, type OutboxWorker } from '../src/modules/mail/outbox-worker.js';
import { findOutboxJobById } from '../src/modules/mail/outbox.repository.js';
import { SmtpInbox } from './support/smtp-inbox.js';
import { startTestApp, type TestApp } from './support/test-app.js';


describe('email through a real SMTP server', () => {
  const smtp = new SmtpInbox();
  const clock = createManualClock('2026-03-02T09:00:00.000Z');
  let t: TestApp;
  let worker: OutboxWorker;
  before(async () => {
    await smtp.start();
    t = await startTestApp({ clock, env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, MAIL_FROM: 'Acme API users <no-reply@acme.example>' } });
    worker = startOutboxWorker(t.deps, createMailTransport(t.deps), pino({ level: 'silent' }), { poll: false });
  });
  after(async () => {
    await worker.stop();
    await smtp.stop();
    await t.close();
  });

  const enqueue = (key: string, subject: string) => t.deps.db.transaction().execute((trx) => enqueueEmail(trx, clock, {
    organizationId: null, to: 'melanie.allen@acme.example', subject, text: `Hello Melanie,\n\nOpen this link: https://apiusers.example/invite#token=${key}\n`, dedupeKey: key,
  }));

  /** Moves the clock to the job's next attempt. */
  const advanceToRetry = async (id: string) => {
    const job = (await findOutboxJobById(t.deps.db, id))!;
    clock.set(job.nextAttemptAt);
  };

  it('enqueued email -> arrives with To, From, Subject, text and Message-ID <outbox-id@apiusers>', async () => {
    const { id } = await enqueue('smtp-happy', 'Your invitation');
    assert.equal(await worker.drain(), 1);
    const [mail, ...more] = smtp.deliveredWith(`<${id}@apiusers>`);
    assert.ok(mail, `no message with Message-ID <${id}@apiusers>; got ${smtp.received.map((m) => m.messageId).join(', ')}`);
    assert.equal(more.length, 0);
    assert.equal(mail.subject, 'Your invitation');
    assert.equal(mail.text, 'Hello Melanie,\n\nOpen this link: https://apiusers.example/invite#token=smtp-happy\n');
    assert.deepEqual((Array.isArray(mail.to) ? mail.to : [mail.to]).map((a) => a?.text), ['melanie.allen@acme.example']);
    assert.equal(mail.from?.value[0]?.address, 'no-reply@acme.example');
    const job = (await findOutboxJobById(t.deps.db, id))!;
    assert.equal(job.status, 'sent');
    assert.equal(job.payload.text, undefined, 'the body is scrubbed once delivered');
  });

  it('server answers 451 twice -> job pending with last_error, then delivered exactly once with the same Message-ID', async () => {
    smtp.refuseNext = 2;
    const { id } = await enqueue('smtp-refused', 'Refused twice');
    const messageId = `<${id}@apiusers>`;
    for (const attempt of [1, 2]) {
      assert.equal(await worker.drain(), 0);
      const job = (await findOutboxJobById(t.deps.db, id))!;
      assert.equal(job.status, 'pending');
      assert.equal(job.attempts, attempt);
      assert.match(job.lastError ?? '', /451/);
      assert.equal(job.payload.subject, 'Refused twice', 'nothing is lost while it fails');
      assert.equal(await worker.drain(), 0, 'not retried before its backoff');
      await advanceToRetry(id);
    }
    assert.equal(await worker.drain(), 1);
    assert.equal(smtp.deliveredWith(messageId).length, 1);
    assert.deepEqual(smtp.attempted.filter((m) => m === messageId).length, 3, 'each attempt carried the same Message-ID');
    clock.advance(3600_000);
    assert.equal(await worker.drain(), 0);
    assert.equal(smtp.deliveredWith(messageId).length, 1, 'delivered exactly once');
    assert.equal((await findOutboxJobById(t.deps.db, id))!.status, 'sent');
  });

  it('server down -> job pending with the connection error; server back -> delivered exactly once', async () => {
    const { id } = await enqueue('smtp-outage', 'Sent during an outage');
    const port = smtp.port;
    await smtp.stop();
    assert.equal(await worker.drain(), 0);
    const failed = (await findOutboxJobById(t.deps.db, id))!;
    assert.deepEqual([failed.status, failed.attempts], ['pending', 1]);
    assert.match(failed.lastError ?? '', /ECONNREFUSED/);

    await smtp.start(port);
    await advanceToRetry(id);
    const retriedAt = clock.now().toISOString();
    assert.equal(await worker.drain(), 1);
    clock.advance(3600_000);
    assert.equal(await worker.drain(), 0);
    assert.equal(smtp.deliveredWith(`<${id}@apiusers>`).length, 1);
    const job = (await findOutboxJobById(t.deps.db, id))!;
    assert.deepEqual([job.status, job.attempts, job.sentAt], ['sent', 1, retriedAt]);
  });
});
