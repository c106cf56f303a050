import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { etagFor, isConflict } from '../../web/src/lib/conflict.js';
import { can } from '../../web/src/lib/privileges.js';
import { timeZoneOptions, utcOffset } from '../../web/src/lib/time-zone-options.js';

describe('web: privileges shown in the UI', () => {
  it('"Can manage account" implies every other privilege, as on the server', () => {
    assert.equal(can(['account:manage'], 'audit:read'), true);
    assert.equal(can(['api-users:read', 'admins:read'], 'api-users:read'), true);
    assert.equal(can(['api-users:read', 'admins:read'], 'applications:manage'), false);
    assert.equal(can([], 'admins:read'), false);
  });
});

describe('web: optimistic-concurrency conflicts', () => {
  it('only a 412 is a conflict; the ETag of a version is quoted as the server sends it', () => {
    assert.equal(isConflict({ status: 412, problem: {} }), true);
    assert.equal(isConflict({ status: 409, problem: {} }), false);
    assert.equal(isConflict({ status: 428, problem: {} }), false);
    assert.equal(isConflict(new Error('network')), false);
    assert.equal(isConflict(null), false);
    assert.equal(etagFor(7), '"7"');
  });
});

describe('web: time-zone options', () => {
  const winter = new Date('2026-01-15T12:00:00Z');
  const summer = new Date('2026-07-15T12:00:00Z');

  it('labels each zone with the server\'s friendly name, its IANA name and its offset at that time', () => {
    const options = timeZoneOptions('America/Chicago', winter, ['America/Chicago', 'Asia/Tokyo', 'Africa/Abidjan']);
    assert.deepEqual(options.find((o) => o.value === 'America/Chicago'), { value: 'America/Chicago', label: 'US - Central — America/Chicago (UTC-06:00)' });
    assert.equal(timeZoneOptions(null, summer, ['America/Chicago']).find((o) => o.value === 'America/Chicago')?.label, 'US - Central — America/Chicago (UTC-05:00)');
    assert.equal(options.find((o) => o.value === 'Africa/Abidjan')?.label, 'Africa/Abidjan (UTC+00:00)');
  });

  it('lists friendly names first, then the rest alphabetically, and always UTC and the current zone', () => {
    const options = timeZoneOptions('Europe/Berlin', winter, ['Pacific/Wallis', 'Asia/Tokyo', 'Africa/Abidjan']);
    assert.deepEqual(options.map((o) => o.value), ['Europe/Berlin', 'Asia/Tokyo', 'Africa/Abidjan', 'Pacific/Wallis', 'UTC']);
    assert.equal(new Set(timeZoneOptions('UTC', winter, ['UTC']).map((o) => o.value)).size, 1);
  });

  it('offsets come from longOffset, the same in every browser', () => {
    assert.equal(utcOffset('Asia/Kolkata', winter), 'UTC+05:30');
    assert.equal(utcOffset('UTC', winter), 'UTC+00:00');
    assert.equal(utcOffset('Europe/London', summer), 'UTC+01:00');
  });
});
