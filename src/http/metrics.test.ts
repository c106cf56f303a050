import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { RequestDurationHistogram } from './metrics.js';

describe('RequestDurationHistogram', () => {
  it('renders exactly what prom-client\'s Histogram renders for the same observations', async () => {
    const reference = new Registry();
    const histogram = new Histogram({
      name: 'apiusers_http_request_duration_seconds', help: 'HTTP request duration by method, route pattern and status.',
      labelNames: ['method', 'route', 'status_code'], buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [reference],
    });
    const lean = new Registry();
    const ours = new RequestDurationHistogram();
    lean.registerMetric(ours as never);
    const observations: Array<[string, string, number, number]> = [
      ['GET', '/v2/account-info', 200, 0.0004], ['GET', '/v2/account-info', 200, 0.0005], ['GET', '/v2/account-info', 200, 0.003],
      ['GET', '/v2/account-info', 401, 0.02], ['POST', '/v1/verify', 200, 3.5], ['GET', 'unmatched', 404, 0.001], ['GET', '/v2/account-info', 200, 2.5],
    ];
    for (const [method, route, status, seconds] of observations) {
      histogram.observe({ method, route, status_code: String(status) }, seconds);
      ours.observe(method, route, status, seconds);
    }
    const expected = await reference.metrics();
    assert.match(expected, /apiusers_http_request_duration_seconds_bucket\{le="0.0005",method="GET",route="\/v2\/account-info",status_code="200"\} 2/);
    assert.equal(await lean.metrics(), expected);
  });
});
