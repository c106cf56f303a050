import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { generateCredential } from '../../src/lib/credential-format.js';
import { addAdministrator, as, setupOrganization, type TestSession } from '../support/sessions.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * RFC 9457 §3.1: every error is application/problem+json with type, title, status, detail and
 * instance, plus our `code`; the `type` URL resolves to a page describing the code.
 */
async function expectProblem(t: TestApp, response: LightMyRequestResponse, status: number, code: string) {
  assert.equal(response.statusCode, status, response.body);
  assert.equal(response.headers['content-type'], 'application/problem+json');
  const problem = response.json();
  for (const field of ['type', 'title', 'detail', 'instance', 'code']) assert.equal(typeof problem[field], 'string', `${field} in ${response.body}`);
  assert.equal(problem.status, status);
  assert.equal(problem.code, code);
  assert.ok(problem.type.endsWith(`/problems/${code}`), problem.type);
  assert.equal(problem.instance, response.headers['x-request-id']);
  const page = await t.app.inject({ method: 'GET', url: `/problems/${code}` });
  assert.equal(page.statusCode, 200, `GET /problems/${code}: ${page.body}`);
  assert.deepEqual(page.json(), { code, status, title: problem.title });
  return problem;
}

describe('problem+json for every status the API promises', () => {
  let t: TestApp;
  let owner: TestSession;
  let viewer: TestSession;
  let adminsUrl: string;
  before(async () => {
    t = await startTestApp();
    // Routes can only be added before the first request.
    t.app.get('/boom', async () => {
      throw new Error('secret detail');
    });
    owner = await setupOrganization(t);
    viewer = await addAdministrator(t, owner, 'viewer');
    adminsUrl = `/v1/organizations/${owner.organizationId}/administrators`;
  });
  after(() => t.close());

  const countTokens = async () => (await t.deps.db.selectFrom('credentials').select('id').where('kind', '=', 'personal_access_token').execute()).length;

  it('POST with malformed JSON -> 400 request.malformed_json', async () => {
    const response = await as(t.app, owner, { method: 'POST', url: '/v1/me/tokens', headers: { 'content-type': 'application/json' }, payload: '{"name":' });
    await expectProblem(t, response, 400, 'request.malformed_json');
  });

  it('a number for a string field -> 400 naming the field in the body', async () => {
    const response = await as(t.app, owner, { method: 'POST', url: '/v1/me/tokens', payload: { name: 42 } });
    const problem = await expectProblem(t, response, 400, 'request.invalid');
    assert.deepEqual(problem.errors.map((e: { location: string; pointer: string }) => [e.location, e.pointer]), [['body', '/name']]);
  });

  it('an unknown field -> 400 rejected, not ignored, and nothing is created', async () => {
    const before = await countTokens();
    const response = await as(t.app, owner, { method: 'POST', url: '/v1/me/tokens', payload: { name: 'ci', scope: 'admin' } });
    const problem = await expectProblem(t, response, 400, 'request.invalid');
    assert.deepEqual(problem.errors, [{ location: 'body', pointer: '/scope', detail: 'is not a known field' }]);
    assert.equal(await countTokens(), before);
  });

  it('limit=0 or limit=abc -> 400 with location query', async () => {
    for (const limit of ['0', 'abc', '201']) {
      const response = await as(t.app, owner, { method: 'GET', url: `${adminsUrl}?limit=${limit}` });
      const problem = await expectProblem(t, response, 400, 'request.invalid');
      assert.deepEqual(problem.errors.map((e: { location: string; pointer: string }) => [e.location, e.pointer]), [['query', '/limit']], `limit=${limit}`);
    }
  });

  it('a tampered pagination cursor -> 400 request.cursor_invalid; the real one -> 200', async () => {
    const first = await as(t.app, owner, { method: 'GET', url: `${adminsUrl}?limit=1` });
    assert.equal(first.statusCode, 200);
    const cursor: string = first.json().next_cursor;
    assert.ok(cursor, 'two administrators make two pages of one');
    const next = await as(t.app, owner, { method: 'GET', url: `${adminsUrl}?limit=1&cursor=${cursor}` });
    assert.equal(next.statusCode, 200, next.body);
    assert.equal(next.json().data[0].id, viewer.id);
    const parts = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const tampered = [cursor.slice(0, -6), parts(['only one part']), parts([1, 2]), parts(['a', 'b', 'c']), parts({ a: 'b' }), 'not-a-cursor'];
    for (const bad of tampered) {
      const response = await as(t.app, owner, { method: 'GET', url: `${adminsUrl}?cursor=${encodeURIComponent(bad)}` });
      await expectProblem(t, response, 400, 'request.cursor_invalid');
    }
  });

  it('no cookie -> 401 with WWW-Authenticate', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/session' });
    await expectProblem(t, response, 401, 'auth.unauthenticated');
    assert.equal(response.headers['www-authenticate'], 'Bearer realm="apiusers"');
  });

  it('a garbage bearer token or a non-Bearer scheme -> 401 with WWW-Authenticate', async () => {
    for (const [authorization, error] of [['Bearer garbage', 'invalid_token'], ['Basic b3duZXI6cHc=', 'invalid_request']] as const) {
      const response = await t.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization } });
      await expectProblem(t, response, 401, 'auth.unauthenticated');
      assert.equal(response.headers['www-authenticate'], `Bearer realm="apiusers", error="${error}"`);
    }
  });

  it('a well-formed but unknown au_pat_ token -> 401; a real one -> 200', async () => {
    const created = await as(t.app, owner, { method: 'POST', url: '/v1/me/tokens', payload: { name: 'probe' } });
    assert.equal(created.statusCode, 201, created.body);
    const real = await t.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${created.json().token}` } });
    assert.equal(real.statusCode, 200, real.body);
    const response = await t.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${generateCredential('pat')}` } });
    await expectProblem(t, response, 401, 'auth.unauthenticated');
    assert.match(String(response.headers['www-authenticate']), /^Bearer realm="apiusers", error="invalid_token"$/);
  });

  it('Viewer adding an administrator -> 403 auth.forbidden naming admins:manage', async () => {
    const response = await as(t.app, viewer, {
      method: 'POST', url: adminsUrl, payload: { email: 'new@acme.example', first_name: 'New', last_name: 'Person', role_id: 'viewer' },
    });
    const problem = await expectProblem(t, response, 403, 'auth.forbidden');
    assert.equal(problem.required_privilege, 'admins:manage');
    assert.match(problem.detail, /admins:manage/);
  });

  it('a cookie POST without (or with a wrong) X-CSRF-Token -> 403 auth.csrf_failed, nothing created', async () => {
    const before = await countTokens();
    for (const headers of [{ cookie: owner.cookie }, { cookie: owner.cookie, 'x-csrf-token': viewer.csrf }]) {
      const response = await t.app.inject({ method: 'POST', url: '/v1/me/tokens', headers, payload: { name: 'csrf' } });
      await expectProblem(t, response, 403, 'auth.csrf_failed');
    }
    assert.equal(await countTokens(), before);
  });

  it('an unknown route -> 404 request.not_found', async () => {
    await expectProblem(t, await t.app.inject({ method: 'GET', url: '/v1/no-such-thing' }), 404, 'request.not_found');
  });

  it('an unknown administrator id -> 404 administrator.not_found', async () => {
    const response = await as(t.app, owner, { method: 'GET', url: `${adminsUrl}/${randomUUID()}` });
    await expectProblem(t, response, 404, 'administrator.not_found');
  });

  it('PUT /livez -> 405 with Allow', async () => {
    const response = await t.app.inject({ method: 'PUT', url: '/livez' });
    await expectProblem(t, response, 405, 'request.method_not_allowed');
    assert.equal(response.headers.allow, 'GET');
  });

  it('a duplicate administrator email, in any case -> 409 administrator.email_taken', async () => {
    for (const email of [viewer.email, viewer.email.toUpperCase()]) {
      const response = await as(t.app, owner, { method: 'POST', url: adminsUrl, payload: { email, first_name: 'Dup', last_name: 'Licate', role_id: 'viewer' } });
      await expectProblem(t, response, 409, 'administrator.email_taken');
    }
  });

  it('PATCH with a stale If-Match -> 412, the change is not applied', async () => {
    const url = `/v1/organizations/${owner.organizationId}`;
    const read = await as(t.app, owner, { method: 'GET', url });
    const etag = String(read.headers.etag);
    const first = await as(t.app, owner, { method: 'PATCH', url, headers: { 'if-match': etag }, payload: { name: 'First Change' } });
    assert.equal(first.statusCode, 200, first.body);
    assert.notEqual(first.headers.etag, etag);
    const stale = await as(t.app, owner, { method: 'PATCH', url, headers: { 'if-match': etag }, payload: { name: 'Lost Update' } });
    await expectProblem(t, stale, 412, 'precondition.failed');
    assert.equal((await as(t.app, owner, { method: 'GET', url })).json().name, 'First Change');
  });

  it('PATCH without If-Match -> 428 precondition.required', async () => {
    const response = await as(t.app, owner, { method: 'PATCH', url: `/v1/organizations/${owner.organizationId}`, payload: { name: 'No Precondition' } });
    await expectProblem(t, response, 428, 'precondition.required');
  });

  it('a text/plain body to a JSON route -> 415 request.unsupported_media_type', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/session', headers: { 'content-type': 'text/plain' }, payload: 'email=a@b.example' });
    await expectProblem(t, response, 415, 'request.unsupported_media_type');
  });

  it('11 failed sign-ins for one email -> 429 with Retry-After, even with the right password', async () => {
    const locked = await addAdministrator(t, owner, 'viewer');
    for (let i = 0; i < 10; i++) {
      const response = await t.app.inject({ method: 'POST', url: '/v1/session', payload: { email: locked.email, password: `wrong password number ${i}` } });
      await expectProblem(t, response, 401, 'auth.invalid_credentials');
    }
    const response = await t.app.inject({ method: 'POST', url: '/v1/session', payload: { email: locked.email, password: locked.password } });
    const problem = await expectProblem(t, response, 429, 'auth.too_many_attempts');
    const retryAfter = Number(response.headers['retry-after']);
    assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 15 * 60, `Retry-After: ${response.headers['retry-after']}`);
    assert.equal(problem.retry_after, retryAfter);
  });

  it('an unexpected exception -> generic 500 internal that hides the message', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/boom' });
    const problem = await expectProblem(t, response, 500, 'internal');
    assert.doesNotMatch(response.body, /secret detail/);
    assert.equal(problem.instance, response.headers['x-request-id']);
    assert.ok(problem.instance.length > 0);
  });

  it('an incoming X-Request-Id is echoed back and used as instance; an unsafe one is replaced', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/no-such-thing', headers: { 'x-request-id': 'lb-trace.42:abc' } });
    assert.equal(response.headers['x-request-id'], 'lb-trace.42:abc');
    assert.equal(response.json().instance, 'lb-trace.42:abc');
    const unsafe = await t.app.inject({ method: 'GET', url: '/v1/no-such-thing', headers: { 'x-request-id': '<script>alert(1)</script>' } });
    assert.notEqual(unsafe.headers['x-request-id'], '<script>alert(1)</script>');
    assert.equal(unsafe.json().instance, unsafe.headers['x-request-id']);
  });
});

describe('body limit', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ env: { BODY_LIMIT: '2048' } });
  });
  after(() => t.close());

  it('a body over BODY_LIMIT -> 413 request.body_too_large; one under it is read', async () => {
    const under = await t.app.inject({ method: 'POST', url: '/v1/session', payload: { email: 'a@acme.example', password: 'x'.repeat(1000) } });
    assert.equal(under.statusCode, 401, under.body);
    const over = await t.app.inject({ method: 'POST', url: '/v1/session', payload: { email: 'a@acme.example', password: 'x'.repeat(3000) } });
    await expectProblem(t, over, 413, 'request.body_too_large');
  });
});
