import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { ParsedMail } from 'mailparser';
import { pino } from 'pino';
import { createManualClock } from '../../src/lib/clock.js';
import { createMailTransport } from '../../src/modules/mail/mail-transport.js';
import { startOutboxWorker, type OutboxWorker } from '../../src/modules/mail/outbox-worker.js';
import { as, setupOrganization, type TestSession } from '../support/sessions.js';
import { SmtpInbox } from '../support/smtp-inbox.js';
import { postgresUrl, startTestApp, type TestApp } from '../support/test-app.js';


const silent = pino({ level: 'silent' });
const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;

/** The one-time link of an invitation email, and its token. */
function inviteLinkOf(mail: ParsedMail): { link: string; token: string } {
  const match = /(https?:\/\/\S+\/reveal#token=([A-Za-z0-9_-]+))/.exec(mail.text ?? '');
  assert.ok(match, `no reveal link in: ${mail.text}`);
  return { link: match[1]!, token: match[2]! };
}

/** An application with its own SMTP server, a manual clock and a worker that sends on drain(). */
async function startMailingApp(inbox: SmtpInbox, env: Record<string, string> = {}) {
  const clock = createManualClock('2026-03-02T09:00:00.000Z');
  const t = await startTestApp({ clock, env: { SMTP_URL: inbox.url, ...env } });
  const worker: OutboxWorker = startOutboxWorker(t.deps, createMailTransport(t.deps), silent, { poll: false });
  return { t, clock, worker, close: async () => { await worker.stop(); await t.close(); } };
}

describe(`API user invitations through a real SMTP server (${postgresUrl() ? 'PostgreSQL' : 'SQLite'})`, () => {
  const inbox = new SmtpInbox();
  let t: TestApp;
  let clock: ReturnType<typeof createManualClock>;
  let worker: OutboxWorker;
  let owner: TestSession;
  let closeApp: () => Promise<void>;
  let counter = 0;
  before(async () => {
    await inbox.start();
    ({ t, clock, worker, close: closeApp } = await startMailingApp(inbox));
    owner = await setupOrganization(t, { name: 'Acme Corp' });
  });
  after(async () => {
    await closeApp();
    await inbox.stop();
  });

  const usersUrl = (id = '') => `/v1/organizations/${owner.organizationId}/api-users${id ? `/${id}` : ''}`;
  const uniqueEmail = (local: string) => `${local}.${++counter}@movius.example`;

  async function createMelanie(email: string, applications = ['httpapi']): Promise<{ id: string; username: string }> {
    const response = await as(t.app, owner, { method: 'POST', url: usersUrl(), payload: { first_name: 'Melanie', last_name: 'Allen', email, applications } });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.json().invite_sent, true);
    return response.json().api_user;
  }
  const reveal = (token: string) => t.app.inject({ method: 'POST', url: '/v1/api-user-invites/reveal', payload: { token } });
  const choose = (token: string, password: string, confirmation = password) =>
    t.app.inject({ method: 'POST', url: '/v1/api-user-invites/password', payload: { token, password, password_confirmation: confirmation } });
  const accountInfo = (username: string, password: string, application?: string) => t.app.inject({
    method: 'GET', url: '/v2/account-info', headers: { authorization: basic(username, password), ...(application ? { 'x-application': application } : {}) },
  });
  const outboxRowsTo = async (email: string) =>
    (await t.deps.db.selectFrom('outbox').selectAll().execute()).filter((row) => (JSON.parse(row.payload) as { to?: string }).to === email);

  it('POST API user -> invitation email with username and link; reveal -> 200 once; the password works on /v2/account-info', async () => {
    const email = uniqueEmail('melanie.allen');
    const user = await createMelanie(email);
    assert.equal(await worker.drain(), 1);
    const [mail, ...more] = inbox.to(email);
    assert.ok(mail, `no email to ${email}`);
    assert.equal(more.length, 0);
    assert.match(mail.subject ?? '', /Acme Corp/);
    assert.ok(mail.text?.includes(`Username: ${user.username}`), mail.text);
    const { link, token } = inviteLinkOf(mail);
    assert.ok(link.startsWith(`${t.deps.config.publicUrl}/reveal#token=`), link);

    const revealed = await reveal(token);
    assert.equal(revealed.statusCode, 200, revealed.body);
    assert.equal(revealed.headers['cache-control'], 'no-store');
    const { username, password, applications } = revealed.json();
    assert.equal(username, user.username);
    assert.equal(typeof password, 'string');
    assert.ok(password.length >= 16, 'a generated password is long');
    assert.deepEqual(applications.map((a: { key: string }) => a.key), ['httpapi']);

    const info = await accountInfo(username, password);
    assert.equal(info.statusCode, 200, info.body);
    const body = info.json();
    assert.equal(body.api_user.username, user.username);
    assert.equal(body.api_user.name, 'Melanie Allen');
    assert.match(body.organization.display_name, /^\d{9} ACME CORP$/);
    assert.deepEqual(body.applications.map((a: { key: string; name: string }) => [a.key, a.name]), [['httpapi', 'HttpApi']]);

    const asSalesforce = await accountInfo(username, password, 'salesforce');
    assert.equal(asSalesforce.statusCode, 403, asSalesforce.body);
    assert.equal(asSalesforce.json().code, 'application_not_assigned');

    const again = await reveal(token);
    assert.equal(again.statusCode, 404, again.body);
    assert.equal(again.json().code, 'invite.link_invalid');
    assert.equal((await accountInfo(username, password)).statusCode, 200, 'a refused second reveal does not change the password');
  });

  it('POST …/invite (Resend Invite) -> 202 and a second email; the first link -> 404, the second -> 200', async () => {
    const email = uniqueEmail('resend');
    const user = await createMelanie(email);
    assert.equal(await worker.drain(), 1);
    const first = inviteLinkOf(inbox.to(email)[0]!).token;

    const resent = await as(t.app, owner, { method: 'POST', url: `${usersUrl(user.id)}/invite` });
    assert.equal(resent.statusCode, 202, resent.body);
    assert.equal(resent.json().invite_sent, true);
    assert.equal(await worker.drain(), 1);
    const mails = inbox.to(email);
    assert.equal(mails.length, 2);
    const second = inviteLinkOf(mails[1]!).token;
    assert.notEqual(second, first);

    const stale = await reveal(first);
    assert.equal(stale.statusCode, 404, stale.body);
    assert.equal(stale.json().code, 'invite.link_invalid');
    const fresh = await reveal(second);
    assert.equal(fresh.statusCode, 200, fresh.body);
    assert.equal((await accountInfo(user.username, fresh.json().password)).statusCode, 200);
  });

  it('POST /v1/api-user-invites/password breaking a rule -> 400 and the link still works; a good one -> 200 and it authenticates', async () => {
    const email = uniqueEmail('chooser');
    const user = await createMelanie(email);
    assert.equal(await worker.drain(), 1);
    const { token } = inviteLinkOf(inbox.to(email)[0]!);

    const local = user.username.split('@')[0]!;
    for (const [password, confirmation, pattern] of [
      ['short-1', 'short-1', /at least 8/],
      ['onlyletters', 'onlyletters', /digit or symbol/],
      [`${local}-2026!`, `${local}-2026!`, /username/],
      ['Acme Corp 2026!', 'Acme Corp 2026!', /organization/],
      ['Magento-sync-2026!', 'Magento-sync-2027!', /does not match/],
    ] as const) {
      const refused = await choose(token, password, confirmation);
      assert.equal(refused.statusCode, 400, `${password}: ${refused.body}`);
      assert.match(refused.json().detail, pattern);
      assert.equal((await accountInfo(user.username, password)).statusCode, 401, `${password} must not have been stored`);
    }

    const chosen = await choose(token, 'Magento-sync-2026!');
    assert.equal(chosen.statusCode, 200, chosen.body);
    assert.equal(chosen.json().username, user.username);
    assert.equal(chosen.json().password, undefined, 'the chosen password is not echoed');
    assert.equal((await accountInfo(user.username, 'Magento-sync-2026!')).statusCode, 200);
    assert.equal((await reveal(token)).statusCode, 404, 'the link is used up now');
  });

  it('SMTP server down when the API user is created -> 201; the job waits with last_error; server back -> exactly one email', async () => {
    const email = uniqueEmail('outage');
    const port = inbox.port;
    await inbox.stop();
    const user = await createMelanie(email);

    assert.equal(await worker.drain(), 0);
    const [pending, ...others] = await outboxRowsTo(email);
    assert.ok(pending, 'the invitation is queued');
    assert.equal(others.length, 0);
    assert.equal(pending.status, 'pending');
    assert.equal(Number(pending.attempts), 1);
    assert.match(pending.last_error ?? '', /ECONNREFUSED/);
    assert.equal(inbox.to(email).length, 0);

    await inbox.start(port);
    assert.equal(await worker.drain(), 0, 'not retried before its backoff');
    clock.set(new Date(Date.parse(pending.next_attempt_at) + 1));
    assert.equal(await worker.drain(), 1);
    clock.advance(3600_000);
    assert.equal(await worker.drain(), 0);
    const mails = inbox.to(email);
    assert.equal(mails.length, 1, 'delivered exactly once');
    assert.ok(mails[0]!.text?.includes(`Username: ${user.username}`));
    assert.equal((await reveal(inviteLinkOf(mails[0]!).token)).statusCode, 200, 'the delayed link still works');
    assert.equal((await outboxRowsTo(email))[0]!.status, 'sent');
  });

  it('the reveal token and the password appear in no audit event, no later API answer and no sent outbox row', async () => {
    const email = uniqueEmail('secrets');
    const user = await createMelanie(email);
    assert.equal(await worker.drain(), 1);
    const { token } = inviteLinkOf(inbox.to(email)[0]!);
    const sentBeforeReveal = await outboxRowsTo(email);
    const revealed = await reveal(token);
    assert.equal(revealed.statusCode, 200, revealed.body);
    const { password } = revealed.json();
    const info = await accountInfo(user.username, password);
    assert.equal(info.statusCode, 200);

    const later: LightMyRequestResponse[] = [
      info,
      await as(t.app, owner, { method: 'GET', url: usersUrl(user.id) }),
      await as(t.app, owner, { method: 'GET', url: `${usersUrl()}?q=${encodeURIComponent(email)}` }),
      await as(t.app, owner, { method: 'GET', url: `/v1/organizations/${owner.organizationId}/audit-events?target_id=${user.id}` }),
      await reveal(token),
    ];
    for (const response of later) {
      assert.ok(response.statusCode < 500, response.body);
      assert.ok(!response.body.includes(token), `token in ${response.body}`);
      assert.ok(!response.body.includes(password), `password in ${response.body}`);
    }
    const audit = JSON.stringify(await t.deps.db.selectFrom('audit_events').selectAll().execute());
    assert.ok(audit.includes(user.id), 'the audit log does record this API user');
    assert.ok(!audit.includes(token), 'token in audit_events');
    assert.ok(!audit.includes(password), 'password in audit_events');
    const outbox = JSON.stringify(await t.deps.db.selectFrom('outbox').selectAll().execute());
    assert.ok(!outbox.includes(token), 'token in the outbox after sending');
    assert.ok(!outbox.includes(password), 'password in the outbox');
    assert.deepEqual(sentBeforeReveal.map((r) => r.status), ['sent']);
    const tokens = JSON.stringify(await t.deps.db.selectFrom('one_time_tokens').selectAll().execute());
    assert.ok(!tokens.includes(token), 'only a hash of the token is stored');
  });
});

describe(`API user invitations with INVITE_DELIVERY=inline (${postgresUrl() ? 'PostgreSQL' : 'SQLite'})`, () => {
  const inbox = new SmtpInbox();
  let app: Awaited<ReturnType<typeof startMailingApp>>;
  let owner: TestSession;
  before(async () => {
    await inbox.start();
    app = await startMailingApp(inbox, { INVITE_DELIVERY: 'inline' });
    owner = await setupOrganization(app.t, { name: 'Movius Inline' });
  });
  after(async () => {
    await app.close();
    await inbox.stop();
  });

  it('POST API user -> the email carries "Password: …" that authenticates; once sent, the outbox and audit log hold no password', async () => {
    const { t, worker } = app;
    const email = 'inline.melanie@movius.example';
    const created = await as(t.app, owner, {
      method: 'POST', url: `/v1/organizations/${owner.organizationId}/api-users`,
      payload: { first_name: 'Melanie', last_name: 'Allen', email, applications: ['httpapi'] },
    });
    assert.equal(created.statusCode, 201, created.body);
    const user = created.json().api_user;
    assert.equal(await worker.drain(), 1);
    const [mail] = inbox.to(email);
    assert.ok(mail, 'no email');
    assert.ok(mail.text?.includes(`Username: ${user.username}`), mail.text);
    assert.ok(!/reveal#token=/.test(mail.text ?? ''), 'inline delivery sends no link');
    const password = /^Password: (\S+)$/m.exec(mail.text ?? '')?.[1];
    assert.ok(password, mail.text);

    const info = await t.app.inject({ method: 'GET', url: '/v2/account-info', headers: { authorization: basic(user.username, password) } });
    assert.equal(info.statusCode, 200, info.body);
    assert.equal(info.json().api_user.id, user.id);

    const rows = await t.deps.db.selectFrom('outbox').selectAll().execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.status, 'sent');
    assert.ok(!rows[0]!.payload.includes(password), `password left in the outbox: ${rows[0]!.payload}`);
    assert.equal(JSON.parse(rows[0]!.payload).to, email);
    const audit = JSON.stringify(await t.deps.db.selectFrom('audit_events').selectAll().execute());
    assert.ok(!audit.includes(password), 'password in audit_events');
    const read = await as(t.app, owner, { method: 'GET', url: `/v1/organizations/${owner.organizationId}/api-users/${user.id}` });
    assert.ok(!read.body.includes(password));
  });
});
