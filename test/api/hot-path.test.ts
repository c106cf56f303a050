import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { clientBasic, form } from '../support/oauth.js';
import { as, setupOrganization, type TestSession } from '../support/sessions.js';
import { postgresUrl, startTestApp, type TestApp } from '../support/test-app.js';

const PASSWORD = 'Hot-path-check-2026!';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * The hot path (src/http/hot-path.ts) answers cached credentials of GET /v2/account-info and
 * POST /v1/verify before Fastify routes the request, so it only exists on a real port:
 * `app.inject()` always goes through Fastify. Each test sends the same request both ways and
 * compares what a client sees, and reads apiusers_hot_path_answers_total to know which way
 * answered.
 */
for (const mode of ['on', 'listener'] as const) describe(`hot path (HOT_PATH=${mode}: ${mode === 'on' ? 'the fast lane' : 'Node\'s request listener'}): the same answers as the Fastify routes (${postgresUrl() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let owner: TestSession;
  let other: TestSession;
  let port: number;
  let pat: string;
  const logLines: Array<Record<string, unknown>> = [];

  before(async () => {
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n')) if (line) logLines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    t = await startTestApp({ logger: { level: 'info', stream }, env: { HOT_PATH: mode } });
    owner = await setupOrganization(t, { name: 'Hot Corp' });
    other = await setupOrganization(t, { name: 'Cold Corp' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as { port: number }).port;
    const token = await as(t.app, owner, { method: 'POST', url: '/v1/me/tokens', payload: { name: 'verifier' } });
    assert.equal(token.statusCode, 201, token.body);
    pat = token.json().token;
  });
  after(() => t.close());

  /** One request on the real port (the hot path may answer it). */
  function overPort(method: string, path: string, headers: Record<string, string>, body?: string, agent?: Agent): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => { text += chunk; });
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** The same request through Fastify (inject never meets the hot path). */
  async function throughFastify(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
    const response = await t.app.inject({ method, url: path, headers, payload: body });
    return { status: response.statusCode, headers: response.headers as Answer['headers'], body: response.body };
  }

  async function hotAnswers(route: string): Promise<number> {
    const metrics = await as(t.app, owner, { url: '/metrics' });
    const line = metrics.body.split('\n').find((l) => l.startsWith(`apiusers_hot_path_answers_total{route="${route}"}`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  }

  /** What must match between the two ways: status, the headers a client reads, and the body. */
  function assertSameAnswer(hot: Answer, reference: Answer, volatile: string[] = [], adjust: (body: Record<string, unknown>) => void = () => undefined): void {
    assert.equal(hot.status, reference.status, hot.body);
    for (const name of ['content-type', 'content-length', 'ratelimit-limit', 'www-authenticate', 'retry-after']) {
      if (volatile.includes(name)) continue;
      assert.equal(hot.headers[name], reference.headers[name], name);
    }
    // Seconds to the end of the minute: the two calls may straddle a second.
    assert.equal(hot.headers['ratelimit-reset'] === undefined, reference.headers['ratelimit-reset'] === undefined, 'ratelimit-reset');
    assert.ok(Math.abs(Number(hot.headers['ratelimit-reset'] ?? 0) - Number(reference.headers['ratelimit-reset'] ?? 0)) <= 1, 'ratelimit-reset');
    assert.match(String(hot.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    const expected = JSON.parse(reference.body) as Record<string, unknown>;
    adjust(expected);
    assert.deepEqual(JSON.parse(hot.body), expected);
  }

  async function apiUserWithKey(session: TestSession, tier?: string): Promise<{ id: string; username: string; key: string; etag: string }> {
    const created = await as(t.app, session, {
      method: 'POST', url: `/v1/organizations/${session.organizationId}/api-users`,
      payload: { first_name: 'Hot', last_name: 'Path', description: 'hot path', password: PASSWORD, password_confirmation: PASSWORD, applications: ['httpapi'] },
    });
    assert.equal(created.statusCode, 201, created.body);
    const user = created.json().api_user;
    let etag = created.headers.etag as string;
    if (tier) {
      const patched = await as(t.app, session, {
        method: 'PATCH', url: `/v1/organizations/${session.organizationId}/api-users/${user.id}`, headers: { 'if-match': etag }, payload: { rate_limit_tier: tier },
      });
      assert.equal(patched.statusCode, 200, patched.body);
      etag = patched.headers.etag as string;
    }
    const key = await as(t.app, session, { method: 'POST', url: `/v1/organizations/${session.organizationId}/api-users/${user.id}/keys`, payload: { name: 'k' } });
    assert.equal(key.statusCode, 201, key.body);
    return { id: user.id, username: user.username, key: key.json().key, etag };
  }

  it('GET /v2/account-info with an API key: the first call fills the cache, the next are answered hot, alike', async () => {
    const { key } = await apiUserWithKey(owner);
    const headers = { authorization: `Bearer ${key}` };
    const before = await hotAnswers('/v2/account-info');
    const first = await overPort('GET', '/v2/account-info', headers);
    assert.equal(first.status, 200, first.body);
    assert.equal(await hotAnswers('/v2/account-info'), before, 'a cache miss goes through Fastify');
    const hot = await overPort('GET', '/v2/account-info', headers);
    assert.equal(await hotAnswers('/v2/account-info'), before + 1, 'the cached call is answered hot');
    assertSameAnswer(hot, await throughFastify('GET', '/v2/account-info', headers));
    // X-API-Key, a trailing slash and another caller-chosen request id take the hot path too.
    const viaHeader = await overPort('GET', '/v2/account-info/', { 'x-api-key': key, 'x-request-id': 'lb-4711' });
    assert.equal(viaHeader.status, 200);
    assert.equal(viaHeader.headers['x-request-id'], 'lb-4711');
    assert.equal(await hotAnswers('/v2/account-info'), before + 2);
  });

  it('GET /v2/account-info with cached Basic, and every refusal left to Fastify with its own answer', async () => {
    const user = await apiUserWithKey(owner);
    const basic = { authorization: `Basic ${Buffer.from(`${user.username}:${PASSWORD}`).toString('base64')}` };
    assert.equal((await overPort('GET', '/v2/account-info', basic)).status, 200);
    const before = await hotAnswers('/v2/account-info');
    assertSameAnswer(await overPort('GET', '/v2/account-info', basic), await throughFastify('GET', '/v2/account-info', basic));
    assert.equal(await hotAnswers('/v2/account-info'), before + 1);

    const refusals: Array<[Record<string, string>, number, string]> = [
      [{ ...basic, 'x-application': 'salesforce' }, 403, 'application_not_assigned'],
      [{ ...basic, 'x-application': 'Not An App' }, 400, 'request.invalid'],
      [{ authorization: `Basic ${Buffer.from(`${user.username}:wrong-${PASSWORD}`).toString('base64')}` }, 401, 'api_user.invalid_credentials'],
      [{ authorization: `Bearer ${user.key.slice(0, -1)}x` }, 401, 'credential.malformed'],
      [{}, 401, 'auth.unauthenticated'],
    ];
    for (const [headers, status, code] of refusals) {
      const answer = await overPort('GET', '/v2/account-info', headers);
      assert.equal(answer.status, status, answer.body);
      assert.equal(JSON.parse(answer.body).code, code);
      assert.match(String(answer.headers['content-type']), /^application\/problem\+json/);
    }
    assert.equal(await hotAnswers('/v2/account-info'), before + 1, 'no refusal was answered hot');
  });

  it('one keep-alive connection switching credentials gets each one\'s own answer', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const first = await apiUserWithKey(owner);
    const second = await apiUserWithKey(owner);
    const sockets = new Set<unknown>();
    agent.on('free', (socket) => sockets.add(socket));
    try {
      for (const key of [first.key, first.key, second.key, first.key]) {
        const answer = await overPort('GET', '/v2/account-info', { authorization: `Bearer ${key}` }, undefined, agent);
        assert.equal(answer.status, 200, answer.body);
        assert.equal(JSON.parse(answer.body).api_user.id, key === first.key ? first.id : second.id);
      }
      // A mistyped key right after the right one, on the same connection: refused, not remembered as right.
      const wrong = `${first.key.slice(0, -1)}${first.key.endsWith('A') ? 'B' : 'A'}`;
      const refused = await overPort('GET', '/v2/account-info', { authorization: `Bearer ${wrong}` }, undefined, agent);
      assert.equal(refused.status, 401, refused.body);
      assert.equal(sockets.size, 1, 'every request went over one connection');
    } finally {
      agent.destroy();
    }
  });

  it('disabling the API user is refused on the very next hot-path call', async () => {
    const user = await apiUserWithKey(owner);
    const headers = { authorization: `Bearer ${user.key}` };
    assert.equal((await overPort('GET', '/v2/account-info', headers)).status, 200);
    assert.equal((await overPort('GET', '/v2/account-info', headers)).status, 200);
    const disabled = await as(t.app, owner, {
      method: 'PATCH', url: `/v1/organizations/${owner.organizationId}/api-users/${user.id}`, headers: { 'if-match': user.etag }, payload: { status: 'disabled' },
    });
    assert.equal(disabled.statusCode, 200, disabled.body);
    const refused = await overPort('GET', '/v2/account-info', headers);
    assert.equal(refused.status, 403, refused.body);
    assert.equal(JSON.parse(refused.body).code, 'auth.account_disabled');
  });

  it('a rate-limited tier counts hot and Fastify calls in one window; the call past the limit -> 429', async () => {
    const user = await apiUserWithKey(owner, 'low');
    const headers = { authorization: `Bearer ${user.key}` };
    const before = await hotAnswers('/v2/account-info');
    // Windows are whole minutes of the wall clock: start where these 61 calls cannot straddle two.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 50));
    for (let i = 1; i <= 60; i++) {
      // Every fifth call through Fastify, the rest on the port: one counter for both.
      const answer = i % 5 === 0 ? await throughFastify('GET', '/v2/account-info', headers) : await overPort('GET', '/v2/account-info', headers);
      assert.equal(answer.status, 200, `call ${i}: ${answer.body}`);
      assert.equal(answer.headers['ratelimit-limit'], '60');
      assert.equal(answer.headers['ratelimit-remaining'], String(60 - i), `call ${i}`);
    }
    // 60 calls: the first filled the cache, 11 more went through Fastify by choice.
    assert.equal(await hotAnswers('/v2/account-info'), before + 47);
    const refused = await overPort('GET', '/v2/account-info', headers);
    assert.equal(refused.status, 429, refused.body);
    assert.equal(refused.headers['ratelimit-remaining'], '0');
    assert.ok(Number(refused.headers['retry-after']) > 0);
  });

  it('POST /v1/verify: a cached VALID answer is hot and identical; odd bodies and other tenants go to Fastify', async () => {
    const user = await apiUserWithKey(owner);
    const headers = { authorization: `Bearer ${pat}`, 'content-type': 'application/json' };
    const body = JSON.stringify({ credential: user.key });
    assert.equal((await overPort('POST', '/v1/verify', headers, body)).status, 200);
    const before = await hotAnswers('/v1/verify');
    const hot = await overPort('POST', '/v1/verify', headers, body);
    assert.equal(await hotAnswers('/v1/verify'), before + 1);
    // The reference call is counted after the hot one, in the same rate-limit window.
    assertSameAnswer(hot, await throughFastify('POST', '/v1/verify', headers, body), ['content-length'], (expected) => {
      (expected.rate_limit as { remaining: number }).remaining += 1;
    });
    assert.equal(JSON.parse(hot.body).code, 'VALID');

    const handedOver: Array<[Record<string, string>, string, number, string]> = [
      [headers, JSON.stringify({ credential: user.key, extra: 1 }), 400, 'request.invalid'],
      [headers, '{"credential": ', 400, 'request.malformed_json'],
      [headers, JSON.stringify({ credential: user.key, application: 'salesforce' }), 200, 'APPLICATION_NOT_ASSIGNED'],
      [headers, JSON.stringify({ credential: `${user.key}\u0000` }), 400, 'request.invalid'],
      [{ ...headers, 'content-type': 'text/plain' }, body, 415, 'request.unsupported_media_type'],
      [{ 'content-type': 'application/json' }, body, 401, 'auth.unauthenticated'],
    ];
    for (const [h, b, status, code] of handedOver) {
      const answer = await overPort('POST', '/v1/verify', h, b);
      const reference = await throughFastify('POST', '/v1/verify', h, b);
      assert.equal(answer.status, status, answer.body);
      assert.equal(reference.status, status, reference.body);
      const parsed = JSON.parse(answer.body);
      assert.equal(parsed.code, code, answer.body);
      assert.equal(parsed.detail, JSON.parse(reference.body).detail);
    }
    // Another organization's credential is NOT_FOUND for this caller, as before.
    const foreign = await apiUserWithKey(other);
    const otherPat = await as(t.app, other, { method: 'POST', url: '/v1/me/tokens', payload: { name: 'v' } });
    const foreignBody = JSON.stringify({ credential: foreign.key });
    const asOther = { ...headers, authorization: `Bearer ${otherPat.json().token}` };
    assert.equal(JSON.parse((await overPort('POST', '/v1/verify', asOther, foreignBody)).body).code, 'VALID');
    assert.equal(JSON.parse((await overPort('POST', '/v1/verify', asOther, foreignBody)).body).code, 'VALID');
    assert.equal(JSON.parse((await overPort('POST', '/v1/verify', headers, foreignBody)).body).code, 'NOT_FOUND');
    assert.equal(await hotAnswers('/v1/verify'), before + 2, 'only the two cached VALID answers were hot');
  });

  it('POST /oauth/token: a cached client secret gets its token from memory, alike, and every other case is the route\'s', async () => {
    const user = await apiUserWithKey(owner);
    // Earlier tests failed Basic sign-ins from 127.0.0.1, which sends that address's cached
    // passwords the slow way for a while (the failure throttle): this client comes from another.
    const agent = new Agent({ keepAlive: true, localAddress: '127.0.0.3' });
    after(() => agent.destroy());
    const overPortFrom = (method: string, path: string, headers: Record<string, string>, body?: string) => overPort(method, path, headers, body, agent);
    const type = { 'content-type': 'application/x-www-form-urlencoded' };
    const basic = { ...type, authorization: clientBasic(user.username, PASSWORD) };
    const grant = form({ grant_type: 'client_credentials' });
    // The first grant verifies the password (argon2id) through the route and fills the cache.
    const first = await overPortFrom('POST', '/oauth/token', basic, grant);
    assert.equal(first.status, 200, first.body);
    const before = await hotAnswers('/oauth/token');
    const hot = await overPortFrom('POST', '/oauth/token', basic, grant);
    assert.equal(await hotAnswers('/oauth/token'), before + 1, 'the second grant came from memory');
    const reference = await throughFastify('POST', '/oauth/token', basic, grant);
    assert.equal(hot.status, 200, hot.body);
    for (const name of ['content-type', 'cache-control', 'pragma']) assert.equal(hot.headers[name], reference.headers[name], name);
    assert.equal(hot.headers['content-length'], String(Buffer.byteLength(hot.body)));
    const [hotBody, referenceBody] = [JSON.parse(hot.body), JSON.parse(reference.body)];
    assert.deepEqual(Object.keys(hotBody), Object.keys(referenceBody));
    assert.deepEqual({ ...hotBody, access_token: '' }, { ...referenceBody, access_token: '' });
    // The token is an RFC 9068 JWT signed by a key the JWKS publishes, like the route's.
    const jwks = createRemoteJWKSet(new URL(`http://127.0.0.1:${port}/.well-known/jwks.json`));
    const verified = await jwtVerify(hotBody.access_token, jwks, { typ: 'at+jwt', audience: 'httpapi' });
    assert.equal(verified.payload.sub, user.id);
    assert.equal(verified.payload.client_id, user.username);
    assert.equal((await overPort('GET', '/v2/account-info', { authorization: `Bearer ${hotBody.access_token}` })).status, 200);
    // client_secret_post and a narrower scope come from memory too.
    const post = await overPortFrom('POST', '/oauth/token', type, form({ grant_type: 'client_credentials', client_id: user.username, client_secret: PASSWORD, scope: 'account:read' }));
    assert.equal(post.status, 200, post.body);
    assert.equal(JSON.parse(post.body).scope, 'account:read');
    assert.equal(await hotAnswers('/oauth/token'), before + 2);

    const refusals: Array<[Record<string, string>, string, number, string]> = [
      [{ ...type, authorization: clientBasic(user.username, `wrong-${PASSWORD}`) }, grant, 401, 'invalid_client'],
      [basic, form({ grant_type: 'password' }), 400, 'unsupported_grant_type'],
      [basic, form({ grant_type: 'client_credentials', resource: 'salesforce' }), 400, 'invalid_target'],
      [basic, form({ grant_type: 'client_credentials', scope: 'admin' }), 400, 'invalid_scope'],
      [basic, `${grant}&grant_type=client_credentials`, 400, 'invalid_request'],
      [{ ...type, authorization: clientBasic(user.username, user.key) }, grant, 200, ''],
    ];
    for (const [headers, body, status, error] of refusals) {
      const answer = await overPortFrom('POST', '/oauth/token', headers, body);
      const expected = await throughFastify('POST', '/oauth/token', headers, body);
      assert.equal(answer.status, status, answer.body);
      assert.equal(expected.status, status, expected.body);
      if (error) {
        assert.equal(JSON.parse(answer.body).error, error, answer.body);
        assert.deepEqual(JSON.parse(answer.body), JSON.parse(expected.body));
        assert.equal(answer.headers['www-authenticate'], expected.headers['www-authenticate']);
      }
    }
    assert.equal(await hotAnswers('/oauth/token'), before + 2, 'errors and an API key as the secret were answered by the route');
    // A disabled client is refused on its next grant.
    const disabled = await as(t.app, owner, {
      method: 'PATCH', url: `/v1/organizations/${owner.organizationId}/api-users/${user.id}`, headers: { 'if-match': user.etag }, payload: { status: 'disabled' },
    });
    assert.equal(disabled.statusCode, 200, disabled.body);
    const refused = await overPortFrom('POST', '/oauth/token', basic, grant);
    assert.equal(refused.status, 401, refused.body);
    assert.equal(JSON.parse(refused.body).error, 'invalid_client');
  });

  /** Writes `pieces` on one raw connection, a pause between them; resolves to all it read once `answers` responses came. */
  function rawExchange(pieces: string[], answers: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let read = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        read += chunk;
        const bodies = read.split('\r\n\r\n').length - 1;
        if (bodies >= answers && read.trimEnd().endsWith('}')) {
          socket.destroy();
          resolve(read);
        }
      });
      socket.on('error', reject);
      socket.on('connect', async () => {
        for (const piece of pieces) {
          socket.write(piece);
          await new Promise((r) => setTimeout(r, 30));
        }
      });
    });
  }

  it('POST /v1/verify: a body that arrives after its headers, in pieces, and two pipelined calls are answered alike', async () => {
    const user = await apiUserWithKey(owner);
    const body = JSON.stringify({ credential: user.key, application: 'httpapi' });
    const head = (length: number) => `POST /v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${pat}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
    // The first call fills the cache (Fastify answers it); the next ones can be hot.
    assert.equal((await overPort('POST', '/v1/verify', { authorization: `Bearer ${pat}`, 'content-type': 'application/json' }, body)).status, 200);
    const before = await hotAnswers('/v1/verify');
    const split = await rawExchange([head(Buffer.byteLength(body)), body.slice(0, 20), body.slice(20)], 1);
    assert.match(split, /^HTTP\/1\.1 200 OK/);
    assert.equal(JSON.parse(split.slice(split.indexOf('\r\n\r\n') + 4)).code, 'VALID');
    // Two requests in one write: each gets its own answer, in order.
    const wrong = JSON.stringify({ credential: user.key, application: 'salesforce' });
    const pipelined = await rawExchange([head(Buffer.byteLength(body)) + body + head(Buffer.byteLength(wrong)) + wrong], 2);
    const codes = [...pipelined.matchAll(/"code":"([A-Z_]+)"/g)].map((m) => m[1]);
    assert.deepEqual(codes, ['VALID', 'APPLICATION_NOT_ASSIGNED']);
    assert.equal(await hotAnswers('/v1/verify'), before + 2, 'the split body and the first pipelined call were answered hot');
  });

  it(`a keep-alive connection of hot calls is ${mode === 'on' ? 'in the fast lane' : 'Node\'s (no fast lane)'}`, async () => {
    const { key } = await apiUserWithKey(owner);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await overPort('GET', '/v2/account-info', { authorization: `Bearer ${key}` }, undefined, agent)).status, 200);
      const metrics = await as(t.app, owner, { url: '/metrics' });
      // Other tests' keep-alive connections (Node's global agent) may still be open in the lane too.
      const inLane = Number(/^apiusers_fast_lane_connections (\d+)$/m.exec(metrics.body)?.[1]);
      if (mode === 'on') assert.ok(inLane >= 1, `${inLane} connections in the fast lane`);
      else assert.equal(inLane, 0);
    } finally {
      agent.destroy();
    }
  });

  it('logs the same request lines as Fastify, with the request id, and feeds the duration histogram', async () => {
    const { key } = await apiUserWithKey(owner);
    const headers = { authorization: `Bearer ${key}`, 'x-request-id': 'hot-log-1' };
    await overPort('GET', '/v2/account-info', { authorization: `Bearer ${key}` });
    const before = await hotAnswers('/v2/account-info');
    await overPort('GET', '/v2/account-info', headers);
    assert.equal(await hotAnswers('/v2/account-info'), before + 1);
    const lines = logLines.filter((l) => l.reqId === 'hot-log-1');
    assert.deepEqual(lines.map((l) => l.msg), ['incoming request', 'request completed']);
    const req = lines[0]!.req as Record<string, unknown>;
    assert.equal(req.method, 'GET');
    assert.equal(req.url, '/v2/account-info');
    assert.equal(req.remoteAddress, '127.0.0.1');
    assert.equal((lines[1]!.res as Record<string, unknown>).statusCode, 200);
    assert.equal(typeof lines[1]!.responseTime, 'number');
    assert.ok(!JSON.stringify(lines).includes(key), 'the key is never logged');
    const metrics = await as(t.app, owner, { url: '/metrics' });
    assert.match(metrics.body, /apiusers_http_request_duration_seconds_count\{method="GET",route="\/v2\/account-info",status_code="200"\} \d+/);
  });
});

describe('HOT_PATH=off: every request goes through Fastify', () => {
  let t: TestApp;
  let owner: TestSession;
  before(async () => {
    t = await startTestApp({ env: { HOT_PATH: 'off' } });
    owner = await setupOrganization(t);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => t.close());

  it('200 twice, none answered hot', async () => {
    const created = await as(t.app, owner, {
      method: 'POST', url: `/v1/organizations/${owner.organizationId}/api-users`,
      payload: { description: 'cold', password: PASSWORD, password_confirmation: PASSWORD },
    });
    const key = await as(t.app, owner, { method: 'POST', url: `/v1/organizations/${owner.organizationId}/api-users/${created.json().api_user.id}/keys`, payload: { name: 'k' } });
    const port = (t.app.server.address() as { port: number }).port;
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`http://127.0.0.1:${port}/v2/account-info`, { headers: { authorization: `Bearer ${key.json().key}` } });
      assert.equal(response.status, 200);
    }
    const metrics = await as(t.app, owner, { url: '/metrics' });
    assert.match(metrics.body, /apiusers_hot_path_answers_total\{route="\/v2\/account-info"\} 0/);
  });
});
