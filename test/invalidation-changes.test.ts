import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Invalidation } from '../src/modules/api-auth/verification-cache.js';
import { addAdministrator, as, setupOrganization, type TestSession } from './support/sessions.js';
import { postgresUrl, startTestApp, type TestApp } from './support/test-app.js';
import { dropOf, startTwoInstances } from './support/two-instances.js';

/**
 * Every change a cached verification depends on, made through one instance, seen by the next
 * request of the instance that cached it: the same process (SQLite, or PostgreSQL with one
 * instance), or a second instance on the same PostgreSQL schema, told by LISTEN/NOTIFY. The
 * observer answers over a real port, so the hot path (which answers cached credentials before
 * Fastify routes the request) is part of what is checked. Each test first makes the observer
 * cache the credential (two calls), then changes something through the other instance, waits
 * for the observer's cache to drop it (at once in one process; a notification's trip across
 * instances, far below the 60 s TTL), and expects the very next request to show the change.
 */

interface Deployment {
  /** Where administrators make changes (cookie sessions through app.inject). */
  changer: TestApp;
  /** Where integrations call, over its port. */
  observer: TestApp;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, any>;
}

const PASSWORD = 'Invalidate-me-2026!';
const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
const unique = () => randomBytes(3).toString('hex');

async function oneInstance(): Promise<Deployment> {
  const t = await startTestApp();
  return { changer: t, observer: t, close: () => t.close() };
}

async function twoInstances(): Promise<Deployment> {
  const instances = await startTwoInstances(postgresUrl()!);
  return { changer: instances.one, observer: instances.two, close: () => instances.close() };
}

const deployments: Array<{ title: string; start: () => Promise<Deployment>; skip: string | false }> = [
  { title: `one instance (${postgresUrl() ? 'PostgreSQL' : 'SQLite'}): the next request after the change`, start: oneInstance, skip: false },
  { title: 'two instances on one PostgreSQL schema: a change through one, the next request on two', start: twoInstances, skip: !postgresUrl() && 'needs PostgreSQL (DATABASE_URL=postgres://…)' },
];

for (const deployment of deployments) {
  describe(deployment.title, { skip: deployment.skip }, () => {
    let d: Deployment;
    let owner: TestSession;
    let base: string;
    before(async () => {
      d = await deployment.start();
      owner = await setupOrganization(d.changer, { name: 'Acme Corp', timeZone: 'America/Chicago' });
      await d.observer.app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(d.observer.app.server.address() as { port: number }).port}`;
    });
    after(() => d?.close());

    const orgUrl = (path = '') => `/v1/organizations/${owner.organizationId}${path}`;
    const organizationDrop = (): Invalidation => ({ kind: 'organization', organizationId: owner.organizationId });

    async function send(session: TestSession, method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, etagOf?: string): Promise<Record<string, any>> {
      const headers: Record<string, string> = {};
      if (etagOf) headers['if-match'] = (await as(d.changer.app, session, { method: 'GET', url: etagOf })).headers.etag as string;
      const response = await as(d.changer.app, session, { method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
      assert.ok(response.statusCode < 300, `${method} ${url} -> ${response.statusCode} ${response.body}`);
      return response.statusCode === 204 ? {} : response.json();
    }

    async function createApiUser(applications: string[]): Promise<{ id: string; username: string }> {
      const body = await send(owner, 'POST', orgUrl('/api-users'), {
        first_name: 'Magento', last_name: 'Sync', description: 'Magento integration', password: PASSWORD, password_confirmation: PASSWORD, applications,
      });
      return body.api_user;
    }

    async function createApiKey(userId: string): Promise<string> {
      return (await send(owner, 'POST', orgUrl(`/api-users/${userId}/keys`), { name: 'verified by the platform' })).key;
    }

    async function createPat(session: TestSession): Promise<{ id: string; token: string }> {
      const body = await send(session, 'POST', '/v1/me/tokens', { name: 'platform verifier' });
      return { id: body.id, token: body.token };
    }

    /** An administrator whose custom role holds only `verify`, as the guide suggests for a platform service. */
    async function addVerifier(): Promise<{ role: { id: string }; admin: TestSession; pat: string }> {
      const role = await send(owner, 'POST', orgUrl('/roles'), { name: `Platform verifier ${unique()}`, privileges: ['verify'] });
      const admin = await addAdministrator(d.changer, owner, role.id);
      return { role: { id: role.id as string }, admin, pat: (await createPat(admin)).token };
    }

    async function overPort(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: unknown): Promise<Answer> {
      const response = await fetch(`${base}${path}`, {
        method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
    }

    const accountInfo = (user: { username: string }, application = 'httpapi') =>
      overPort('GET', '/v2/account-info', { authorization: basic(user.username, PASSWORD), 'x-application': application });
    const verify = (pat: string, credential: string) => overPort('POST', '/v1/verify', { authorization: `Bearer ${pat}` }, { credential, application: 'httpapi' });

    /** Two answers, so the second comes from the observer's cache (the hot path when it can); both must pass `check`. */
    async function cached(call: () => Promise<Answer>, check: (answer: Answer) => void): Promise<void> {
      const sizeBefore = d.observer.deps.verificationCache.size;
      for (let i = 0; i < 2; i++) check(await call());
      assert.ok(d.observer.deps.verificationCache.size > sizeBefore, 'the observer cached the verification');
    }

    /** Makes the change through the changer, then waits until the observer's cache has dropped what it affects. */
    async function change(dropped: Invalidation, make: () => Promise<unknown>): Promise<void> {
      const observed = dropOf(d.observer.deps.verificationCache, dropped);
      await make();
      await observed;
    }

    it('a custom role loses "verify" -> its holder\'s PAT gets 403 auth.forbidden from POST /v1/verify (was 200 VALID)', async () => {
      const { role, pat } = await addVerifier();
      const key = await createApiKey((await createApiUser(['httpapi'])).id);
      await cached(() => verify(pat, key), (answer) => {
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        assert.equal(answer.body.code, 'VALID');
      });
      await change(organizationDrop(), () => send(owner, 'PATCH', orgUrl(`/roles/${role.id}`), { privileges: ['api-users:read'] }, orgUrl(`/roles/${role.id}`)));
      const refused = await verify(pat, key);
      assert.equal(refused.status, 403, JSON.stringify(refused.body));
      assert.equal(refused.body.code, 'auth.forbidden');
      assert.equal(refused.body.required_privilege, 'verify');
    });

    it('an application unassigned -> GET /v2/account-info as it answers 403 application_not_assigned (was 200)', async () => {
      const user = await createApiUser(['httpapi', 'salesforce']);
      await cached(() => accountInfo(user, 'salesforce'), (answer) => assert.equal(answer.status, 200, JSON.stringify(answer.body)));
      await change({ kind: 'user', userId: user.id }, () =>
        send(owner, 'PATCH', orgUrl(`/api-users/${user.id}?confirm=true`), { applications: ['httpapi'] }, orgUrl(`/api-users/${user.id}`)));
      const refused = await accountInfo(user, 'salesforce');
      assert.equal(refused.status, 403, JSON.stringify(refused.body));
      assert.equal(refused.body.code, 'application_not_assigned');
    });

    it('the organization\'s time zone and name changed -> the next /v2/account-info and /v1/verify show them (200)', async () => {
      const user = await createApiUser(['httpapi']);
      const pat = (await createPat(owner)).token;
      const key = await createApiKey(user.id);
      const name = `Acme Holdings ${unique()}`;
      await cached(() => accountInfo(user), (answer) => assert.equal(answer.body.organization.time_zone, 'America/Chicago', JSON.stringify(answer.body)));
      await cached(() => verify(pat, key), (answer) => assert.equal(answer.body.code, 'VALID', JSON.stringify(answer.body)));
      await change(organizationDrop(), () => send(owner, 'PATCH', orgUrl(), { name, time_zone: 'Europe/London' }, orgUrl()));
      const info = await accountInfo(user);
      assert.equal(info.status, 200, JSON.stringify(info.body));
      assert.equal(info.body.organization.time_zone, 'Europe/London');
      assert.equal(info.body.organization.name, name);
      assert.match(info.body.organization.time_zone_label, /London/);
      const verified = await verify(pat, key);
      assert.equal(verified.status, 200, JSON.stringify(verified.body));
      assert.match(verified.body.organization.display_name, new RegExp(name.toUpperCase()));
    });

    it('a custom application renamed -> the next /v2/account-info lists it under its new name (200)', async () => {
      const key = `erp-${unique()}`;
      const application = await send(owner, 'POST', orgUrl('/applications'), { key, name: 'ERP' });
      const user = await createApiUser(['httpapi', key]);
      const nameOf = (answer: Answer) => (answer.body.applications as Array<{ key: string; name: string }>).find((a) => a.key === key)?.name;
      await cached(() => accountInfo(user), (answer) => assert.equal(nameOf(answer), 'ERP', JSON.stringify(answer.body)));
      await change(organizationDrop(), () => send(owner, 'PATCH', orgUrl(`/applications/${application.id}`), { name: 'ERP Cloud' }, orgUrl(`/applications/${application.id}`)));
      const info = await accountInfo(user);
      assert.equal(info.status, 200, JSON.stringify(info.body));
      assert.equal(nameOf(info), 'ERP Cloud');
    });

    it('the default rate-limit tier changed -> the next /v2/account-info reports it and is counted by it (medium 300 -> high 1200)', async () => {
      const user = await createApiUser(['httpapi']);
      const policyUrl = orgUrl('/credential-policy');
      // The policy as every organization starts with it, the observer told before it caches anything.
      await change(organizationDrop(), () => send(owner, 'PATCH', policyUrl, { default_rate_limit_tier: 'medium' }, policyUrl));
      await cached(() => accountInfo(user), (answer) => {
        assert.equal(answer.body.limits?.tier, 'medium', JSON.stringify(answer.body));
        assert.equal(answer.headers.get('ratelimit-limit'), '300');
      });
      await change(organizationDrop(), () => send(owner, 'PATCH', policyUrl, { default_rate_limit_tier: 'high' }, policyUrl));
      const info = await accountInfo(user);
      assert.equal(info.status, 200, JSON.stringify(info.body));
      assert.equal(info.body.limits.tier, 'high');
      assert.equal(info.body.limits.requests_per_minute, 1200);
      assert.equal(info.headers.get('ratelimit-limit'), '1200', 'the rate limiter counts against the new default too');
    });

    it('a personal access token revoked -> POST /v1/verify with it answers 401 (was 200 VALID)', async () => {
      const key = await createApiKey((await createApiUser(['httpapi'])).id);
      const pat = await createPat(owner);
      await cached(() => verify(pat.token, key), (answer) => assert.equal(answer.body.code, 'VALID', JSON.stringify(answer.body)));
      await change({ kind: 'user', userId: owner.id }, () => send(owner, 'DELETE', `/v1/me/tokens/${pat.id}`));
      const refused = await verify(pat.token, key);
      assert.equal(refused.status, 401, JSON.stringify(refused.body));
    });

    it('an administrator disabled -> their PAT gets 401 from POST /v1/verify (was 200 VALID)', async () => {
      const { admin, pat } = await addVerifier();
      const key = await createApiKey((await createApiUser(['httpapi'])).id);
      await cached(() => verify(pat, key), (answer) => assert.equal(answer.body.code, 'VALID', JSON.stringify(answer.body)));
      await change({ kind: 'user', userId: admin.id }, () => send(owner, 'PATCH', orgUrl(`/administrators/${admin.id}`), { status: 'disabled' }, orgUrl(`/administrators/${admin.id}`)));
      const refused = await verify(pat, key);
      assert.equal(refused.status, 401, JSON.stringify(refused.body));
    });
  });
}
