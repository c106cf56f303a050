import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../../src/http/app.js';
import { createManualClock } from '../../src/lib/clock.js';
import { changeApiUser, clientBasic, createApiUser, issueToken, postForm, type TestApiUser } from '../support/oauth.js';
import { addAdministrator, as, setupOrganization, type TestSession } from '../support/sessions.js';
import { postgresUrl, startTestApp, type TestApp } from '../support/test-app.js';

const PUBLIC_URL = 'http://127.0.0.1:3998';
const BEARER_CHALLENGE = 'Bearer realm="apiusers", error="invalid_token"';

describe(`POST /oauth/introspect and /oauth/revoke (${postgresUrl() ? 'PostgreSQL' : 'SQLite'})`, () => {
  const clock = createManualClock(new Date());
  let t: TestApp;
  let owner: TestSession;
  let user: TestApiUser;
  let ownerPat: string;
  let viewerPat: string;

  async function personalAccessToken(session: TestSession): Promise<string> {
    const response = await as(t.app, session, { method: 'POST', url: '/v1/me/tokens', payload: { name: 'introspection' } });
    assert.equal(response.statusCode, 201, response.body);
    return response.json().token;
  }
  const introspectAs = (tokenToCheck: string, headers: Record<string, string>) => postForm(t, '/oauth/introspect', { token: tokenToCheck }, headers);
  const introspectAsClient = (tokenToCheck: string, client: TestApiUser = user) => introspectAs(tokenToCheck, { authorization: clientBasic(client.username, client.password) });
  const accountInfo = (accessToken: string) => t.app.inject({ url: '/v2/account-info', headers: { authorization: `Bearer ${accessToken}` } });

  before(async () => {
    t = await startTestApp({ clock, env: { PUBLIC_URL } });
    owner = await setupOrganization(t, { name: 'Acme Corp' });
    user = await createApiUser(t, owner, 'Introspect-me-2026!');
    ownerPat = await personalAccessToken(owner);
    viewerPat = await personalAccessToken(await addAdministrator(t, owner, 'viewer'));
  });
  after(() => t.close());

  it("the token's own client -> 200 active with every RFC 7662 member; client_secret_post too", async () => {
    const accessToken = await issueToken(t, user);
    const response = await introspectAsClient(accessToken);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['cache-control'], 'no-store');
    const body = response.json();
    assert.equal(body.active, true);
    assert.equal(body.sub, user.id);
    assert.equal(body.client_id, user.username);
    assert.equal(body.username, user.username);
    assert.equal(body.scope, 'app:httpapi account:read');
    assert.equal(body.aud, 'httpapi');
    assert.equal(body.iss, PUBLIC_URL);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.exp - body.iat, 600);
    assert.equal(typeof body.jti, 'string');
    const post = await postForm(t, '/oauth/introspect', { token: accessToken, client_id: user.username, client_secret: user.password });
    assert.equal(post.json().active, true);
  });

  it("an administrator's personal access token with verify -> active; without verify (Viewer) -> 403 insufficient_scope; unknown -> 401 invalid_token", async () => {
    const accessToken = await issueToken(t, user);
    const admin = await introspectAs(accessToken, { authorization: `Bearer ${ownerPat}` });
    assert.equal(admin.statusCode, 200, admin.body);
    assert.equal(admin.json().active, true);

    const viewer = await introspectAs(accessToken, { authorization: `Bearer ${viewerPat}` });
    assert.equal(viewer.statusCode, 403, viewer.body);
    assert.equal(viewer.json().error, 'insufficient_scope');
    assert.match(String(viewer.headers['www-authenticate']), /error="insufficient_scope"/);
    assert.equal(viewer.json().active, undefined, 'nothing about the token leaks');

    const unknown = await introspectAs(accessToken, { authorization: 'Bearer au_pat_notARealToken' });
    assert.equal(unknown.statusCode, 401, unknown.body);
    assert.equal(unknown.json().error, 'invalid_token');

    const anonymous = await postForm(t, '/oauth/introspect', { token: accessToken });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.json().error, 'invalid_client');
  });

  it("another client's token, another organization's administrator, garbage -> active false", async () => {
    const accessToken = await issueToken(t, user);
    const other = await createApiUser(t, owner, 'Other-client-2026!');
    assert.deepEqual((await introspectAsClient(accessToken, other)).json(), { active: false });
    const foreignOwner = await setupOrganization(t, { name: 'Other Corp' });
    const foreign = await introspectAs(accessToken, { authorization: `Bearer ${await personalAccessToken(foreignOwner)}` });
    assert.equal(foreign.statusCode, 200, foreign.body);
    assert.deepEqual(foreign.json(), { active: false });
    for (const garbage of ['not-a-jwt', 'a.b.c', `${accessToken.slice(0, -4)}AAAA`]) {
      assert.deepEqual((await introspectAsClient(garbage)).json(), { active: false }, garbage);
    }
  });

  it('API user disabled -> active false at once, and the cached consumption API -> 403; enabled -> active again', async () => {
    const subject = await createApiUser(t, owner, 'Disable-me-2026!');
    const accessToken = await issueToken(t, subject);
    assert.equal((await accountInfo(accessToken)).statusCode, 200);
    assert.equal((await accountInfo(accessToken)).statusCode, 200, 'served from the verification cache');
    await changeApiUser(t, owner, subject.id, { status: 'disabled' });
    assert.deepEqual((await introspectAs(accessToken, { authorization: `Bearer ${ownerPat}` })).json(), { active: false });
    const refused = await accountInfo(accessToken);
    assert.equal(refused.statusCode, 403, refused.body);
    assert.equal(refused.json().code, 'auth.account_disabled');
    await changeApiUser(t, owner, subject.id, { status: 'enabled' });
    assert.equal((await introspectAs(accessToken, { authorization: `Bearer ${ownerPat}` })).json().active, true);
    assert.equal((await accountInfo(accessToken)).statusCode, 200);
  });

  it('revoked -> 200 {}; introspection active false; GET /v2/account-info with Bearer -> 401 credential.revoked, here and in a second instance', async () => {
    const accessToken = await issueToken(t, user);
    assert.equal((await accountInfo(accessToken)).statusCode, 200, 'cached before the revocation');
    const revoked = await postForm(t, '/oauth/revoke', { token: accessToken, token_type_hint: 'access_token' }, { authorization: clientBasic(user.username, user.password) });
    assert.equal(revoked.statusCode, 200, revoked.body);
    assert.deepEqual(revoked.json(), {});

    assert.deepEqual((await introspectAsClient(accessToken)).json(), { active: false });
    const refused = await accountInfo(accessToken);
    assert.equal(refused.statusCode, 401, refused.body);
    assert.equal(refused.json().code, 'credential.revoked');
    assert.equal(refused.headers['www-authenticate'], BEARER_CHALLENGE);

    const row = await t.deps.db.selectFrom('used_jwt_ids').selectAll().where('purpose', '=', 'revoked_access_token').where('user_id', '=', user.id).executeTakeFirst();
    assert.ok(row, 'the jti is stored until the token expires');
    assert.ok(row.expires_at > clock.now().toISOString());

    // Another instance on the same database starts with empty memory and still refuses it.
    const second = await buildApp(t.deps, { logger: false });
    try {
      const elsewhere = await second.inject({ url: '/v2/account-info', headers: { authorization: `Bearer ${accessToken}` } });
      assert.equal(elsewhere.statusCode, 401, elsewhere.body);
      assert.equal(elsewhere.json().code, 'credential.revoked');
    } finally {
      await second.close();
    }
    assert.equal((await accountInfo(await issueToken(t, user))).statusCode, 200, 'a new token works');
  });

  it("revoke: unknown or garbage token -> 200; another client's token -> 400 invalid_request; no client authentication -> 401", async () => {
    for (const garbage of ['unknown-token', 'a.b.c']) {
      const response = await postForm(t, '/oauth/revoke', { token: garbage }, { authorization: clientBasic(user.username, user.password) });
      assert.equal(response.statusCode, 200, response.body);
    }
    const other = await createApiUser(t, owner, 'Not-the-owner-2026!');
    const accessToken = await issueToken(t, user);
    const foreign = await postForm(t, '/oauth/revoke', { token: accessToken }, { authorization: clientBasic(other.username, other.password) });
    assert.equal(foreign.statusCode, 400, foreign.body);
    assert.equal(foreign.json().error, 'invalid_request');
    assert.equal((await accountInfo(accessToken)).statusCode, 200, 'not revoked');
    const anonymous = await postForm(t, '/oauth/revoke', { token: accessToken });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.headers['www-authenticate'], 'Basic realm="apiusers"');
  });

  it('expired (clock past exp) -> introspection active false, consumption API 401 credential.expired', async () => {
    const accessToken = await issueToken(t, user);
    assert.equal((await accountInfo(accessToken)).statusCode, 200);
    clock.advance(601_000);
    assert.deepEqual((await introspectAsClient(accessToken)).json(), { active: false });
    const expired = await accountInfo(accessToken);
    assert.equal(expired.statusCode, 401, expired.body);
    assert.equal(expired.json().code, 'credential.expired');
    assert.equal(expired.headers['www-authenticate'], BEARER_CHALLENGE);
  });

  it('API user deleted -> active false, consumption API 401', async () => {
    const doomed = await createApiUser(t, owner, 'Delete-me-2026!');
    const accessToken = await issueToken(t, doomed);
    assert.equal((await accountInfo(accessToken)).statusCode, 200);
    const url = `/v1/organizations/${owner.organizationId}/api-users/${doomed.id}`;
    const etag = (await as(t.app, owner, { method: 'GET', url })).headers.etag as string;
    assert.equal((await as(t.app, owner, { method: 'DELETE', url: `${url}?confirm=true`, headers: { 'if-match': etag } })).statusCode, 204);
    assert.deepEqual((await introspectAs(accessToken, { authorization: `Bearer ${ownerPat}` })).json(), { active: false });
    const gone = await accountInfo(accessToken);
    assert.equal(gone.statusCode, 401, gone.body);
    assert.equal(gone.json().code, 'credential.invalid');
  });
});
