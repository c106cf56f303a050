import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { Clock } from '../../src/lib/clock.js';
import { addAdministrator, as, OWNER_PASSWORD, setupOrganization, signIn, type TestSession } from '../support/sessions.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface AuditEventBody {
  id: string;
  action: string;
  actor: { id: string | null; label: string };
  target: { type: string; id: string | null };
  request_id: string | null;
  ip: string | null;
  data: Record<string, unknown>;
  created_at: string;
}

interface Expected {
  action: string;
  requestId: string;
  actor: TestSession;
  target: { type: string; id: string };
}

const ADMIN_PASSWORD = 'audited person passphrase one';
const INVITEE_PASSWORD = 'a brand new choice for the door';

describe('audit log', () => {
  // Ten milliseconds a tick: every event gets its own created_at, so "newest first" has one answer.
  let tick = Date.parse('2026-03-02T09:00:00.000Z');
  const clock: Clock = { now: () => new Date((tick += 10)) };
  let t: TestApp;
  let owner: TestSession;
  const expected: Expected[] = [];
  const secrets: string[] = [OWNER_PASSWORD, ADMIN_PASSWORD, INVITEE_PASSWORD];
  before(async () => {
    t = await startTestApp({ clock });
    owner = await setupOrganization(t);
  });
  after(() => t.close());

  const org = () => `/v1/organizations/${owner.organizationId}`;
  const events = async (by: TestSession, query = 'limit=200'): Promise<AuditEventBody[]> => {
    const response = await as(t.app, by, { method: 'GET', url: `${org()}/audit-events?${query}` });
    assert.equal(response.statusCode, 200, response.body);
    return response.json().data;
  };
  const expect = (response: LightMyRequestResponse, status: number, e: Omit<Expected, 'requestId'>) => {
    assert.equal(response.statusCode, status, response.body);
    expected.push({ ...e, requestId: response.headers['x-request-id'] as string });
  };

  it('each change -> one event naming the actor, target, x-request-id and ip', async () => {
    const signedIn = await t.app.inject({ method: 'POST', url: '/v1/session', payload: { email: owner.email, password: OWNER_PASSWORD } });
    expect(signedIn, 200, { action: 'session.created', actor: owner, target: { type: 'administrator', id: owner.id } });
    secrets.push(signedIn.cookies.find((c) => c.name === 'apiusers_session')!.value, signedIn.json().csrf_token, owner.cookie.split('=')[1]!, owner.csrf);

    const person = { first_name: 'Audrey', last_name: 'Ted', role_id: 'viewer' };
    const created = await as(t.app, owner, { method: 'POST', url: `${org()}/administrators`, payload: { ...person, email: 'audrey@acme.example', password: ADMIN_PASSWORD } });
    const audrey = created.json().administrator;
    expect(created, 201, { action: 'administrator.created', actor: owner, target: { type: 'administrator', id: audrey.id } });

    const updated = await as(t.app, owner, { method: 'PATCH', url: `${org()}/administrators/${audrey.id}`, headers: { 'if-match': created.headers.etag as string }, payload: { role_id: 'administrator' } });
    expect(updated, 200, { action: 'administrator.updated', actor: owner, target: { type: 'administrator', id: audrey.id } });

    const role = await as(t.app, owner, { method: 'POST', url: `${org()}/roles`, payload: { name: 'Auditor', privileges: ['audit:read'] } });
    expect(role, 201, { action: 'role.created', actor: owner, target: { type: 'role', id: role.json().id } });

    const read = await as(t.app, owner, { method: 'GET', url: org() });
    const renamed = await as(t.app, owner, { method: 'PATCH', url: org(), headers: { 'if-match': read.headers.etag as string }, payload: { name: 'Acme Audited' } });
    expect(renamed, 200, { action: 'organization.updated', actor: owner, target: { type: 'organization', id: owner.organizationId } });

    const token = await as(t.app, owner, { method: 'POST', url: '/v1/me/tokens', payload: { name: 'ci pipeline' } });
    expect(token, 201, { action: 'access_token.created', actor: owner, target: { type: 'access_token', id: token.json().id } });
    secrets.push(token.json().token);

    const doomed = (await as(t.app, owner, { method: 'POST', url: `${org()}/administrators`, payload: { ...person, email: 'doomed@acme.example' } })).json().administrator;
    const deleted = await as(t.app, owner, { method: 'DELETE', url: `${org()}/administrators/${doomed.id}`, headers: { 'if-match': `"${doomed.version}"` } });
    expect(deleted, 204, { action: 'administrator.deleted', actor: owner, target: { type: 'administrator', id: doomed.id } });

    const transferred = await as(t.app, owner, { method: 'POST', url: `${org()}/transfer-ownership`, payload: { administrator_id: audrey.id } });
    expect(transferred, 200, { action: 'organization.ownership_transferred', actor: owner, target: { type: 'administrator', id: audrey.id } });

    for (const e of expected) {
      const found = await events(owner, `action=${e.action}&target_id=${e.target.id}`);
      const matching = found.filter((event) => event.request_id === e.requestId);
      assert.equal(matching.length, 1, `${e.action}: ${JSON.stringify(found)}`);
      const [event] = matching;
      assert.deepEqual(event!.actor, { id: e.actor.id, label: e.actor.email }, e.action);
      assert.deepEqual(event!.target, e.target, e.action);
      assert.equal(event!.ip, '127.0.0.1', e.action);
    }
  });

  it('GET audit-events -> newest first', async () => {
    const all = await events(owner);
    const times = all.map((e) => e.created_at);
    assert.deepEqual(times, [...times].sort().reverse());
    assert.equal(new Set(times).size, times.length);
    const positions = expected.map((e) => all.findIndex((event) => event.request_id === e.requestId));
    assert.ok(positions.every((p) => p >= 0));
    assert.deepEqual(positions, [...positions].sort((a, b) => b - a), 'later changes are listed earlier');
    assert.equal(all.at(-1)!.action, 'organization.created');
  });

  it('GET audit-events?action= and ?target_id= -> only matching events', async () => {
    const created = await events(owner, 'action=administrator.created');
    assert.ok(created.length >= 2);
    assert.ok(created.every((e) => e.action === 'administrator.created'));
    const audreyId = expected.find((e) => e.action === 'administrator.created')!.target.id;
    const aboutAudrey = await events(owner, `target_id=${audreyId}`);
    assert.ok(aboutAudrey.every((e) => e.target.id === audreyId));
    assert.deepEqual(aboutAudrey.map((e) => e.action), ['organization.ownership_transferred', 'administrator.updated', 'administrator.created']);
  });

  it('GET audit-events with limit=3 follows next_cursor: the same events, each once', async () => {
    const all = (await events(owner)).map((e) => e.id);
    assert.ok(all.length > 6);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await as(t.app, owner, { method: 'GET', url: `${org()}/audit-events?limit=3${cursor ? `&cursor=${cursor}` : ''}` });
      assert.equal(response.statusCode, 200, response.body);
      assert.ok(response.json().data.length <= 3);
      paged.push(...response.json().data.map((e: AuditEventBody) => e.id));
      cursor = response.json().next_cursor;
    } while (cursor && paged.length <= all.length);
    assert.deepEqual(paged, all);

    const tampered = await as(t.app, owner, { method: 'GET', url: `${org()}/audit-events?cursor=bm90LWEtY3Vyc29y` });
    assert.equal(tampered.statusCode, 400);
    assert.equal(tampered.json().code, 'request.cursor_invalid');
  });

  it('GET audit-events?since=&until= -> events in [since, until), any offset, with the other filters and through next_cursor', async () => {
    const all = await events(owner);
    assert.ok(all.length > 8);
    // Oldest first from here: a window of events 2..6 (until is exclusive, so event 7 is out).
    const times = all.map((e) => e.created_at).reverse();
    const [since, until] = [times[2]!, times[7]!];
    const inWindow = all.filter((e) => e.created_at >= since && e.created_at < until).map((e) => e.id);
    assert.equal(inWindow.length, 5);
    const window = async (query: string) => (await events(owner, `limit=200&${query}`)).map((e) => e.id);
    assert.deepEqual(await window(`since=${since}&until=${until}`), inWindow);

    // The same instants written with offsets (and a space instead of T) are the same window.
    const shifted = (iso: string, minutes: number) => {
      const local = new Date(Date.parse(iso) + minutes * 60_000).toISOString().slice(0, 23);
      const sign = minutes < 0 ? '-' : '+';
      const abs = Math.abs(minutes);
      return encodeURIComponent(`${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`);
    };
    assert.deepEqual(await window(`since=${shifted(since, 330)}&until=${shifted(until, -360)}`), inWindow);
    assert.deepEqual(await window(`since=${encodeURIComponent(since.replace('T', ' '))}&until=${until.toLowerCase()}`), inWindow);
    // Only one bound.
    assert.deepEqual(await window(`since=${since}`), all.filter((e) => e.created_at >= since).map((e) => e.id));
    assert.deepEqual(await window(`until=${until}`), all.filter((e) => e.created_at < until).map((e) => e.id));
    // Digits past the millisecond count: a hair after an event leaves it out of since, in until.
    const hair = (iso: string) => iso.replace('Z', '0001Z');
    assert.deepEqual(await window(`since=${hair(since)}&until=${hair(until)}`), all.filter((e) => e.created_at > since && e.created_at <= until).map((e) => e.id));
    // With another filter: both must match.
    const action = all.find((e) => inWindow.includes(e.id))!.action;
    assert.deepEqual(await window(`since=${since}&until=${until}&action=${action}`), all.filter((e) => inWindow.includes(e.id) && e.action === action).map((e) => e.id));
    // Past the years the log can hold: everything, or nothing.
    assert.deepEqual(await window(`since=${encodeURIComponent('0000-01-01T00:00:00+01:00')}`), all.map((e) => e.id));
    assert.deepEqual(await window(`until=${encodeURIComponent('9999-12-31T23:59:59-01:00')}`), all.map((e) => e.id));
    assert.deepEqual(await window(`since=${encodeURIComponent('9999-12-31T23:59:59-01:00')}`), []);

    // Two at a time, following next_cursor with the same range: the same events, each once.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await as(t.app, owner, { method: 'GET', url: `${org()}/audit-events?limit=2&since=${since}&until=${until}${cursor ? `&cursor=${cursor}` : ''}` });
      assert.equal(response.statusCode, 200, response.body);
      paged.push(...response.json().data.map((e: AuditEventBody) => e.id));
      cursor = response.json().next_cursor;
    } while (cursor && paged.length <= inWindow.length);
    assert.deepEqual(paged, inWindow);
  });

  it('GET audit-events with a bad since or until, or since >= until -> 400 naming the parameter', async () => {
    const at = '2026-03-02T09:00:00.100Z';
    for (const [query, pointer] of [
      ['since=yesterday', '/since'], ['until=2026-03-02', '/until'], ['since=2026-03-02T09:00:00', '/since'],
      ['until=2026-02-30T00:00:00Z', '/until'], ['since=2026-03-02T24:00:00Z', '/since'], ['since=2026-03-02T09:00:00%2B05', '/since'],
      [`since=${at}&until=${at}`, '/since'], ['since=2026-03-02T09:00:01Z&until=2026-03-02T09:00:00Z', '/since'],
      // The same instant in two forms is still not a range.
      [`since=${encodeURIComponent('2026-03-02T03:00:00-06:00')}&until=2026-03-02T09:00:00.000000Z`, '/since'],
    ] as const) {
      const response = await as(t.app, owner, { method: 'GET', url: `${org()}/audit-events?${query}` });
      assert.equal(response.statusCode, 400, `${query}: ${response.body}`);
      const problem = response.json();
      assert.equal(problem.code, 'request.invalid', query);
      assert.deepEqual(problem.errors.map((e: { location: string; pointer: string }) => [e.location, e.pointer]), [['query', pointer]], query);
      assert.match(problem.detail, new RegExp(pointer.slice(1)), query);
    }
  });

  it('GET audit-events as a Viewer -> 403; as an Administrator -> 200', async () => {
    const viewer = await addAdministrator(t, owner, 'viewer');
    const denied = await as(t.app, viewer, { method: 'GET', url: `${org()}/audit-events` });
    assert.equal(denied.statusCode, 403);
    assert.equal(denied.json().code, 'auth.forbidden');
    // A range that can hold no event is still not readable.
    const emptyRange = await as(t.app, viewer, { method: 'GET', url: `${org()}/audit-events?since=9999-12-31T23:59:59.999Z` });
    assert.equal(emptyRange.statusCode, 403);
    const administrator = await addAdministrator(t, owner, 'administrator');
    assert.equal((await as(t.app, administrator, { method: 'GET', url: `${org()}/audit-events` })).statusCode, 200);
  });

  it('a refused or rolled-back change (409, 412, 403) -> no event', async () => {
    const admins = `${org()}/administrators`;
    const person = { first_name: 'Roll', last_name: 'Back', role_id: 'viewer' };
    const first = (await as(t.app, owner, { method: 'POST', url: admins, payload: { ...person, email: 'first@acme.example' } })).json().administrator;
    const second = (await as(t.app, owner, { method: 'POST', url: admins, payload: { ...person, email: 'second@acme.example' } })).json().administrator;
    const countBefore = (await events(owner)).length;

    const duplicate = await as(t.app, owner, { method: 'POST', url: admins, payload: { ...person, email: 'FIRST@acme.example' } });
    assert.equal(duplicate.statusCode, 409);
    const emailClash = await as(t.app, owner, { method: 'PATCH', url: `${admins}/${second.id}`, headers: { 'if-match': `"${second.version}"` }, payload: { email: 'first@acme.example', last_name: 'Changed' } });
    assert.equal(emailClash.statusCode, 409, emailClash.body);
    const stale = await as(t.app, owner, { method: 'PATCH', url: `${admins}/${first.id}`, headers: { 'if-match': '"99"' }, payload: { last_name: 'Changed' } });
    assert.equal(stale.statusCode, 412);
    const ownerRole = await as(t.app, owner, { method: 'PATCH', url: `${admins}/${first.id}`, headers: { 'if-match': `"${first.version}"` }, payload: { role_id: 'owner' } });
    assert.equal(ownerRole.statusCode, 403);

    assert.equal((await events(owner)).length, countBefore);
    const unchanged = await as(t.app, owner, { method: 'GET', url: `${admins}/${second.id}` });
    assert.equal(unchanged.json().last_name, 'Back');
    assert.equal(unchanged.json().email, 'second@acme.example');
  });

  it('no audit event holds a password, session, CSRF, invitation or access token', async () => {
    const invited = await as(t.app, owner, { method: 'POST', url: `${org()}/administrators`, payload: { email: 'invitee@acme.example', first_name: 'In', last_name: 'Vitee', role_id: 'viewer' } });
    const inviteToken = /#token=(.+)$/.exec(invited.json().invite_url)![1]!;
    secrets.push(inviteToken);
    const accepted = await t.app.inject({ method: 'POST', url: '/v1/invites/accept', payload: { token: inviteToken, password: INVITEE_PASSWORD } });
    assert.equal(accepted.statusCode, 200, accepted.body);
    const invitee = await signIn(t.app, 'invitee@acme.example', INVITEE_PASSWORD);
    secrets.push(invitee.cookie.split('=')[1]!, invitee.csrf);

    const rows = await t.deps.db.selectFrom('audit_events').selectAll().execute();
    const dump = JSON.stringify(rows);
    for (const action of ['administrator.invited', 'administrator.invite_accepted', 'session.created', 'access_token.created']) assert.ok(dump.includes(action), action);
    for (const secret of secrets) {
      assert.ok(secret.length >= 15, 'a meaningful secret');
      assert.ok(!dump.includes(secret), `an audit event contains the secret ${secret.slice(0, 6)}…`);
    }
    const listed = await as(t.app, owner, { method: 'GET', url: `${org()}/audit-events?limit=200` });
    for (const secret of secrets) assert.ok(!listed.body.includes(secret));
  });
});
