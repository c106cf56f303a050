import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VerifiedCredential } from './verification-cache.js';
import { validVerifyAnswer, verifyResultJson, type ServiceView } from './verify.routes.js';

const view: ServiceView = {
  api_user: { id: 'u1', username: 'apiuser-1@apiconnector.example', name: 'Shop "Nord" – Ünïcode', status: 'enabled' },
  organization: { id: 'o1', account_number: '100001', display_name: 'Acme' },
};
const verified = (overrides: Partial<VerifiedCredential> = {}): VerifiedCredential => ({
  userId: 'u1', organizationId: 'o1', credentialId: 'k1', username: view.api_user!.username, applications: new Set(['httpapi', 'salesforce']),
  kind: 'api_key', expiresAt: '2027-01-01T00:00:00.000Z', rateLimitTier: null, ...overrides,
});
const full = (credential: VerifiedCredential, application: string, shownView: ServiceView, limit: unknown) =>
  verifyResultJson({ code: 'VALID', detail: 'Valid.', verified: credential, limit, retryAfter: null }, application, shownView);

describe('validVerifyAnswer (the hot path\'s VALID answer)', () => {
  it('is verifyResultJson\'s text for every rate-limit state, application and credential', () => {
    const limits = [null, { tier: 'unlimited', limit: null, remaining: null, reset_seconds: 0 }, { tier: 'low', limit: 60, remaining: 59, reset_seconds: 42 }];
    for (const credential of [verified(), verified({ expiresAt: null, kind: 'password' }), verified({ applications: new Set() })]) {
      for (const application of ['httpapi', 'salesforce', 'httpapi']) {
        for (const limit of limits) {
          const answer = validVerifyAnswer(credential, application, view, limit);
          assert.equal(answer.json, full(credential, application, view, limit));
          assert.equal(answer.bytes, Buffer.byteLength(answer.json));
        }
      }
    }
  });

  it('follows a new view object for the same credential (kept text is per view)', () => {
    const credential = verified();
    assert.equal(validVerifyAnswer(credential, 'httpapi', view, null).json, full(credential, 'httpapi', view, null));
    const renamed: ServiceView = { ...view, api_user: { ...view.api_user!, name: 'Renamed' } };
    const answer = validVerifyAnswer(credential, 'httpapi', renamed, null).json;
    assert.equal(answer, full(credential, 'httpapi', renamed, null));
    assert.match(answer, /Renamed/);
  });
});
