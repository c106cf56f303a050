import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { issueSetupToken } from '../../src/modules/setup/setup.service.js';
import { OWNER_PASSWORD } from '../support/sessions.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const body = (token: string, email = 'owner@acme.example') => ({
  token,
  organization: { name: 'Acme Corp', time_zone: 'America/Chicago' },
  owner: { email, first_name: 'Olivia', last_name: 'Owner', password: OWNER_PASSWORD },
});

describe('first-start setup', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  it('POST /v1/setup with a wrong token -> 404 setup.link_invalid, nothing created', async () => {
    await issueSetupToken(t.deps);
    const response = await t.app.inject({ method: 'POST', url: '/v1/setup', payload: body('not-the-token') });
    assert.equal(response.statusCode, 404);
    assert.equal(response.headers['content-type'], 'application/problem+json');
    assert.equal(response.json().code, 'setup.link_invalid');
    assert.equal((await t.deps.db.selectFrom('organizations').selectAll().execute()).length, 0);
  });

  it('201 creates "ACCOUNT NAME" organization and an owner who is signed in; the link then fails', async () => {
    const issued = await issueSetupToken(t.deps);
    assert.ok(issued);
    const response = await t.app.inject({ method: 'POST', url: '/v1/setup', payload: body(issued.token) });
    assert.equal(response.statusCode, 201, response.body);
    const created = response.json();
    assert.match(created.organization.account_number, /^[1-9]\d{8}$/);
    assert.equal(created.organization.display_name, `${created.organization.account_number} ACME CORP`);
    assert.match(created.organization.time_zone_label, /^US - Central \(C[DS]T\)$/);
    assert.equal(created.owner.role.name, 'Account owner');
    const cookie = response.cookies.find((c) => c.name === 'apiusers_session');
    assert.ok(cookie?.httpOnly);
    assert.equal(cookie?.sameSite, 'Lax');

    const me = await t.app.inject({ method: 'GET', url: '/v1/session', headers: { cookie: `apiusers_session=${cookie!.value}` } });
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().administrator.email, 'owner@acme.example');

    const again = await t.app.inject({ method: 'POST', url: '/v1/setup', payload: body(issued.token, 'other@acme.example') });
    assert.equal(again.statusCode, 404);
    assert.equal(await issueSetupToken(t.deps), null, 'no new setup link once an organization exists');
  });
});

describe('setup races', () => {
  it('two setups with two valid links at once: exactly one organization', async () => {
    const t = await startTestApp();
    try {
      const a = (await issueSetupToken(t.deps))!;
      const b = (await issueSetupToken(t.deps))!;
      const results = await Promise.all([
        t.app.inject({ method: 'POST', url: '/v1/setup', payload: body(a.token, 'a@acme.example') }),
        t.app.inject({ method: 'POST', url: '/v1/setup', payload: body(b.token, 'b@acme.example') }),
      ]);
      assert.deepEqual(results.map((r) => r.statusCode).sort(), [201, 404]);
      assert.equal((await t.deps.db.selectFrom('organizations').selectAll().execute()).length, 1);
      assert.equal((await t.deps.db.selectFrom('users').selectAll().execute()).length, 1);
    } finally {
      await t.close();
    }
  });

  it('an expired link -> 404', async () => {
    const { createManualClock } = await import('../../src/lib/clock.js');
    const clock = createManualClock('2026-01-01T00:00:00Z');
    const t = await startTestApp({ clock, env: { SETUP_LINK_MINUTES: '10' } });
    try {
      const issued = (await issueSetupToken(t.deps))!;
      clock.advance(11 * 60_000);
      const response = await t.app.inject({ method: 'POST', url: '/v1/setup', payload: body(issued.token) });
      assert.equal(response.statusCode, 404);
      assert.match(response.json().detail, /expired/);
    } finally {
      await t.close();
    }
  });
});
