import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { createManualClock } from '../../src/lib/clock.js';
import { addAdministrator, as, setupOrganization, signIn, type TestSession } from '../support/sessions.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PASSWORD = 'a long enough passphrase for tests';

function assertProblem(response: LightMyRequestResponse, status: number, code: string): Record<string, any> {
  assert.equal(response.statusCode, status, response.body);
  assert.equal(response.headers['content-type'], 'application/problem+json');
  const problem = response.json();
  assert.equal(problem.code, code);
  return problem;
}

const postSession = (t: TestApp, email: string, password: string, remoteAddress?: string) =>
  t.app.inject({ method: 'POST', url: '/v1/session', payload: { email, password }, ...(remoteAddress ? { remoteAddress } : {}) });

const getSession = (t: TestApp, cookie: string) => t.app.inject({ method: 'GET', url: '/v1/session', headers: { cookie } });

/** Owner disables an administrator the way the UI does: GET for the ETag, PATCH with If-Match. */
async function disable(t: TestApp, owner: TestSession, adminId: string): Promise<void> {
  const url = `/v1/organizations/${owner.organizationId}/administrators/${adminId}`;
  const read = await as(t.app, owner, { method: 'GET', url });
  assert.equal(read.statusCode, 200, read.body);
  const patched = await as(t.app, owner, { method: 'PATCH', url, headers: { 'if-match': String(read.headers.etag) }, payload: { status: 'disabled' } });
  assert.equal(patched.statusCode, 200, patched.body);
  assert.equal(patched.json().status, 'disabled');
}

describe('sign-in POST /v1/session', () => {
  let t: TestApp;
  let owner: TestSession;
  before(async () => {
    t = await startTestApp();
    owner = await setupOrganization(t);
  });
  after(() => t.close());

  it('200 sets an HttpOnly SameSite=Lax cookie, not Secure over http, and returns csrf_token and privileges', async () => {
    const response = await postSession(t, owner.email, owner.password);
    assert.equal(response.statusCode, 200, response.body);
    const cookie = response.cookies.find((c) => c.name === 'apiusers_session');
    assert.ok(cookie?.value);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Lax');
    assert.equal(cookie.path, '/');
    assert.ok(!cookie.secure, 'no Secure flag when PUBLIC_URL is http');
    const body = response.json();
    assert.match(body.csrf_token, /^\S{20,}$/);
    assert.ok(body.privileges.includes('account:manage'));
    assert.equal(body.administrator.email, owner.email);
  });

  it('401 auth.invalid_credentials with the same detail for a wrong password and an unknown email', async () => {
    const wrong = assertProblem(await postSession(t, owner.email, 'not the right password at all'), 401, 'auth.invalid_credentials');
    const unknown = assertProblem(await postSession(t, 'nobody@acme.example', owner.password), 401, 'auth.invalid_credentials');
    assert.equal(wrong.detail, unknown.detail);
    assert.equal(wrong.title, unknown.title);
  });

  it('200 with the email in another case', async () => {
    const response = await postSession(t, owner.email.toUpperCase(), owner.password);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().administrator.id, owner.id);
  });

  it('GET /v1/session with the cookie alone -> 200 and the same csrf token as sign-in', async () => {
    const session = await signIn(t.app, owner.email, owner.password);
    const response = await getSession(t, session.cookie);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().csrf_token, session.csrf);
    assert.equal(response.json().administrator.id, owner.id);
    assert.equal(response.json().local_mailbox, true, 'no SMTP_URL: emails are kept in the local mailbox');
  });

  it('with SMTP_URL set, sign-in and GET /v1/session say there is no local mailbox (the UI hides its link), and GET …/mail is 404', async () => {
    const smtp = await startTestApp({ env: { SMTP_URL: 'smtp://127.0.0.1:2525' } });
    try {
      const admin = await setupOrganization(smtp);
      const signedIn = await postSession(smtp, admin.email, admin.password);
      assert.equal(signedIn.statusCode, 200, signedIn.body);
      assert.equal(signedIn.json().local_mailbox, false);
      const again = await as(smtp.app, admin, { method: 'GET', url: '/v1/session' });
      assert.equal(again.json().local_mailbox, false);
      const mail = await as(smtp.app, admin, { method: 'GET', url: `/v1/organizations/${admin.organizationId}/mail` });
      assert.equal(mail.statusCode, 404, mail.body);
      assert.equal(mail.json().code, 'mail.unavailable');
    } finally {
      await smtp.close();
    }
  });

  it('sets last_sign_in_at on the administrator', async () => {
    const email = 'first.time@acme.example';
    const created = await as(t.app, owner, {
      method: 'POST', url: `/v1/organizations/${owner.organizationId}/administrators`,
      payload: { email, first_name: 'First', last_name: 'Time', role_id: 'viewer', password: PASSWORD },
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().administrator.last_sign_in_at, null);
    const before = Date.now();
    const signedIn = await postSession(t, email, PASSWORD);
    assert.equal(signedIn.statusCode, 200, signedIn.body);
    const read = await as(t.app, owner, { method: 'GET', url: `/v1/organizations/${owner.organizationId}/administrators/${created.json().administrator.id}` });
    const at = Date.parse(read.json().last_sign_in_at);
    assert.ok(at >= before - 1000 && at <= Date.now(), `last_sign_in_at ${read.json().last_sign_in_at}`);
    assert.equal(signedIn.json().administrator.last_sign_in_at, read.json().last_sign_in_at);
  });

  it('a disabled administrator: their session -> 401 at once, sign-in -> 403 auth.account_disabled', async () => {
    const admin = await addAdministrator(t, owner, 'administrator');
    assert.equal((await getSession(t, admin.cookie)).statusCode, 200);
    await disable(t, owner, admin.id);
    assertProblem(await getSession(t, admin.cookie), 401, 'auth.unauthenticated');
    assertProblem(await postSession(t, admin.email, admin.password), 403, 'auth.account_disabled');
  });
});

describe('session cookie over https', () => {
  it('200 sets a Secure cookie when PUBLIC_URL is https', async () => {
    const t = await startTestApp({ env: { PUBLIC_URL: 'https://apiusers.acme.example' } });
    try {
      const owner = await setupOrganization(t);
      const response = await postSession(t, owner.email, owner.password);
      assert.equal(response.statusCode, 200, response.body);
      const cookie = response.cookies.find((c) => c.name === 'apiusers_session');
      assert.equal(cookie?.secure, true);
      assert.equal(cookie?.httpOnly, true);
      assert.equal(cookie?.sameSite, 'Lax');
    } finally {
      await t.close();
    }
  });
});

describe('sign-in throttling', () => {
  it('10 failures for one email, then even the right password -> 429 with Retry-After; 16 minutes later -> 200', async () => {
    const clock = createManualClock('2026-03-01T09:00:00Z');
    const t = await startTestApp({ clock });
    try {
      const owner = await setupOrganization(t);
      for (let i = 0; i < 10; i++) assertProblem(await postSession(t, owner.email, `wrong password number ${i}`), 401, 'auth.invalid_credentials');
      const locked = await postSession(t, owner.email, owner.password);
      assertProblem(locked, 429, 'auth.too_many_attempts');
      const retryAfter = Number(locked.headers['retry-after']);
      assert.ok(retryAfter > 0 && retryAfter <= 15 * 60, `Retry-After ${locked.headers['retry-after']}`);
      // The counter is per account: another address from the same IP is not locked out.
      assertProblem(await postSession(t, 'someone.else@acme.example', 'whatever it may be'), 401, 'auth.invalid_credentials');
      clock.advance(16 * 60_000);
      assert.equal((await postSession(t, owner.email, owner.password)).statusCode, 200);
    } finally {
      await t.close();
    }
  });

  it('a successful sign-in resets the per-account counter', async () => {
    const t = await startTestApp({ clock: createManualClock('2026-03-01T09:00:00Z') });
    try {
      const owner = await setupOrganization(t);
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 9; i++) assertProblem(await postSession(t, owner.email, `wrong password number ${i}`), 401, 'auth.invalid_credentials');
        const response = await postSession(t, owner.email, owner.password);
        assert.equal(response.statusCode, 200, `round ${round}: ${response.body}`);
      }
    } finally {
      await t.close();
    }
  });
});

describe('CSRF on cookie-authenticated changes', () => {
  let t: TestApp;
  let owner: TestSession;
  before(async () => {
    t = await startTestApp();
    owner = await setupOrganization(t);
  });
  after(() => t.close());

  const cases = [
    { name: 'without X-CSRF-Token', headers: {} as Record<string, string> },
    { name: 'with a wrong X-CSRF-Token', headers: { 'x-csrf-token': 'not-the-csrf-token' } },
  ];
  for (const { name, headers } of cases) {
    it(`PATCH organization ${name} -> 403 auth.csrf_failed, nothing changed`, async () => {
      const url = `/v1/organizations/${owner.organizationId}`;
      const read = await t.app.inject({ method: 'GET', url, headers: { cookie: owner.cookie } });
      assert.equal(read.statusCode, 200, 'GET needs no CSRF token');
      const response = await t.app.inject({ method: 'PATCH', url, headers: { cookie: owner.cookie, 'if-match': String(read.headers.etag), ...headers }, payload: { name: 'Hijacked Inc' } });
      assertProblem(response, 403, 'auth.csrf_failed');
      const after = await t.app.inject({ method: 'GET', url, headers: { cookie: owner.cookie } });
      assert.equal(after.json().name, read.json().name);
    });

    it(`POST /v1/me/tokens ${name} -> 403 auth.csrf_failed, no token created`, async () => {
      const response = await t.app.inject({ method: 'POST', url: '/v1/me/tokens', headers: { cookie: owner.cookie, ...headers }, payload: { name: 'stolen' } });
      assertProblem(response, 403, 'auth.csrf_failed');
      const list = await t.app.inject({ method: 'GET', url: '/v1/me/tokens', headers: { cookie: owner.cookie } });
      assert.equal(list.statusCode, 200);
      assert.deepEqual(list.json().data, []);
    });

    it(`DELETE /v1/session ${name} -> 403 auth.csrf_failed, still signed in`, async () => {
      const response = await t.app.inject({ method: 'DELETE', url: '/v1/session', headers: { cookie: owner.cookie, ...headers } });
      assertProblem(response, 403, 'auth.csrf_failed');
      assert.equal((await getSession(t, owner.cookie)).statusCode, 200);
    });
  }

  it('another session\'s CSRF token -> 403 auth.csrf_failed', async () => {
    const other = await signIn(t.app, owner.email, owner.password);
    assert.notEqual(other.csrf, owner.csrf);
    const response = await t.app.inject({ method: 'DELETE', url: '/v1/session', headers: { cookie: owner.cookie, 'x-csrf-token': other.csrf } });
    assertProblem(response, 403, 'auth.csrf_failed');
  });
});

describe('sign-out and idle expiry', () => {
  it('DELETE /v1/session -> 204, clears the cookie, and the old cookie then gives 401', async () => {
    const t = await startTestApp();
    try {
      const owner = await setupOrganization(t);
      const response = await as(t.app, owner, { method: 'DELETE', url: '/v1/session' });
      assert.equal(response.statusCode, 204, response.body);
      const cleared = response.cookies.find((c) => c.name === 'apiusers_session');
      assert.ok(cleared, 'a Set-Cookie clearing the session cookie');
      assert.equal(cleared.value, '');
      assert.ok(cleared.expires && cleared.expires.getTime() <= Date.now(), 'expired cookie');
      assertProblem(await getSession(t, owner.cookie), 401, 'auth.unauthenticated');
    } finally {
      await t.close();
    }
  });

  it('SESSION_IDLE_MINUTES=5: unused for 6 minutes -> 401, used every 2 minutes -> still 200', async () => {
    const clock = createManualClock('2026-03-01T09:00:00Z');
    const t = await startTestApp({ clock, env: { SESSION_IDLE_MINUTES: '5' } });
    try {
      const owner = await setupOrganization(t);
      const idle = await signIn(t.app, owner.email, owner.password);
      const active = await signIn(t.app, owner.email, owner.password);
      assert.equal((await getSession(t, idle.cookie)).statusCode, 200, 'valid right after sign-in');
      for (let minute = 2; minute <= 12; minute += 2) {
        clock.advance(2 * 60_000);
        assert.equal((await getSession(t, active.cookie)).statusCode, 200, `active session at minute ${minute}`);
        if (minute === 6) assertProblem(await getSession(t, idle.cookie), 401, 'auth.unauthenticated');
      }
    } finally {
      await t.close();
    }
  });
});

describe('invited administrators', () => {
  let t: TestApp;
  let owner: TestSession;
  before(async () => {
    t = await startTestApp();
    owner = await setupOrganization(t);
  });
  after(() => t.close());

  async function invite(email: string): Promise<string> {
    const response = await as(t.app, owner, {
      method: 'POST', url: `/v1/organizations/${owner.organizationId}/administrators`,
      payload: { email, first_name: 'Ivy', last_name: 'Invited', role_id: 'viewer' },
    });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.json().administrator.status, 'invited');
    const match = /#token=([^&\s]+)$/.exec(response.json().invite_url);
    assert.ok(match, `invite_url ${response.json().invite_url}`);
    return decodeURIComponent(match[1]!);
  }

  const accept = (token: string, password: string) => t.app.inject({ method: 'POST', url: '/v1/invites/accept', payload: { token, password } });

  it('cannot sign in before accepting (401); POST /v1/invites/accept -> 200 enabled, then sign-in -> 200; the link works once (404)', async () => {
    const email = 'ivy.invited@acme.example';
    const token = await invite(email);
    assertProblem(await postSession(t, email, PASSWORD), 401, 'auth.invalid_credentials');
    const accepted = await accept(token, PASSWORD);
    assert.equal(accepted.statusCode, 200, accepted.body);
    assert.equal(accepted.json().status, 'enabled');
    assert.equal(accepted.json().email, email);
    const session = await signIn(t.app, email, PASSWORD);
    assert.equal((await getSession(t, session.cookie)).json().administrator.role.id, 'viewer');
    assertProblem(await accept(token, 'another long enough passphrase'), 404, 'invite.link_invalid');
    assertProblem(await postSession(t, email, 'another long enough passphrase'), 401, 'auth.invalid_credentials');
  });

  for (const [kind, weak] of [['short', 'tooshort'], ['common', 'passwordpassword1']] as const) {
    it(`accept with a ${kind} password -> 400 password.rejected at /password; the link still works`, async () => {
      const token = await invite(`weak.${kind}@acme.example`);
      const problem = assertProblem(await accept(token, weak), 400, 'password.rejected');
      assert.ok(Array.isArray(problem.errors) && problem.errors.some((e: { pointer: string }) => e.pointer === '/password'), JSON.stringify(problem));
      assert.equal((await accept(token, PASSWORD)).statusCode, 200);
    });
  }
});
