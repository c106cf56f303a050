import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import { as, setupOrganization, type TestSession } from '../support/sessions.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Values an attacker (or a careless client) sends; SQL must treat every one as plain data. */
const HOSTILE: Record<string, string> = {
  'quote-drop': "'; DROP TABLE users; --",
  'or-1-1': '" OR 1=1 --',
  'backslash-zero': '\\0',
  'nul': 'a\u0000b',
  'union': "x' UNION SELECT secret_hash FROM credentials --",
  'percent': '%00%27%22',
  'unicode': 'Zoë 李 👩‍💻 \u202Egnp.exe',
  'lone-surrogate': 'x\uD800y',
  'oversize': 'x'.repeat(10_000),
};
const WRONG_TYPES: unknown[] = [42, true, null, [], {}];
const MALFORMED = ['{', '{"a":1,}', "{'single':'quotes'}", 'null', '[]', '"a string"', ''];
const TABLES = ['users', 'organizations', 'roles', 'credentials', 'audit_events'] as const;

type Path = readonly string[];
type Body = Record<string, unknown>;

function withValue(body: Body, path: Path, value: unknown): Body {
  const copy = structuredClone(body);
  let node: Body = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Body;
  node[path.at(-1)!] = value;
  return copy;
}

/**
 * A mutating route and a body that has the right shape yet is refused, as late as the route
 * allows (after the database was read), so a hostile value in any field really reaches SQL.
 */
interface Target {
  method: 'POST' | 'PATCH';
  url: string;
  session: TestSession | null;
  headers?: Record<string, string>;
  body: Body;
  strings: Path[];
}

describe('bad input: always 4xx, never 5xx, and the database is unchanged', () => {
  let t: TestApp;
  let owner: TestSession;
  let targets: Record<string, Target>;
  before(async () => {
    t = await startTestApp();
    owner = await setupOrganization(t);
    const org = `/v1/organizations/${owner.organizationId}`;
    const password = 'a long enough passphrase for tests';
    targets = {
      // The owner's email is taken: 409 after the insert is tried.
      'POST …/administrators': { method: 'POST', url: `${org}/administrators`, session: owner, body: { email: owner.email, first_name: 'Ann', last_name: 'Lee', role_id: 'viewer', password }, strings: [['email'], ['first_name'], ['last_name'], ['role_id'], ['password']] },
      // A stale If-Match: 412 after the conditional update.
      'PATCH /v1/organizations/:org': { method: 'PATCH', url: org, session: owner, headers: { 'if-match': '"999"' }, body: { name: 'Acme Corp', time_zone: 'America/Chicago' }, strings: [['name'], ['time_zone']] },
      // An unknown privilege: 400.
      'POST …/roles': { method: 'POST', url: `${org}/roles`, session: owner, body: { name: 'Integrations', description: 'd', privileges: ['root'] }, strings: [['name'], ['description'], ['privileges', '0']] },
      // Expiry 0 days: 400.
      'POST /v1/me/tokens': { method: 'POST', url: '/v1/me/tokens', session: owner, body: { name: 'ci', expires_in_days: 0 }, strings: [['name']] },
      // No such account: 401 after the lookup.
      'POST /v1/session': { method: 'POST', url: '/v1/session', session: null, body: { email: 'nobody@acme.example', password }, strings: [['email'], ['password']] },
      // Setup is done and the token unknown: 404 after the lookup.
      'POST /v1/setup': {
        method: 'POST', url: '/v1/setup', session: null,
        body: { token: 'not-a-setup-token', organization: { name: 'Evil Corp', time_zone: 'UTC' }, owner: { email: 'evil@evil.example', first_name: 'Eve', last_name: 'Il', password } },
        strings: [['token'], ['organization', 'name'], ['organization', 'time_zone'], ['owner', 'email'], ['owner', 'first_name'], ['owner', 'last_name'], ['owner', 'password']],
      },
      // An unknown invitation token: 404 after the lookup.
      'POST /v1/invites/accept': { method: 'POST', url: '/v1/invites/accept', session: null, body: { token: 'not-an-invite-token', password }, strings: [['token'], ['password']] },
    };
  });
  after(() => t.close());

  async function rowCounts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const table of TABLES) {
      const row = await t.deps.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      counts[table] = Number(row.n);
    }
    return counts;
  }

  function send(target: Target, payload: Body | string, contentType?: string) {
    const options: InjectOptions = {
      method: target.method, url: target.url, payload,
      headers: { ...target.headers, ...(contentType ? { 'content-type': contentType } : {}) },
    };
    return target.session ? as(t.app, target.session, options) : t.app.inject(options);
  }

  /** Every request of the list: a 4xx problem, else one line naming it in the failures. */
  async function refusedAll(target: Target, requests: Array<[string, Body | string, string?]>): Promise<string[]> {
    const failures: string[] = [];
    for (const [label, payload, contentType] of requests) {
      const response = await send(target, payload, contentType);
      const problem = response.headers['content-type'] === 'application/problem+json';
      if (response.statusCode < 400 || response.statusCode >= 500 || !problem) failures.push(`${label} -> ${response.statusCode} ${response.body.slice(0, 200)}`);
    }
    return failures;
  }

  for (const name of ['POST …/administrators', 'PATCH /v1/organizations/:org', 'POST …/roles', 'POST /v1/me/tokens', 'POST /v1/session', 'POST /v1/setup', 'POST /v1/invites/accept']) {
    it(`${name} with malformed JSON, wrong types, unknown fields, oversize and SQL-laden strings -> 4xx, rows unchanged`, async () => {
      const target = targets[name]!;
      const requests: Array<[string, Body | string, string?]> = [['the base body', target.body]];
      for (const text of MALFORMED) requests.push([`malformed ${JSON.stringify(text)}`, text, 'application/json']);
      requests.push(['unknown top-level field', { ...target.body, is_admin: true }]);
      requests.push(['__proto__ key', JSON.stringify(target.body).replace(/^\{/, '{"__proto__":{"is_admin":true},'), 'application/json']);
      for (const parent of new Set(target.strings.filter((p) => p.length > 1 && p[1] !== '0').map((p) => p[0]!))) {
        requests.push([`unknown field in ${parent}`, withValue(target.body, [parent, 'role_id'], 'owner')]);
      }
      for (const path of target.strings) {
        const at = path.join('/');
        for (const value of WRONG_TYPES) requests.push([`${at}=${JSON.stringify(value)}`, withValue(target.body, path, value)]);
        for (const [label, value] of Object.entries(HOSTILE)) requests.push([`${at}=${label}`, withValue(target.body, path, value)]);
      }
      const before = await rowCounts();
      assert.deepEqual(await refusedAll(target, requests), []);
      assert.deepEqual(await rowCounts(), before);
    });
  }

  it('hostile cursors, query values and path ids -> never 5xx', async () => {
    const org = `/v1/organizations/${owner.organizationId}`;
    const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    // A lone surrogate cannot be percent-encoded (URIError), so it only travels inside the cursor.
    const inUrl = Object.entries(HOSTILE).filter(([label]) => label !== 'lone-surrogate').map(([, v]) => encodeURIComponent(v));
    const urls = [
      ...Object.values(HOSTILE).map((v) => `${org}/administrators?cursor=${cursor([v, v])}`),
      ...inUrl.flatMap((v) => [`${org}/administrators?kind=${v}`, `${org}/roles/${v}`, `${org}/administrators/${v}`, `/v1/organizations/${v}`]),
    ];
    const failures: string[] = [];
    for (const url of urls) {
      const response = await as(t.app, owner, { method: 'GET', url });
      if (response.statusCode >= 500) failures.push(`${url.slice(0, 120)} -> ${response.statusCode} ${response.body.slice(0, 200)}`);
    }
    assert.deepEqual(failures, []);
  });

  it('a NUL character in a name -> 400 naming the field, on every engine alike', async () => {
    const response = await as(t.app, owner, { method: 'POST', url: '/v1/me/tokens', payload: { name: HOSTILE.nul } });
    assert.equal(response.statusCode, 400, response.body);
    assert.deepEqual(response.json().errors, [{ location: 'body', pointer: '/name', detail: 'must not contain the NUL character (U+0000)' }]);
  });

  it('SQL metacharacters in valid names are stored and returned verbatim -> 201/200', async () => {
    const org = `/v1/organizations/${owner.organizationId}`;
    const before = await rowCounts();
    const person = { email: "o'brien+--@acme.example", first_name: "O'Brien; --", last_name: '" OR 1=1 -- \\0 Zoë 李 👩‍💻', role_id: 'viewer' };
    const created = await as(t.app, owner, { method: 'POST', url: `${org}/administrators`, payload: person });
    assert.equal(created.statusCode, 201, created.body);
    const read = await as(t.app, owner, { method: 'GET', url: `${org}/administrators/${created.json().administrator.id}` });
    assert.equal(read.statusCode, 200);
    assert.deepEqual([read.json().email, read.json().first_name, read.json().last_name], [person.email, person.first_name, person.last_name]);

    const role = { name: "'; DROP TABLE roles; --", description: "x' UNION SELECT secret_hash FROM credentials --", privileges: ['audit:read'] };
    const createdRole = await as(t.app, owner, { method: 'POST', url: `${org}/roles`, payload: role });
    assert.equal(createdRole.statusCode, 201, createdRole.body);
    const readRole = await as(t.app, owner, { method: 'GET', url: `${org}/roles/${createdRole.json().id}` });
    assert.deepEqual([readRole.json().name, readRole.json().description], [role.name, role.description]);

    const tokenName = "Robert'); DROP TABLE credentials;--";
    assert.equal((await as(t.app, owner, { method: 'POST', url: '/v1/me/tokens', payload: { name: tokenName } })).statusCode, 201);
    const tokens = await as(t.app, owner, { method: 'GET', url: '/v1/me/tokens' });
    assert.ok(tokens.json().data.some((x: { name: string }) => x.name === tokenName), tokens.body);

    const etag = String((await as(t.app, owner, { method: 'GET', url: org })).headers.etag);
    const renamed = await as(t.app, owner, { method: 'PATCH', url: org, headers: { 'if-match': etag }, payload: { name: 'Ac\'me "Corp" -- 李' } });
    assert.equal(renamed.statusCode, 200, renamed.body);
    assert.equal(renamed.json().name, 'Ac\'me "Corp" -- 李');

    const after = await rowCounts();
    assert.deepEqual(
      TABLES.map((table) => after[table]! - before[table]!),
      [1, 0, 1, 1, 4], // one person, one role, one token; an audit event for each change
    );
  });

  it('a forged session cookie -> 401, and a change made with it -> 401, nothing written', async () => {
    const before = await rowCounts();
    for (const value of ['forged', 'x'.repeat(43), encodeURIComponent(HOSTILE['quote-drop']!)]) {
      const cookie = `apiusers_session=${value}`;
      const read = await t.app.inject({ method: 'GET', url: '/v1/session', headers: { cookie } });
      assert.equal(read.statusCode, 401, read.body);
      assert.equal(read.json().code, 'auth.unauthenticated');
      const write = await t.app.inject({ method: 'POST', url: '/v1/me/tokens', headers: { cookie, 'x-csrf-token': owner.csrf }, payload: { name: 'forged' } });
      assert.equal(write.statusCode, 401, write.body);
    }
    assert.deepEqual(await rowCounts(), before);
  });

  it("another organization's id in the URL -> 404, and it is left untouched", async () => {
    const other = await setupOrganization(t, { name: 'Other' });
    const elsewhere = `/v1/organizations/${other.organizationId}`;
    const before = await rowCounts();
    const attempts: InjectOptions[] = [
      { method: 'GET', url: elsewhere },
      { method: 'PATCH', url: elsewhere, headers: { 'if-match': '"1"' }, payload: { name: 'Hijacked' } },
      { method: 'GET', url: `${elsewhere}/administrators` },
      { method: 'GET', url: `${elsewhere}/administrators/${other.id}` },
      { method: 'POST', url: `${elsewhere}/administrators`, payload: { email: 'spy@evil.example', first_name: 'S', last_name: 'Py', role_id: 'viewer' } },
      { method: 'POST', url: `${elsewhere}/roles`, payload: { name: 'Spy', privileges: ['audit:read'] } },
      { method: 'GET', url: `/v1/organizations/${owner.organizationId}/administrators/${other.id}` },
    ];
    for (const attempt of attempts) {
      const response = await as(t.app, owner, attempt);
      assert.equal(response.statusCode, 404, `${attempt.method} ${attempt.url}: ${response.body}`);
    }
    assert.deepEqual(await rowCounts(), before);
    const theirs = await as(t.app, other, { method: 'GET', url: elsewhere });
    assert.equal(theirs.json().name, 'Other');
  });
});
