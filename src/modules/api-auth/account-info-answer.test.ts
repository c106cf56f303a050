import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accountInfoAnswer, accountInfoJson, type SerializedProfile } from './account-info.routes.js';

const profile = (zone: string): SerializedProfile => ({
  zone,
  head: '{"api_user":{"id":"u1","name":"Zoë – Nord"},"organization":{"id":"o1","time_zone":"' + zone + '","time_zone_label":',
  tail: ',"applications":[],"limits":{"tier":"unlimited","requests_per_minute":null}}',
});

describe('accountInfoAnswer (the hot path\'s account-info text)', () => {
  it('is accountInfoJson\'s text with its UTF-8 length, whichever application or time', () => {
    const berlin = profile('Europe/Berlin');
    const times = ['2026-03-29T00:59:00Z', '2026-03-29T00:59:30Z', '2026-03-29T01:00:00Z', '2026-03-29T01:00:00Z'].map((t) => new Date(t));
    for (const application of ['httpapi', 'salesforce', 'httpapi']) {
      for (const now of times) {
        const answer = accountInfoAnswer(berlin, application, now);
        assert.equal(answer.json, accountInfoJson(berlin, application, now), `${application} at ${now.toISOString()}`);
        assert.equal(answer.bytes, Buffer.byteLength(answer.json));
      }
    }
    // Across the daylight-saving switch (01:00 UTC) the label changes, and so does the text.
    assert.notEqual(accountInfoAnswer(berlin, 'httpapi', times[0]!).json, accountInfoAnswer(berlin, 'httpapi', times[2]!).json);
  });

  it('keeps each profile\'s text apart', () => {
    const a = profile('UTC');
    const b = profile('America/New_York');
    const now = new Date('2026-07-01T12:00:00Z');
    assert.equal(accountInfoAnswer(a, 'httpapi', now).json, accountInfoJson(a, 'httpapi', now));
    assert.equal(accountInfoAnswer(b, 'httpapi', now).json, accountInfoJson(b, 'httpapi', now));
    assert.equal(accountInfoAnswer(a, 'httpapi', now).json, accountInfoJson(a, 'httpapi', now));
  });
});
