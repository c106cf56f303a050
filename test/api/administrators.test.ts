import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { insertUser } from '../../src/modules/admins/admin.repository.js';
import { addAdministrator, as, setupOrganization, signIn, type TestSession } from '../support/sessions.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PASSWORD = 'a long enough passphrase for tests';

describe('administrators API', () => {
  let t: TestApp;
  let owner: TestSession;
  let superAdmin: TestSession;
  before(async () => {
    t = await startTestApp();
    owner = await setupOrganization(t);
    superAdmin = await addAdministrator(t, owner, 'enterprise-super-admin');
  });
  after(() => t.close());

  const url = (id = '') => `/v1/organizations/${owner.organizationId}/administrators${id ? `/${id}` : ''}`;
  const person = (email: string, extra: Record<string, unknown> = {}) => ({ email, first_name: 'Melanie', last_name: 'Allen', role_id: 'viewer', ...extra });
  const create = (by: TestSession, payload: Record<string, unknown>) => as(t.app, by, { method: 'POST', url: url(), payload });
  const patch = (by: TestSession, id: string, payload: Record<string, unknown>, ifMatch?: string) =>
    as(t.app, by, { method: 'PATCH', url: url(id), payload, headers: ifMatch === undefined ? {} : { 'if-match': ifMatch } });
  const remove = (by: TestSession, id: string, ifMatch?: string) => as(t.app, by, { method: 'DELETE', url: url(id), headers: ifMatch === undefined ? {} : { 'if-match': ifMatch } });
  const get = (by: TestSession, id: string) => as(t.app, by, { method: 'GET', url: url(id) });

  it('POST with a password -> 201 with Location and ETag; the administrator can sign in', async () => {
    const response = await create(owner, person('melanie.allen@acme.example', { password: PASSWORD }));
    assert.equal(response.statusCode, 201, response.body);
    const { administrator, invite_url } = response.json();
    assert.equal(administrator.status, 'enabled');
    assert.equal(administrator.role.name, 'Viewer');
    assert.equal(invite_url, null);
    assert.equal(response.headers.location, url(administrator.id));
    assert.equal(response.headers.etag, `"${administrator.version}"`);
    const again = await get(owner, administrator.id);
    assert.equal(again.json().email, 'melanie.allen@acme.example');
    const session = await signIn(t.app, 'Melanie.Allen@acme.example', PASSWORD);
    assert.equal(session.id, administrator.id);
  });

  it('POST without a password -> 201 invited with an invite_url that no later GET shows', async () => {
    const response = await create(owner, person('invited.person@acme.example'));
    assert.equal(response.statusCode, 201, response.body);
    const { administrator, invite_url } = response.json();
    assert.equal(administrator.status, 'invited');
    const token = /\/invite#token=(.+)$/.exec(invite_url)?.[1];
    assert.ok(token, invite_url);
    const one = await get(owner, administrator.id);
    const list = await as(t.app, owner, { method: 'GET', url: `${url()}?limit=200` });
    assert.equal(one.statusCode, 200);
    assert.equal(list.statusCode, 200);
    for (const body of [one.body, list.body]) {
      assert.ok(!body.includes(token), 'the invitation token is shown only once');
      assert.ok(!body.includes('invite_url'));
    }
  });

  it('POST with an email taken in another letter case -> 409 administrator.email_taken', async () => {
    assert.equal((await create(owner, person('Dup.Person@acme.example'))).statusCode, 201);
    for (const email of ['dup.person@ACME.example', owner.email.toUpperCase()]) {
      const response = await create(owner, person(email, { password: PASSWORD }));
      assert.equal(response.statusCode, 409, email);
      assert.equal(response.json().code, 'administrator.email_taken');
    }
  });

  describe('administrator password rules (NIST SP 800-63B)', () => {
    const attempt = (local: string, password: string) => create(owner, person(`${local}@acme.example`, { password }));

    for (const [name, local, password, pattern] of [
      ['14 characters', 'len.fourteen', 'blue canoe rim', /at least 15/],
      ['a common password', 'common.pw', 'passwordpassword', /common/],
      ['a password containing the email local part', 'harriet.jones', 'harriet.jones likes long walks', /email/],
      ['257 characters, refused rather than truncated', 'too.long', 'wander '.repeat(37).slice(0, 257), /at most 256/],
    ] as const) {
      it(`${name} -> 400 password.rejected, nobody created`, async () => {
        const response = await attempt(local, password);
        assert.equal(response.statusCode, 400, response.body);
        const problem = response.json();
        assert.equal(problem.code, 'password.rejected');
        assert.match(problem.detail, pattern);
        assert.equal(problem.errors[0].pointer, '/password');
        const list = await as(t.app, owner, { method: 'GET', url: `${url()}?limit=200` });
        assert.ok(!list.body.includes(`${local}@acme.example`));
      });
    }

    it('15 characters -> 201', async () => {
      const response = await attempt('len.fifteen', 'blue canoe rims');
      assert.equal(response.statusCode, 201, response.body);
    });

    it('a 200-character passphrase -> 201; signing in needs all of it, not a truncated prefix', async () => {
      const passphrase = 'the quick brown fox jumps over the lazy dog '.repeat(5).slice(0, 200);
      assert.equal([...passphrase].length, 200);
      const response = await attempt('long.phrase', passphrase);
      assert.equal(response.statusCode, 201, response.body);
      await signIn(t.app, 'long.phrase@acme.example', passphrase);
      const prefix = await t.app.inject({ method: 'POST', url: '/v1/session', payload: { email: 'long.phrase@acme.example', password: passphrase.slice(0, 72) } });
      assert.equal(prefix.statusCode, 401);
    });
  });

  it('GET list with limit=3 follows next_cursor to null: every administrator once', async () => {
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push((await create(owner, person(`page.${i}@acme.example`))).json().administrator.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await as(t.app, owner, { method: 'GET', url: `${url()}?limit=3${cursor ? `&cursor=${cursor}` : ''}` });
      assert.equal(response.statusCode, 200, response.body);
      const page = response.json();
      assert.ok(page.data.length <= 3);
      seen.push(...page.data.map((a: { id: string }) => a.id));
      cursor = page.next_cursor;
      assert.ok(++pages < 50, 'pagination must end');
    } while (cursor);
    assert.equal(new Set(seen).size, seen.length, 'no duplicates');
    for (const id of created) assert.ok(seen.includes(id), `missing ${id}`);
    const all = (await as(t.app, owner, { method: 'GET', url: `${url()}?limit=200` })).json().data.map((a: { id: string }) => a.id);
    assert.deepEqual(seen, all);
    assert.equal(pages, Math.ceil(all.length / 3));
  });

  it('GET list with a tampered cursor -> 400 request.cursor_invalid', async () => {
    const response = await as(t.app, owner, { method: 'GET', url: `${url()}?cursor=not-a-cursor` });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'request.cursor_invalid');
  });

  it('GET list with kind=api or kind=admin -> only that kind', async () => {
    const at = new Date().toISOString();
    const apiUserId = '01936f6e-9b3a-7cc1-8a55-2f1e0c0d4b7a';
    await insertUser(t.deps.db, {
      id: apiUserId, organization_id: owner.organizationId, kind: 'api', username: 'crm-sync', email: 'crm@acme.example',
      first_name: 'CRM', last_name: 'Sync', description: '', role_id: 'api-user', status: 'enabled', last_sign_in_at: null, created_at: at, updated_at: at,
    });
    const api = (await as(t.app, owner, { method: 'GET', url: `${url()}?kind=api` })).json().data;
    assert.deepEqual(api.map((a: { id: string }) => a.id), [apiUserId]);
    const admins = (await as(t.app, owner, { method: 'GET', url: `${url()}?kind=admin&limit=200` })).json().data;
    assert.ok(admins.length > 1);
    assert.ok(admins.every((a: { kind: string }) => a.kind === 'admin'));
    assert.equal((await get(owner, apiUserId)).statusCode, 404, 'an API user is not an administrator');
  });

  it('GET one -> 200 with ETag; an unknown id -> 404 administrator.not_found', async () => {
    const response = await get(owner, superAdmin.id);
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().role.name, 'Enterprise Super Administrator');
    assert.equal(response.headers.etag, `"${response.json().version}"`);
    const missing = await get(owner, '01936f6e-0000-7000-8000-000000000000');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'administrator.not_found');
  });

  it('PATCH with If-Match -> 200 and a new ETag; the old ETag -> 412; none -> 428', async () => {
    const { administrator } = (await create(owner, person('patch.me@acme.example'))).json();
    const etag = `"${administrator.version}"`;
    const changed = await patch(owner, administrator.id, { first_name: 'Mel', role_id: 'administrator' }, etag);
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal(changed.json().name, 'Mel Allen');
    assert.equal(changed.json().role.id, 'administrator');
    assert.notEqual(changed.headers.etag, etag);
    assert.equal(changed.headers.etag, `"${administrator.version + 1}"`);

    const stale = await patch(owner, administrator.id, { first_name: 'Melly' }, etag);
    assert.equal(stale.statusCode, 412);
    assert.equal(stale.json().code, 'precondition.failed');
    const missing = await patch(owner, administrator.id, { first_name: 'Melly' });
    assert.equal(missing.statusCode, 428);
    assert.equal(missing.json().code, 'precondition.required');
    assert.equal((await get(owner, administrator.id)).json().first_name, 'Mel');
  });

  it('PATCH the Account owner\'s status or role -> 409 administrator.is_owner', async () => {
    const etag = (await get(superAdmin, owner.id)).headers.etag as string;
    for (const change of [{ status: 'disabled' }, { role_id: 'viewer' }]) {
      const response = await patch(superAdmin, owner.id, change, etag);
      assert.equal(response.statusCode, 409, JSON.stringify(change));
      assert.equal(response.json().code, 'administrator.is_owner');
    }
    assert.equal((await get(owner, owner.id)).json().role.id, 'owner');
  });

  it('PATCH your own role or status -> 409 administrator.is_self', async () => {
    const etag = (await get(superAdmin, superAdmin.id)).headers.etag as string;
    for (const change of [{ status: 'disabled' }, { role_id: 'viewer' }]) {
      const response = await patch(superAdmin, superAdmin.id, change, etag);
      assert.equal(response.statusCode, 409, JSON.stringify(change));
      assert.equal(response.json().code, 'administrator.is_self');
    }
    assert.equal((await get(owner, superAdmin.id)).json().status, 'enabled');
  });

  it('POST as an Administrator (admins:read, not admins:manage) -> 403 auth.forbidden', async () => {
    const administrator = await addAdministrator(t, owner, 'administrator');
    assert.equal((await as(t.app, administrator, { method: 'GET', url: url() })).statusCode, 200);
    const response = await create(administrator, person('not.allowed@acme.example', { password: PASSWORD }));
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, 'auth.forbidden');
  });

  it('a role with admins:manage + admins:read cannot give a role granting more -> 403 role.not_assignable', async () => {
    const roles = `/v1/organizations/${owner.organizationId}/roles`;
    const role = await as(t.app, owner, { method: 'POST', url: roles, payload: { name: 'Admin manager', privileges: ['admins:manage', 'admins:read'] } });
    assert.equal(role.statusCode, 201, role.body);
    const manager = await addAdministrator(t, owner, role.json().id);

    const esa = await create(manager, person('escalate@acme.example', { role_id: 'enterprise-super-admin' }));
    assert.equal(esa.statusCode, 403);
    assert.equal(esa.json().code, 'role.not_assignable');
    assert.match(esa.json().detail, /account:manage/);
    // The Viewer role also grants api-users:read, which this role lacks.
    const viewerDenied = await create(manager, person('viewer.denied@acme.example'));
    assert.equal(viewerDenied.statusCode, 403);
    assert.match(viewerDenied.json().detail, /api-users:read/);
    assert.equal((await create(manager, person('peer@acme.example', { role_id: role.json().id }))).statusCode, 201);

    const widened = await as(t.app, owner, {
      method: 'PATCH', url: `${roles}/${role.json().id}`, headers: { 'if-match': role.headers.etag as string },
      payload: { privileges: ['admins:manage', 'admins:read', 'api-users:read'] },
    });
    assert.equal(widened.statusCode, 200, widened.body);
    const viewer = await create(manager, person('viewer.ok@acme.example'));
    assert.equal(viewer.statusCode, 201, viewer.body);
    assert.equal(viewer.json().administrator.role.id, 'viewer');
  });

  it('giving anyone the owner role -> 403 role.not_assignable, even as the owner', async () => {
    const created = await create(owner, person('would.be.owner@acme.example', { role_id: 'owner' }));
    assert.equal(created.statusCode, 403);
    assert.equal(created.json().code, 'role.not_assignable');
    const etag = (await get(owner, superAdmin.id)).headers.etag as string;
    const promoted = await patch(owner, superAdmin.id, { role_id: 'owner' }, etag);
    assert.equal(promoted.statusCode, 403);
    assert.equal(promoted.json().code, 'role.not_assignable');
    const owners = await t.deps.db.selectFrom('users').select('id').where('role_id', '=', 'owner').execute();
    assert.deepEqual(owners.map((o) => o.id), [owner.id]);
  });

  it('DELETE with If-Match -> 204, then 404; their session cookie -> 401', async () => {
    const doomed = await addAdministrator(t, owner, 'viewer');
    assert.equal((await as(t.app, doomed, { method: 'GET', url: '/v1/session' })).statusCode, 200);
    const etag = (await get(owner, doomed.id)).headers.etag as string;
    assert.equal((await remove(owner, doomed.id)).statusCode, 428);
    const removed = await remove(owner, doomed.id, etag);
    assert.equal(removed.statusCode, 204, removed.body);
    assert.equal((await get(owner, doomed.id)).statusCode, 404);
    assert.equal((await remove(owner, doomed.id, etag)).statusCode, 404);
    assert.equal((await as(t.app, doomed, { method: 'GET', url: '/v1/session' })).statusCode, 401);
    const sessions = await t.deps.db.selectFrom('sessions').select('id').where('user_id', '=', doomed.id).execute();
    assert.equal(sessions.length, 0);
  });

  it('DELETE the Account owner -> 409 administrator.is_owner', async () => {
    const etag = (await get(superAdmin, owner.id)).headers.etag as string;
    const response = await remove(superAdmin, owner.id, etag);
    assert.equal(response.statusCode, 409);
    assert.equal(response.json().code, 'administrator.is_owner');
    assert.equal((await get(owner, owner.id)).statusCode, 200);
  });
});
