import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createManualClock } from '../../src/lib/clock.js';
import { runCredentialMaintenance } from '../../src/modules/api-auth/credential-maintenance.js';
import { addAdministrator, as, setupOrganization, signIn, type TestSession } from '../support/sessions.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const DAY = 86_400_000;
const PASSWORD = 'Magento-sync-2026!';

interface EmailJob {
  dedupe_key: string;
  to: string[];
  subject: string;
  text: string;
}

async function outboxJobs(t: TestApp, prefix: string): Promise<EmailJob[]> {
  const rows = await t.deps.db.selectFrom('outbox').select(['dedupe_key', 'payload']).where('dedupe_key', 'like', `${prefix}%`).orderBy('dedupe_key').execute();
  return rows.map((r) => {
    const payload = JSON.parse(r.payload) as { to: string; subject: string; text: string };
    return { dedupe_key: r.dedupe_key, to: payload.to.split(', ').sort(), subject: payload.subject, text: payload.text };
  });
}

/** An API user with a typed password (dotdigital flow); returns the user and its password credential. */
async function createApiUser(t: TestApp, owner: TestSession, extra: Record<string, unknown> = {}) {
  const response = await as(t.app, owner, {
    method: 'POST', url: `/v1/organizations/${owner.organizationId}/api-users`,
    payload: { description: 'Magento integration', password: PASSWORD, password_confirmation: PASSWORD, ...extra },
  });
  assert.equal(response.statusCode, 201, response.body);
  const user = response.json().api_user as { id: string; username: string };
  const credential = await t.deps.db.selectFrom('credentials').selectAll().where('user_id', '=', user.id).where('kind', '=', 'password').where('revoked_at', 'is', null).executeTakeFirstOrThrow();
  return { user, credential };
}

async function setPolicy(t: TestApp, owner: TestSession, changes: Record<string, unknown>): Promise<void> {
  const url = `/v1/organizations/${owner.organizationId}/credential-policy`;
  const etag = (await as(t.app, owner, { method: 'GET', url })).headers.etag as string;
  const response = await as(t.app, owner, { method: 'PATCH', url, payload: changes, headers: { 'if-match': etag } });
  assert.equal(response.statusCode, 200, response.body);
}

async function disableAdministrator(t: TestApp, owner: TestSession, id: string): Promise<void> {
  const url = `/v1/organizations/${owner.organizationId}/administrators/${id}`;
  const etag = (await as(t.app, owner, { method: 'GET', url })).headers.etag as string;
  const response = await as(t.app, owner, { method: 'PATCH', url, payload: { status: 'disabled' }, headers: { 'if-match': etag } });
  assert.equal(response.statusCode, 200, response.body);
}

describe('credential maintenance: expiry reminders', () => {
  const clock = createManualClock('2026-03-02T15:00:00.000Z');
  let t: TestApp;
  let owner: TestSession;
  let managers: string[];
  let viewer: TestSession;
  before(async () => {
    t = await startTestApp({ clock });
    owner = await setupOrganization(t);
    const administrator = await addAdministrator(t, owner, 'administrator');
    const role = await as(t.app, owner, { method: 'POST', url: `/v1/organizations/${owner.organizationId}/roles`, payload: { name: 'API user managers', privileges: ['api-users:manage'] } });
    assert.equal(role.statusCode, 201, role.body);
    const custom = await addAdministrator(t, owner, role.json().id);
    const esa = await addAdministrator(t, owner, 'enterprise-super-admin');
    viewer = await addAdministrator(t, owner, 'viewer');
    const disabled = await addAdministrator(t, owner, 'administrator');
    await disableAdministrator(t, owner, disabled.id);
    managers = [owner.email, administrator.email, custom.email, esa.email];
  });
  after(() => t.close());

  const expireIn = (id: string, ms: number) =>
    t.deps.db.updateTable('credentials').set({ expires_at: new Date(clock.now().getTime() + ms).toISOString() }).where('id', '=', id).execute();
  const run = () => runCredentialMaintenance(t.deps, clock.now());

  it('a password expiring in 3 days -> one reminder to the contact and every enabled manager; run twice -> still one', async () => {
    const { user, credential } = await createApiUser(t, owner, { first_name: 'Melanie', last_name: 'Allen', email: 'Melanie@Partner.example' });
    const later = await createApiUser(t, owner);
    const disabledUser = await createApiUser(t, owner, { status: 'disabled' });
    await expireIn(credential.id, 3 * DAY);
    await expireIn(later.credential.id, 30 * DAY);
    await expireIn(disabledUser.credential.id, 2 * DAY);

    const first = await run();
    assert.equal(first.expiryReminders, 1);
    assert.equal(first.organizations, 1);
    const second = await run();
    assert.equal(second.expiryReminders, 0);

    const jobs = await outboxJobs(t, 'expiry-reminder:');
    const expiresAt = new Date(clock.now().getTime() + 3 * DAY).toISOString();
    assert.deepEqual(jobs.map((j) => j.dedupe_key), [`expiry-reminder:${credential.id}:${expiresAt}`], 'one reminder: not for 30 days out, not for a disabled user');
    const [job] = jobs;
    assert.deepEqual(job!.to, ['melanie@partner.example', ...managers].sort());
    assert.ok(!job!.to.includes(viewer.email), 'a Viewer cannot act on it');
    assert.match(job!.subject, new RegExp(`password of API user ${user.username.replace(/\./g, '\\.')} expires on Mar 5, 2026`));
    assert.match(job!.text, /Melanie Allen \(apiuser-\d{12}@/);
    assert.match(job!.text, /Mar 5, 2026, 9:00 AM US - Central \(CST\)/);
    assert.ok(job!.text.includes(`${expiresAt} UTC`));
    assert.ok(!job!.text.includes(PASSWORD));
  });

  it('an API key with a name and hint; a new expiry date -> a new reminder; a revoked or replaced key -> none', async () => {
    const { user } = await createApiUser(t, owner);
    const now = clock.now().toISOString();
    const key = (id: string, name: string, extra: Record<string, string | null> = {}) => ({
      id, user_id: user.id, organization_id: owner.organizationId, kind: 'api_key' as const, secret_hash: `test-hash-${id}`, hint: 'au_key_…x4Qz',
      name, expires_at: new Date(clock.now().getTime() + DAY).toISOString(), revoked_at: null, last_used_at: null, last_used_ip: null,
      last_used_user_agent: null, created_by: owner.id, created_at: now, ...extra,
    });
    const ids = ['0195f0a0-0000-7000-8000-00000000000a', '0195f0a0-0000-7000-8000-00000000000b', '0195f0a0-0000-7000-8000-00000000000c'];
    await t.deps.db.insertInto('credentials').values([
      key(ids[0]!, 'Magento production'),
      key(ids[1]!, 'Old key', { revoked_at: now }),
      key(ids[2]!, 'Rolled key', { replaced_by: ids[0]! }),
    ]).execute();

    assert.equal((await run()).expiryReminders, 1);
    let reminders = (await outboxJobs(t, 'expiry-reminder:')).filter((j) => j.dedupe_key.includes(ids[0]!.slice(0, 20)));
    assert.equal(reminders.length, 1);
    assert.match(reminders[0]!.subject, /API key "Magento production" \(au_key_…x4Qz\)/);
    assert.ok(!reminders.some((r) => r.dedupe_key.includes(ids[1]!) || r.dedupe_key.includes(ids[2]!)));

    // The administrator extended the key: the new date deserves its own reminder.
    await expireIn(ids[0]!, 2 * DAY);
    assert.equal((await run()).expiryReminders, 1);
    reminders = (await outboxJobs(t, `expiry-reminder:${ids[0]}`));
    assert.equal(reminders.length, 2);
  });

  it('expiry_reminder_days 0 -> no reminders', async () => {
    await setPolicy(t, owner, { expiry_reminder_days: 0 });
    const { credential } = await createApiUser(t, owner);
    await expireIn(credential.id, DAY);
    assert.equal((await run()).expiryReminders, 0);
    assert.deepEqual((await outboxJobs(t, `expiry-reminder:${credential.id}`)), []);
  });
});

describe('credential maintenance: idle credentials', () => {
  const start = new Date('2026-01-05T10:00:00.000Z');
  const clock = createManualClock(start);
  let t: TestApp;
  let owner: TestSession;
  let idle: Awaited<ReturnType<typeof createApiUser>>;
  let usedLater: Awaited<ReturnType<typeof createApiUser>>;
  before(async () => {
    t = await startTestApp({ clock });
    owner = await setupOrganization(t);
    await setPolicy(t, owner, { idle_action: 'warn_then_disable', idle_days: 30, idle_disable_after_warning_days: 14 });
    idle = await createApiUser(t, owner, { email: 'idle.contact@partner.example' });
    clock.advance(60_000);
    usedLater = await createApiUser(t, owner);
  });
  after(() => t.close());

  /** Moves time on; sessions expire over weeks, so the owner signs in again. */
  const travel = async (to: Date) => {
    clock.set(to);
    owner = await signIn(t.app, owner.email, owner.password);
  };
  const run = () => runCredentialMaintenance(t.deps, clock.now());
  const credentialRow = (id: string) => t.deps.db.selectFrom('credentials').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const auditActions = async (targetId: string) =>
    (await t.deps.db.selectFrom('audit_events').select('action').where('target_id', '=', targetId).where('action', 'like', 'credential.%').orderBy('created_at').execute()).map((e) => e.action);
  const idleList = async (query = '', by = owner) => {
    const response = await as(t.app, by, { method: 'GET', url: `/v1/organizations/${owner.organizationId}/credentials/idle${query}` });
    assert.equal(response.statusCode, 200, response.body);
    return response.json();
  };

  it('29 days unused -> nothing; the idle list is empty', async () => {
    await travel(new Date(start.getTime() + 29 * DAY));
    assert.deepEqual(await run(), { organizations: 1, expiryReminders: 0, idleWarnings: 0, idleRevocations: 0 });
    assert.deepEqual((await idleList()).data, []);
  });

  it('31 days unused -> one warning each (email + audit), once; the idle list shows both, longest idle first, paginated', async () => {
    await travel(new Date(start.getTime() + 31 * DAY));
    assert.equal((await run()).idleWarnings, 2);
    assert.equal((await run()).idleWarnings, 0, 'a second run warns nobody again');
    const warnings = await outboxJobs(t, 'idle-warning:');
    assert.deepEqual(warnings.map((w) => w.dedupe_key).sort(), [
      `idle-warning:${idle.credential.id}:${idle.credential.created_at}`,
      `idle-warning:${usedLater.credential.id}:${usedLater.credential.created_at}`,
    ].sort());
    const toIdle = warnings.find((w) => w.dedupe_key.includes(idle.credential.id))!;
    assert.deepEqual(toIdle.to, ['idle.contact@partner.example', owner.email].sort());
    assert.match(toIdle.text, /has never been used/);
    assert.match(toIdle.text, /will be revoked on or after Feb 19, 2026/);
    assert.match(toIdle.text, /The API user itself stays enabled/);
    assert.deepEqual(await auditActions(idle.credential.id), ['credential.idle_warning']);

    const page = await idleList('?limit=1');
    assert.equal(page.days, 30, 'the policy\'s idle_days by default');
    assert.equal(page.data.length, 1);
    const [first] = page.data;
    assert.equal(first.id, idle.credential.id, 'longest idle first');
    assert.deepEqual(first.api_user, { id: idle.user.id, username: idle.user.username, status: 'enabled' });
    assert.equal(first.kind, 'password');
    assert.equal(first.last_used_at, null);
    assert.equal(first.created_at, idle.credential.created_at);
    assert.equal(first.idle_days, 31);
    assert.ok(page.next_cursor);
    const next = await idleList(`?limit=1&cursor=${page.next_cursor}`);
    assert.deepEqual(next.data.map((c: { id: string }) => c.id), [usedLater.credential.id]);
    assert.equal(next.next_cursor, null);
    assert.deepEqual((await idleList('?days=32')).data, [], 'unused for 31 days is not unused for 32');
  });

  it('the idle list needs api-users:read; a bad cursor -> 400', async () => {
    const viewer = await addAdministrator(t, owner, 'viewer');
    assert.equal((await idleList('', viewer)).data.length, 2);
    const role = await as(t.app, owner, { method: 'POST', url: `/v1/organizations/${owner.organizationId}/roles`, payload: { name: 'Auditors', privileges: ['audit:read'] } });
    const auditor = await addAdministrator(t, owner, role.json().id);
    const denied = await as(t.app, auditor, { method: 'GET', url: `/v1/organizations/${owner.organizationId}/credentials/idle` });
    assert.equal(denied.statusCode, 403, denied.body);
    assert.equal(denied.json().required_privilege, 'api-users:read');
    const bad = await as(t.app, owner, { method: 'GET', url: `/v1/organizations/${owner.organizationId}/credentials/idle?cursor=nonsense` });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.equal(bad.json().code, 'request.cursor_invalid');
  });

  it('13 days after the warning -> still live; 14 days -> the unused credential is revoked, the used one is not, the API user stays enabled', async () => {
    // One integration signs in after its warning: a new idle period starts for it.
    const usedAt = new Date(start.getTime() + 35 * DAY).toISOString();
    await t.deps.db.updateTable('credentials').set({ last_used_at: usedAt }).where('id', '=', usedLater.credential.id).execute();
    await travel(new Date(start.getTime() + 31 * DAY + 13 * DAY));
    assert.equal((await run()).idleRevocations, 0);
    assert.equal((await credentialRow(idle.credential.id)).revoked_at, null);

    // A verification cached by this instance must not outlive the revocation.
    t.deps.verificationCache.set('probe', {
      userId: idle.user.id, organizationId: owner.organizationId, credentialId: idle.credential.id, username: idle.user.username,
      applications: new Set(['httpapi']), kind: 'password', expiresAt: null, rateLimitTier: null,
    });
    await travel(new Date(start.getTime() + 31 * DAY + 14 * DAY));
    const counts = await run();
    assert.equal(counts.idleRevocations, 1);
    assert.equal(counts.idleWarnings, 0);
    assert.equal((await credentialRow(idle.credential.id)).revoked_at, clock.now().toISOString());
    assert.equal((await credentialRow(usedLater.credential.id)).revoked_at, null, 'used since its warning');
    assert.equal(t.deps.verificationCache.get('probe'), undefined);
    assert.deepEqual(await auditActions(idle.credential.id), ['credential.idle_warning', 'credential.idle_revoked']);
    const user = await as(t.app, owner, { method: 'GET', url: `/v1/organizations/${owner.organizationId}/api-users/${idle.user.id}` });
    assert.equal(user.json().status, 'enabled', 'the credential is disabled, not the user');
    const signIn = await t.app.inject({ method: 'GET', url: '/v2/account-info', headers: { authorization: `Basic ${Buffer.from(`${idle.user.username}:${PASSWORD}`).toString('base64')}` } });
    assert.equal(signIn.statusCode, 401, signIn.body);

    assert.equal((await run()).idleRevocations, 0, 'revoked once');
    assert.deepEqual((await idleList()).data, [], 'revoked credentials are not idle, they are gone; the other was used 10 days ago');
  });

  it('a warning sent under idle_action warn does not count as notice of revocation after a switch to warn_then_disable', async () => {
    await setPolicy(t, owner, { idle_action: 'warn' });
    const quiet = await createApiUser(t, owner);
    await travel(new Date(clock.now().getTime() + 31 * DAY));
    assert.ok((await run()).idleWarnings >= 1);
    assert.deepEqual(await auditActions(quiet.credential.id), ['credential.idle_warning']);
    await travel(new Date(clock.now().getTime() + 20 * DAY));
    assert.equal((await run()).idleRevocations, 0, 'warn never revokes');

    await setPolicy(t, owner, { idle_action: 'warn_then_disable' });
    assert.ok((await run()).idleWarnings >= 1, 'a second warning, announcing the revocation');
    const announced = (await outboxJobs(t, `idle-warning:${quiet.credential.id}`)).map((j) => j.text);
    assert.equal(announced.length, 2);
    assert.ok(announced.some((text) => /will be revoked/.test(text)));
    assert.equal((await credentialRow(quiet.credential.id)).revoked_at, null);
    await travel(new Date(clock.now().getTime() + 14 * DAY));
    await run();
    assert.notEqual((await credentialRow(quiet.credential.id)).revoked_at, null, 'revoked 14 days after the announcing warning');
  });
});
