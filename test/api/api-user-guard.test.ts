import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { as, setupOrganization, type TestSession } from '../support/sessions.js';
import { postgresUrl, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The Movius "Delete an API User" warning: deleting (or disabling, or taking an application away
 * from) the only enabled API user of an external application breaks that integration, so the
 * answer is 409 api_user.last_for_application until the administrator confirms.
 */
describe(`last API user of an application guard (${postgresUrl() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let orgCount = 0;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  /** Each test gets an organization of its own, so no other test's API users count. */
  const freshOrganization = () => setupOrganization(t, { name: `Guard Org ${++orgCount}` });
  const usersUrl = (owner: TestSession, id = '') => `/v1/organizations/${owner.organizationId}/api-users${id ? `/${id}` : ''}`;

  async function createApiUser(owner: TestSession, payload: Record<string, unknown>): Promise<{ id: string; username: string }> {
    const response = await as(t.app, owner, { method: 'POST', url: usersUrl(owner), payload });
    assert.equal(response.statusCode, 201, response.body);
    return response.json().api_user;
  }
  const movius = (owner: TestSession, firstName: string, lastName: string, applications: string[], extra: Record<string, unknown> = {}) =>
    createApiUser(owner, { first_name: firstName, last_name: lastName, email: `${firstName}.${lastName}@acme.example`.toLowerCase(), applications, ...extra });

  const get = (owner: TestSession, id: string) => as(t.app, owner, { method: 'GET', url: usersUrl(owner, id) });
  async function etagOf(owner: TestSession, id: string): Promise<string> {
    const response = await get(owner, id);
    assert.equal(response.statusCode, 200, response.body);
    return response.headers.etag as string;
  }
  const remove = async (owner: TestSession, id: string, confirm = false, etag?: string) =>
    as(t.app, owner, { method: 'DELETE', url: `${usersUrl(owner, id)}${confirm ? '?confirm=true' : ''}`, headers: { 'if-match': etag ?? await etagOf(owner, id) } });
  const patch = async (owner: TestSession, id: string, payload: Record<string, unknown>, confirm = false, etag?: string) =>
    as(t.app, owner, { method: 'PATCH', url: `${usersUrl(owner, id)}${confirm ? '?confirm=true' : ''}`, payload, headers: { 'if-match': etag ?? await etagOf(owner, id) } });

  async function createCustomApplication(owner: TestSession, key: string, name: string): Promise<void> {
    const response = await as(t.app, owner, { method: 'POST', url: `/v1/organizations/${owner.organizationId}/applications`, payload: { key, name } });
    assert.equal(response.statusCode, 201, response.body);
  }

  const auditEvents = (targetId: string, action: string) =>
    t.deps.db.selectFrom('audit_events').select(['action', 'data']).where('target_id', '=', targetId).where('action', '=', action).execute();

  it('DELETE the only enabled API user of HttpApi -> 409 with the Movius warning; the user is kept; ?confirm=true -> 204', async () => {
    const owner = await freshOrganization();
    const melanie = await movius(owner, 'Melanie', 'Allen', ['httpapi']);

    const refused = await remove(owner, melanie.id);
    assert.equal(refused.statusCode, 409, refused.body);
    const problem = refused.json();
    assert.equal(problem.code, 'api_user.last_for_application');
    assert.equal(problem.warning, "'Melanie Allen' is used to connect to 'HttpApi'. If you delete this user, the integration with 'HttpApi' will fail.");
    assert.deepEqual(problem.applications.map((a: { key: string; name: string }) => [a.key, a.name]), [['httpapi', 'HttpApi']]);
    assert.match(problem.detail, /confirm=true/);
    assert.equal((await get(owner, melanie.id)).statusCode, 200, 'a refused delete deletes nothing');
    assert.deepEqual(await auditEvents(melanie.id, 'api_user.deleted'), [], 'a refused delete records nothing');

    const confirmed = await remove(owner, melanie.id, true);
    assert.equal(confirmed.statusCode, 204, confirmed.body);
    assert.equal((await get(owner, melanie.id)).statusCode, 404);
  });

  it('DELETE a user of HttpApi + Salesforce while another enabled user has HttpApi -> 409 naming only Salesforce', async () => {
    const owner = await freshOrganization();
    const melanie = await movius(owner, 'Melanie', 'Allen', ['httpapi', 'salesforce']);
    await movius(owner, 'Harold', 'Baker', ['httpapi']);

    const refused = await remove(owner, melanie.id);
    assert.equal(refused.statusCode, 409, refused.body);
    const problem = refused.json();
    assert.deepEqual(problem.applications.map((a: { key: string }) => a.key), ['salesforce']);
    assert.equal(problem.warning, "'Melanie Allen' is used to connect to 'Salesforce'. If you delete this user, the integration with 'Salesforce' will fail.");
  });

  it('a disabled second user does not count -> 409; the disabled user itself -> DELETE 204 without confirm', async () => {
    const owner = await freshOrganization();
    const melanie = await movius(owner, 'Melanie', 'Allen', ['httpapi']);
    // The only user of Salesforce too, but disabled: its integration is not working anyway.
    const dormant = await movius(owner, 'Dora', 'Mant', ['httpapi', 'salesforce'], { status: 'disabled' });

    const refused = await remove(owner, melanie.id);
    assert.equal(refused.statusCode, 409, refused.body);
    assert.deepEqual(refused.json().applications.map((a: { key: string }) => a.key), ['httpapi']);

    const removed = await remove(owner, dormant.id);
    assert.equal(removed.statusCode, 204, removed.body);
    assert.equal((await get(owner, dormant.id)).statusCode, 404);
    assert.equal((await get(owner, melanie.id)).statusCode, 200);
  });

  it('PATCH status disabled of the last user -> 409 "If you disable this user", unchanged; ?confirm=true -> 200 disabled', async () => {
    const owner = await freshOrganization();
    const melanie = await movius(owner, 'Melanie', 'Allen', ['httpapi']);

    const refused = await patch(owner, melanie.id, { status: 'disabled' });
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(refused.json().code, 'api_user.last_for_application');
    assert.equal(refused.json().warning, "'Melanie Allen' is used to connect to 'HttpApi'. If you disable this user, the integration with 'HttpApi' will fail.");
    const unchanged = (await get(owner, melanie.id)).json();
    assert.equal(unchanged.status, 'enabled');

    const confirmed = await patch(owner, melanie.id, { status: 'disabled' }, true);
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.equal(confirmed.json().status, 'disabled');
    assert.equal((await get(owner, melanie.id)).json().status, 'disabled');
  });

  it('PATCH applications removing the last user\'s Salesforce -> 409 naming Salesforce, unchanged; ?confirm=true -> 200', async () => {
    const owner = await freshOrganization();
    const melanie = await movius(owner, 'Melanie', 'Allen', ['httpapi', 'salesforce']);
    await movius(owner, 'Harold', 'Baker', ['httpapi']);

    const refused = await patch(owner, melanie.id, { applications: ['httpapi'] });
    assert.equal(refused.statusCode, 409, refused.body);
    const problem = refused.json();
    assert.equal(problem.code, 'api_user.last_for_application');
    assert.deepEqual(problem.applications.map((a: { key: string }) => a.key), ['salesforce']);
    assert.match(problem.warning, /^'Melanie Allen' is used to connect to 'Salesforce'\. If you remove 'Salesforce' from this user, the integration with 'Salesforce' will fail\.$/);
    assert.deepEqual((await get(owner, melanie.id)).json().applications.map((a: { key: string }) => a.key).sort(), ['httpapi', 'salesforce']);

    // Removing HttpApi instead leaves Harold connecting as HttpApi: no warning.
    const other = await patch(owner, melanie.id, { applications: ['salesforce'] });
    assert.equal(other.statusCode, 200, other.body);

    const confirmed = await patch(owner, melanie.id, { applications: ['httpapi'] }, true);
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.deepEqual(confirmed.json().applications.map((a: { key: string }) => a.key), ['httpapi']);
  });

  it('DELETE the last user of a dotdigital-style API user without names -> the warning names the username', async () => {
    const owner = await freshOrganization();
    const user = await createApiUser(owner, { description: 'Magento integration', password: 'Magento-sync-2026!', password_confirmation: 'Magento-sync-2026!' });
    assert.match(user.username, /^apiuser-\d{12}@apiconnector\.example$/);

    const refused = await remove(owner, user.id);
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(refused.json().warning, `'${user.username}' is used to connect to 'HttpApi'. If you delete this user, the integration with 'HttpApi' will fail.`);
  });

  it('confirmed DELETE of the last user -> audit api_user.deleted with data.confirmed_last_user true', async () => {
    const owner = await freshOrganization();
    const melanie = await movius(owner, 'Melanie', 'Allen', ['httpapi']);
    const harold = await movius(owner, 'Harold', 'Baker', ['salesforce']);
    const other = await movius(owner, 'Ivy', 'Clark', ['salesforce']);
    assert.ok(other);

    assert.equal((await remove(owner, melanie.id, true)).statusCode, 204);
    const [event, ...more] = await auditEvents(melanie.id, 'api_user.deleted');
    assert.ok(event, 'no api_user.deleted event');
    assert.equal(more.length, 0);
    const data = JSON.parse(event.data);
    assert.equal(data.confirmed_last_user, true);
    assert.equal(data.username, melanie.username);
    assert.deepEqual(data.applications, ['httpapi']);

    // A delete that needed no confirmation does not claim one.
    assert.equal((await remove(owner, harold.id)).statusCode, 204);
    const [plain] = await auditEvents(harold.id, 'api_user.deleted');
    assert.ok(plain);
    assert.equal(JSON.parse(plain.data).confirmed_last_user, undefined);
  });

  describe('two administrators at once on the last two users of an application', () => {
    const ROUNDS = 10;

    /** Two enabled API users whose only application is a new custom one, and their ETags. */
    async function lastTwo(owner: TestSession, round: number, label: string) {
      const key = `${label}-${round}`;
      await createCustomApplication(owner, key, `Portal ${label} ${round}`);
      const a = await movius(owner, 'Ann', `${label}${round}a`, [key]);
      const b = await movius(owner, 'Bob', `${label}${round}b`, [key]);
      return { key, users: [a, b], etags: [await etagOf(owner, a.id), await etagOf(owner, b.id)] };
    }

    async function enabledUsersOf(owner: TestSession, key: string): Promise<number> {
      const rows = await t.deps.db.selectFrom('user_applications')
        .innerJoin('applications', 'applications.id', 'user_applications.application_id')
        .innerJoin('users', 'users.id', 'user_applications.user_id')
        .select('users.id')
        .where('applications.organization_id', '=', owner.organizationId)
        .where('applications.key', '=', key)
        .where('users.status', '=', 'enabled')
        .execute();
      return rows.length;
    }

    it(`DELETE both at once, ${ROUNDS} rounds -> exactly one 204 and one 409, never both 204`, async () => {
      const owner = await freshOrganization();
      for (let round = 0; round < ROUNDS; round++) {
        const { key, users, etags } = await lastTwo(owner, round, 'del');
        const responses = await Promise.all(users.map((u, i) => remove(owner, u.id, false, etags[i])));
        const statuses = responses.map((r) => r.statusCode).sort();
        assert.deepEqual(statuses, [204, 409], `round ${round}: ${responses.map((r) => r.body).join(' | ')}`);
        assert.equal(responses.find((r) => r.statusCode === 409)!.json().code, 'api_user.last_for_application');
        assert.equal(await enabledUsersOf(owner, key), 1, `round ${round}: the application keeps one enabled user`);
      }
    });

    it(`PATCH status disabled on both at once, ${ROUNDS} rounds -> exactly one 200 and one 409, never both 200`, async () => {
      const owner = await freshOrganization();
      for (let round = 0; round < ROUNDS; round++) {
        const { key, users, etags } = await lastTwo(owner, round, 'dis');
        const responses = await Promise.all(users.map((u, i) => patch(owner, u.id, { status: 'disabled' }, false, etags[i])));
        const statuses = responses.map((r) => r.statusCode).sort();
        assert.deepEqual(statuses, [200, 409], `round ${round}: ${responses.map((r) => r.body).join(' | ')}`);
        assert.match(responses.find((r) => r.statusCode === 409)!.json().warning, /If you disable this user/);
        assert.equal(await enabledUsersOf(owner, key), 1, `round ${round}: the application keeps one enabled user`);
      }
    });
  });
});

describe('GET an API user carries the delete warning to show before the first Yes', () => {
  it('only enabled user of HttpApi -> delete_warning is the guide\'s sentence; with a second user -> null', async () => {
    const t = await startTestApp();
    try {
      const owner = await setupOrganization(t);
      const create = (first: string) => as(t.app, owner, {
        method: 'POST', url: `/v1/organizations/${owner.organizationId}/api-users`,
        payload: { first_name: first, last_name: 'Allen', email: `${first.toLowerCase()}@acme.example`, applications: ['httpapi'] },
      });
      const melanie = (await create('Melanie')).json().api_user;
      const read = async () => (await as(t.app, owner, { url: `/v1/organizations/${owner.organizationId}/api-users/${melanie.id}` })).json();
      assert.equal((await read()).delete_warning, "'Melanie Allen' is used to connect to 'HttpApi'. If you delete this user, the integration with 'HttpApi' will fail.");
      await create('Mark');
      assert.equal((await read()).delete_warning, null);
    } finally {
      await t.close();
    }
  });
});
