import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { REQUESTS_PER_MINUTE } from '../../src/modules/api-auth/rate-limit-tiers.js';
import { ApiUserRateLimiter, rateLimitHeaders } from '../../src/modules/api-auth/rate-limiter.js';
import { as, setupOrganization, type TestSession } from '../support/sessions.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('ApiUserRateLimiter', () => {
  it('tiers: low 60, medium 300, high 1200, unlimited none', () => {
    assert.deepEqual(REQUESTS_PER_MINUTE, { low: 60, medium: 300, high: 1200, unlimited: null });
  });

  it('low: 60 calls in a minute pass, counting down; the 61st is refused with resetSeconds > 0', async () => {
    const limiter = new ApiUserRateLimiter();
    for (let i = 1; i <= 60; i++) {
      const state = await limiter.consume('user-a', 'low');
      assert.equal(state.allowed, true, `call ${i}`);
      assert.equal(state.limit, 60);
      assert.equal(state.remaining, 60 - i);
      assert.ok(state.resetSeconds >= 1 && state.resetSeconds <= 60, `call ${i}: reset ${state.resetSeconds}`);
    }
    const refused = await limiter.consume('user-a', 'low');
    assert.equal(refused.allowed, false);
    assert.equal(refused.remaining, 0);
    assert.ok(refused.resetSeconds > 0 && refused.resetSeconds <= 60, `reset ${refused.resetSeconds}`);
    assert.equal((await limiter.consume('user-b', 'low')).allowed, true, 'another user has a window of its own');
    assert.equal((await limiter.consume('user-a', 'medium')).allowed, true, 'moved to another tier, the user starts afresh there');
  });

  it('peek reports without counting: fresh, then after consumes, then refused', async () => {
    const limiter = new ApiUserRateLimiter();
    assert.deepEqual(await limiter.peek('user-p', 'high'), { allowed: true, limit: 1200, remaining: 1200, resetSeconds: 60 });
    await limiter.consume('user-p', 'high');
    await limiter.consume('user-p', 'high');
    const peeked = await limiter.peek('user-p', 'high');
    assert.equal(peeked.remaining, 1198);
    assert.equal((await limiter.peek('user-p', 'high')).remaining, 1198, 'peeking twice consumed nothing');
    for (let i = 0; i < 60; i++) await limiter.consume('user-q', 'low');
    const full = await limiter.peek('user-q', 'low');
    assert.equal(full.allowed, false, 'the next call would be refused');
    assert.equal(full.remaining, 0);
    assert.equal((await limiter.consume('user-q', 'low')).allowed, false);
  });

  it('unlimited: 5000 calls in a row are all allowed, with no limit to report', async () => {
    const limiter = new ApiUserRateLimiter();
    for (let i = 0; i < 5000; i++) {
      const state = await limiter.consume('bulk-sync', 'unlimited');
      assert.equal(state.allowed, true);
    }
    assert.deepEqual(await limiter.consume('bulk-sync', 'unlimited'), { allowed: true, limit: null, remaining: null, resetSeconds: 0 });
    assert.deepEqual(await limiter.peek('bulk-sync', 'unlimited'), { allowed: true, limit: null, remaining: null, resetSeconds: 0 });
  });

  it('headers: RateLimit-Limit/-Remaining/-Reset as three fields; Retry-After only when refused; none when unlimited', () => {
    assert.deepEqual(rateLimitHeaders({ allowed: true, limit: 300, remaining: 299, resetSeconds: 60 }), {
      'RateLimit-Limit': '300', 'RateLimit-Remaining': '299', 'RateLimit-Reset': '60',
    });
    assert.deepEqual(rateLimitHeaders({ allowed: false, limit: 60, remaining: 0, resetSeconds: 42 }), {
      'RateLimit-Limit': '60', 'RateLimit-Remaining': '0', 'RateLimit-Reset': '42', 'Retry-After': '42',
    });
    assert.deepEqual(rateLimitHeaders({ allowed: true, limit: null, remaining: null, resetSeconds: 0 }), {});
  });

  it('cheap enough for the verify hot path: 100,000 consumes over 1,000 users', async (ctx) => {
    const limiter = new ApiUserRateLimiter();
    const users = Array.from({ length: 1000 }, (_, i) => `user-${i}`);
    const started = performance.now();
    for (let i = 0; i < 100_000; i++) await limiter.consume(users[i % 1000]!, 'high');
    const elapsed = performance.now() - started;
    ctx.diagnostic(`100,000 consumes took ${Math.round(elapsed)} ms (${Math.round(100_000 / (elapsed / 1000))}/s)`);
    // A bare Fastify route serves ~60k req/s here: the limiter must cost well under a request.
    assert.ok(elapsed < 2000, `took ${Math.round(elapsed)} ms`);
  });
});

describe('rate-limit tier of an API user', () => {
  let t: TestApp;
  let owner: TestSession;
  let userId: string;
  before(async () => {
    t = await startTestApp();
    owner = await setupOrganization(t);
    const created = await as(t.app, owner, {
      method: 'POST', url: `/v1/organizations/${owner.organizationId}/api-users`,
      payload: { description: 'Magento integration', password: 'Magento-sync-2026!', password_confirmation: 'Magento-sync-2026!' },
    });
    assert.equal(created.statusCode, 201, created.body);
    userId = created.json().api_user.id;
  });
  after(() => t.close());

  const url = () => `/v1/organizations/${owner.organizationId}/api-users/${userId}`;
  const get = () => as(t.app, owner, { method: 'GET', url: url() });
  const patchTier = async (tier: unknown) => {
    const etag = (await get()).headers.etag as string;
    return as(t.app, owner, { method: 'PATCH', url: url(), payload: { rate_limit_tier: tier }, headers: { 'if-match': etag } });
  };

  it('a new API user: rate_limit_tier null, effective medium / 300 per minute (the organization default)', async () => {
    const body = (await get()).json();
    assert.equal(body.rate_limit_tier, null);
    assert.deepEqual(body.effective_rate_limit, { tier: 'medium', requests_per_minute: 300 });
  });

  it('PATCH rate_limit_tier low -> 200; GET shows low / 60; unlimited -> requests_per_minute null', async () => {
    const low = await patchTier('low');
    assert.equal(low.statusCode, 200, low.body);
    assert.equal(low.json().rate_limit_tier, 'low');
    const read = (await get()).json();
    assert.equal(read.rate_limit_tier, 'low');
    assert.deepEqual(read.effective_rate_limit, { tier: 'low', requests_per_minute: 60 });
    const unlimited = await patchTier('unlimited');
    assert.equal(unlimited.statusCode, 200, unlimited.body);
    assert.deepEqual((await get()).json().effective_rate_limit, { tier: 'unlimited', requests_per_minute: null });
    const audit = await as(t.app, owner, { method: 'GET', url: `/v1/organizations/${owner.organizationId}/audit-events?action=api_user.updated&target_id=${userId}` });
    assert.deepEqual(audit.json().data.map((e: { data: { rate_limit_tier: string } }) => e.data.rate_limit_tier), ['unlimited', 'low']);
  });

  it('PATCH null -> back to the organization default, which follows the credential policy', async () => {
    assert.equal((await patchTier(null)).statusCode, 200);
    assert.deepEqual((await get()).json().effective_rate_limit, { tier: 'medium', requests_per_minute: 300 });
    const policyUrl = `/v1/organizations/${owner.organizationId}/credential-policy`;
    const etag = (await as(t.app, owner, { method: 'GET', url: policyUrl })).headers.etag as string;
    const changed = await as(t.app, owner, { method: 'PATCH', url: policyUrl, payload: { default_rate_limit_tier: 'high' }, headers: { 'if-match': etag } });
    assert.equal(changed.statusCode, 200, changed.body);
    const body = (await get()).json();
    assert.equal(body.rate_limit_tier, null);
    assert.deepEqual(body.effective_rate_limit, { tier: 'high', requests_per_minute: 1200 });
  });

  it('PATCH an unknown tier -> 400 at /rate_limit_tier, nothing changes', async () => {
    const before = (await get()).json();
    const response = await patchTier('gold');
    assert.equal(response.statusCode, 400, response.body);
    assert.ok(response.json().errors.some((e: { pointer: string }) => e.pointer === '/rate_limit_tier'), response.body);
    assert.deepEqual((await get()).json(), before);
  });
});
