import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { etagFor, isConflict } from '../../web/src/lib/conflict.js';
import { can } from '../../web/src/lib/privileges.js';
import { timeZoneOptions, utcOffset } from '../../web/src/lib/time-zone-options.js';
import { dayIn, dayRangeIn, isDay, nextDay, startOfDayIn } from '../../web/src/lib/zoned-day.js';

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

describe('web: days in the organization\'s time zone (the audit log\'s From and To)', () => {
  it('a day starts at local midnight, as an instant', () => {
    assert.equal(startOfDayIn('2026-11-25', 'America/Chicago'), '2026-11-25T06:00:00.000Z');
    assert.equal(startOfDayIn('2026-07-15', 'America/Chicago'), '2026-07-15T05:00:00.000Z');
    assert.equal(startOfDayIn('2026-11-25', 'Asia/Tokyo'), '2026-11-24T15:00:00.000Z');
    assert.equal(startOfDayIn('2026-11-25', 'Asia/Kolkata'), '2026-11-24T18:30:00.000Z');
    assert.equal(startOfDayIn('2026-11-25', 'Pacific/Kiritimati'), '2026-11-24T10:00:00.000Z');
    assert.equal(startOfDayIn('2026-11-25', 'UTC'), '2026-11-25T00:00:00.000Z');
  });

  it('where the clocks change at midnight, the day starts when its first minute exists', () => {
    // Santiago springs forward at 00:00 (-04 to -03): 6 September starts at 01:00 -03.
    assert.equal(startOfDayIn('2026-09-06', 'America/Santiago'), '2026-09-06T04:00:00.000Z');
    assert.equal(dayIn(new Date('2026-09-06T03:59:59Z'), 'America/Santiago'), '2026-09-05');
    // Santiago falls back at 00:00 (-03 to -04): 5 April starts at the second 00:00, the first being 4 April's 23:00.
    assert.equal(startOfDayIn('2026-04-05', 'America/Santiago'), '2026-04-05T04:00:00.000Z');
  });

  it('From..To, both included, are since (inclusive) and until (exclusive, the next day\'s start), across a DST change', () => {
    assert.deepEqual(dayRangeIn('2026-03-08', '2026-03-08', 'America/Chicago'), { since: '2026-03-08T06:00:00.000Z', until: '2026-03-09T05:00:00.000Z' });
    assert.deepEqual(dayRangeIn('2026-11-01', '', 'America/Chicago'), { since: '2026-11-01T05:00:00.000Z' });
    assert.deepEqual(dayRangeIn('', '2026-12-31', 'UTC'), { until: '2027-01-01T00:00:00.000Z' });
    assert.deepEqual(dayRangeIn('', '2026-02-3', 'UTC'), {});
  });

  it('calendar days: real ones only; the next day rolls over months and leap years', () => {
    assert.equal(isDay('2028-02-29'), true);
    assert.equal(isDay('2026-02-29'), false);
    assert.equal(isDay('2026-13-01'), false);
    assert.equal(isDay(''), false);
    assert.equal(nextDay('2026-12-31'), '2027-01-01');
    assert.equal(nextDay('2028-02-28'), '2028-02-29');
    assert.equal(nextDay('2026-02-28'), '2026-03-01');
  });
});
