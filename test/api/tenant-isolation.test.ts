import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FIXTURE_PUBLIC_JWKS } from '../support/oauth.js';
import { addAdministrator, as, setupOrganization, type TestSession } from '../support/sessions.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Every organization route, walked from the app's own OpenAPI document, called by another
 * organization's owner with this organization's ids: each must answer 404 organization.not_found
 * (a foreign tenant is invisible, not forbidden), and nothing of the victim may change. A new
 * route joins the walk by itself; one whose body this table does not know is sent `{}`.
 */

interface Fixture {
  orgId: string;
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

const ORG_PREFIX = '/v1/organizations/{org}';

/** A body that would succeed if the caller were allowed, per operationId. */
const BODIES: Record<string, (f: Fixture) => unknown> = {
  updateOrganization: () => ({ name: 'Hijacked Corp', time_zone: 'Europe/London' }),
  createAdministrator: () => ({ email: 'intruder@other.example', first_name: 'In', last_name: 'Truder', role_id: 'viewer', password: 'a long enough passphrase for tests' }),
  updateAdministrator: () => ({ first_name: 'Hijacked', status: 'disabled' }),
  transferOwnership: (f) => ({ administrator_id: f.adminId }),
  createRole: () => ({ name: 'Intruder role', privileges: ['audit:read'] }),
  createApplication: () => ({ key: 'new-app', name: 'New App' }),
  updateApplication: () => ({ name: 'Renamed App' }),
  createApiUser: () => ({ first_name: 'New', last_name: 'Integration', email: 'new.integration@acme.example', applications: ['httpapi'] }),
  updateApiUser: () => ({ description: 'Changed description' }),
  createApiKey: () => ({ name: 'new key' }),
  rollApiKey: () => ({}),
  addApiUserPublicKeys: () => ({ keys: [FIXTURE_PUBLIC_JWKS[1]] }),
  updateRole: () => ({ name: 'Hijacked role', privileges: ['account:manage'] }),
  updateCredentialPolicy: () => ({ idle_action: 'warn_then_disable', idle_days: 30, default_rate_limit_tier: 'unlimited' }),
};

/** Operations that take no body; with BODIES, every organization route known when this was written. */
const BODILESS = [
  'getOrganization', 'listAdministrators', 'getAdministrator', 'deleteAdministrator', 'listRoles', 'getRole', 'deleteRole', 'listAuditEvents',
  'listApplications', 'getApplication', 'deleteApplication', 'listApiUsers', 'proposeApiUser', 'getApiUser', 'deleteApiUser', 'resendApiUserInvite', 'listMail', 'listApiKeys', 'revokeApiKey',
  'listApiUserPublicKeys', 'removeApiUserPublicKey',
  'getCredentialPolicy', 'listIdleCredentials',
];

async function organizationOperations(t: TestApp): Promise<Operation[]> {
  const paths = (await t.app.inject({ url: '/openapi.json' })).json().paths as Record<string, Record<string, { operationId?: string }>>;
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(paths)) {
    if (!path.includes('{org}')) continue;
    for (const [method, op] of Object.entries(methods)) {
      operations.push({ method: method.toUpperCase(), path, operationId: op.operationId ?? `${method} ${path}` });
    }
  }
  return operations;
}

function fillPath(path: string, f: Fixture): string {
  return path
    .replace('{org}', f.orgId)
    .replace(/\/roles\/\{id\}/, `/roles/${f.customRoleId}`)
    .replace(/\/applications\/\{id\}/, `/applications/${f.appId}`)
    .replace(/\/api-users\/\{id\}/, `/api-users/${f.apiUserId}`)
    .replace(/\/public-keys\/\{key\}/, `/public-keys/${f.publicKeyId}`)
    .replace('{key}', f.apiKeyId)
    .replace('{id}', f.adminId)
    .replace(/\{([^}]+)\}/g, (_, name: string) => assert.fail(`${path}: no value for path parameter {${name}}; teach this test A's id for it`));
}

/** Rows of organization `orgId`, sorted, so two snapshots compare equal only if nothing changed. */
async function snapshot(t: TestApp, orgId: string) {
  const db = t.deps.db;
  const userIds = (await db.selectFrom('users').select('id').where('organization_id', '=', orgId).execute()).map((u) => u.id);
  const roleIds = (await db.selectFrom('roles').select('id').where('organization_id', '=', orgId).execute()).map((r) => r.id);
  return {
    organizations: await db.selectFrom('organizations').selectAll().where('id', '=', orgId).execute(),
    users: await db.selectFrom('users').selectAll().where('organization_id', '=', orgId).orderBy('id').execute(),
    roles: await db.selectFrom('roles').selectAll().where('organization_id', '=', orgId).orderBy('id').execute(),
    role_privileges: await db.selectFrom('role_privileges').selectAll().where('role_id', 'in', roleIds).orderBy('role_id').orderBy('privilege').execute(),
    credentials: await db.selectFrom('credentials').selectAll().where('organization_id', '=', orgId).orderBy('id').execute(),
    sessions: await db.selectFrom('sessions').selectAll().where('user_id', 'in', userIds).orderBy('id').execute(),
    one_time_tokens: await db.selectFrom('one_time_tokens').selectAll().where('organization_id', '=', orgId).orderBy('id').execute(),
    applications: await db.selectFrom('applications').selectAll().where('organization_id', '=', orgId).orderBy('id').execute(),
    user_applications: await db.selectFrom('user_applications').selectAll().where('user_id', 'in', userIds).orderBy('user_id').orderBy('application_id').execute(),
    outbox: await db.selectFrom('outbox').selectAll().where('organization_id', '=', orgId).orderBy('id').execute(),
    audit_events: await db.selectFrom('audit_events').selectAll().where('organization_id', '=', orgId).orderBy('id').execute(),
  };
}

describe('tenant isolation: another organization\'s owner on every organization route', () => {
  let t: TestApp;
  let a: Fixture;
  let ownerB: TestSession;
  let tokenB: string;
  let operations: Operation[];

  before(async () => {
    t = await startTestApp();
    const ownerA = await setupOrganization(t);
    const adminA = await addAdministrator(t, ownerA, 'administrator');
    const role = await as(t.app, ownerA, {
      method: 'POST', url: `/v1/organizations/${ownerA.organizationId}/roles`, payload: { name: 'Integration manager', privileges: ['api-users:read'] },
    });
    assert.equal(role.statusCode, 201, role.body);

    const customApp = await as(t.app, ownerA, { method: 'POST', url: `/v1/organizations/${ownerA.organizationId}/applications`, payload: { key: 'acme-portal', name: 'Acme Portal' } });
    assert.equal(customApp.statusCode, 201, customApp.body);
    // Disabled, so deleting it is not guarded as an application's last enabled API user.
    const apiUser = await as(t.app, ownerA, {
      method: 'POST', url: `/v1/organizations/${ownerA.organizationId}/api-users`,
      payload: { first_name: 'Melanie', last_name: 'Allen', email: 'melanie.allen@acme.example', status: 'disabled', applications: ['httpapi'] },
    });
    assert.equal(apiUser.statusCode, 201, apiUser.body);
    const apiKey = await as(t.app, ownerA, { method: 'POST', url: `/v1/organizations/${ownerA.organizationId}/api-users/${apiUser.json().api_user.id}/keys`, payload: { name: 'fixture key' } });
    assert.equal(apiKey.statusCode, 201, apiKey.body);
    const publicKey = await as(t.app, ownerA, { method: 'POST', url: `/v1/organizations/${ownerA.organizationId}/api-users/${apiUser.json().api_user.id}/public-keys`, payload: { keys: [FIXTURE_PUBLIC_JWKS[0]] } });
    assert.equal(publicKey.statusCode, 201, publicKey.body);
    a = {
      orgId: ownerA.organizationId, adminId: adminA.id, customRoleId: role.json().id, appId: customApp.json().id, apiUserId: apiUser.json().api_user.id,
      apiKeyId: apiKey.json().id, publicKeyId: publicKey.json().data[0].id,
    };

    ownerB = await setupOrganization(t, { name: 'Other' });
    assert.notEqual(ownerB.organizationId, a.orgId);
    const token = await as(t.app, ownerB, { method: 'POST', url: '/v1/me/tokens', payload: { name: 'tenant isolation' } });
    assert.equal(token.statusCode, 201, token.body);
    tokenB = token.json().token;
    operations = await organizationOperations(t);
  });
  after(() => t.close());

  it('the walk covers every operation under /v1/organizations/{org}, including all known ones', () => {
    const underOrg = operations.filter((op) => op.path === ORG_PREFIX || op.path.startsWith(`${ORG_PREFIX}/`));
    assert.equal(operations.length, underOrg.length, 'every {org} route lives under /v1/organizations/{org}');
    const walked = new Set(operations.map((op) => op.operationId));
    const missing = [...Object.keys(BODIES), ...BODILESS].filter((id) => !walked.has(id));
    assert.deepEqual(missing, [], 'operations this test knows are missing from /openapi.json');
    assert.ok(operations.length >= Object.keys(BODIES).length + BODILESS.length);
  });

  for (const via of ['session', 'token'] as const) {
    it(`with a ${via}: every operation on A's ids -> 404 organization.not_found, A's rows unchanged`, async () => {
      const initial = await snapshot(t, a.orgId);
      const outcomes: string[] = [];
      for (const op of operations) {
        const auth = via === 'session'
          ? { cookie: ownerB.cookie, 'x-csrf-token': ownerB.csrf }
          : { authorization: `Bearer ${tokenB}` };
        const hasBody = ['POST', 'PUT', 'PATCH'].includes(op.method);
        const response = await t.app.inject({
          method: op.method as 'GET',
          url: fillPath(op.path, a),
          headers: { ...auth, ...(op.method === 'GET' ? {} : { 'if-match': '"1"' }) },
          ...(hasBody ? { payload: (BODIES[op.operationId]?.(a) ?? {}) as object } : {}),
        });
        const code = String(response.headers['content-type']).startsWith('application/problem+json') ? response.json().code : '-';
        outcomes.push(`${op.method} ${op.path} (${op.operationId}) -> ${response.statusCode} ${code}`);
      }
      const wrong = outcomes.filter((o) => !o.endsWith('-> 404 organization.not_found'));
      assert.deepEqual(wrong, [], `expected 404 organization.not_found for all ${outcomes.length} operations`);
      assert.equal(outcomes.length, operations.length);
      assert.deepEqual(await snapshot(t, a.orgId), initial, "organization A's rows changed");
    });
  }

  it("B's owner still reaches B's own organization (200), so the 404s are not a broken credential", async () => {
    const own = await as(t.app, ownerB, { method: 'GET', url: `/v1/organizations/${ownerB.organizationId}` });
    assert.equal(own.statusCode, 200, own.body);
    const viaToken = await t.app.inject({ url: `/v1/organizations/${ownerB.organizationId}/administrators`, headers: { authorization: `Bearer ${tokenB}` } });
    assert.equal(viaToken.statusCode, 200, viaToken.body);
  });
});
