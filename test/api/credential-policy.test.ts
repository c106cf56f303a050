import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppError } from '../../src/http/app-error.js';
import { assertKeyExpiryAllowed, DEFAULT_CREDENTIAL_POLICY, readCredentialPolicy, type CredentialPolicy } from '../../src/modules/organizations/credential-policy.js';
import { addAdministrator, as, setupOrganization, type TestSession } from '../support/sessions.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const DEFAULTS = {
  default_rate_limit_tier: 'medium', max_key_lifetime_days: null, require_key_expiry: false, expiry_reminder_days: 7,
  idle_days: 90, idle_action: 'none', idle_disable_after_warning_days: 14,
};

describe('credential policy API', () => {
  let t: TestApp;
  let owner: TestSession;
  let viewer: TestSession;
  let administrator: TestSession;
  before(async () => {
    t = await startTestApp();
    owner = await setupOrganization(t);
    viewer = await addAdministrator(t, owner, 'viewer');
    administrator = await addAdministrator(t, owner, 'administrator');
  });
  after(() => t.close());

  const url = () => `/v1/organizations/${owner.organizationId}/credential-policy`;
  const get = (by = owner) => as(t.app, by, { method: 'GET', url: url() });
  const patch = (payload: object, ifMatch?: string, by = owner) =>
    as(t.app, by, { method: 'PATCH', url: url(), payload, headers: ifMatch === undefined ? {} : { 'if-match': ifMatch } });
  const orgEtag = async () => (await as(t.app, owner, { method: 'GET', url: `/v1/organizations/${owner.organizationId}` })).headers.etag as string;

  it('GET -> 200 the defaults, with the organization\'s ETag', async () => {
    const response = await get();
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), DEFAULTS);
    assert.equal(response.headers.etag, await orgEtag());
  });

  it('PATCH without If-Match -> 428, with a stale ETag -> 412; nothing changes', async () => {
    const missing = await patch({ idle_action: 'warn' });
    assert.equal(missing.statusCode, 428, missing.body);
    assert.equal(missing.json().code, 'precondition.required');
    const stale = await patch({ idle_action: 'warn' }, '"999"');
    assert.equal(stale.statusCode, 412, stale.body);
    assert.equal(stale.json().code, 'precondition.failed');
    assert.deepEqual((await get()).json(), DEFAULTS);
  });

  it('PATCH with If-Match -> 200 merges the fields sent, bumps the organization\'s version, keeps other settings, audits the change', async () => {
    // Another setting living in the same JSON must survive the policy write.
    await t.deps.db.updateTable('organizations').set({ settings: JSON.stringify({ ui_theme: 'dark', idle_days: 'not a number' }) }).where('id', '=', owner.organizationId).execute();
    assert.equal((await get()).json().idle_days, 90, 'an unreadable stored value reads as its default');
    const etag = (await get()).headers.etag as string;
    const response = await patch({ idle_action: 'warn_then_disable', idle_days: 60, max_key_lifetime_days: 365, default_rate_limit_tier: 'high' }, etag);
    assert.equal(response.statusCode, 200, response.body);
    const expected = { ...DEFAULTS, idle_action: 'warn_then_disable', idle_days: 60, max_key_lifetime_days: 365, default_rate_limit_tier: 'high' };
    assert.deepEqual(response.json(), expected);
    assert.equal(response.headers.etag, `"${Number(JSON.parse(etag)) + 1}"`);
    assert.equal(await orgEtag(), response.headers.etag, 'the organization itself moved to the new version');
    assert.deepEqual((await get(viewer)).json(), expected);

    const again = await patch({ idle_days: 45 }, etag);
    assert.equal(again.statusCode, 412, 'the ETag read before the change is stale now');

    const row = await t.deps.db.selectFrom('organizations').select('settings').where('id', '=', owner.organizationId).executeTakeFirstOrThrow();
    assert.equal(JSON.parse(row.settings).ui_theme, 'dark');
    assert.equal((await readCredentialPolicy(t.deps.db, owner.organizationId)).idleDays, 60);

    const audit = await as(t.app, owner, { method: 'GET', url: `/v1/organizations/${owner.organizationId}/audit-events?action=organization.credential_policy_updated` });
    assert.equal(audit.statusCode, 200, audit.body);
    const [event] = audit.json().data;
    assert.equal(event.actor.id, owner.id);
    assert.equal(event.target.id, owner.organizationId);
    assert.deepEqual(event.data.changes, {
      default_rate_limit_tier: { from: 'medium', to: 'high' },
      max_key_lifetime_days: { from: null, to: 365 },
      idle_days: { from: 90, to: 60 },
      idle_action: { from: 'none', to: 'warn_then_disable' },
    });
  });

  it('PATCH invalid values -> 400 naming the field; the policy and version stay', async () => {
    const before = await get();
    const etag = before.headers.etag as string;
    for (const [body, pointer] of [
      [{ idle_action: 'delete' }, '/idle_action'],
      [{ idle_days: 0 }, '/idle_days'],
      [{ idle_days: 12.5 }, '/idle_days'],
      [{ default_rate_limit_tier: 'gold' }, '/default_rate_limit_tier'],
      [{ max_key_lifetime_days: 0 }, '/max_key_lifetime_days'],
      [{ expiry_reminder_days: -1 }, '/expiry_reminder_days'],
      [{ require_key_expiry: 'yes' }, '/require_key_expiry'],
      [{ rotate_keys: true }, '/rotate_keys'],
      // Rules across fields: reminders must come before the longest key life ends.
      [{ max_key_lifetime_days: 7 }, '/max_key_lifetime_days'],
      [{ expiry_reminder_days: 365 }, '/expiry_reminder_days'],
    ] as const) {
      const response = await patch(body, etag);
      assert.equal(response.statusCode, 400, `${JSON.stringify(body)}: ${response.body}`);
      assert.equal(response.json().code, 'request.invalid');
      assert.ok(response.json().errors.some((e: { pointer: string }) => e.pointer === pointer), `${JSON.stringify(body)}: ${response.body}`);
    }
    const empty = await patch({}, etag);
    assert.equal(empty.statusCode, 400, 'an empty change');
    const now = await get();
    assert.deepEqual(now.json(), before.json());
    assert.equal(now.headers.etag, etag);
  });

  it('a Viewer may GET (api-users:read) but PATCH -> 403 naming account:manage; so does an Administrator', async () => {
    assert.equal((await get(viewer)).statusCode, 200);
    const etag = (await get()).headers.etag as string;
    for (const who of [viewer, administrator]) {
      const response = await patch({ idle_action: 'warn' }, etag, who);
      assert.equal(response.statusCode, 403, response.body);
      assert.equal(response.json().code, 'auth.forbidden');
      assert.equal(response.json().required_privilege, 'account:manage');
    }
    assert.equal((await get()).headers.etag, etag, 'nothing changed');
  });

  it('a role without api-users:read -> GET 403; another organization\'s owner -> 404', async () => {
    const role = await as(t.app, owner, { method: 'POST', url: `/v1/organizations/${owner.organizationId}/roles`, payload: { name: 'Auditors', privileges: ['audit:read'] } });
    assert.equal(role.statusCode, 201, role.body);
    const auditor = await addAdministrator(t, owner, role.json().id);
    const denied = await get(auditor);
    assert.equal(denied.statusCode, 403, denied.body);
    assert.equal(denied.json().required_privilege, 'api-users:read');
    const stranger = await setupOrganization(t, { name: 'Other Corp' });
    const foreign = await get(stranger);
    assert.equal(foreign.statusCode, 404, foreign.body);
    assert.equal(foreign.json().code, 'organization.not_found');
  });
});

describe('assertKeyExpiryAllowed (what the API key code calls)', () => {
  const now = new Date('2026-03-01T00:00:00.000Z');
  const inDays = (days: number) => new Date(now.getTime() + days * 86_400_000);
  const policy = (changes: Partial<CredentialPolicy>): CredentialPolicy => ({ ...DEFAULT_CREDENTIAL_POLICY, ...changes });
  const refusal = (fn: () => void): AppError => {
    try {
      fn();
    } catch (error) {
      assert.ok(error instanceof AppError);
      return error;
    }
    assert.fail('expected a 400');
  };

  it('the default policy accepts no expiry and any future expiry', () => {
    assert.doesNotThrow(() => assertKeyExpiryAllowed(policy({}), null, now));
    assert.doesNotThrow(() => assertKeyExpiryAllowed(policy({}), inDays(5000), now));
  });

  it('require_key_expiry: no expiry -> 400 at /expires_at', () => {
    const error = refusal(() => assertKeyExpiryAllowed(policy({ requireKeyExpiry: true }), null, now));
    assert.equal(error.status, 400);
    assert.equal(error.code, 'request.invalid');
    assert.deepEqual(error.extra.errors?.map((e) => [e.location, e.pointer]), [['body', '/expires_at']]);
    assert.doesNotThrow(() => assertKeyExpiryAllowed(policy({ requireKeyExpiry: true }), inDays(1), now));
  });

  it('max_key_lifetime_days 30: day 30 passes, a millisecond more or no expiry at all -> 400', () => {
    const max30 = policy({ maxKeyLifetimeDays: 30 });
    assert.doesNotThrow(() => assertKeyExpiryAllowed(max30, inDays(30), now));
    const late = refusal(() => assertKeyExpiryAllowed(max30, new Date(inDays(30).getTime() + 1), now));
    assert.match(late.detail, /at most 30 days/);
    assert.equal(late.extra.errors?.[0]?.pointer, '/expires_at');
    const none = refusal(() => assertKeyExpiryAllowed(max30, null, now));
    assert.equal(none.extra.errors?.[0]?.pointer, '/expires_at');
  });

  it('an expiry in the past -> 400', () => {
    assert.equal(refusal(() => assertKeyExpiryAllowed(policy({}), now, now)).status, 400);
  });
});
