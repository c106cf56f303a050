import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { as, setupOrganization, type TestSession } from '../support/sessions.js';
import { RawHttpConnection } from '../support/raw-http-connection.js';
import { postgresUrl, startTestApp, type TestApp } from '../support/test-app.js';

const PASSWORD = 'Fast-lane-check-2026!';

/**
 * The fast lane (src/http/fast-lane.ts) on the real application: connections start in it; the
 * hot routes' cached answers are written there byte for byte as Node's server writes them; what
 * the cache cannot decide is answered by the Fastify route without leaving the lane; the first
 * request for another route hands the connection to Node.
 */
describe(`fast lane on the application (${postgresUrl() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let owner: TestSession;
  let port: number;
  let pat: string;

  before(async () => {
    t = await startTestApp();
    owner = await setupOrganization(t, { name: 'Lane Corp' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as { port: number }).port;
    const token = await as(t.app, owner, { method: 'POST', url: '/v1/me/tokens', payload: { name: 'verifier' } });
    pat = token.json().token;
  });
  after(() => t.close());

  async function metric(name: string): Promise<number> {
    const metrics = await as(t.app, owner, { url: '/metrics' });
    const line = metrics.body.split('\n').find((l) => l.startsWith(name));
    return line ? Number(line.split(' ').at(-1)) : NaN;
  }

  async function apiKeyOnTier(tier: string): Promise<string> {
    const created = await as(t.app, owner, {
      method: 'POST', url: `/v1/organizations/${owner.organizationId}/api-users`,
      payload: { first_name: 'José', last_name: 'Lane', description: 'fast lane', password: PASSWORD, password_confirmation: PASSWORD, applications: ['httpapi'] },
    });
    assert.equal(created.statusCode, 201, created.body);
    const user = created.json().api_user;
    const patched = await as(t.app, owner, {
      method: 'PATCH', url: `/v1/organizations/${owner.organizationId}/api-users/${user.id}`, headers: { 'if-match': created.headers.etag as string }, payload: { rate_limit_tier: tier },
    });
    assert.equal(patched.statusCode, 200, patched.body);
    const key = await as(t.app, owner, { method: 'POST', url: `/v1/organizations/${owner.organizationId}/api-users/${user.id}/keys`, payload: { name: 'k' } });
    return key.json().key;
  }

  const accountInfo = (key: string, id: string) => `GET /v2/account-info HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nX-Request-Id: ${id}\r\n\r\n`;
  const verify = (credential: string, id: string) => {
    const body = JSON.stringify({ credential });
    return `POST /v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${pat}\r\nContent-Type: application/json\r\nX-Request-Id: ${id}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  };
  /** A head with the per-call parts (Date, RateLimit-Remaining, RateLimit-Reset: a second may pass between two calls) blanked. */
  const stable = (head: string[]) => head.map((line) => line.replace(/^(Date|ratelimit-remaining|ratelimit-reset): .*/i, '$1: …'));

  it('200 from the lane: byte for byte the answer Node\'s server writes for the same cached call', async () => {
    const key = await apiKeyOnTier('high');
    const lane = new RawHttpConnection(port);
    const [first] = await lane.exchange(accountInfo(key, 'fill-1'), 1);
    assert.equal(first!.status, 200, first!.body);
    const handovers = await metric('apiusers_fast_lane_handovers_total');
    const [fromLane] = await lane.exchange(accountInfo(key, 'same-id'), 1);
    assert.equal(await metric('apiusers_fast_lane_connections'), 1);
    // Another connection moved to Node by a first request for another route, then the same call.
    const node = new RawHttpConnection(port);
    const [livez] = await node.exchange('GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 1);
    assert.equal(livez!.status, 200);
    assert.equal(await metric('apiusers_fast_lane_handovers_total'), handovers + 1);
    const [fromNode] = await node.exchange(accountInfo(key, 'same-id'), 1);
    assert.deepEqual(stable(fromLane!.head), stable(fromNode!.head));
    assert.deepEqual(JSON.parse(fromLane!.body), JSON.parse(fromNode!.body));
    assert.equal(JSON.parse(fromLane!.body).api_user.name, 'José Lane', 'a UTF-8 body is framed by its byte length');
    assert.match(fromLane!.head.join('\n'), /^ratelimit-limit: 1200$/m);
    lane.socket.destroy();
    node.socket.destroy();
  });

  it('POST /v1/verify 200 from the lane equals Node\'s, and a cache miss is the route\'s own answer without leaving the lane', async () => {
    const key = await apiKeyOnTier('unlimited');
    const lane = new RawHttpConnection(port);
    const forwarded = await metric('apiusers_fast_lane_forwarded_total');
    const [miss] = await lane.exchange(verify(key, 'v-1'), 1);
    assert.equal(miss!.status, 200, miss!.body);
    assert.equal(await metric('apiusers_fast_lane_forwarded_total'), forwarded + 1, 'the first call was not in the cache: the route answered it');
    const [hit] = await lane.exchange(verify(key, 'v-2'), 1);
    assert.equal(await metric('apiusers_fast_lane_forwarded_total'), forwarded + 1, 'the second came from memory');
    assert.deepEqual(JSON.parse(hit!.body), JSON.parse(miss!.body));
    const node = new RawHttpConnection(port);
    await node.exchange('GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 1);
    const [fromNode] = await node.exchange(verify(key, 'v-2'), 1);
    assert.deepEqual(stable(hit!.head), stable(fromNode!.head));
    assert.equal(hit!.body, fromNode!.body);
    lane.socket.destroy();
    node.socket.destroy();
  });

  it('refusals from the lane are the route\'s problem answers (401 with WWW-Authenticate, 403), and the connection stays', async () => {
    const key = await apiKeyOnTier('unlimited');
    const lane = new RawHttpConnection(port);
    const answers = await lane.exchange([
      accountInfo(`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`, 'r-1'),
      'GET /v2/account-info HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Application: salesforce\r\nX-API-Key: ' + key + '\r\n\r\n',
      accountInfo(key, 'r-3'),
    ].join(''), 3);
    assert.deepEqual(answers.map((a) => a.status), [401, 403, 200]);
    assert.equal(JSON.parse(answers[0]!.body).code, 'credential.malformed');
    assert.ok(answers[0]!.head.some((l) => /^www-authenticate: /i.test(l)), answers[0]!.head.join('\n'));
    assert.ok(answers[0]!.head.includes('Connection: keep-alive'));
    assert.equal(JSON.parse(answers[1]!.body).code, 'application_not_assigned');
    assert.equal(await metric('apiusers_fast_lane_connections'), 1, 'still in the lane');
    lane.socket.destroy();
  });

  it('pipelined: a hit, a miss, another route and a hit are answered in the order sent', async () => {
    const key = await apiKeyOnTier('unlimited');
    const fresh = await apiKeyOnTier('unlimited');
    const warm = new RawHttpConnection(port);
    await warm.exchange(accountInfo(key, 'warm'), 1);
    warm.socket.destroy();
    const lane = new RawHttpConnection(port);
    const answers = await lane.exchange(accountInfo(key, 'p-1') + accountInfo(fresh, 'p-2') + 'GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: p-3\r\n\r\n' + accountInfo(key, 'p-4'), 4);
    assert.deepEqual(answers.map((a) => a.head.find((l) => l.startsWith('x-request-id'))), ['x-request-id: p-1', 'x-request-id: p-2', 'x-request-id: p-3', 'x-request-id: p-4']);
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200]);
    assert.deepEqual(JSON.parse(answers[2]!.body), { status: 'ok' });
    lane.socket.destroy();
  });

  it('a chunked verify body goes to Node, which the route answers as usual', async () => {
    const key = await apiKeyOnTier('unlimited');
    const body = JSON.stringify({ credential: key });
    const lane = new RawHttpConnection(port);
    const [answer] = await lane.exchange(`POST /v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${pat}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`, 1);
    assert.equal(answer!.status, 200, answer!.body);
    assert.equal(JSON.parse(answer!.body).code, 'VALID');
    lane.socket.destroy();
  });
});

describe('fast lane: closing the application', () => {
  it('closes idle lane connections, so close() does not wait for their keep-alive timeout', async () => {
    const t = await startTestApp();
    const owner = await setupOrganization(t);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (t.app.server.address() as { port: number }).port;
    const created = await as(t.app, owner, {
      method: 'POST', url: `/v1/organizations/${owner.organizationId}/api-users`,
      payload: { description: 'close', password: PASSWORD, password_confirmation: PASSWORD },
    });
    const key = (await as(t.app, owner, { method: 'POST', url: `/v1/organizations/${owner.organizationId}/api-users/${created.json().api_user.id}/keys`, payload: { name: 'k' } })).json().key;
    const lane = new RawHttpConnection(port);
    const [answer] = await lane.exchange(`GET /v2/account-info HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\n\r\n`, 1);
    assert.equal(answer!.status, 200);
    const started = Date.now();
    await t.close();
    await lane.closed;
    assert.ok(Date.now() - started < 5000, `close took ${Date.now() - started} ms`);
  });
});
