import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addAdministrator, as, setupOrganization, type TestSession } from '../support/sessions.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface ApplicationBody {
  id: string;
  key: string;
  name: string;
  description: string;
  kind: 'built_in' | 'custom';
  version: number;
}

describe('applications API', () => {
  let t: TestApp;
  let owner: TestSession;
  let viewer: TestSession;
  before(async () => {
    t = await startTestApp();
    owner = await setupOrganization(t);
    viewer = await addAdministrator(t, owner, 'viewer');
  });
  after(() => t.close());

  const url = (by: TestSession, id = '') => `/v1/organizations/${by.organizationId}/applications${id ? `/${id}` : ''}`;
  const list = async (by: TestSession) => {
    const response = await as(t.app, by, { method: 'GET', url: url(by) });
    assert.equal(response.statusCode, 200, response.body);
    return response.json().data as ApplicationBody[];
  };
  const create = (by: TestSession, payload: Record<string, unknown>) => as(t.app, by, { method: 'POST', url: url(by), payload });
  const get = (by: TestSession, id: string) => as(t.app, by, { method: 'GET', url: url(by, id) });
  const patch = (by: TestSession, id: string, payload: Record<string, unknown>, ifMatch?: string) =>
    as(t.app, by, { method: 'PATCH', url: url(by, id), payload, headers: ifMatch === undefined ? {} : { 'if-match': ifMatch } });
  const remove = (by: TestSession, id: string, ifMatch?: string) =>
    as(t.app, by, { method: 'DELETE', url: url(by, id), headers: ifMatch === undefined ? {} : { 'if-match': ifMatch } });
  const builtIn = async (key: string) => (await list(owner)).find((a) => a.key === key)!;
  const customRole = async (name: string, privileges: string[]) => {
    const role = await as(t.app, owner, { method: 'POST', url: `/v1/organizations/${owner.organizationId}/roles`, payload: { name, privileges } });
    assert.equal(role.statusCode, 201, role.body);
    return addAdministrator(t, owner, role.json().id);
  };

  it('GET list -> 200 with the built-in HttpApi and Salesforce, in every new organization', async () => {
    const other = await setupOrganization(t, { name: 'Other Corp' });
    const mine = await list(owner);
    const theirs = await list(other);
    for (const apps of [mine, theirs]) {
      assert.deepEqual(apps.map((a) => [a.key, a.name, a.kind]), [['httpapi', 'HttpApi', 'built_in'], ['salesforce', 'Salesforce', 'built_in']]);
    }
    assert.ok(mine.every((a) => !theirs.some((b) => b.id === a.id)), 'each organization has its own rows');
    assert.equal((await get(owner, theirs[0]!.id)).statusCode, 404, 'another organization\'s application is not visible');
  });

  it('POST a custom application -> 201 with ETag; GET one and the list show it', async () => {
    const response = await create(owner, { key: 'acme-portal', name: '  Acme Portal ', description: 'Our customer portal' });
    assert.equal(response.statusCode, 201, response.body);
    const created = response.json() as ApplicationBody;
    assert.equal(created.key, 'acme-portal');
    assert.equal(created.name, 'Acme Portal');
    assert.equal(created.kind, 'custom');
    assert.equal(response.headers.etag, `"${created.version}"`);
    const one = await get(owner, created.id);
    assert.equal(one.statusCode, 200);
    assert.equal(one.headers.etag, response.headers.etag);
    assert.equal(one.json().description, 'Our customer portal');
    assert.ok((await list(owner)).some((a) => a.id === created.id));
  });

  it('POST with a malformed key -> 400 at /key, nothing created', async () => {
    const count = (await list(owner)).length;
    for (const key of ['Acme', '1portal', 'a', 'acme_portal', 'acme portal', `a${'b'.repeat(40)}`, '']) {
      const response = await create(owner, { key, name: 'Bad key' });
      assert.equal(response.statusCode, 400, `${key}: ${response.body}`);
      assert.equal(response.json().code, 'request.invalid');
      assert.equal(response.json().errors[0].pointer, '/key', key);
    }
    assert.equal((await list(owner)).length, count);
    assert.equal((await create(owner, { key: `a${'b'.repeat(39)}`, name: 'Forty characters' })).statusCode, 201, '40 characters is the limit');
  });

  it('POST a key already used, custom or built-in -> 409 application.key_taken; another organization may use it', async () => {
    assert.equal((await create(owner, { key: 'erp-sync', name: 'ERP' })).statusCode, 201);
    for (const key of ['erp-sync', 'httpapi', 'salesforce']) {
      const response = await create(owner, { key, name: 'Duplicate' });
      assert.equal(response.statusCode, 409, `${key}: ${response.body}`);
      assert.equal(response.json().code, 'application.key_taken');
    }
    const other = await setupOrganization(t, { name: 'Third Corp' });
    assert.equal((await create(other, { key: 'erp-sync', name: 'ERP' })).statusCode, 201);
  });

  it('PATCH the name with If-Match -> 200 and a new ETag; stale -> 412; none -> 428; the key cannot change -> 400', async () => {
    const created = await create(owner, { key: 'rename-me', name: 'Old name' });
    const etag = created.headers.etag as string;
    const renamed = await patch(owner, created.json().id, { name: 'New name' }, etag);
    assert.equal(renamed.statusCode, 200, renamed.body);
    assert.equal(renamed.json().name, 'New name');
    assert.equal(renamed.json().key, 'rename-me');
    assert.equal(renamed.headers.etag, `"${created.json().version + 1}"`);
    const stale = await patch(owner, created.json().id, { name: 'Stale name' }, etag);
    assert.equal(stale.statusCode, 412);
    assert.equal(stale.json().code, 'precondition.failed');
    const missing = await patch(owner, created.json().id, { name: 'No precondition' });
    assert.equal(missing.statusCode, 428);
    assert.equal(missing.json().code, 'precondition.required');
    const rekey = await patch(owner, created.json().id, { key: 'other-key' }, renamed.headers.etag as string);
    assert.equal(rekey.statusCode, 400);
    assert.equal(rekey.json().errors[0].pointer, '/key');
    assert.equal((await get(owner, created.json().id)).json().name, 'New name');
  });

  it('PATCH or DELETE a built-in application -> 409 application.built_in, unchanged', async () => {
    for (const key of ['httpapi', 'salesforce']) {
      const app = await builtIn(key);
      const etag = `"${app.version}"`;
      const renamed = await patch(owner, app.id, { name: 'Renamed' }, etag);
      assert.equal(renamed.statusCode, 409, renamed.body);
      assert.equal(renamed.json().code, 'application.built_in');
      const removed = await remove(owner, app.id, etag);
      assert.equal(removed.statusCode, 409, removed.body);
      assert.equal(removed.json().code, 'application.built_in');
      assert.equal((await get(owner, app.id)).json().name, app.name);
    }
  });

  it('DELETE an application an API user connects as -> 409 application.in_use; once unassigned -> 204, then 404', async () => {
    const app = (await create(owner, { key: 'in-use', name: 'In use' })).json() as ApplicationBody;
    const apiUsers = `/v1/organizations/${owner.organizationId}/api-users`;
    const user = await as(t.app, owner, { method: 'POST', url: apiUsers, payload: { first_name: 'Ina', last_name: 'Use', email: 'ina@acme.example', applications: ['in-use'] } });
    assert.equal(user.statusCode, 201, user.body);
    const refused = await remove(owner, app.id, `"${app.version}"`);
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(refused.json().code, 'application.in_use');
    assert.equal((await get(owner, app.id)).statusCode, 200);

    const unassigned = await as(t.app, owner, {
      method: 'PATCH', url: `${apiUsers}/${user.json().api_user.id}?confirm=true`, headers: { 'if-match': user.headers.etag as string }, payload: { applications: ['httpapi'] },
    });
    assert.equal(unassigned.statusCode, 200, unassigned.body);
    assert.equal((await remove(owner, app.id)).statusCode, 428);
    const deleted = await remove(owner, app.id, `"${app.version}"`);
    assert.equal(deleted.statusCode, 204, deleted.body);
    const gone = await get(owner, app.id);
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.json().code, 'application.not_found');
    assert.ok(!(await list(owner)).some((a) => a.id === app.id));
  });

  it('DELETE an unassigned custom application -> 204', async () => {
    const app = (await create(owner, { key: 'never-used', name: 'Never used' })).json() as ApplicationBody;
    const stale = await remove(owner, app.id, `"${app.version + 1}"`);
    assert.equal(stale.statusCode, 412);
    assert.equal((await remove(owner, app.id, `"${app.version}"`)).statusCode, 204);
    assert.equal((await get(owner, app.id)).statusCode, 404);
  });

  it('as a Viewer: reads -> 200; POST, PATCH, DELETE -> 403 auth.forbidden (applications:manage)', async () => {
    const app = (await create(owner, { key: 'viewer-target', name: 'Viewer target' })).json() as ApplicationBody;
    assert.ok((await list(viewer)).some((a) => a.id === app.id));
    assert.equal((await get(viewer, app.id)).statusCode, 200);
    for (const response of [
      await create(viewer, { key: 'viewer-made', name: 'Viewer made' }),
      await patch(viewer, app.id, { name: 'Viewer renamed' }, `"${app.version}"`),
      await remove(viewer, app.id, `"${app.version}"`),
    ]) {
      assert.equal(response.statusCode, 403, response.body);
      assert.equal(response.json().code, 'auth.forbidden');
      assert.equal(response.json().required_privilege, 'applications:manage');
    }
    const unchanged = (await get(owner, app.id)).json();
    assert.equal(unchanged.name, 'Viewer target');
    assert.ok(!(await list(owner)).some((a) => a.key === 'viewer-made'));
  });

  it('an Administrator (applications:manage) -> 201; a role with only applications:manage may change but not read (api-users:read)', async () => {
    const administrator = await addAdministrator(t, owner, 'administrator');
    assert.equal((await create(administrator, { key: 'admin-made', name: 'Admin made' })).statusCode, 201);

    const manager = await customRole('Application managers', ['applications:manage']);
    const made = await create(manager, { key: 'manager-made', name: 'Manager made' });
    assert.equal(made.statusCode, 201, made.body);
    for (const response of [await as(t.app, manager, { method: 'GET', url: url(manager) }), await get(manager, made.json().id)]) {
      assert.equal(response.statusCode, 403, response.body);
      assert.equal(response.json().required_privilege, 'api-users:read');
    }

    const peopleOnly = await customRole('People readers', ['admins:read']);
    const denied = await as(t.app, peopleOnly, { method: 'GET', url: url(peopleOnly) });
    assert.equal(denied.statusCode, 403);
    assert.equal(denied.json().code, 'auth.forbidden');
  });
});
