import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createManualClock } from '../src/lib/clock.js';
import { decryptPrivateJwk } from '../src/modules/oauth/signing-key-crypto.js';
import { ensureActiveSigningKey, rotateSigningKey } from '../src/modules/oauth/signing-key.service.js';
import { createApiUser, decodeJwtParts, issueToken, type TestApiUser } from './support/oauth.js';
import { setupOrganization } from './support/sessions.js';
import { postgresUrl, startTestApp, type TestApp } from './support/test-app.js';

describe(`signing keys (${postgresUrl() ? 'PostgreSQL' : 'SQLite'})`, () => {
  const clock = createManualClock('2026-03-02T09:00:00.000Z');
  let t: TestApp;
  let user: TestApiUser;
  const activeKeys = () => t.deps.db.selectFrom('signing_keys').selectAll().where('status', '=', 'active').execute();
  const jwksKids = async () => ((await t.app.inject({ url: '/.well-known/jwks.json' })).json().keys as Array<{ kid: string }>).map((k) => k.kid).sort();

  before(async () => {
    t = await startTestApp({ clock });
    user = await createApiUser(t, await setupOrganization(t), 'Signing-keys-2026!');
  });
  after(() => t.close());

  it('ten instances racing to create the first key -> one active key remains, the others retired but published', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => ensureActiveSigningKey(t.deps)));
    const active = await activeKeys();
    assert.equal(active.length, 1, `active: ${active.map((k) => k.id).join(', ')}`);
    assert.ok(results.some((r) => r.id === active[0]!.id));
    const all = await t.deps.db.selectFrom('signing_keys').select(['id', 'status', 'remove_after']).execute();
    assert.ok(all.length > 1, 'the instances did race (each made a key)');
    assert.ok(all.every((k) => k.status === 'active' || k.remove_after! > clock.now().toISOString()), 'a raced key stays published while its tokens may live');
    assert.equal(decodeJwtParts(await issueToken(t, user)).header.kid, active[0]!.id, 'tokens are signed with the one active key');
  });

  it('the private key is stored encrypted (AES-256-GCM under HKDF(SECRET_KEY)), bound to its kid', async () => {
    const [row] = await activeKeys();
    assert.ok(row);
    assert.doesNotMatch(row.private_jwk_encrypted, /"d"|"kty"/);
    assert.match(row.private_jwk_encrypted, /^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    const jwk = decryptPrivateJwk(t.deps.secretKey, row.id, row.private_jwk_encrypted);
    assert.equal(jwk.kty, 'EC');
    assert.equal(typeof jwk.d, 'string');
    assert.equal(JSON.parse(row.public_jwk).d, undefined);
    assert.throws(() => decryptPrivateJwk(randomBytes(32), row.id, row.private_jwk_encrypted), /SECRET_KEY/);
    assert.throws(() => decryptPrivateJwk(t.deps.secretKey, 'another-kid', row.private_jwk_encrypted), /SECRET_KEY/);
  });

  it('two instances rotating the same key at once -> exactly one rotation wins', async () => {
    const [current] = await activeKeys();
    const outcomes = await Promise.all([rotateSigningKey(t.deps, { replacing: current!.id }), rotateSigningKey(t.deps, { replacing: current!.id })]);
    assert.equal(outcomes.filter((o) => o !== null).length, 1);
    assert.equal((await activeKeys()).length, 1);
  });

  it('a key older than SIGNING_KEY_ROTATION_DAYS is rotated on the next token; the old one leaves the JWKS after remove_after and its tokens are refused', async () => {
    clock.advance(6_000); // the earlier tests rotated keys outside the token endpoint: let the store see it
    const oldToken = await issueToken(t, user);
    const oldKid = decodeJwtParts(oldToken).header.kid as string;
    clock.advance(30 * 86_400_000);
    const newToken = await issueToken(t, user);
    const newKid = decodeJwtParts(newToken).header.kid as string;
    assert.notEqual(newKid, oldKid);
    const retired = await t.deps.db.selectFrom('signing_keys').selectAll().where('id', '=', oldKid).executeTakeFirstOrThrow();
    assert.equal(retired.status, 'retired');
    assert.equal(retired.remove_after, new Date(clock.now().getTime() + 20 * 60_000).toISOString(), 'now + longest token lifetime (15 min) + 5 min');
    assert.ok((await jwksKids()).includes(oldKid));

    clock.advance(20 * 60_000);
    assert.ok(!(await jwksKids()).includes(oldKid), 'gone once remove_after has passed');
    assert.ok((await jwksKids()).includes(newKid));
    const refused = await t.app.inject({ url: '/v2/account-info', headers: { authorization: `Bearer ${oldToken}` } });
    assert.equal(refused.statusCode, 401, refused.body);
  });
});
