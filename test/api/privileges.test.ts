import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FIXTURE_PUBLIC_JWKS } from '../support/oauth.js';
import { addAdministrator, as, setupOrganization, type TestSession } from '../support/sessions.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Every change route of an organization, walked from the app's own OpenAPI document, called by a
 * Viewer of that same organization with a valid body and the current ETag: each must answer 403,
 * so the missing privilege is the only thing that fails. The Account owner sending the very same
 * requests succeeds, which proves the bodies and ETags were valid.
 */

interface Fixture {
  owner: TestSession;
  adminId: string;
  customRoleId: string;
  appId: string;
  apiUserId: string;
  apiKeyId: string;
  publicKeyId: string;
}

interface Operation {
  method: string;
  path: string;
  operationId: string;
}

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A body that succeeds for someone holding the privilege, per operationId. */
const BODIES: Record<string, (f: Fixture) => unknown> = {
  updateOrganization: () => ({ name: 'Renamed Corp', time_zone: 'Europe/London' }),
  createAdministrator: () => ({ email: 'new.person@acme.example', first_name: 'New', last_name: 'Person', role_id: 'viewer', password: 'a long enough passphrase for tests' }),
  updateAdministrator: () => ({ first_name: 'Changed', status: 'disabled' }),
  transferOwnership: (f) => ({ administrator_id: f.adminId }),
  createRole: () => ({ name: 'Auditor', privileges: ['audit:read'] }),
  createApplication: () => ({ key: 'new-app', name: 'New App' }),
  updateApplication: () => ({ name: 'Renamed App' }),
  createApiUser: () => ({ first_name: 'New', last_name: 'Integration', email: 'new.integration@acme.example', applications: ['httpapi'] }),
  updateApiUser: () => ({ description: 'Changed description' }),
  createApiKey: () => ({ name: 'new key' }),
  rollApiKey: () => ({}),
  addApiUserPublicKeys: () => ({ keys: [FIXTURE_PUBLIC_JWKS[1]] }),
  updateRole: () => ({ name: 'Renamed role', privileges: ['admins:read'] }),
  updateCredentialPolicy: () => ({ idle_action: 'warn_then_disable', idle_days: 60, default_rate_limit_tier: 'high' }),
};

/** The change operations known when this was written; a new one joins the walk by itself. */
const KNOWN_CHANGES = [...Object.keys(BODIES), 'deleteAdministrator', 'deleteRole', 'deleteApplication', 'deleteApiUser', 'resendApiUserInvite', 'revokeApiKey', 'removeApiUserPublicKey'];

async function changeOperations(t: TestApp): Promise<Operation[]> {
  const paths = (await t.app.inject({ url: '/openapi.json' })).json().paths as Record<string, Record<string, { operationId?: string }>>;
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(paths)) {
    if (!path.startsWith('/v1/organizations/{org}')) continue;
    for (const [method, op] of Object.entries(methods)) {
      if (CHANGES.has(method.toUpperCase())) operations.push({ method: method.toUpperCase(), path, operationId: op.operationId ?? `${method} ${path}` });
    }
  }
  return operations;
}

function fillPath(path: string, f: Fixture): string {
  return path
    .replace('{org}', f.owner.organizationId)
    .replace(/\/roles\/\{id\}/, `/roles/${f.customRoleId}`)
    .replace(/\/applications\/\{id\}/, `/applications/${f.appId}`)
    .replace(/\/api-users\/\{id\}/, `/api-users/${f.apiUserId}`)
    .replace(/\/public-keys\/\{key\}/, `/public-keys/${f.publicKeyId}`)
    .replace('{key}', f.apiKeyId)
    .replace('{id}', f.adminId)
    .replace(/\{([^}]+)\}/g, (_, name: string) => assert.fail(`${path}: no value for path parameter {${name}}; teach this test an id for it`));
}

/** An organization with an owner, an extra Administrator and an unassigned custom role. */
async function createFixture(t: TestApp): Promise<Fixture> {
  const owner = await setupOrganization(t);
  const admin = await addAdministrator(t, owner, 'administrator');
  const role = await as(t.app, owner, {
    method: 'POST', url: `/v1/organizations/${owner.organizationId}/roles`, payload: { name: 'Integration manager', privileges: ['api-users:read'] },
  });
  assert.equal(role.statusCode, 201, role.body);

  const customApp = await as(t.app, owner, { method: 'POST', url: `/v1/organizations/${owner.organizationId}/applications`, payload: { key: 'acme-portal', name: 'Acme Portal' } });
  assert.equal(customApp.statusCode, 201, customApp.body);
  // Disabled, so deleting it is not guarded as an application's last enabled API user.
  const apiUser = await as(t.app, owner, {
    method: 'POST', url: `/v1/organizations/${owner.organizationId}/api-users`,
    payload: { first_name: 'Melanie', last_name: 'Allen', email: 'melanie.allen@acme.example', status: 'disabled', applications: ['httpapi'] },
  });
  assert.equal(apiUser.statusCode, 201, apiUser.body);
  const apiKey = await as(t.app, owner, { method: 'POST', url: `/v1/organizations/${owner.organizationId}/api-users/${apiUser.json().api_user.id}/keys`, payload: { name: 'fixture key' } });
  assert.equal(apiKey.statusCode, 201, apiKey.body);
  const publicKey = await as(t.app, owner, { method: 'POST', url: `/v1/organizations/${owner.organizationId}/api-users/${apiUser.json().api_user.id}/public-keys`, payload: { keys: [FIXTURE_PUBLIC_JWKS[0]] } });
  assert.equal(publicKey.statusCode, 201, publicKey.body);
  return {
    owner, adminId: admin.id, customRoleId: role.json().id, appId: customApp.json().id, apiUserId: apiUser.json().api_user.id, apiKeyId: apiKey.json().id,
    publicKeyId: publicKey.json().data[0].id,
  };
}

/** The request for `op`, with If-Match set to the resource's current ETag (read by the owner). */
async function requestFor(t: TestApp, f: Fixture, op: Operation) {
  const url = fillPath(op.path, f);
  const current = await as(t.app, f.owner, { method: 'GET', url });
  const etag = current.statusCode === 200 && typeof current.headers.etag === 'string' ? current.headers.etag : '"1"';
  const hasBody = op.method !== 'DELETE';
  return { method: op.method as 'POST', url, headers: { 'if-match': etag }, ...(hasBody ? { payload: (BODIES[op.operationId]?.(f) ?? {}) as object } : {}) };
}

async function rowCounts(t: TestApp): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ['organizations', 'roles', 'role_privileges', 'users', 'credentials', 'sessions', 'one_time_tokens', 'audit_events'] as const) {
    const row = await t.deps.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}

describe('privileges: a Viewer of the organization', () => {
  let t: TestApp;
  let f: Fixture;
  let viewer: TestSession;
  let operations: Operation[];

  before(async () => {
    t = await startTestApp();
    f = await createFixture(t);
    viewer = await addAdministrator(t, f.owner, 'viewer');
    operations = await changeOperations(t);
  });
  after(() => t.close());

  it('the walk covers every change operation this test knows', () => {
    const walked = new Set(operations.map((op) => op.operationId));
    assert.deepEqual(KNOWN_CHANGES.filter((id) => !walked.has(id)), [], 'operations missing from /openapi.json');
  });

  it('every POST/PATCH/DELETE under /v1/organizations/{org} -> 403, row counts and the organization unchanged', async () => {
    const counts = await rowCounts(t);
    const users = await t.deps.db.selectFrom('users').selectAll().orderBy('id').execute();
    const roles = await t.deps.db.selectFrom('roles').selectAll().orderBy('id').execute();
    const organization = await t.deps.db.selectFrom('organizations').selectAll().execute();
    const outcomes: string[] = [];
    for (const op of operations) {
      const response = await as(t.app, viewer, await requestFor(t, f, op));
      const code = String(response.headers['content-type']).startsWith('application/problem+json') ? response.json().code : '-';
      outcomes.push(`${op.method} ${op.path} (${op.operationId}) -> ${response.statusCode} ${code}`);
    }
    const wrong = outcomes.filter((o) => !/-> 403 (auth\.forbidden|role\.not_assignable)$/.test(o));
    assert.deepEqual(wrong, [], `expected 403 for all ${outcomes.length} change operations`);
    assert.deepEqual(await rowCounts(t), counts);
    assert.deepEqual(await t.deps.db.selectFrom('users').selectAll().orderBy('id').execute(), users);
    assert.deepEqual(await t.deps.db.selectFrom('roles').selectAll().orderBy('id').execute(), roles);
    assert.deepEqual(await t.deps.db.selectFrom('organizations').selectAll().execute(), organization);
  });

  it('GET the organization, its administrators (list and one) and roles (list and one) -> 200', async () => {
    const org = `/v1/organizations/${f.owner.organizationId}`;
    for (const url of [org, `${org}/administrators`, `${org}/administrators/${f.adminId}`, `${org}/roles`, `${org}/roles/${f.customRoleId}`]) {
      const response = await as(t.app, viewer, { method: 'GET', url });
      assert.equal(response.statusCode, 200, `${url}: ${response.body}`);
    }
    const list = await as(t.app, viewer, { method: 'GET', url: `${org}/administrators` });
    assert.ok(list.json().data.some((a: { id: string }) => a.id === f.adminId));
  });

  it('GET audit-events -> 403 auth.forbidden naming audit:read', async () => {
    const response = await as(t.app, viewer, { method: 'GET', url: `/v1/organizations/${f.owner.organizationId}/audit-events` });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, 'auth.forbidden');
    assert.equal(response.json().required_privilege, 'audit:read');
  });
});

describe('privileges: the Account owner sending the same requests', () => {
  it('each change operation succeeds (2xx), so the Viewer\'s 403s were about the privilege only', async () => {
    const probe = await startTestApp();
    const operations = await changeOperations(probe).finally(() => probe.close());
    const wrong: string[] = [];
    for (const op of operations) {
      // A fresh organization per operation: one change (a deletion, a transfer) must not spoil the next.
      const t = await startTestApp();
      try {
        const f = await createFixture(t);
        const response = await as(t.app, f.owner, await requestFor(t, f, op));
        if (response.statusCode < 200 || response.statusCode > 299) wrong.push(`${op.method} ${op.path} (${op.operationId}) -> ${response.statusCode} ${response.body}`);
      } finally {
        await t.close();
      }
    }
    assert.deepEqual(wrong, []);
    assert.ok(operations.length >= KNOWN_CHANGES.length);
  });
});
