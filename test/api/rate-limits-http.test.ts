import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createManualClock } from '../../src/lib/clock.js';
import { as, setupOrganization, type TestSession } from '../support/sessions.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('per-user rate limits on the consumption and verify APIs', () => {
  let t: TestApp;
  let owner: TestSession;
  const clock = createManualClock('2026-03-02T15:00:00Z');

  before(async () => {
    t = await startTestApp({ clock });
    owner = await setupOrganization(t);
  });
  after(() => t.close());

  async function apiUserWithKey(tier: string | null): Promise<{ id: string; key: string }> {
    const created = await as(t.app, owner, {
      method: 'POST', url: `/v1/organizations/${owner.organizationId}/api-users`,
      payload: { description: `tier ${tier}`, password: 'Rate-limit-2026!', password_confirmation: 'Rate-limit-2026!' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().api_user.id;
    if (tier) {
      const patched = await as(t.app, owner, {
        method: 'PATCH', url: `/v1/organizations/${owner.organizationId}/api-users/${id}`,
        headers: { 'if-match': created.headers.etag as string }, payload: { rate_limit_tier: tier },
      });
      assert.equal(patched.statusCode, 200, patched.body);
    }
    const key = await as(t.app, owner, { method: 'POST', url: `/v1/organizations/${owner.organizationId}/api-users/${id}/keys`, payload: { name: 'k' } });
    assert.equal(key.statusCode, 201, key.body);
    return { id, key: key.json().key };
  }

  it('tier low: 60 calls in a minute pass with RateLimit headers, the 61st -> 429 with Retry-After', async () => {
    const { key } = await apiUserWithKey('low');
    for (let i = 1; i <= 60; i++) {
      const ok = await t.app.inject({ url: '/v2/account-info', headers: { authorization: `Bearer ${key}` } });
      assert.equal(ok.statusCode, 200, `call ${i}: ${ok.body}`);
      assert.equal(ok.headers['ratelimit-limit'], '60');
      assert.equal(ok.headers['ratelimit-remaining'], String(60 - i));
      if (i === 1) assert.deepEqual(ok.json().limits, { tier: 'low', requests_per_minute: 60 });
    }
    const refused = await t.app.inject({ url: '/v2/account-info', headers: { authorization: `Bearer ${key}` } });
    assert.equal(refused.statusCode, 429, refused.body);
    assert.equal(refused.json().code, 'api_user.rate_limited');
    assert.ok(Number(refused.headers['retry-after']) > 0);
    assert.equal(refused.headers['ratelimit-remaining'], '0');
  });

  it('POST /v1/verify counts against the same limit and answers RATE_LIMITED with the state', async () => {
    const { key } = await apiUserWithKey('low');
    const pat = await as(t.app, owner, { method: 'POST', url: '/v1/me/tokens', payload: { name: 'verifier' } });
    const verify = () => t.app.inject({ method: 'POST', url: '/v1/verify', headers: { authorization: `Bearer ${pat.json().token}` }, payload: { credential: key } });
    for (let i = 0; i < 60; i++) assert.equal((await verify()).json().code, 'VALID');
    const limited = (await verify()).json();
    assert.equal(limited.code, 'RATE_LIMITED');
    assert.equal(limited.valid, false);
    assert.equal(limited.rate_limit.limit, 60);
    assert.equal(limited.rate_limit.remaining, 0);
    assert.ok(limited.retry_after > 0);
  });

  it('unlimited: no RateLimit headers and never 429; the organization default applies when the user has no tier', async () => {
    const unlimited = await apiUserWithKey('unlimited');
    for (let i = 0; i < 70; i++) {
      const r = await t.app.inject({ url: '/v2/account-info', headers: { authorization: `Bearer ${unlimited.key}` } });
      assert.equal(r.statusCode, 200);
      assert.equal(r.headers['ratelimit-limit'], undefined);
    }
    const byDefault = await apiUserWithKey(null);
    const r = await t.app.inject({ url: '/v2/account-info', headers: { authorization: `Bearer ${byDefault.key}` } });
    assert.equal(r.headers['ratelimit-limit'], '300');
    assert.equal(r.json().limits.tier, 'medium');
  });
});
