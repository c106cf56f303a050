import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { LightMyRequestResponse } from 'fastify';
import { createManualClock } from '../../src/lib/clock.js';
import { generateCredential } from '../../src/lib/credential-format.js';
import { addAdministrator, as, setupOrganization, type TestSession } from '../support/sessions.js';
import { postgresUrl, startTestApp, type TestApp } from '../support/test-app.js';

const HOUR = 3600_000;
const PASSWORD = 'Verify-me-password-2026';

/** RFC 7617 §2: base64 of user-id ":" password. */
const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;

interface VerifyAnswer {
  valid: boolean;
  code: string;
  detail: string;
  api_user: { id: string; username: string; name: string; status: string } | null;
  organization: { id: string; account_number: string; display_name: string } | null;
  application: string;
  credential: { id: string; kind: string } | null;
  scopes: string[];
  expires_at: string | null;
}

/** The schema with `additionalProperties: false` on every object that lists its properties. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy: Record<string, unknown> = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, key === 'examples' ? value : closed(value)]));
  if (copy.type === 'object' && copy.properties && copy.additionalProperties === undefined) copy.additionalProperties = false;
  return copy;
}

function assertProblem(response: LightMyRequestResponse, status: number, code?: string): Record<string, any> {
  assert.equal(response.statusCode, status, response.body);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  const problem = response.json();
  if (code) assert.equal(problem.code, code, response.body);
  return problem;
}

describe(`POST /v1/verify (${postgresUrl() ? 'PostgreSQL' : 'SQLite'})`, () => {
  const clock = createManualClock('2026-06-01T12:00:00.000Z');
  let t: TestApp;
  let owner: TestSession;
  let other: TestSession;
  /** The owner's personal access token: the owner holds `verify` through account:manage. */
  let pat: string;
  before(async () => {
    // One test moves the clock by hours; the sessions must outlive that.
    t = await startTestApp({ clock, env: { SESSION_IDLE_MINUTES: '43200' } });
    owner = await setupOrganization(t, { name: 'Acme Corp' });
    other = await setupOrganization(t, { name: 'Other' });
    pat = await createPat(owner);
    // Answers are serialized by hand (the hot path); every one is held to the documented schema,
    // with no field beyond it at any depth.
    const doc = (await t.app.inject({ url: '/openapi.json' })).json();
    const ajv = new Ajv({ strict: false, allErrors: true });
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    validateAnswer = ajv.compile(closed(doc.paths['/v1/verify'].post.responses['200'].content['application/json'].schema) as object);
  });
  after(() => t.close());
  let validateAnswer: ReturnType<Ajv['compile']>;

  async function createPat(session: TestSession): Promise<string> {
    const response = await as(t.app, session, { method: 'POST', url: '/v1/me/tokens', payload: { name: 'platform verifier' } });
    assert.equal(response.statusCode, 201, response.body);
    return response.json().token;
  }
  async function createApiUser(session: TestSession, applications = ['httpapi']): Promise<{ id: string; username: string }> {
    const response = await as(t.app, session, {
      method: 'POST', url: `/v1/organizations/${session.organizationId}/api-users`,
      payload: { first_name: 'Magento', last_name: 'Sync', description: 'Magento integration', password: PASSWORD, password_confirmation: PASSWORD, applications },
    });
    assert.equal(response.statusCode, 201, response.body);
    return response.json().api_user;
  }
  async function createKey(session: TestSession, userId: string, payload: Record<string, unknown> = { name: 'magento' }): Promise<{ id: string; key: string }> {
    const response = await as(t.app, session, { method: 'POST', url: `/v1/organizations/${session.organizationId}/api-users/${userId}/keys`, payload });
    assert.equal(response.statusCode, 201, response.body);
    return response.json();
  }
  const verifyWith = (token: string, payload: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/v1/verify', headers: { authorization: `Bearer ${token}` }, payload });
  async function verify(credential: string, application?: string): Promise<VerifyAnswer> {
    const response = await verifyWith(pat, { credential, ...(application ? { application } : {}) });
    assert.equal(response.statusCode, 200, response.body);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    assert.ok(validateAnswer(response.json()), `${JSON.stringify(validateAnswer.errors)} in ${response.body}`);
    return response.json();
  }
  function assertOutcome(answer: VerifyAnswer, code: string): void {
    assert.equal(answer.code, code, JSON.stringify(answer));
    assert.equal(answer.valid, code === 'VALID');
  }
  function assertAnonymous(answer: VerifyAnswer): void {
    assert.equal(answer.api_user, null);
    assert.equal(answer.organization, null);
    assert.equal(answer.credential, null);
    assert.deepEqual(answer.scopes, []);
  }

  it('an API key -> 200 VALID with api_user, organization, application, credential, scopes and expires_at', async () => {
    const user = await createApiUser(owner, ['httpapi', 'salesforce']);
    const expiresAt = new Date(clock.now().getTime() + 30 * 24 * HOUR).toISOString();
    const { id, key } = await createKey(owner, user.id, { name: 'magento', expires_at: expiresAt });
    const answer = await verify(key, 'salesforce');
    assertOutcome(answer, 'VALID');
    assert.deepEqual(answer.api_user, { id: user.id, username: user.username, name: 'Magento Sync', status: 'enabled' });
    const org = (await as(t.app, owner, { method: 'GET', url: `/v1/organizations/${owner.organizationId}` })).json();
    assert.deepEqual(answer.organization, { id: owner.organizationId, account_number: org.account_number, display_name: `${org.account_number} ACME CORP` });
    assert.equal(answer.application, 'salesforce');
    assert.deepEqual(answer.credential, { id, kind: 'api_key' });
    assert.deepEqual([...answer.scopes].sort(), ['app:httpapi', 'app:salesforce']);
    assert.equal(answer.expires_at, expiresAt);
    assert.equal((await verify(key)).application, 'httpapi', 'application defaults to httpapi');
  });

  it('Basic base64(username:password) -> 200 VALID as a password credential', async () => {
    const user = await createApiUser(owner);
    const answer = await verify(basic(user.username, PASSWORD));
    assertOutcome(answer, 'VALID');
    assert.equal(answer.api_user?.id, user.id);
    assert.equal(answer.credential?.kind, 'password');
    assert.deepEqual(answer.scopes, ['app:httpapi']);
  });

  it('"au_key_garbage" and "not a credential" -> 200 MALFORMED', async () => {
    for (const credential of ['au_key_garbage', 'not a credential']) {
      const answer = await verify(credential);
      assertOutcome(answer, 'MALFORMED');
      assertAnonymous(answer);
    }
  });

  it('an unknown well-formed key and a wrong Basic password -> 200 NOT_FOUND', async () => {
    const user = await createApiUser(owner);
    for (const credential of [generateCredential('key'), basic(user.username, 'Wrong-password-2026')]) {
      const answer = await verify(credential);
      assertOutcome(answer, 'NOT_FOUND');
      assertAnonymous(answer);
    }
  });

  it('a revoked key -> 200 REVOKED, right after a VALID', async () => {
    const user = await createApiUser(owner);
    const { id, key } = await createKey(owner, user.id);
    assertOutcome(await verify(key), 'VALID');
    const revoked = await as(t.app, owner, { method: 'DELETE', url: `/v1/organizations/${owner.organizationId}/api-users/${user.id}/keys/${id}` });
    assert.equal(revoked.statusCode, 204, revoked.body);
    assertOutcome(await verify(key), 'REVOKED');
  });

  it('an expired key -> 200 EXPIRED, right after a VALID', async () => {
    const user = await createApiUser(owner);
    const { key } = await createKey(owner, user.id, { name: 'short', expires_at: new Date(clock.now().getTime() + HOUR).toISOString() });
    assertOutcome(await verify(key), 'VALID');
    clock.advance(HOUR + 60_000);
    assertOutcome(await verify(key), 'EXPIRED');
  });

  it('a disabled API user\'s key and password -> 200 DISABLED', async () => {
    const user = await createApiUser(owner);
    const { key } = await createKey(owner, user.id);
    assertOutcome(await verify(key), 'VALID');
    const url = `/v1/organizations/${owner.organizationId}/api-users/${user.id}`;
    const etag = (await as(t.app, owner, { method: 'GET', url })).headers.etag as string;
    const disabled = await as(t.app, owner, { method: 'PATCH', url: `${url}?confirm=true`, payload: { status: 'disabled' }, headers: { 'if-match': etag } });
    assert.equal(disabled.statusCode, 200, disabled.body);
    assertOutcome(await verify(key), 'DISABLED');
    assertOutcome(await verify(basic(user.username, PASSWORD)), 'DISABLED');
  });

  it('application salesforce for an HttpApi-only user -> 200 APPLICATION_NOT_ASSIGNED that still names the api_user', async () => {
    const user = await createApiUser(owner, ['httpapi']);
    const { id, key } = await createKey(owner, user.id);
    const answer = await verify(key, 'salesforce');
    assertOutcome(answer, 'APPLICATION_NOT_ASSIGNED');
    assert.equal(answer.application, 'salesforce');
    assert.equal(answer.api_user?.id, user.id);
    assert.deepEqual(answer.credential, { id, kind: 'api_key' });
    assert.deepEqual(answer.scopes, ['app:httpapi']);
  });

  it('a credential of another organization -> 200 NOT_FOUND that names nothing; its own organization sees VALID', async () => {
    const theirs = await createApiUser(other);
    const { key } = await createKey(other, theirs.id);
    for (const credential of [key, basic(theirs.username, PASSWORD)]) {
      const answer = await verify(credential);
      assertOutcome(answer, 'NOT_FOUND');
      assertAnonymous(answer);
      assert.ok(!JSON.stringify(answer).includes(theirs.id));
    }
    const own = await verifyWith(await createPat(other), { credential: key });
    assert.equal(own.statusCode, 200, own.body);
    assertOutcome(own.json(), 'VALID');
  });

  it('an administrator with a custom role holding only "verify" -> 200 with a PAT', async () => {
    const role = await as(t.app, owner, { method: 'POST', url: `/v1/organizations/${owner.organizationId}/roles`, payload: { name: 'Platform verifier', privileges: ['verify'] } });
    assert.equal(role.statusCode, 201, role.body);
    assert.deepEqual(role.json().privileges, ['verify']);
    const verifier = await addAdministrator(t, owner, role.json().id);
    const user = await createApiUser(owner);
    const { key } = await createKey(owner, user.id);
    const response = await verifyWith(await createPat(verifier), { credential: key });
    assert.equal(response.statusCode, 200, response.body);
    assertOutcome(response.json(), 'VALID');
  });

  it('a Viewer\'s PAT -> 403 auth.forbidden', async () => {
    const viewer = await addAdministrator(t, owner, 'viewer');
    const user = await createApiUser(owner);
    const { key } = await createKey(owner, user.id);
    const problem = assertProblem(await verifyWith(await createPat(viewer), { credential: key }), 403, 'auth.forbidden');
    assert.equal(problem.required_privilege, 'verify');
  });

  it('no authentication -> 401; an unknown PAT -> 401', async () => {
    assertProblem(await t.app.inject({ method: 'POST', url: '/v1/verify', payload: { credential: 'au_key_garbage' } }), 401, 'auth.unauthenticated');
    assertProblem(await verifyWith(generateCredential('pat'), { credential: 'au_key_garbage' }), 401, 'auth.unauthenticated');
  });

  it('a session cookie with X-CSRF-Token -> 200; without it -> 403 auth.csrf_failed', async () => {
    const user = await createApiUser(owner);
    const { key } = await createKey(owner, user.id);
    const withCsrf = await as(t.app, owner, { method: 'POST', url: '/v1/verify', payload: { credential: key } });
    assert.equal(withCsrf.statusCode, 200, withCsrf.body);
    assertOutcome(withCsrf.json(), 'VALID');
    const withoutCsrf = await t.app.inject({ method: 'POST', url: '/v1/verify', headers: { cookie: owner.cookie }, payload: { credential: key } });
    assertProblem(withoutCsrf, 403, 'auth.csrf_failed');
  });

  it('a body without credential, with an unknown field or an invalid application -> 400 problem+json', async () => {
    const user = await createApiUser(owner);
    const { key } = await createKey(owner, user.id);
    for (const payload of [{}, { application: 'httpapi' }, { credential: key, extra: true }, { credential: '' }, { credential: key, application: 'Sales Force' }]) {
      const response = await verifyWith(pat, payload);
      const problem = assertProblem(response, 400);
      assert.ok(Array.isArray(problem.errors) && problem.errors.length > 0, `errors[] for ${JSON.stringify(payload)}: ${response.body}`);
    }
  });
});
