import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createManualClock } from '../../src/lib/clock.js';
import { as, setupOrganization, type TestSession } from '../support/sessions.js';
import { postgresUrl, startTestApp, type TestApp } from '../support/test-app.js';

const CHALLENGE = 'Basic realm="apiusers", charset="UTF-8"';

/** RFC 7617 §2: base64 of user-id ":" password, UTF-8 encoded (§2.1, charset="UTF-8"). */
const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;

describe(`GET /v2/account-info with HTTP Basic (${postgresUrl() ? 'PostgreSQL' : 'SQLite'})`, () => {
  const clock = createManualClock('2026-03-02T09:00:00.000Z');
  let t: TestApp;
  let owner: TestSession;
  let ipCounter = 0;
  before(async () => {
    t = await startTestApp({ clock });
    owner = await setupOrganization(t, { name: 'Acme Corp' });
  });
  after(() => t.close());

  /**
   * A client address of its own for each test: failures are also throttled per IP, and one
   * test's wrong passwords must not throttle the next test.
   */
  const freshIp = () => `192.0.2.${++ipCounter}`;
  const usersUrl = (id = '') => `/v1/organizations/${owner.organizationId}/api-users${id ? `/${id}` : ''}`;

  /** A dotdigital-style API user: generated username, typed password, usable at once. */
  async function createApiUser(password: string, applications = ['httpapi']): Promise<{ id: string; username: string }> {
    const response = await as(t.app, owner, {
      method: 'POST', url: usersUrl(), payload: { description: 'Magento integration', password, password_confirmation: password, applications },
    });
    assert.equal(response.statusCode, 201, response.body);
    return response.json().api_user;
  }
  async function change(id: string, payload: Record<string, unknown>) {
    const etag = (await as(t.app, owner, { method: 'GET', url: usersUrl(id) })).headers.etag as string;
    const response = await as(t.app, owner, { method: 'PATCH', url: `${usersUrl(id)}?confirm=true`, payload, headers: { 'if-match': etag } });
    assert.equal(response.statusCode, 200, response.body);
    return response.json();
  }
  const call = (headers: Record<string, string>, remoteAddress: string) =>
    t.app.inject({ method: 'GET', url: '/v2/account-info', headers, remoteAddress });
  const callAs = (username: string, password: string, ip: string, application?: string) =>
    call({ authorization: basic(username, password), ...(application ? { 'x-application': application } : {}) }, ip);

  it('no, malformed or unsupported Authorization -> 401 with the WWW-Authenticate challenge that fits', async () => {
    const ip = freshIp();
    const BOTH = `${CHALLENGE}, Bearer realm="apiusers"`;
    const cases: Array<[string, Record<string, string>, string, string[]]> = [
      ['none', {}, BOTH, ['auth.unauthenticated']],
      ['Basic without credentials', { authorization: 'Basic' }, CHALLENGE, ['credential.malformed']],
      ['Basic with non-base64', { authorization: 'Basic !!!not-base64!!!' }, CHALLENGE, ['credential.malformed']],
      ['Basic without a colon', { authorization: `Basic ${Buffer.from('apiuser-only').toString('base64')}` }, CHALLENGE, ['credential.malformed']],
      ['Basic with an empty user-id', { authorization: `Basic ${Buffer.from(':secret-2026').toString('base64')}` }, CHALLENGE, ['credential.malformed']],
      ['Bearer with a token we never issued', { authorization: 'Bearer abc.def.ghi' }, 'Bearer realm="apiusers", error="invalid_token"', ['credential.malformed', 'credential.invalid']],
      ['Digest', { authorization: 'Digest username="x", realm="apiusers"' }, BOTH, ['auth.unauthenticated']],
    ];
    for (const [name, headers, challenge, codes] of cases) {
      const response = await call(headers, ip);
      assert.equal(response.statusCode, 401, `${name}: ${response.body}`);
      assert.equal(response.headers['www-authenticate'], challenge, name);
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/, name);
      assert.ok(codes.includes(response.json().code), `${name}: ${response.json().code}`);
    }
  });

  it('a password containing ":" -> 200 (RFC 7617: only the first colon separates)', async () => {
    const password = 'sync:2026:with:colons';
    const user = await createApiUser(password);
    const response = await callAs(user.username, password, freshIp());
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().api_user.id, user.id);
  });

  it('a UTF-8 password -> 200 (RFC 7617 §2.1: charset="UTF-8")', async () => {
    const password = 'Grüße-aus-Köln-2026€-東京';
    const user = await createApiUser(password);
    const response = await callAs(user.username, password, freshIp());
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().api_user.id, user.id);
  });

  it('unknown username and wrong password -> the same 401, code and detail', async () => {
    const user = await createApiUser('Right-password-2026');
    const ip = freshIp();
    const unknown = await callAs('apiuser-000000000000@apiconnector.example', 'Right-password-2026', ip);
    const wrong = await callAs(user.username, 'Wrong-password-2026', ip);
    for (const response of [unknown, wrong]) {
      assert.equal(response.statusCode, 401, response.body);
      assert.equal(response.headers['www-authenticate'], CHALLENGE);
    }
    const strip = (body: { instance?: string }) => ({ ...body, instance: undefined });
    assert.deepEqual(strip(unknown.json()), strip(wrong.json()));
    assert.equal(unknown.json().code, 'api_user.invalid_credentials');
  });

  it('disabled right after a cached 200 -> 403 on the next request; enabled again -> 200; deleted -> 401 at once', async () => {
    const password = 'Disable-me-2026';
    const user = await createApiUser(password);
    const ip = freshIp();
    assert.equal((await callAs(user.username, password, ip)).statusCode, 200);
    assert.equal((await callAs(user.username, password, ip)).statusCode, 200, 'the second call is served from the verification cache');

    await change(user.id, { status: 'disabled' });
    const disabled = await callAs(user.username, password, ip);
    assert.equal(disabled.statusCode, 403, disabled.body);
    assert.equal(disabled.json().code, 'auth.account_disabled');

    await change(user.id, { status: 'enabled' });
    assert.equal((await callAs(user.username, password, ip)).statusCode, 200);

    const etag = (await as(t.app, owner, { method: 'GET', url: usersUrl(user.id) })).headers.etag as string;
    const removed = await as(t.app, owner, { method: 'DELETE', url: `${usersUrl(user.id)}?confirm=true`, headers: { 'if-match': etag } });
    assert.equal(removed.statusCode, 204, removed.body);
    const deleted = await callAs(user.username, password, ip);
    assert.equal(deleted.statusCode, 401, deleted.body);
    assert.equal(deleted.json().code, 'api_user.invalid_credentials');
  });

  it('password changed by PATCH -> the old password 401 at once, the new one 200', async () => {
    const user = await createApiUser('First-password-2026');
    const ip = freshIp();
    assert.equal((await callAs(user.username, 'First-password-2026', ip)).statusCode, 200);
    await change(user.id, { password: 'Second-password-2026', password_confirmation: 'Second-password-2026' });
    assert.equal((await callAs(user.username, 'First-password-2026', ip)).statusCode, 401);
    assert.equal((await callAs(user.username, 'Second-password-2026', ip)).statusCode, 200);
  });

  it('application removed by PATCH -> 403 application_not_assigned at once', async () => {
    const password = 'Two-apps-2026!';
    const user = await createApiUser(password, ['httpapi', 'salesforce']);
    const ip = freshIp();
    assert.equal((await callAs(user.username, password, ip, 'salesforce')).statusCode, 200);
    await change(user.id, { applications: ['httpapi'] });
    const refused = await callAs(user.username, password, ip, 'salesforce');
    assert.equal(refused.statusCode, 403, refused.body);
    assert.equal(refused.json().code, 'application_not_assigned');
    assert.equal((await callAs(user.username, password, ip, 'httpapi')).statusCode, 200);
  });

  it('10 wrong passwords for one username -> the 11th, even with the right (cached) password, 429 with Retry-After; another user from another IP -> 200', async () => {
    const password = 'Throttle-me-2026';
    const victim = await createApiUser(password);
    const bystander = await createApiUser('Bystander-2026!');
    const attacker = freshIp();
    // The integration's own call puts the right password in the verification cache; while the
    // username is throttled that must not answer 200, or the guesser learns which guess is right.
    assert.equal((await callAs(victim.username, password, freshIp())).statusCode, 200);
    for (let i = 1; i <= 10; i++) {
      const response = await callAs(victim.username, `Guess-${i}-2026`, attacker);
      assert.equal(response.statusCode, 401, `attempt ${i}: ${response.body}`);
    }
    const throttled = await callAs(victim.username, password, attacker);
    assert.equal(throttled.statusCode, 429, throttled.body);
    assert.equal(throttled.json().code, 'api_user.too_many_attempts');
    const retryAfter = Number(throttled.headers['retry-after']);
    assert.ok(Number.isInteger(retryAfter) && retryAfter > 0, `Retry-After: ${throttled.headers['retry-after']}`);
    // The throttle is per username, not only per IP.
    assert.equal((await callAs(victim.username, password, freshIp())).statusCode, 429);

    const other = await callAs(bystander.username, 'Bystander-2026!', freshIp());
    assert.equal(other.statusCode, 200, other.body);
  });

  it('last_sign_in_at: set by the first 200, not rewritten within a minute, rewritten after 61 s', async () => {
    const password = 'Sign-in-time-2026';
    const user = await createApiUser(password);
    const ip = freshIp();
    const lastSignIn = async () => (await t.deps.db.selectFrom('users').select('last_sign_in_at').where('id', '=', user.id).executeTakeFirstOrThrow()).last_sign_in_at;
    /** The write happens off the request path: wait (bounded) for it to land. */
    const eventually = async (expected: string) => {
      for (let i = 0; i < 200 && (await lastSignIn()) !== expected; i++) await sleep(10);
      assert.equal(await lastSignIn(), expected);
    };
    assert.equal(await lastSignIn(), null);

    const first = clock.now().toISOString();
    assert.equal((await callAs(user.username, password, ip)).statusCode, 200);
    await eventually(first);

    clock.advance(30_000);
    assert.equal((await callAs(user.username, password, ip)).statusCode, 200);
    await sleep(100);
    assert.equal(await lastSignIn(), first, 'not rewritten within a minute');

    clock.advance(31_000);
    const later = clock.now().toISOString();
    const third = await callAs(user.username, password, ip);
    assert.equal(third.statusCode, 200);
    await eventually(later);
    const shown = (await as(t.app, owner, { method: 'GET', url: usersUrl(user.id) })).json();
    assert.equal(shown.last_sign_in_at, later);
  });

  it('X-Application: a custom application assigned to the user -> 200; unassigned -> 403; "Sales Force" -> 400', async () => {
    const created = await as(t.app, owner, {
      method: 'POST', url: `/v1/organizations/${owner.organizationId}/applications`, payload: { key: 'acme-portal', name: 'Acme Portal' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const password = 'Portal-sync-2026!';
    const user = await createApiUser(password, ['acme-portal']);
    const ip = freshIp();

    const ok = await callAs(user.username, password, ip, 'acme-portal');
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json().application, { key: 'acme-portal' });
    assert.deepEqual(ok.json().applications.map((a: { key: string; name: string }) => [a.key, a.name]), [['acme-portal', 'Acme Portal']]);

    const defaulted = await callAs(user.username, password, ip);
    assert.equal(defaulted.statusCode, 403, 'no header means httpapi, which this user lacks');
    assert.equal(defaulted.json().code, 'application_not_assigned');

    const invalid = await callAs(user.username, password, ip, 'Sales Force');
    assert.equal(invalid.statusCode, 400, invalid.body);
    assert.equal(invalid.json().code, 'request.invalid');
  });
});
