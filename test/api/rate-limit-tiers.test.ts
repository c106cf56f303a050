import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { REQUESTS_PER_MINUTE } from '../../src/modules/api-auth/rate-limit-tiers.js';
import { ApiUserRateLimiter, rateLimitHeaders } from '../../src/modules/api-auth/rate-limiter.js';
import { as, setupOrganization, type TestSession } from '../support/sessions.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('ApiUserRateLimiter', () => {
  // Windows are whole minutes of the wall clock; `now` is the caller's (deps.clock in the app).
  const at = (iso: string) => Date.parse(iso);
  const T0 = at('2026-03-02T15:04:00.000Z');

  it('tiers: low 60, medium 300, high 1200, unlimited none', () => {
    assert.deepEqual(REQUESTS_PER_MINUTE, { low: 60, medium: 300, high: 1200, unlimited: null });
  });

  it('low: 60 calls in a minute pass, counting down; the 61st is refused until the minute ends', () => {
    const limiter = new ApiUserRateLimiter();
    const now = T0 + 20_000; // 15:04:20: 40 s left in this window
    for (let i = 1; i <= 60; i++) {
      const state = limiter.consume('user-a', 'low', now);
      assert.equal(state.allowed, true, `call ${i}`);
      assert.equal(state.limit, 60);
      assert.equal(state.remaining, 60 - i);
      assert.equal(state.resetSeconds, 40, `call ${i}`);
    }
    const refused = limiter.consume('user-a', 'low', now + 500);
    assert.equal(refused.allowed, false);
    assert.equal(refused.remaining, 0);
    assert.equal(refused.resetSeconds, 40, 'ceil(39.5 s)');
    assert.equal(limiter.consume('user-b', 'low', now).allowed, true, 'another user has a window of its own');
    assert.equal(limiter.consume('user-a', 'medium', now).allowed, true, 'moved to another tier, the user starts afresh there');
  });

  it('windows are aligned to the minute: a window opened at :59.5 ends at :00, not 60 s later', () => {
    const limiter = new ApiUserRateLimiter();
    const late = at('2026-03-02T15:04:59.500Z');
    for (let i = 0; i < 60; i++) limiter.consume('user-m', 'low', late);
    const refused = limiter.consume('user-m', 'low', at('2026-03-02T15:04:59.999Z'));
    assert.equal(refused.allowed, false);
    assert.equal(refused.resetSeconds, 1, 'at least 1 while the window runs');
    const next = limiter.consume('user-m', 'low', at('2026-03-02T15:05:00.000Z'));
    assert.deepEqual(next, { allowed: true, limit: 60, remaining: 59, resetSeconds: 60 }, 'a new minute, the whole quota');
    assert.equal(limiter.wouldAllow('user-m', 'low', at('2026-03-02T15:05:30.000Z')), true);
  });

  it('peek and wouldAllow report without counting: fresh, then after consumes, then refused', () => {
    const limiter = new ApiUserRateLimiter();
    assert.deepEqual(limiter.peek('user-p', 'high', T0), { allowed: true, limit: 1200, remaining: 1200, resetSeconds: 60 });
    assert.deepEqual(limiter.peek('user-p', 'high', T0 + 15_000), { allowed: true, limit: 1200, remaining: 1200, resetSeconds: 45 }, 'a fresh window ends at the minute too');
    limiter.consume('user-p', 'high', T0);
    limiter.consume('user-p', 'high', T0);
    const peeked = limiter.peek('user-p', 'high', T0);
    assert.equal(peeked.remaining, 1198);
    assert.equal(limiter.peek('user-p', 'high', T0).remaining, 1198, 'peeking twice consumed nothing');
    for (let i = 0; i < 59; i++) limiter.consume('user-q', 'low', T0);
    assert.equal(limiter.wouldAllow('user-q', 'low', T0), true, 'the 60th is still allowed');
    limiter.consume('user-q', 'low', T0);
    const full = limiter.peek('user-q', 'low', T0);
    assert.equal(full.allowed, false, 'the next call would be refused');
    assert.equal(full.remaining, 0);
    assert.equal(limiter.wouldAllow('user-q', 'low', T0), false);
    assert.equal(limiter.consume('user-q', 'low', T0).allowed, false);
  });

  it('unlimited: 5000 calls in a row are all allowed, with no limit to report', () => {
    const limiter = new ApiUserRateLimiter();
    for (let i = 0; i < 5000; i++) {
      const state = limiter.consume('bulk-sync', 'unlimited', T0);
      assert.equal(state.allowed, true);
    }
    assert.deepEqual(limiter.consume('bulk-sync', 'unlimited', T0), { allowed: true, limit: null, remaining: null, resetSeconds: 0 });
    assert.deepEqual(limiter.peek('bulk-sync', 'unlimited', T0), { allowed: true, limit: null, remaining: null, resetSeconds: 0 });
    assert.equal(limiter.wouldAllow('bulk-sync', 'unlimited', T0), true);
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

  it('cheap enough for the verify hot path: 100,000 consumes over 1,000 users', (ctx) => {
    const limiter = new ApiUserRateLimiter();
    const users = Array.from({ length: 1000 }, (_, i) => `user-${i}`);
    const started = performance.now();
    for (let i = 0; i < 100_000; i++) limiter.consume(users[i % 1000]!, 'high', T0 + (i >> 4));
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
