import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LocalInvalidationBus } from '../src/modules/api-auth/invalidation-bus.js';
import { invalidationPayload, parseInvalidation } from '../src/modules/api-auth/invalidation-payload.js';
import { VerificationCache, type CachedPrincipal, type VerifiedCredential } from '../src/modules/api-auth/verification-cache.js';
import { as, setupOrganization, type TestSession } from './support/sessions.js';
import { postgresUrl } from './support/test-app.js';
import { startTwoInstances, waitFor, type TwoInstances } from './support/two-instances.js';

const verified = (userId: string, organizationId = 'org'): VerifiedCredential => ({
  userId, organizationId, credentialId: `cred-${userId}`, username: `user-${userId}`, applications: new Set(['httpapi']),
  kind: 'password', expiresAt: null, rateLimitTier: null,
});
const adminToken = (userId: string, organizationId: string): CachedPrincipal => ({
  kind: 'admin_token', userId, organizationId, credentialId: `pat-${userId}`, expiresAt: null, principal: { userId, organizationId }, lastUseWrittenAt: 0,
});

describe('in-process invalidation (SQLite: one instance)', () => {
  it('userChanged drops that user\'s cached verifications at once and keeps the others', async () => {
    const cache = new VerificationCache();
    const bus = new LocalInvalidationBus(cache);
    await bus.start();
    cache.set('key-a1', verified('a'));
    cache.set('key-a2', verified('a'));
    cache.set('key-b', verified('b'));
    await bus.userChanged('a');
    assert.equal(cache.get('key-a1'), undefined);
    assert.equal(cache.get('key-a2'), undefined);
    assert.equal(cache.get('key-b')?.userId, 'b');
    await bus.stop();
  });

  it('organizationChanged drops the organization\'s API user and administrator token entries at once, and no other organization\'s', async () => {
    const cache = new VerificationCache();
    const bus = new LocalInvalidationBus(cache);
    cache.set('key-a', verified('a', 'acme'));
    cache.set('pat-admin', adminToken('admin', 'acme'));
    cache.set('key-b', verified('b', 'other'));
    cache.set('pat-other', adminToken('other-admin', 'other'));
    await bus.organizationChanged('acme');
    assert.equal(cache.get('key-a'), undefined);
    assert.equal(cache.getPrincipal('pat-admin'), undefined);
    assert.equal(cache.get('key-b')?.userId, 'b');
    assert.equal(cache.getPrincipal('pat-other')?.userId, 'other-admin');
    assert.equal(cache.size, 2);
    // The indexes followed: the user's drop finds nothing left of 'a', and 'acme' can be cached again.
    cache.set('key-a', verified('a', 'acme'));
    await bus.userChanged('a');
    assert.equal(cache.size, 2);
  });

  it('an entry re-set for another organization leaves the first organization\'s index: dropping it keeps the entry', () => {
    const cache = new VerificationCache();
    cache.set('key', verified('a', 'acme'));
    cache.set('key', verified('a', 'other'));
    cache.invalidateOrganization('acme');
    assert.equal(cache.get('key')?.organizationId, 'other');
  });

  it('a verification read before a drop is not kept (set with the generation read before) -> the next request reads again', () => {
    const cache = new VerificationCache();
    const readAt = cache.generation;
    cache.invalidateUser('a'); // a change committed and dropped while the database read ran
    assert.equal(cache.set('key-a', verified('a'), readAt), false);
    assert.equal(cache.get('key-a'), undefined);
    assert.equal(cache.set('key-a', verified('a'), cache.generation), true);
    assert.equal(cache.get('key-a')?.userId, 'a');
  });

  it('drop listeners hear each drop: a user\'s, an organization\'s, and everything as null; unsubscribed, nothing', () => {
    const cache = new VerificationCache();
    const heard: unknown[] = [];
    const stop = cache.onDrop((dropped) => heard.push(dropped));
    cache.invalidateUser('a');
    cache.invalidateOrganization('acme');
    cache.clear();
    stop();
    cache.clear();
    assert.deepEqual(heard, [{ kind: 'user', userId: 'a' }, { kind: 'organization', organizationId: 'acme' }, null]);
  });
});

describe('invalidation payloads', () => {
  it('a user change keeps the first version\'s user_id, an organization change names its kind; both read back', () => {
    const user = invalidationPayload({ kind: 'user', userId: 'u1' }, 'origin1');
    assert.equal(JSON.parse(user).user_id, 'u1', 'an instance of the first version still drops just the user');
    assert.deepEqual(parseInvalidation(user), { kind: 'user', userId: 'u1' });
    const organization = invalidationPayload({ kind: 'organization', organizationId: 'o1' }, 'origin1');
    assert.equal(JSON.parse(organization).user_id, undefined, 'an instance of the first version clears everything');
    assert.deepEqual(parseInvalidation(organization), { kind: 'organization', organizationId: 'o1' });
    assert.ok(Buffer.byteLength(organization) < 200, 'far below NOTIFY\'s 8000 bytes');
  });

  it('the first version\'s {user_id, origin} -> that user; an unknown kind, a missing id or garbage -> null (clear everything)', () => {
    assert.deepEqual(parseInvalidation('{"user_id":"u1","origin":"x"}'), { kind: 'user', userId: 'u1' });
    assert.equal(parseInvalidation('{"kind":"role","role_id":"r1","user_id":"u1"}'), null);
    assert.equal(parseInvalidation('{"kind":"organization"}'), null);
    assert.equal(parseInvalidation('{"kind":"organization","organization_id":7}'), null);
    assert.equal(parseInvalidation('null'), null);
    assert.equal(parseInvalidation('not json'), null);
    assert.equal(parseInvalidation(undefined), null);
  });
});

/** RFC 7617 §2: base64 of user-id ":" password. */
const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;

describe('invalidation across instances (PostgreSQL LISTEN/NOTIFY)', () => {
  const url = postgresUrl();
  let instances: TwoInstances;
  let owner: TestSession;
  let ipCounter = 0;
  before(async () => {
    if (!url) return;
    instances = await startTwoInstances(url);
    owner = await setupOrganization(instances.one, { name: 'Acme Corp' });
  });
  after(() => instances?.close());

  const usersUrl = (id = '') => `/v1/organizations/${owner.organizationId}/api-users${id ? `/${id}` : ''}`;
  async function createApiUser(password: string): Promise<{ id: string; username: string }> {
    const response = await as(instances.one.app, owner, {
      method: 'POST', url: usersUrl(), payload: { description: 'Magento integration', password, password_confirmation: password, applications: ['httpapi'] },
    });
    assert.equal(response.statusCode, 201, response.body);
    return response.json().api_user;
  }
  async function disableThroughOne(id: string): Promise<void> {
    const etag = (await as(instances.one.app, owner, { method: 'GET', url: usersUrl(id) })).headers.etag as string;
    const response = await as(instances.one.app, owner, {
      method: 'PATCH', url: `${usersUrl(id)}?confirm=true`, payload: { status: 'disabled' }, headers: { 'if-match': etag },
    });
    assert.equal(response.statusCode, 200, response.body);
  }
  const accountInfoOnTwo = (user: { username: string }, password: string, ip: string) =>
    instances.two.app.inject({ method: 'GET', url: '/v2/account-info', headers: { authorization: basic(user.username, password) }, remoteAddress: ip });

  /** Instance two serves the user from its cache, then refuses it once instance one disables it. */
  async function assertDisableReachesTwo(password: string): Promise<void> {
    const ip = `192.0.2.${++ipCounter}`;
    const user = await createApiUser(password);
    const first = await accountInfoOnTwo(user, password, ip);
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(instances.two.deps.verificationCache.size, 1, 'the verification is now cached on instance two');
    await disableThroughOne(user.id);
    // Without the notification, instance two would answer 200 from its cache for the whole TTL (60 s).
    let last = 0;
    await waitFor('instance two refuses the disabled user', 1_000, async () => {
      const response = await accountInfoOnTwo(user, password, ip);
      last = response.statusCode;
      if (last === 403) assert.equal(response.json().code, 'auth.account_disabled');
      return last === 403;
    }).catch((error: unknown) => assert.fail(`${String(error)} (last status ${last})`));
  }

  it('user disabled through instance one -> 403 on instance two\'s next request, although it was cached there', { skip: !url && 'needs PostgreSQL (DATABASE_URL=postgres://…)' }, async () => {
    await assertDisableReachesTwo('sync-2026-magento-alpha');
  });

  it('listening connection killed -> reconnects, clears the cache meanwhile, and invalidation works again', { skip: !url && 'needs PostgreSQL (DATABASE_URL=postgres://…)' }, async () => {
    const password = 'sync-2026-magento-bravo';
    const user = await createApiUser(password);
    const cached = await accountInfoOnTwo(user, password, `192.0.2.${++ipCounter}`);
    assert.equal(cached.statusCode, 200, cached.body);
    assert.ok(instances.two.deps.verificationCache.size > 0);

    const killed = instances.two.bus.listenerPid;
    assert.ok(killed, 'instance two is listening');
    const { rows } = await instances.admin.query<{ ok: boolean }>('select pg_terminate_backend($1) as ok', [killed]);
    assert.equal(rows[0]?.ok, true);
    await waitFor('instance two listens again on a new connection', 5_000, () => {
      const pid = instances.two.bus.listenerPid;
      return pid !== null && pid !== killed;
    });
    assert.equal(instances.two.deps.verificationCache.size, 0, 'notifications may have been missed while down: the whole cache is dropped');

    await assertDisableReachesTwo('sync-2026-magento-charlie');
  });

  /** A notification as another version of the service might send it, on the deployment's channel. */
  async function notifyRaw(payload: string): Promise<void> {
    await instances.admin.query('select pg_notify($1, $2)', [`apiusers_invalidate_${instances.schema}`, payload]);
  }

  it('a notification of a kind this version does not know -> instance two clears its whole cache', { skip: !url && 'needs PostgreSQL (DATABASE_URL=postgres://…)' }, async () => {
    const cache = instances.two.deps.verificationCache;
    cache.set('unknown-kind-a', verified('a', 'acme'));
    cache.set('unknown-kind-b', verified('b', 'other'));
    await notifyRaw('{"kind":"role","role_id":"r1","origin":"newer"}');
    await waitFor('instance two clears everything', 2_000, () => cache.size === 0);
  });

  it('the first version\'s {user_id, origin} -> instance two drops that user only (rolling upgrade)', { skip: !url && 'needs PostgreSQL (DATABASE_URL=postgres://…)' }, async () => {
    const cache = instances.two.deps.verificationCache;
    cache.clear();
    cache.set('old-format-a', verified('a', 'acme'));
    cache.set('old-format-b', verified('b', 'acme'));
    await notifyRaw('{"user_id":"a","origin":"older"}');
    await waitFor('instance two drops user a', 2_000, () => cache.get('old-format-a') === undefined);
    assert.equal(cache.get('old-format-b')?.userId, 'b');
  });
});
