import assert from 'node:assert/strict';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { issueSetupToken } from '../../src/modules/setup/setup.service.js';
import type { TestApp } from './test-app.js';

/** A signed-in administrator as a browser holds it: the cookie and the CSRF token. */
export interface TestSession {
  cookie: string;
  csrf: string;
  id: string;
  email: string;
  password: string;
  organizationId: string;
}

export const OWNER_PASSWORD = 'correct horse battery staple';

function sessionCookie(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((c) => c.name === 'apiusers_session');
  assert.ok(cookie, `expected a session cookie, got ${response.statusCode} ${response.body}`);
  return `apiusers_session=${cookie.value}`;
}

/**
 * Completes first-start setup and returns the owner's session.
 * @example const owner = await setupOrganization(t, { name: 'Acme Corp' });
 */
export async function setupOrganization(t: TestApp, org: { name?: string; timeZone?: string; email?: string } = {}): Promise<TestSession> {
  const token = (await issueSetupToken(t.deps))?.token;
  if (!token) return setupAdditional(t, org);
  return completeSetup(t.app, token, org);
}

async function completeSetup(app: FastifyInstance, token: string, org: { name?: string; timeZone?: string; email?: string }): Promise<TestSession> {
  const email = org.email ?? `owner-${Math.random().toString(36).slice(2, 8)}@acme.example`;
  const response = await app.inject({
    method: 'POST',
    url: '/v1/setup',
    payload: {
      token,
      organization: { name: org.name ?? 'Acme Corp', time_zone: org.timeZone ?? 'America/Chicago' },
      owner: { email, first_name: 'Olivia', last_name: 'Owner', password: OWNER_PASSWORD },
    },
  });
  assert.equal(response.statusCode, 201, response.body);
  const body = response.json();
  return { cookie: sessionCookie(response), csrf: body.csrf_token, id: body.owner.id, email, password: OWNER_PASSWORD, organizationId: body.organization.id };
}

/**
 * Setup refuses a second organization (by design), so a test needing two tenants creates the
 * second directly through the same services `apiusers init` uses, then signs its owner in.
 */
async function setupAdditional(t: TestApp, org: { name?: string; timeZone?: string; email?: string }): Promise<TestSession> {
  const { createOrganization } = await import('../../src/modules/organizations/organization.service.js');
  const { insertAdministrator } = await import('../../src/modules/admins/admin.service.js');
  const { systemContext } = await import('../../src/http/request-context.js');
  const email = org.email ?? `owner-${Math.random().toString(36).slice(2, 8)}@other.example`;
  await t.deps.db.transaction().execute(async (trx) => {
    const created = await createOrganization(trx, t.deps.clock, systemContext('test'), { name: org.name ?? 'Other Corp', timeZone: org.timeZone ?? 'Europe/London' });
    await insertAdministrator(trx, t.deps, systemContext('test'), created.id, { email, firstName: 'Otto', lastName: 'Other', roleId: 'owner', password: OWNER_PASSWORD });
  });
  return signIn(t.app, email, OWNER_PASSWORD);
}

/** @example const s = await signIn(t.app, 'a@b.example', 'pw'); */
export async function signIn(app: FastifyInstance, email: string, password: string): Promise<TestSession> {
  const response = await app.inject({ method: 'POST', url: '/v1/session', payload: { email, password } });
  assert.equal(response.statusCode, 200, response.body);
  const body = response.json();
  return { cookie: sessionCookie(response), csrf: body.csrf_token, id: body.administrator.id, email, password, organizationId: body.organization.id };
}

/** A request as the signed-in administrator (cookie + CSRF header). */
export function as(app: FastifyInstance, session: TestSession, options: InjectOptions): Promise<LightMyRequestResponse> {
  return app.inject({
    ...options,
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, ...(options.headers ?? {}) },
  }) as Promise<LightMyRequestResponse>;
}

/**
 * Adds an administrator with the given role (as `by`) and signs them in.
 * @example const viewer = await addAdministrator(t, owner, 'viewer');
 */
export async function addAdministrator(t: TestApp, by: TestSession, roleId: string, email?: string): Promise<TestSession> {
  const address = email ?? `${roleId}-${Math.random().toString(36).slice(2, 8)}@acme.example`;
  const password = 'a long enough passphrase for tests';
  const response = await as(t.app, by, {
    method: 'POST',
    url: `/v1/organizations/${by.organizationId}/administrators`,
    payload: { email: address, first_name: 'Test', last_name: roleId, role_id: roleId, password },
  });
  assert.equal(response.statusCode, 201, response.body);
  return signIn(t.app, address, password);
}
