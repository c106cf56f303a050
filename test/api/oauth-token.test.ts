import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createManualClock } from '../../src/lib/clock.js';
import {
  changeApiUser, clientBasic, createApiUser, createClientKeyPair, decodeJwtParts, form, postForm, signClientAssertion, type TestApiUser,
} from '../support/oauth.js';
import { as, setupOrganization, type TestSession } from '../support/sessions.js';
import { postgresUrl, startTestApp, type TestApp } from '../support/test-app.js';

const GRANT = { grant_type: 'client_credentials' };
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const PUBLIC_URL = 'http://127.0.0.1:3999';

describe(`POST /oauth/token (${postgresUrl() ? 'PostgreSQL' : 'SQLite'})`, () => {
  const clock = createManualClock(new Date());
  let t: TestApp;
  let owner: TestSession;
  let user: TestApiUser;
  let ipCounter = 0;
  /** An address per test: failed authentications are throttled per IP too. */
  const freshIp = () => `198.51.100.${++ipCounter}`;
  const keysUrl = (id: string, key = '') => `/v1/organizations/${owner.organizationId}/api-users/${id}/public-keys${key ? `/${key}` : ''}`;
  const token = (params: Record<string, string>, headers: Record<string, string> = {}) => postForm(t, '/oauth/token', params, headers, freshIp());

  before(async () => {
    t = await startTestApp({ clock, env: { PUBLIC_URL } });
    owner = await setupOrganization(t, { name: 'Acme Corp' });
    // RFC 6749 §2.3.1: ':' '%' and '+' change meaning when form-encoded, so they prove the decoding.
    user = await createApiUser(t, owner, 'Sync:100%+sure 2026');
  });
  after(() => t.close());

  it('client_secret_basic, id and secret form-urlencoded (§2.3.1) -> 200 RFC 9068 JWT, no-store, no refresh token', async () => {
    const response = await token(GRANT, { authorization: clientBasic(user.username, user.password) });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.equal(response.headers.pragma, 'no-cache');
    const body = response.json();
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 600);
    assert.equal(body.scope, 'app:httpapi account:read');
    const { header, payload } = decodeJwtParts(body.access_token);
    assert.equal(header.typ, 'at+jwt');
    assert.equal(header.alg, 'ES256');
    assert.equal(typeof header.kid, 'string');
    assert.equal(payload.iss, PUBLIC_URL);
    assert.equal(payload.sub, user.id);
    assert.equal(payload.client_id, user.username);
    assert.equal(payload.aud, 'httpapi');
    assert.equal(payload.scope, 'app:httpapi account:read');
    assert.equal(typeof payload.jti, 'string');
    assert.equal(payload.exp, Number(payload.iat) + 600);
  });

  it('client_secret_basic without the §2.3.1 encoding (raw id and secret) -> 200, even when the raw secret also decodes', async () => {
    const response = await token(GRANT, { authorization: clientBasic(user.username, user.password, true) });
    assert.equal(response.statusCode, 200, response.body);
    // "%41" and "+" decode to "A" and " ": the decoded reading is wrong, the raw one right.
    const ambiguous = await createApiUser(t, owner, 'Plus+and%41-2026:x');
    for (const raw of [true, false]) {
      const answer = await token(GRANT, { authorization: clientBasic(ambiguous.username, ambiguous.password, raw) });
      assert.equal(answer.statusCode, 200, `raw=${raw}: ${answer.body}`);
    }
  });

  it('client_secret_post -> 200, and the token works at GET /v2/account-info as Bearer', async () => {
    const response = await token({ ...GRANT, client_id: user.username, client_secret: user.password });
    assert.equal(response.statusCode, 200, response.body);
    const info = await t.app.inject({ url: '/v2/account-info', headers: { authorization: `Bearer ${response.json().access_token}` } });
    assert.equal(info.statusCode, 200, info.body);
    assert.equal(info.json().api_user.id, user.id);
    const asSalesforce = await t.app.inject({ url: '/v2/account-info', headers: { authorization: `Bearer ${response.json().access_token}`, 'x-application': 'salesforce' } });
    assert.equal(asSalesforce.statusCode, 403, 'a token is for its audience only');
  });

  it("an API key as client secret -> 200; another API user's key -> 401 invalid_client", async () => {
    const created = await as(t.app, owner, { method: 'POST', url: `/v1/organizations/${owner.organizationId}/api-users/${user.id}/keys`, payload: { name: 'oauth' } });
    assert.equal(created.statusCode, 201, created.body);
    const key = created.json().key as string;
    const ok = await token(GRANT, { authorization: clientBasic(user.username, key) });
    assert.equal(ok.statusCode, 200, ok.body);
    const other = await createApiUser(t, owner, 'Other-user-2026!');
    const refused = await token(GRANT, { authorization: clientBasic(other.username, key) });
    assert.equal(refused.statusCode, 401, refused.body);
    assert.equal(refused.json().error, 'invalid_client');
  });

  it('wrong secret or unknown client -> 401 invalid_client with WWW-Authenticate Basic, as RFC 6749 JSON (not problem+json)', async () => {
    const ip = freshIp();
    const wrong = await postForm(t, '/oauth/token', GRANT, { authorization: clientBasic(user.username, 'Wrong:100%+sure') }, ip);
    const unknown = await postForm(t, '/oauth/token', GRANT, { authorization: clientBasic('apiuser-000000000000@apiconnector.example', user.password) }, ip);
    for (const response of [wrong, unknown]) {
      assert.equal(response.statusCode, 401, response.body);
      assert.equal(response.headers['www-authenticate'], 'Basic realm="apiusers"');
      assert.match(String(response.headers['content-type']), /^application\/json/);
      assert.equal(response.headers['cache-control'], 'no-store');
      assert.deepEqual(Object.keys(response.json()).sort(), ['error', 'error_description']);
      assert.equal(response.json().error, 'invalid_client');
    }
    assert.deepEqual(wrong.json(), unknown.json(), 'an unknown client and a wrong secret look the same');
    const post = await token({ ...GRANT, client_id: user.username, client_secret: 'wrong-secret-2026' });
    assert.equal(post.statusCode, 401);
    assert.equal(post.json().error, 'invalid_client');
    assert.equal(post.headers['www-authenticate'], undefined, 'no Basic challenge for a client that authenticated in the body');
  });

  it('disabled API user -> 401 invalid_client, with the right secret, by every method; enabled again -> 200', async () => {
    const disabled = await createApiUser(t, owner, 'Disabled-soon-2026');
    assert.equal((await token(GRANT, { authorization: clientBasic(disabled.username, disabled.password) })).statusCode, 200);
    await changeApiUser(t, owner, disabled.id, { status: 'disabled' });
    for (const response of [
      await token(GRANT, { authorization: clientBasic(disabled.username, disabled.password) }),
      await token({ ...GRANT, client_id: disabled.username, client_secret: disabled.password }),
    ]) {
      assert.equal(response.statusCode, 401, response.body);
      assert.equal(response.json().error, 'invalid_client');
      assert.match(response.json().error_description, /disabled/);
    }
    await changeApiUser(t, owner, disabled.id, { status: 'enabled' });
    assert.equal((await token(GRANT, { authorization: clientBasic(disabled.username, disabled.password) })).statusCode, 200);
  });

  it('resource: an assigned application -> 200 with that aud; unassigned or unknown -> 400 invalid_target', async () => {
    const both = await createApiUser(t, owner, 'Two-apps-2026!', ['httpapi', 'salesforce']);
    const ok = await token({ ...GRANT, resource: 'salesforce' }, { authorization: clientBasic(both.username, both.password) });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(decodeJwtParts(ok.json().access_token).payload.aud, 'salesforce');
    assert.equal(ok.json().scope, 'app:salesforce account:read');
    const viaAudience = await token({ ...GRANT, audience: 'salesforce' }, { authorization: clientBasic(both.username, both.password) });
    assert.equal(decodeJwtParts(viaAudience.json().access_token).payload.aud, 'salesforce');

    for (const resource of ['salesforce', 'no-such-app', 'https://evil.example/']) {
      const refused = await token({ ...GRANT, resource }, { authorization: clientBasic(user.username, user.password) });
      assert.equal(refused.statusCode, 400, `${resource}: ${refused.body}`);
      assert.equal(refused.json().error, 'invalid_target', resource);
    }
  });

  it('scope: allowed subset -> 200 with exactly that scope; unknown or another application\'s -> 400 invalid_scope', async () => {
    const narrow = await token({ ...GRANT, scope: 'account:read' }, { authorization: clientBasic(user.username, user.password) });
    assert.equal(narrow.statusCode, 200, narrow.body);
    assert.equal(narrow.json().scope, 'account:read');
    for (const scope of ['admin', 'app:salesforce', 'account:read account:write', 'app:httpapi "quoted"']) {
      const refused = await token({ ...GRANT, scope, resource: 'httpapi' }, { authorization: clientBasic(user.username, user.password) });
      assert.equal(refused.statusCode, 400, `${scope}: ${refused.body}`);
      assert.equal(refused.json().error, 'invalid_scope', scope);
    }
  });

  it('grant_type: another -> 400 unsupported_grant_type; missing -> invalid_request', async () => {
    for (const grant of ['password', 'authorization_code', 'urn:ietf:params:oauth:grant-type:jwt-bearer']) {
      const response = await token({ grant_type: grant }, { authorization: clientBasic(user.username, user.password) });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().error, 'unsupported_grant_type');
    }
    const missing = await token({}, { authorization: clientBasic(user.username, user.password) });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().error, 'invalid_request');
  });

  it('malformed requests -> 400 invalid_request: JSON body, repeated parameter, two client authentication methods', async () => {
    const json = await t.app.inject({ method: 'POST', url: '/oauth/token', payload: GRANT, headers: { authorization: clientBasic(user.username, user.password) } });
    const repeated = await t.app.inject({
      method: 'POST', url: '/oauth/token', payload: `${form(GRANT)}&scope=account%3Aread&scope=app%3Ahttpapi`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: clientBasic(user.username, user.password) },
    });
    const twoMethods = await token({ ...GRANT, client_id: user.username, client_secret: user.password }, { authorization: clientBasic(user.username, user.password) });
    for (const response of [json, repeated, twoMethods]) {
      assert.equal(response.statusCode, 400, response.body);
      assert.match(String(response.headers['content-type']), /^application\/json/);
      assert.equal(response.json().error, 'invalid_request');
    }
    const none = await token(GRANT);
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().error, 'invalid_client');
  });

  describe('private_key_jwt with a key registered through the public-keys API', () => {
    let client: TestApiUser;
    let keyPair: Awaited<ReturnType<typeof createClientKeyPair>>;
    let registeredId: string;
    const assertionParams = (assertion: string) => ({ ...GRANT, client_assertion_type: JWT_BEARER, client_assertion: assertion });

    before(async () => {
      client = await createApiUser(t, owner, 'Key-based-2026!');
      keyPair = await createClientKeyPair('integration-2026');
      const registered = await as(t.app, owner, { method: 'POST', url: keysUrl(client.id), payload: { name: 'integration', keys: [keyPair.publicJwk] } });
      assert.equal(registered.statusCode, 201, registered.body);
      const [stored] = registered.json().data;
      assert.equal(stored.key_id, 'integration-2026');
      assert.equal(stored.jwk.kty, 'EC');
      assert.equal(stored.jwk.d, undefined);
      registeredId = stored.id;
    });

    it('a signed assertion (aud = token endpoint) -> 200; the same assertion again -> 401 invalid_client (replay)', async () => {
      const assertion = await signClientAssertion(keyPair.privateKey, { clientId: client.username, audience: `${PUBLIC_URL}/oauth/token`, kid: 'integration-2026', now: clock.now() });
      const first = await token(assertionParams(assertion));
      assert.equal(first.statusCode, 200, first.body);
      assert.equal(decodeJwtParts(first.json().access_token).payload.sub, client.id);
      const replay = await token(assertionParams(assertion));
      assert.equal(replay.statusCode, 401, replay.body);
      assert.equal(replay.json().error, 'invalid_client');
      assert.match(replay.json().error_description, /already used/);
    });

    it('aud = the issuer, no kid in the header -> 200', async () => {
      const assertion = await signClientAssertion(keyPair.privateKey, { clientId: client.username, audience: PUBLIC_URL, now: clock.now() });
      assert.equal((await token(assertionParams(assertion))).statusCode, 200);
    });

    it('refused (401 invalid_client): exp more than 5 minutes ahead, expired, wrong aud, unregistered key, iss != client', async () => {
      const stranger = await createClientKeyPair('integration-2026');
      const audience = `${PUBLIC_URL}/oauth/token`;
      const cases: Array<[string, Promise<string>]> = [
        ['exp in 10 minutes', signClientAssertion(keyPair.privateKey, { clientId: client.username, audience, now: clock.now(), lifetimeSeconds: 600 })],
        ['expired', signClientAssertion(keyPair.privateKey, { clientId: client.username, audience, now: new Date(clock.now().getTime() - 120_000) })],
        ['wrong aud', signClientAssertion(keyPair.privateKey, { clientId: client.username, audience: 'https://other.example/token', now: clock.now() })],
        ['unregistered key', signClientAssertion(stranger.privateKey, { clientId: client.username, audience, kid: 'integration-2026', now: clock.now() })],
        ['another client', signClientAssertion(keyPair.privateKey, { clientId: user.username, audience, now: clock.now() })],
      ];
      for (const [name, signed] of cases) {
        const response = await token(assertionParams(await signed));
        assert.equal(response.statusCode, 401, `${name}: ${response.body}`);
        assert.equal(response.json().error, 'invalid_client', name);
      }
      const wrongType = await token({ ...GRANT, client_assertion_type: 'urn:example:saml', client_assertion: 'x.y.z' });
      assert.equal(wrongType.json().error, 'invalid_request');
    });

    it('disabled API user -> invalid_client even with a valid assertion', async () => {
      await changeApiUser(t, owner, client.id, { status: 'disabled' });
      const assertion = await signClientAssertion(keyPair.privateKey, { clientId: client.username, audience: PUBLIC_URL, now: clock.now() });
      const response = await token(assertionParams(assertion));
      assert.equal(response.statusCode, 401, response.body);
      assert.equal(response.json().error, 'invalid_client');
      await changeApiUser(t, owner, client.id, { status: 'enabled' });
    });

    it('public keys API: PEM upload -> 201; private keys -> 400; list; DELETE -> 204 and the key is refused at once', async () => {
      const pemPair = await createClientKeyPair('pem');
      const { createPublicKey } = await import('node:crypto');
      const pem = createPublicKey({ key: pemPair.publicJwk as never, format: 'jwk' }).export({ format: 'pem', type: 'spki' }).toString();
      const fromPem = await as(t.app, owner, { method: 'POST', url: keysUrl(client.id), payload: { pem, kid: 'from-pem' } });
      assert.equal(fromPem.statusCode, 201, fromPem.body);
      assert.equal(fromPem.json().data[0].jwk.crv, 'P-256');

      const { exportJWK } = await import('jose');
      const privateJwk = await exportJWK(pemPair.privateKey);
      const privatePem = (await import('node:crypto')).createPrivateKey({ key: privateJwk as never, format: 'jwk' }).export({ format: 'pem', type: 'pkcs8' }).toString();
      for (const payload of [{ keys: [privateJwk] }, privateJwk, { pem: privatePem }, { kty: 'oct', k: 'c2VjcmV0' }]) {
        const refused = await as(t.app, owner, { method: 'POST', url: keysUrl(client.id), payload });
        assert.equal(refused.statusCode, 400, refused.body);
        assert.equal(refused.json().code, 'request.invalid');
      }
      const duplicate = await as(t.app, owner, { method: 'POST', url: keysUrl(client.id), payload: keyPair.publicJwk });
      assert.equal(duplicate.statusCode, 400, duplicate.body);

      const list = await as(t.app, owner, { method: 'GET', url: keysUrl(client.id) });
      assert.equal(list.statusCode, 200);
      assert.deepEqual(list.json().data.map((k: { key_id: string }) => k.key_id).sort(), ['from-pem', 'integration-2026']);

      const removed = await as(t.app, owner, { method: 'DELETE', url: keysUrl(client.id, registeredId) });
      assert.equal(removed.statusCode, 204, removed.body);
      const assertion = await signClientAssertion(keyPair.privateKey, { clientId: client.username, audience: PUBLIC_URL, now: clock.now() });
      assert.equal((await token(assertionParams(assertion))).json().error, 'invalid_client');
      const audit = await as(t.app, owner, { method: 'GET', url: `/v1/organizations/${owner.organizationId}/audit-events?limit=200` });
      const actions = audit.json().data.map((e: { action: string }) => e.action);
      assert.ok(actions.includes('public_key.added') && actions.includes('public_key.removed'), actions.join(', '));
    });
  });

  it('GET /.well-known/oauth-authorization-server and /.well-known/jwks.json describe this server', async () => {
    const metadata = await t.app.inject({ url: '/.well-known/oauth-authorization-server' });
    assert.equal(metadata.statusCode, 200);
    const m = metadata.json();
    assert.equal(m.issuer, PUBLIC_URL);
    assert.equal(m.token_endpoint, `${PUBLIC_URL}/oauth/token`);
    assert.equal(m.jwks_uri, `${PUBLIC_URL}/.well-known/jwks.json`);
    assert.deepEqual(m.grant_types_supported, ['client_credentials']);
    assert.deepEqual(m.token_endpoint_auth_methods_supported, ['client_secret_basic', 'client_secret_post', 'private_key_jwt']);
    const jwks = await t.app.inject({ url: '/.well-known/jwks.json' });
    assert.equal(jwks.statusCode, 200);
    assert.equal(jwks.headers['cache-control'], 'public, max-age=300');
    assert.ok(jwks.json().keys.length >= 1);
    assert.ok(jwks.json().keys.every((k: Record<string, string>) => k.kty === 'EC' && k.alg === 'ES256' && !('d' in k)));
  });
});
