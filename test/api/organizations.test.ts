import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createManualClock } from '../../src/lib/clock.js';
import { addAdministrator, as, setupOrganization, type TestSession } from '../support/sessions.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('organizations API', () => {
  // July: Chicago on CDT, London on BST. Winter checks move the clock back, not forward, so the session stays live.
  const clock = createManualClock('2026-07-01T12:00:00Z');
  let t: TestApp;
  let owner: TestSession;
  before(async () => {
    t = await startTestApp({ clock });
    owner = await setupOrganization(t, { name: 'Acme Corp', timeZone: 'America/Chicago' });
  });
  after(() => t.close());

  const url = () => `/v1/organizations/${owner.organizationId}`;
  const read = () => as(t.app, owner, { method: 'GET', url: url() });
  const patch = (by: TestSession, payload: Record<string, unknown>, ifMatch?: string) =>
    as(t.app, by, { method: 'PATCH', url: url(), payload, headers: ifMatch === undefined ? {} : { 'if-match': ifMatch } });

  it('GET -> 200 with "<account number> ACME CORP", the zone label for the season, and an ETag', async () => {
    const response = await read();
    assert.equal(response.statusCode, 200);
    const org = response.json();
    assert.match(org.display_name, /^[1-9]\d{8} ACME CORP$/);
    assert.equal(org.display_name, `${org.account_number} ACME CORP`);
    assert.equal(org.time_zone_label, 'US - Central (CDT)');
    assert.equal(response.headers.etag, `"${org.version}"`);

    clock.set('2026-01-15T12:00:00Z');
    try {
      assert.equal((await read()).json().time_zone_label, 'US - Central (CST)');
    } finally {
      clock.set('2026-07-01T12:00:00Z');
    }
  });

  it('GET another organization\'s id -> 404 organization.not_found', async () => {
    const response = await as(t.app, owner, { method: 'GET', url: '/v1/organizations/01936f6e-0000-7000-8000-000000000000' });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().code, 'organization.not_found');
  });

  it('PATCH time_zone Europe/London -> 200 labelled "UK - London (BST)" in summer, (GMT) in winter', async () => {
    const before = await read();
    const response = await patch(owner, { time_zone: 'Europe/London' }, before.headers.etag as string);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().time_zone, 'Europe/London');
    assert.equal(response.json().time_zone_label, 'UK - London (BST)');
    assert.equal(response.headers.etag, `"${before.json().version + 1}"`);

    clock.set('2026-02-01T12:00:00Z'); // earlier, not later: the session would have expired
    try {
      const winter = await read();
      assert.equal(winter.json().time_zone, 'Europe/London');
      assert.equal(winter.json().time_zone_label, 'UK - London (GMT)');
    } finally {
      clock.set('2026-07-01T12:00:00Z');
    }
  });

  it('PATCH time_zone Mars/Olympus -> 400 pointing at /time_zone, nothing changed', async () => {
    const before = await read();
    const response = await patch(owner, { time_zone: 'Mars/Olympus' }, before.headers.etag as string);
    assert.equal(response.statusCode, 400);
    assert.equal(response.headers['content-type'], 'application/problem+json');
    assert.equal(response.json().code, 'request.invalid');
    assert.deepEqual(response.json().errors.map((e: { pointer: string }) => e.pointer), ['/time_zone']);
    const after = await read();
    assert.equal(after.json().time_zone, before.json().time_zone);
    assert.equal(after.headers.etag, before.headers.etag);
  });

  it('PATCH as an Administrator (no account:manage) -> 403 auth.forbidden', async () => {
    const administrator = await addAdministrator(t, owner, 'administrator');
    const before = await read();
    const response = await patch(administrator, { name: 'Hijacked' }, before.headers.etag as string);
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, 'auth.forbidden');
    assert.equal((await read()).json().name, 'Acme Corp');
  });

  it('PATCH without If-Match -> 428; with a stale ETag -> 412; nothing changed', async () => {
    const before = await read();
    const missing = await patch(owner, { name: 'Acme Renamed' });
    assert.equal(missing.statusCode, 428);
    assert.equal(missing.json().code, 'precondition.required');
    const stale = await patch(owner, { name: 'Acme Renamed' }, `"${before.json().version - 1}"`);
    assert.equal(stale.statusCode, 412);
    assert.equal(stale.json().code, 'precondition.failed');
    assert.equal((await read()).json().name, 'Acme Corp');

    const renamed = await patch(owner, { name: 'Acme Renamed' }, before.headers.etag as string);
    assert.equal(renamed.statusCode, 200, renamed.body);
    assert.equal(renamed.json().display_name, `${renamed.json().account_number} ACME RENAMED`);
  });
});
