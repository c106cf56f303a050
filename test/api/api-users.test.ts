import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { createManualClock } from '../../src/lib/clock.js';
import { addAdministrator, as, setupOrganization, type TestSession } from '../support/sessions.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const USERNAME = /^apiuser-\d{12}@apiconnector\.example$/;
const TYPED = 'Magento-sync-2026!';
const RESET = 'Rotated-key-77#';

interface ApiUserBody {
  id: string;
  username: string;
  name: string;
  first_name: string;
  last_name: string;
  email: string | null;
  description: string;
  status: string;
  applications: Array<{ key: string; name: string }>;
  last_sign_in_at: string | null;
  version: number;
}

describe('API users API', () => {
  let t: TestApp;
  let owner: TestSession;
  let viewer: TestSession;
  /** Every body this suite received, for the "no secret in any response" check at the end. */
  const bodies: string[] = [];
  before(async () => {
    t = await startTestApp();
    owner = await setupOrganization(t);
    viewer = await addAdministrator(t, owner, 'viewer');
  });
  after(() => t.close());

  const url = (rest = '') => `/v1/organizations/${owner.organizationId}/api-users${rest}`;
  const record = (response: LightMyRequestResponse) => {
    bodies.push(response.body);
    return response;
  };
  const call = async (by: TestSession, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, payload?: object, headers: Record<string, string> = {}) =>
    record(await as(t.app, by, { method, url: path, headers, ...(payload ? { payload } : {}) }));
  const propose = async (by = owner) => {
    const response = await call(by, 'GET', url('/new'));
    assert.equal(response.statusCode, 200, response.body);
    return response.json().username as string;
  };
  const create = (payload: Record<string, unknown>, by = owner) => call(by, 'POST', url(), payload);
  const get = (id: string, by = owner) => call(by, 'GET', url(`/${id}`));
  const patch = (id: string, payload: Record<string, unknown>, ifMatch?: string) =>
    call(owner, 'PATCH', url(`/${id}`), payload, ifMatch === undefined ? {} : { 'if-match': ifMatch });
  const listAll = async (query = '') => {
    const response = await call(owner, 'GET', `${url()}?limit=200${query}`);
    assert.equal(response.statusCode, 200, response.body);
    return response.json().data as ApiUserBody[];
  };
  const accountInfo = async (username: string, password: string) =>
    record(await t.app.inject({ method: 'GET', url: '/v2/account-info', headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` } }));
  const movius = (email: string, extra: Record<string, unknown> = {}) => ({ first_name: 'Melanie', last_name: 'Allen', email, applications: ['salesforce'], ...extra });
  const dotdigital = (username: string, password: string, extra: Record<string, unknown> = {}) =>
    ({ username, description: 'Magento integration', password, password_confirmation: password, status: 'enabled', ...extra });

  describe('GET …/api-users/new', () => {
    it('-> 200 proposes apiuser-<12 digits>@apiconnector.example, enabled, HttpApi; two proposals differ', async () => {
      const response = await call(owner, 'GET', url('/new'));
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json();
      assert.match(body.username, USERNAME);
      assert.equal(body.status, 'enabled');
      assert.deepEqual(body.applications, ['httpapi']);
      assert.notEqual(await propose(), body.username);
    });

    it('as a Viewer (no api-users:manage) -> 403 auth.forbidden', async () => {
      const response = await call(viewer, 'GET', url('/new'));
      assert.equal(response.statusCode, 403);
      assert.equal(response.json().code, 'auth.forbidden');
    });

    it('with API_USER_DOMAIN=api.acme.example -> proposes that domain and refuses the default one', async () => {
      const custom = await startTestApp({ env: { API_USER_DOMAIN: 'api.acme.example' } });
      try {
        const admin = await setupOrganization(custom);
        const base = `/v1/organizations/${admin.organizationId}/api-users`;
        const proposed = (await as(custom.app, admin, { method: 'GET', url: `${base}/new` })).json().username;
        assert.match(proposed, /^apiuser-\d{12}@api\.acme\.example$/);
        const foreign = await as(custom.app, admin, { method: 'POST', url: base, payload: dotdigital('apiuser-123456789012@apiconnector.example', TYPED) });
        assert.equal(foreign.statusCode, 400, foreign.body);
        assert.equal(foreign.json().errors[0].pointer, '/username');
        const created = await as(custom.app, admin, { method: 'POST', url: base, payload: dotdigital(proposed, TYPED) });
        assert.equal(created.statusCode, 201, created.body);
        assert.equal(created.json().api_user.username, proposed);
      } finally {
        await custom.close();
      }
    });
  });

  describe('dotdigital flow: proposed username, description, password twice, Enabled', () => {
    it('POST -> 201; the list shows username, description, status, HttpApi and no last sign-in', async () => {
      const username = await propose();
      const response = await create(dotdigital(username, TYPED));
      assert.equal(response.statusCode, 201, response.body);
      const { api_user: created, invite_sent } = response.json();
      assert.equal(invite_sent, false);
      assert.equal(created.username, username);
      assert.equal(created.name, username, 'without a personal name the username is the name');
      assert.equal(created.role.name, 'API User');
      assert.equal(response.headers.location, url(`/${created.id}`));
      assert.equal(response.headers.etag, `"${created.version}"`);
      const row = (await listAll()).find((u) => u.id === created.id);
      assert.ok(row, 'the new API user is in the list');
      assert.equal(row.username, username);
      assert.equal(row.description, 'Magento integration');
      assert.equal(row.status, 'enabled');
      assert.deepEqual(row.applications.map((a) => [a.key, a.name]), [['httpapi', 'HttpApi']]);
      assert.equal(row.last_sign_in_at, null);
      assert.equal((await accountInfo(username, TYPED)).statusCode, 200, 'the typed password works at once');
    });

    it('a confirmation that does not match -> 400 at /password_confirmation; none -> 400 too', async () => {
      const username = await propose();
      const mismatch = await create(dotdigital(username, TYPED, { password_confirmation: `${TYPED}x` }));
      assert.equal(mismatch.statusCode, 400, mismatch.body);
      assert.equal(mismatch.json().errors[0].pointer, '/password_confirmation');
      const { password_confirmation: _omitted, ...unconfirmed } = dotdigital(username, TYPED);
      const missing = await create(unconfirmed);
      assert.equal(missing.statusCode, 400, missing.body);
      assert.equal(missing.json().errors[0].pointer, '/password_confirmation');
      assert.ok(!(await listAll()).some((u) => u.username === username), 'nobody was created');
    });

    it('passwords breaking the dotdigital rules -> 400 password.rejected; the name stays free', async () => {
      const username = await propose();
      const local = username.split('@')[0]!;
      const email = 'melanie.allen@acme.example';
      for (const [password, pattern, extra] of [
        ['Ab3$xyz', /at least 8/, {}],
        ['Quiltfox', /digit or symbol/, {}],
        [`Zz9-${local.toUpperCase()}`, /username/, {}],
        [`${email.toUpperCase()}-7`, /email/, { email }],
        ['x-ACME CORP-42', /organization/, {}],
        ['password1', /common/, {}],
      ] as const) {
        const response = await create(dotdigital(username, password, extra));
        assert.equal(response.statusCode, 400, `${password}: ${response.body}`);
        const problem = response.json();
        assert.equal(problem.code, 'password.rejected', password);
        assert.match(problem.detail, pattern, password);
        assert.equal(problem.errors[0].pointer, '/password');
      }
      assert.equal((await create(dotdigital(username, TYPED))).statusCode, 201, 'no rejected attempt took the name');
    });

    it('a username not of the generated form or of another domain -> 400 at /username', async () => {
      for (const username of [
        'melanie@apiconnector.example',
        'apiuser-12345678901@apiconnector.example',
        'apiuser-1234567890123@apiconnector.example',
        'apiuser-123456789012@other.example',
        'apiuser-123456789012@apiconnector.example.evil',
        'APIUSER-123456789012@apiconnector.example',
      ]) {
        const response = await create(dotdigital(username, TYPED));
        assert.equal(response.statusCode, 400, `${username}: ${response.body}`);
        assert.equal(response.json().code, 'request.invalid');
        assert.equal(response.json().errors[0].pointer, '/username');
      }
    });

    it('a username already used -> 409 api_user.username_taken', async () => {
      const username = await propose();
      assert.equal((await create(dotdigital(username, TYPED))).statusCode, 201);
      const again = await create(movius('second@acme.example', { username }));
      assert.equal(again.statusCode, 409, again.body);
      assert.equal(again.json().code, 'api_user.username_taken');
    });
  });

  describe('Movius flow: personal details, email, external applications; credentials by email', () => {
    it('POST without a password -> 201 invite_sent, an invitation in the outbox for the email', async () => {
      const response = await create(movius('Melanie.Allen@Movius.example'));
      assert.equal(response.statusCode, 201, response.body);
      const { api_user: created, invite_sent } = response.json();
      assert.equal(invite_sent, true);
      assert.match(created.username, USERNAME);
      assert.equal(created.name, 'Melanie Allen');
      assert.equal(created.email, 'melanie.allen@movius.example');
      assert.deepEqual(created.applications.map((a: { key: string }) => a.key), ['salesforce']);
      const jobs = await t.deps.db.selectFrom('outbox').select(['payload', 'organization_id']).execute();
      const invites = jobs.map((j) => ({ ...j, payload: JSON.parse(j.payload) })).filter((j) => j.payload.to === 'melanie.allen@movius.example');
      assert.equal(invites.length, 1);
      assert.equal(invites[0]!.organization_id, owner.organizationId);
      assert.match(invites[0]!.payload.text, new RegExp(created.username.replace(/\./g, '\\.')));
    });

    it('without email and without password -> 400 at /email', async () => {
      const response = await create({ first_name: 'No', last_name: 'Contact', applications: ['httpapi'] });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().errors[0].pointer, '/email');
      assert.ok(!(await listAll()).some((u) => u.last_name === 'Contact'));
    });

    it('an unknown application key -> 400 pointing at its position in the body', async () => {
      const unknown = await create(movius('unknown.app@acme.example', { applications: ['zendesk'] }));
      assert.equal(unknown.statusCode, 400, unknown.body);
      assert.equal(unknown.json().errors[0].pointer, '/applications/0');
      const afterDuplicate = await create(movius('unknown.app@acme.example', { applications: ['httpapi', 'httpapi', 'zendesk'] }));
      assert.equal(afterDuplicate.statusCode, 400, afterDuplicate.body);
      assert.equal(afterDuplicate.json().errors[0].pointer, '/applications/2');
      const malformed = await create(movius('unknown.app@acme.example', { applications: ['Not A Key'] }));
      assert.equal(malformed.statusCode, 400, malformed.body);
      assert.equal(malformed.json().errors[0].pointer, '/applications/0');
      assert.ok(!(await listAll()).some((u) => u.email === 'unknown.app@acme.example'));
    });

    it('a custom application (POST …/applications) can be assigned -> 201', async () => {
      const app = await call(owner, 'POST', `/v1/organizations/${owner.organizationId}/applications`, { key: 'acme-portal', name: 'Acme Portal' });
      assert.equal(app.statusCode, 201, app.body);
      const response = await create(movius('portal@acme.example', { applications: ['acme-portal', 'httpapi'] }));
      assert.equal(response.statusCode, 201, response.body);
      assert.deepEqual(response.json().api_user.applications.map((a: { key: string; name: string }) => [a.key, a.name]), [['acme-portal', 'Acme Portal'], ['httpapi', 'HttpApi']]);
      const filtered = await listAll('&application=acme-portal');
      assert.deepEqual(filtered.map((u) => u.email), ['portal@acme.example']);
    });
  });

  describe('who may create API users', () => {
    const customRole = async (name: string, privileges: string[]) => {
      const role = await call(owner, 'POST', `/v1/organizations/${owner.organizationId}/roles`, { name, privileges });
      assert.equal(role.statusCode, 201, role.body);
      return addAdministrator(t, owner, role.json().id);
    };

    it('Account owner, Enterprise Super Administrator, Administrator, "Can manage account", "API User" -> 201', async () => {
      const creators: Array<[string, TestSession]> = [
        ['owner', owner],
        ['esa', await addAdministrator(t, owner, 'enterprise-super-admin')],
        ['administrator', await addAdministrator(t, owner, 'administrator')],
        ['account-manage', await customRole('Account managers', ['account:manage'])],
        ['api-users-manage', await customRole('API user managers', ['api-users:manage'])],
      ];
      for (const [who, session] of creators) {
        const response = await create(movius(`made.by.${who}@acme.example`), session);
        assert.equal(response.statusCode, 201, `${who}: ${response.body}`);
      }
    });

    it('Viewer and a role with only api-users:read -> 403 auth.forbidden, nothing created', async () => {
      const reader = await customRole('API user readers', ['api-users:read']);
      for (const [who, session] of [['viewer', viewer], ['reader', reader]] as const) {
        assert.equal((await call(session, 'GET', url())).statusCode, 200, `${who} may read`);
        const response = await create(movius(`denied.${who}@acme.example`), session);
        assert.equal(response.statusCode, 403, `${who}: ${response.body}`);
        assert.equal(response.json().code, 'auth.forbidden');
        assert.equal(response.json().required_privilege, 'api-users:manage');
      }
      assert.ok(!(await listAll()).some((u) => u.email?.startsWith('denied.')));
    });
  });

  it('200 parallel POSTs of one proposed username -> one 201, 199 × 409 api_user.username_taken, one row', async (ctx) => {
    const username = await propose();
    const started = performance.now();
    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => create(movius(`race.${i}@acme.example`, { username }))));
    const elapsed = Math.round(performance.now() - started);
    const statuses = responses.map((r) => r.statusCode);
    assert.equal(statuses.filter((s) => s === 201).length, 1, `statuses: ${[...new Set(statuses)].join(', ')}`);
    const conflicts = responses.filter((r) => r.statusCode === 409);
    assert.equal(conflicts.length, 199);
    assert.ok(conflicts.every((r) => r.json().code === 'api_user.username_taken'));
    const rows = await t.deps.db.selectFrom('users').select('id').where('username', '=', username).execute();
    assert.equal(rows.length, 1);
    const winner = responses.find((r) => r.statusCode === 201)!.json().api_user;
    assert.equal(rows[0]!.id, winner.id);
    const invites = (await t.deps.db.selectFrom('outbox').select('payload').execute()).filter((j) => j.payload.includes(username));
    assert.equal(invites.length, 1, 'only the winner was invited');
    ctx.diagnostic(`200 parallel creates took ${elapsed} ms`);
  });

  describe('GET one and PATCH', () => {
    it('GET -> 200 with ETag; PATCH with If-Match changes description, names, email, applications, status', async () => {
      // A second enabled HttpApi + Salesforce user, so disabling this one leaves neither application orphaned.
      assert.equal((await create(movius('backup@acme.example', { applications: ['httpapi', 'salesforce'] }))).statusCode, 201);
      const { api_user: created } = (await create(movius('edit.me@acme.example', { applications: ['httpapi'] }))).json();
      const read = await get(created.id);
      assert.equal(read.statusCode, 200);
      assert.equal(read.headers.etag, `"${created.version}"`);
      const changed = await patch(created.id, {
        description: 'Salesforce sync', first_name: 'Mel', last_name: 'Allen-Smith', email: 'Mel.Smith@acme.example',
        applications: ['httpapi', 'salesforce'], status: 'disabled',
      }, read.headers.etag as string);
      assert.equal(changed.statusCode, 200, changed.body);
      assert.equal(changed.headers.etag, `"${created.version + 1}"`);
      const again = (await get(created.id)).json() as ApiUserBody;
      assert.equal(again.description, 'Salesforce sync');
      assert.equal(again.name, 'Mel Allen-Smith');
      assert.equal(again.email, 'mel.smith@acme.example');
      assert.deepEqual(again.applications.map((a) => a.key), ['httpapi', 'salesforce']);
      assert.equal(again.status, 'disabled');
      assert.equal(again.username, created.username);
    });

    it('PATCH with a stale ETag -> 412, without If-Match -> 428, a new username -> 409 api_user.username_immutable', async () => {
      const { api_user: created } = (await create(movius('stale@acme.example', { applications: ['httpapi', 'salesforce'] }))).json();
      const etag = `"${created.version}"`;
      assert.equal((await patch(created.id, { description: 'first' }, etag)).statusCode, 200);
      const stale = await patch(created.id, { description: 'second' }, etag);
      assert.equal(stale.statusCode, 412);
      assert.equal(stale.json().code, 'precondition.failed');
      const missing = await patch(created.id, { description: 'third' });
      assert.equal(missing.statusCode, 428);
      assert.equal(missing.json().code, 'precondition.required');
      const current = (await get(created.id)).headers.etag as string;
      const renamed = await patch(created.id, { username: await propose() }, current);
      assert.equal(renamed.statusCode, 409, renamed.body);
      assert.equal(renamed.json().code, 'api_user.username_immutable');
      const final = (await get(created.id)).json();
      assert.equal(final.description, 'first');
      assert.equal(final.username, created.username);
    });

    it('PATCH password + password_confirmation -> 200; the old password -> 401 on /v2/account-info, the new one -> 200', async () => {
      const username = await propose();
      const { api_user: created } = (await create(dotdigital(username, TYPED))).json();
      assert.equal((await accountInfo(username, TYPED)).statusCode, 200);
      const mismatch = await patch(created.id, { password: RESET, password_confirmation: 'something else 1' }, `"${created.version}"`);
      assert.equal(mismatch.statusCode, 400);
      assert.equal(mismatch.json().errors[0].pointer, '/password_confirmation');
      const reset = await patch(created.id, { password: RESET, password_confirmation: RESET }, `"${created.version}"`);
      assert.equal(reset.statusCode, 200, reset.body);
      const old = await accountInfo(username, TYPED);
      assert.equal(old.statusCode, 401, old.body);
      assert.equal(old.json().code, 'api_user.invalid_credentials');
      const fresh = await accountInfo(username, RESET);
      assert.equal(fresh.statusCode, 200, fresh.body);
      assert.equal(fresh.json().api_user.username, username);
    });
  });

  it('no response ever carried a typed password or a stored hash', async () => {
    // One more full round trip after a typed-password creation, then every body this suite saw.
    const username = await propose();
    const created = await create(dotdigital(username, TYPED));
    assert.equal(created.statusCode, 201);
    const id = created.json().api_user.id;
    await get(id);
    await listAll(`&q=${encodeURIComponent(username)}`);
    await call(owner, 'GET', `/v1/organizations/${owner.organizationId}/administrators?kind=api&limit=200`);
    await patch(id, { description: 'checked for leaks' }, created.headers.etag as string);
    await accountInfo(username, TYPED);
    assert.ok(bodies.length > 50, `saw ${bodies.length} responses`);
    for (const body of bodies) {
      for (const secret of [TYPED, RESET, 'argon2', 'hmac$']) assert.ok(!body.includes(secret), `a response contained ${secret}: ${body.slice(0, 200)}`);
    }
  });
});

describe('API user lists: Settings > Access > API users and the Administrators tool', () => {
  let t: TestApp;
  let owner: TestSession;
  let viewerId: string;
  const clock = createManualClock('2026-01-15T15:00:00.000Z');
  /** The seven API users, in creation order. */
  const made: ApiUserBody[] = [];
  const byName = (first: string) => made.find((u) => u.first_name === first)!;
  const password = 'Nightly-export-9!';

  before(async () => {
    t = await startTestApp({ clock });
    owner = await setupOrganization(t);
    viewerId = (await addAdministrator(t, owner, 'viewer')).id;
    const seeds: Array<Record<string, unknown>> = [
      { first_name: 'Melanie', last_name: 'Allen', email: 'melanie.allen@acme.example', applications: ['salesforce'], description: 'Salesforce sync' },
      { first_name: 'Bob', last_name: 'Zimmer', email: 'bob@partner.example', description: 'Magento integration', status: 'disabled' },
      { description: '100%_done nightly export', password, password_confirmation: password },
      { first_name: 'Carla', last_name: 'Diaz', email: 'carla@acme.example', applications: ['httpapi', 'salesforce'], description: 'ERP' },
      { first_name: 'alan', last_name: 'baker', email: 'alan@acme.example', description: 'Warehouse' },
      { first_name: 'Zed', last_name: 'Young', email: 'zed@acme.example', description: 'Data lake' },
      { description: 'Reporting', password, password_confirmation: password },
    ];
    for (const seed of seeds) {
      clock.advance(1000);
      const response = await as(t.app, owner, { method: 'POST', url: `/v1/organizations/${owner.organizationId}/api-users`, payload: seed });
      assert.equal(response.statusCode, 201, response.body);
      made.push(response.json().api_user);
    }
  });
  after(() => t.close());

  const page = async (path: 'api-users' | 'administrators', query: string) => {
    const response = await as(t.app, owner, { method: 'GET', url: `/v1/organizations/${owner.organizationId}/${path}?${query}` });
    assert.equal(response.statusCode, 200, `${query}: ${response.body}`);
    return response.json() as { data: Array<ApiUserBody & { kind: string; organization: { display_name: string } }>; next_cursor: string | null; time_zone: string; time_zone_label: string };
  };
  const ids = async (path: 'api-users' | 'administrators', query: string) => (await page(path, `limit=200&${query}`)).data.map((u) => u.id);
  const idsOf = (...users: ApiUserBody[]) => users.map((u) => u.id);
  const unnamed = () => made.filter((u) => u.first_name === '').sort((a, b) => (a.username < b.username ? -1 : 1));

  it('GET …/api-users -> only API users, each with the organization "<9 digits> ACME CORP"; the page in US - Central', async () => {
    const body = await page('api-users', 'limit=200');
    assert.deepEqual(new Set(body.data.map((u) => u.id)), new Set(idsOf(...made)));
    assert.ok(body.data.every((u) => u.kind === 'api'));
    for (const row of body.data) assert.match(row.organization.display_name, /^\d{9} ACME CORP$/);
    assert.equal(body.time_zone, 'America/Chicago');
    assert.match(body.time_zone_label, /^US - Central \(C[DS]T\)$/);
  });

  it('GET …/administrators -> people and API users together; kind=api and kind=admin filter', async () => {
    const everyone = await ids('administrators', '');
    assert.equal(everyone.length, 9);
    for (const id of [owner.id, viewerId, ...idsOf(...made)]) assert.ok(everyone.includes(id), id);
    assert.deepEqual(new Set(await ids('administrators', 'kind=api')), new Set(idsOf(...made)));
    assert.deepEqual(new Set(await ids('administrators', 'kind=admin')), new Set([owner.id, viewerId]));
    const body = await page('administrators', 'limit=200');
    for (const row of body.data) assert.match(row.organization.display_name, /^\d{9} ACME CORP$/);
    assert.match(body.time_zone_label, /^US - Central \(C[DS]T\)$/);
  });

  it('q matches first name, last name, full name, username, email and description, ignoring case', async () => {
    const third = made[2]!;
    for (const [q, expected] of [
      ['MELANIE', [byName('Melanie')]],
      ['zimmer', [byName('Bob')]],
      ['carla DIAZ', [byName('Carla')]],
      [third.username.slice(8, 20), [third]],
      ['PARTNER.example', [byName('Bob')]],
      ['warehouse', [byName('alan')]],
    ] as const) {
      assert.deepEqual(await ids('api-users', `q=${encodeURIComponent(q)}`), idsOf(...expected), q);
    }
  });

  it('q takes % and _ literally: "%_" finds "100%_done", "%" and "_" do not match everything', async () => {
    for (const q of ['%_', '%', '_', '0%_d']) assert.deepEqual(await ids('api-users', `q=${encodeURIComponent(q)}`), [made[2]!.id], q);
    assert.deepEqual(await ids('api-users', `q=${encodeURIComponent('_%')}`), []);
  });

  it('filters status, application and role_id', async () => {
    assert.deepEqual(await ids('api-users', 'status=disabled'), [byName('Bob').id]);
    assert.equal((await ids('api-users', 'status=enabled')).length, 6);
    assert.deepEqual(new Set(await ids('api-users', 'application=salesforce')), new Set(idsOf(byName('Melanie'), byName('Carla'))));
    assert.deepEqual(new Set(await ids('administrators', 'role_id=api-user')), new Set(idsOf(...made)));
    assert.deepEqual(await ids('administrators', 'role_id=viewer'), [viewerId]);
  });

  it('sort name, -name, username, created_at, -created_at -> rows in that order', async () => {
    const byNameOrder = idsOf(byName('alan'), ...unnamed(), byName('Bob'), byName('Carla'), byName('Melanie'), byName('Zed'));
    assert.deepEqual(await ids('api-users', 'sort=name'), byNameOrder);
    assert.deepEqual(await ids('api-users', 'sort=-name'), [...byNameOrder].reverse());
    const byUsername = [...made].sort((a, b) => (a.username < b.username ? -1 : 1));
    assert.deepEqual(await ids('api-users', 'sort=username'), idsOf(...byUsername));
    assert.deepEqual(await ids('api-users', 'sort=created_at'), idsOf(...made));
    assert.deepEqual(await ids('api-users', 'sort=-created_at'), idsOf(...made).reverse());
  });

  for (const sort of ['name', '-created_at'] as const) {
    it(`limit=2 with sort=${sort}: following next_cursor visits all 7 in order, no duplicates, then null`, async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const body = await page('api-users', `limit=2&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`);
        assert.ok(body.data.length <= 2);
        seen.push(...body.data.map((u) => u.id));
        cursor = body.next_cursor;
        assert.ok(++pages <= 4, 'pagination must end');
      } while (cursor);
      assert.equal(pages, 4);
      assert.equal(new Set(seen).size, 7);
      assert.deepEqual(seen, await ids('api-users', `sort=${sort}`));
    });
  }
});
