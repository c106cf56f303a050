import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addAdministrator, as, setupOrganization, type TestSession } from '../support/sessions.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const ALL = ['account:manage', 'admins:manage', 'admins:read', 'api-users:manage', 'api-users:read', 'applications:manage', 'audit:read'];

describe('roles API', () => {
  let t: TestApp;
  let owner: TestSession;
  before(async () => {
    t = await startTestApp();
    owner = await setupOrganization(t);
  });
  after(() => t.close());

  const url = (id = '') => `/v1/organizations/${owner.organizationId}/roles${id ? `/${id}` : ''}`;
  const createRole = (payload: Record<string, unknown>, by = owner) => as(t.app, by, { method: 'POST', url: url(), payload });

  it('GET roles -> 200 with the five built-in roles and their privileges', async () => {
    const response = await as(t.app, owner, { method: 'GET', url: url() });
    assert.equal(response.statusCode, 200);
    const builtIn = response.json().data.filter((r: { kind: string }) => r.kind === 'built_in');
    const byName = Object.fromEntries(builtIn.map((r: { name: string; privileges: string[] }) => [r.name, [...r.privileges].sort()]));
    assert.deepEqual(Object.keys(byName).sort(), ['API User', 'Account owner', 'Administrator', 'Enterprise Super Administrator', 'Viewer']);
    assert.deepEqual(byName['Account owner'], ALL);
    assert.deepEqual(byName['Enterprise Super Administrator'], ALL);
    assert.deepEqual(byName.Administrator, ['admins:read', 'api-users:manage', 'api-users:read', 'applications:manage', 'audit:read']);
    assert.deepEqual(byName.Viewer, ['admins:read', 'api-users:read']);
    assert.deepEqual(byName['API User'], []);
  });

  it('GET /v1/privileges -> 200 naming every privilege a role can grant', async () => {
    const response = await as(t.app, owner, { method: 'GET', url: '/v1/privileges' });
    assert.equal(response.statusCode, 200);
    const names = response.json().data.map((p: { name: string }) => p.name);
    for (const p of ['account:manage', 'api-users:manage', 'api-users:read', 'admins:manage', 'applications:manage', 'audit:read']) assert.ok(names.includes(p), p);
  });

  it('POST a custom role -> 201 with ETag; GET shows it', async () => {
    const response = await createRole({ name: 'Integration manager', description: 'API users only', privileges: ['api-users:read', 'api-users:manage'] });
    assert.equal(response.statusCode, 201, response.body);
    const role = response.json();
    assert.equal(role.kind, 'custom');
    assert.deepEqual(role.privileges, ['api-users:manage', 'api-users:read']);
    assert.equal(response.headers.etag, `"${role.version}"`);
    const read = await as(t.app, owner, { method: 'GET', url: url(role.id) });
    assert.equal(read.statusCode, 200);
    assert.equal(read.json().name, 'Integration manager');
  });

  it('POST a role whose name is taken, built-in names included, in any case -> 409 role.name_taken', async () => {
    assert.equal((await createRole({ name: 'Auditor', privileges: ['audit:read'] })).statusCode, 201);
    for (const name of ['AUDITOR', 'administrator', 'account OWNER', ' Viewer ']) {
      const response = await createRole({ name, privileges: ['audit:read'] });
      assert.equal(response.statusCode, 409, name);
      assert.equal(response.json().code, 'role.name_taken');
    }
  });

  it('POST a role with an unknown privilege -> 400 naming /privileges', async () => {
    const response = await createRole({ name: 'Wizard', privileges: ['admins:read', 'root:everything'] });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'request.invalid');
    assert.ok(response.json().errors.some((e: { pointer: string }) => e.pointer.startsWith('/privileges')), response.body);
    const list = await as(t.app, owner, { method: 'GET', url: url() });
    assert.ok(!list.body.includes('Wizard'));
  });

  it('POST a role as an Administrator (no account:manage) -> 403', async () => {
    const administrator = await addAdministrator(t, owner, 'administrator');
    const response = await createRole({ name: 'Sneaky', privileges: ['account:manage'] }, administrator);
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, 'auth.forbidden');
  });

  it('PATCH a role\'s privileges with If-Match -> 200; its holder\'s next request uses them; stale -> 412', async () => {
    const created = await createRole({ name: 'Log reader', privileges: ['audit:read'] });
    const holder = await addAdministrator(t, owner, created.json().id);
    const audit = `/v1/organizations/${owner.organizationId}/audit-events`;
    const admins = `/v1/organizations/${owner.organizationId}/administrators`;
    assert.equal((await as(t.app, holder, { method: 'GET', url: audit })).statusCode, 200);
    assert.equal((await as(t.app, holder, { method: 'GET', url: admins })).statusCode, 403);

    const changed = await as(t.app, owner, { method: 'PATCH', url: url(created.json().id), headers: { 'if-match': created.headers.etag as string }, payload: { privileges: ['admins:read'] } });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.deepEqual(changed.json().privileges, ['admins:read']);
    assert.notEqual(changed.headers.etag, created.headers.etag);
    assert.equal((await as(t.app, holder, { method: 'GET', url: audit })).statusCode, 403);
    assert.equal((await as(t.app, holder, { method: 'GET', url: admins })).statusCode, 200);

    const stale = await as(t.app, owner, { method: 'PATCH', url: url(created.json().id), headers: { 'if-match': created.headers.etag as string }, payload: { privileges: ['audit:read'] } });
    assert.equal(stale.statusCode, 412);
    const missing = await as(t.app, owner, { method: 'PATCH', url: url(created.json().id), payload: { privileges: ['audit:read'] } });
    assert.equal(missing.statusCode, 428);
  });

  it('PATCH or DELETE a built-in role -> 409 role.built_in', async () => {
    const patched = await as(t.app, owner, { method: 'PATCH', url: url('viewer'), headers: { 'if-match': '"1"' }, payload: { privileges: ALL } });
    assert.equal(patched.statusCode, 409);
    assert.equal(patched.json().code, 'role.built_in');
    const deleted = await as(t.app, owner, { method: 'DELETE', url: url('viewer'), headers: { 'if-match': '"1"' } });
    assert.equal(deleted.statusCode, 409);
    assert.equal(deleted.json().code, 'role.built_in');
    const viewer = await as(t.app, owner, { method: 'GET', url: url('viewer') });
    assert.deepEqual(viewer.json().privileges, ['admins:read', 'api-users:read']);
  });

  it('DELETE a role someone holds -> 409 role.in_use; an unused one -> 204, then 404', async () => {
    const used = await createRole({ name: 'Held role', privileges: ['admins:read'] });
    await addAdministrator(t, owner, used.json().id);
    const inUse = await as(t.app, owner, { method: 'DELETE', url: url(used.json().id), headers: { 'if-match': used.headers.etag as string } });
    assert.equal(inUse.statusCode, 409);
    assert.equal(inUse.json().code, 'role.in_use');

    const unused = await createRole({ name: 'Spare role', privileges: ['admins:read'] });
    const deleted = await as(t.app, owner, { method: 'DELETE', url: url(unused.json().id), headers: { 'if-match': unused.headers.etag as string } });
    assert.equal(deleted.statusCode, 204, deleted.body);
    assert.equal((await as(t.app, owner, { method: 'GET', url: url(unused.json().id) })).statusCode, 404);
    assert.equal((await as(t.app, owner, { method: 'GET', url: url(used.json().id) })).statusCode, 200);
  });
});

describe('ownership transfer', () => {
  let t: TestApp;
  let owner: TestSession;
  before(async () => {
    t = await startTestApp();
    owner = await setupOrganization(t);
  });
  after(() => t.close());

  const transfer = (by: TestSession, administratorId: string) =>
    as(t.app, by, { method: 'POST', url: `/v1/organizations/${by.organizationId}/transfer-ownership`, payload: { administrator_id: administratorId } });
  const ownerIds = async () => (await t.deps.db.selectFrom('users').select('id').where('role_id', '=', 'owner').execute()).map((u) => u.id);
  const roleOf = async (id: string) => (await as(t.app, owner, { method: 'GET', url: `/v1/organizations/${owner.organizationId}/administrators/${id}` })).json().role.id;

  it('POST transfer-ownership by anyone but the owner -> 403', async () => {
    const superAdmin = await addAdministrator(t, owner, 'enterprise-super-admin');
    const response = await transfer(superAdmin, superAdmin.id);
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, 'auth.forbidden');
    assert.deepEqual(await ownerIds(), [owner.id]);
  });

  it('POST transfer-ownership to yourself, an invited or a disabled administrator -> 409', async () => {
    const admins = `/v1/organizations/${owner.organizationId}/administrators`;
    const invited = (await as(t.app, owner, { method: 'POST', url: admins, payload: { email: 'invitee@acme.example', first_name: 'In', last_name: 'Vited', role_id: 'viewer' } })).json().administrator;
    const disabled = await addAdministrator(t, owner, 'viewer');
    const read = await as(t.app, owner, { method: 'GET', url: `${admins}/${disabled.id}` });
    const off = await as(t.app, owner, { method: 'PATCH', url: `${admins}/${disabled.id}`, headers: { 'if-match': read.headers.etag as string }, payload: { status: 'disabled' } });
    assert.equal(off.statusCode, 200, off.body);

    for (const id of [owner.id, invited.id, disabled.id]) {
      const response = await transfer(owner, id);
      assert.equal(response.statusCode, 409, response.body);
    }
    assert.deepEqual(await ownerIds(), [owner.id]);
  });

  it('POST transfer-ownership -> 200: the target owns, the old owner is an Enterprise Super Administrator', async () => {
    const heir = await addAdministrator(t, owner, 'viewer');
    const response = await transfer(owner, heir.id);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().role.id, 'owner');
    assert.equal(response.json().role.name, 'Account owner');
    assert.deepEqual(await ownerIds(), [heir.id]);
    assert.equal(await roleOf(owner.id), 'enterprise-super-admin');

    const back = await transfer(owner, owner.id);
    assert.equal(back.statusCode, 403, 'the former owner can no longer transfer');
    const returned = await transfer(heir, owner.id);
    assert.equal(returned.statusCode, 200, returned.body);
    assert.deepEqual(await ownerIds(), [owner.id]);
    assert.equal(await roleOf(heir.id), 'enterprise-super-admin');
  });

  it('two transfers to different administrators at once -> one 200, one refused (not 500); exactly one owner', async () => {
    let current = owner;
    for (let round = 0; round < 4; round++) {
      const a = await addAdministrator(t, current, 'viewer');
      const b = await addAdministrator(t, current, 'viewer');
      const results = await Promise.all([transfer(current, a.id), transfer(current, b.id)]);
      assert.equal(results.filter((r) => r.statusCode === 200).length, 1, results.map((r) => r.body).join('\n'));
      const refused = results.find((r) => r.statusCode !== 200)!;
      assert.ok([403, 409, 412].includes(refused.statusCode), refused.body);
      const winner = results[0]!.statusCode === 200 ? a : b;
      const loser = winner === a ? b : a;
      assert.deepEqual(await ownerIds(), [winner.id]);
      assert.equal(await roleOf(loser.id), 'viewer');
      assert.equal(await roleOf(current.id), 'enterprise-super-admin');
      current = winner;
    }
  });
});
