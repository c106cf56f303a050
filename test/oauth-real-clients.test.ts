import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { createManualClock } from '../src/lib/clock.js';
import { rotateSigningKey } from '../src/modules/oauth/signing-key.service.js';
import { changeApiUser, createApiUser, createClientKeyPair, decodeJwtParts, type TestApiUser } from './support/oauth.js';
import { as, setupOrganization, type TestSession } from './support/sessions.js';
import { postgresUrl, startTestApp, type TestApp } from './support/test-app.js';

const run = promisify(execFile);

/** A free port to put in PUBLIC_URL before the app is built (the issuer must be the real address). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Real OAuth clients against a real server on a port: openid-client discovers the server from
 * its RFC 8414 metadata and runs the client credentials grant; jose verifies the tokens against
 * the published JWKS; curl calls the consumption API with Basic and Bearer.
 */
describe(`real OAuth clients against a listening server (${postgresUrl() ? 'PostgreSQL' : 'SQLite'})`, () => {
  const clock = createManualClock(new Date());
  let t: TestApp;
  let issuer: string;
  let owner: TestSession;
  let user: TestApiUser;

  const discover = (clientId: string, secret: string | undefined, auth: oidc.ClientAuth) =>
    oidc.discovery(new URL(issuer), clientId, secret, auth, { execute: [oidc.allowInsecureRequests], algorithm: 'oauth2' });
  /** cooldownDuration 0: refetch at once on an unknown kid (jose's default waits 30 s). */
  const remoteJwks = () => createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`), { cooldownDuration: 0, cacheMaxAge: 0 });

  before(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    t = await startTestApp({ clock, env: { PUBLIC_URL: issuer } });
    await t.app.listen({ port, host: '127.0.0.1' });
    owner = await setupOrganization(t, { name: 'Acme Corp' });
    user = await createApiUser(t, owner, 'Real:client%+2026');
  });
  after(() => t.close());

  it('openid-client discovers /.well-known/oauth-authorization-server and gets a token with client_secret_basic and client_secret_post', async () => {
    for (const auth of [oidc.ClientSecretBasic(user.password), oidc.ClientSecretPost(user.password)]) {
      const config = await discover(user.username, user.password, auth);
      assert.equal(config.serverMetadata().issuer, issuer);
      assert.equal(config.serverMetadata().token_endpoint, `${issuer}/oauth/token`);
      const tokens = await oidc.clientCredentialsGrant(config, { scope: 'app:httpapi account:read', resource: 'httpapi' });
      assert.equal(tokens.token_type.toLowerCase(), 'bearer');
      assert.equal(tokens.expires_in, 600);
      assert.equal(tokens.scope, 'app:httpapi account:read');
      assert.equal(tokens.refresh_token, undefined);
      assert.equal(decodeJwtParts(tokens.access_token).payload.sub, user.id);
    }
  });

  it('openid-client with private_key_jwt (a key registered through the public-keys API) -> token', async () => {
    const keyPair = await createClientKeyPair('real-client');
    const registered = await as(t.app, owner, {
      method: 'POST', url: `/v1/organizations/${owner.organizationId}/api-users/${user.id}/public-keys`, payload: { keys: [keyPair.publicJwk] },
    });
    assert.equal(registered.statusCode, 201, registered.body);
    // openid-client stamps the assertion with the real time; the server's manual clock must agree.
    clock.set(new Date());
    const config = await discover(user.username, undefined, oidc.PrivateKeyJwt({ key: keyPair.privateKey, kid: 'real-client' }));
    const tokens = await oidc.clientCredentialsGrant(config, { resource: 'httpapi' });
    assert.equal(decodeJwtParts(tokens.access_token).payload.client_id, user.username);
  });

  it('openid-client: a wrong secret (Basic: a 401 Basic challenge) and a disabled API user (post: invalid_client) are refused', async () => {
    const failure = (config: oidc.Configuration) => oidc.clientCredentialsGrant(config).then(() => assert.fail('the grant must fail'), (e: unknown) => e);
    const wrong = await failure(await discover(user.username, 'Wrong:secret%+2026', oidc.ClientSecretBasic('Wrong:secret%+2026')));
    // RFC 6749 §5.2: Basic failures carry WWW-Authenticate, which openid-client surfaces as the challenge.
    assert.ok(wrong instanceof oidc.WWWAuthenticateChallengeError, String(wrong));
    assert.equal(wrong.status, 401);
    assert.equal(wrong.cause[0]?.scheme, 'basic');

    const disabled = await createApiUser(t, owner, 'Soon-disabled-2026!');
    assert.ok((await oidc.clientCredentialsGrant(await discover(disabled.username, disabled.password, oidc.ClientSecretPost(disabled.password)))).access_token);
    await changeApiUser(t, owner, disabled.id, { status: 'disabled' });
    for (const auth of [oidc.ClientSecretPost(disabled.password), oidc.ClientSecretBasic(disabled.password)]) {
      const refused = await failure(await discover(disabled.username, disabled.password, auth));
      const status = (refused as { status?: number }).status;
      assert.equal(status, 401, String(refused));
      if (refused instanceof oidc.ResponseBodyError) assert.equal(refused.error, 'invalid_client');
      else assert.ok(refused instanceof oidc.WWWAuthenticateChallengeError, String(refused));
    }
  });

  it('jose createRemoteJWKSet + jwtVerify(issuer, audience, typ at+jwt) accepts our tokens and refuses a wrong audience', async () => {
    const config = await discover(user.username, user.password, oidc.ClientSecretBasic(user.password));
    const { access_token: token } = await oidc.clientCredentialsGrant(config);
    const { payload, protectedHeader } = await jwtVerify(token, remoteJwks(), { issuer, audience: 'httpapi', typ: 'at+jwt', algorithms: ['ES256'], currentDate: clock.now() });
    assert.equal(protectedHeader.typ, 'at+jwt');
    assert.equal(payload.client_id, user.username);
    await assert.rejects(jwtVerify(token, remoteJwks(), { issuer, audience: 'salesforce', typ: 'at+jwt', currentDate: clock.now() }), errors.JWTClaimValidationFailed);
  });

  it('after rotation the old key stays published; once past remove_after it leaves the JWKS and its tokens fail verification', async () => {
    const config = await discover(user.username, user.password, oidc.ClientSecretBasic(user.password));
    const oldToken = (await oidc.clientCredentialsGrant(config)).access_token;
    const issuedAt = clock.now();
    const oldKid = decodeJwtParts(oldToken).header.kid;

    const rotated = await rotateSigningKey(t.deps);
    assert.ok(rotated && rotated.key.id !== oldKid);
    // Made outside the token endpoint (as the CLI would): instances pick it up within 5 s.
    clock.advance(6_000);
    const newToken = (await oidc.clientCredentialsGrant(config)).access_token;
    assert.equal(decodeJwtParts(newToken).header.kid, rotated.key.id, 'new tokens are signed with the new key');
    const verifyOptions = { issuer, audience: 'httpapi', typ: 'at+jwt', currentDate: clock.now() };
    await jwtVerify(oldToken, remoteJwks(), verifyOptions);
    await jwtVerify(newToken, remoteJwks(), verifyOptions);

    clock.set(new Date(Date.parse(rotated.key.created_at) + 21 * 60_000));
    const jwks = await (await fetch(`${issuer}/.well-known/jwks.json`)).json() as { keys: Array<{ kid: string }> };
    assert.deepEqual(jwks.keys.map((k) => k.kid), [rotated.key.id]);
    // Checked at the time it was issued, so only the missing key can fail it, not its expiry.
    await assert.rejects(jwtVerify(oldToken, remoteJwks(), { ...verifyOptions, currentDate: issuedAt }), errors.JWKSNoMatchingKey);
    clock.set(issuedAt);
  });

  it('curl: GET /v2/account-info with HTTP Basic, and with the Bearer token from curl -u … /oauth/token', async () => {
    const basic = await run('curl', ['-sS', '-w', '\n%{http_code}', '-u', `${user.username}:${user.password}`, `${issuer}/v2/account-info`]);
    const [basicBody, basicStatus] = basic.stdout.split('\n');
    assert.equal(basicStatus, '200', basic.stdout);
    assert.equal(JSON.parse(basicBody!).api_user.id, user.id);

    const issued = await run('curl', ['-sS', '-u', `${user.username}:${user.password}`, '-d', 'grant_type=client_credentials', '-d', 'scope=account:read', `${issuer}/oauth/token`]);
    const { access_token: token, scope } = JSON.parse(issued.stdout) as { access_token: string; scope: string };
    assert.equal(scope, 'account:read');
    const bearer = await run('curl', ['-sS', '-w', '\n%{http_code}', '-H', `Authorization: Bearer ${token}`, `${issuer}/v2/account-info`]);
    const [bearerBody, bearerStatus] = bearer.stdout.split('\n');
    assert.equal(bearerStatus, '200', bearer.stdout);
    assert.equal(JSON.parse(bearerBody!).api_user.username, user.username);

    const wrong = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-H', 'Authorization: Bearer eyJhbGciOiJFUzI1NiJ9.e30.c2ln', `${issuer}/v2/account-info`]);
    assert.equal(wrong.stdout, '401');
  });
});
