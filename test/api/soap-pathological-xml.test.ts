import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postgresUrl, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Bodies near the default BODY_LIMIT (1 MiB) built to make a backtracking scan of the raw XML
 * quadratic. Everything before authentication must stay linear: these once blocked the event
 * loop for 167 s (unterminated Envelope tags) and 75 s (unterminated Body tags).
 */
describe(`SOAP: pathological XML costs milliseconds (${postgresUrl() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  const post = (payload: string) => t.app.inject({ method: 'POST', url: '/v2/api.svc', payload, headers: { 'content-type': 'text/xml; charset=utf-8' } });

  before(async () => {
    t = await startTestApp();
    await post('<warm-up/>');
  });
  after(() => t.close());

  const cases: Array<[string, string]> = [
    ['80,000 unterminated <x:Envelope tags', '<x:Envelope '.repeat(80_000)],
    ['80,000 unterminated <soap:Body tags', `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">${'<soap:Body '.repeat(80_000)}`],
    ['80,000 unterminated start tags with id attributes', `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${'<a id '.repeat(80_000)}`],
    ['one 900 kB tag name', `<${'a'.repeat(900_000)}`],
  ];
  for (const [name, payload] of cases) {
    // About 10 ms when linear; the quadratic scans took 75-167 s. The bound is far from both, so a
    // loaded CI machine cannot fail it while a quadratic scan still would.
    it(`${name} -> 400, not a blocked event loop (under 10 s)`, async () => {
      const started = performance.now();
      const response = await post(payload);
      const elapsed = performance.now() - started;
      assert.equal(response.statusCode, 400, response.body.slice(0, 500));
      assert.ok(elapsed < 10_000, `answered in ${Math.round(elapsed)} ms`);
    });
  }
});
