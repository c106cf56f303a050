import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endOfDayIn, wallTimeIn, wallTimeToInstant } from '../../web/src/pages/credential-time.js';

describe('web: wall-clock times for key expiry and the roll overlap', () => {
  it('reads an ordinary wall time in the zone, and back', () => {
    assert.equal(wallTimeToInstant('2026-11-26T09:00', 'America/Chicago'), '2026-11-26T15:00:00.000Z');
    assert.equal(wallTimeToInstant('2026-07-01T09:00:30', 'Europe/Berlin'), '2026-07-01T07:00:30.000Z');
    assert.equal(wallTimeIn(new Date('2026-11-26T15:00:00Z'), 'America/Chicago'), '2026-11-26T09:00');
    assert.equal(wallTimeToInstant('2026-11-26 09:00', 'UTC'), null);
  });

  it('moves a time in the skipped spring hour forward by the jump, as the clocks do', () => {
    // Chicago, 2026-03-08: 02:00 CST becomes 03:00 CDT, so 02:30 never happens; it is 03:30.
    assert.equal(wallTimeToInstant('2026-03-08T02:30', 'America/Chicago'), '2026-03-08T08:30:00.000Z');
    assert.equal(wallTimeIn(new Date('2026-03-08T08:30:00Z'), 'America/Chicago'), '2026-03-08T03:30');
    // Santiago, 2026-09-06: midnight is skipped (00:00 becomes 01:00).
    assert.equal(wallTimeToInstant('2026-09-06T00:00', 'America/Santiago'), '2026-09-06T04:00:00.000Z');
    assert.equal(wallTimeIn(new Date('2026-09-06T04:00:00Z'), 'America/Santiago'), '2026-09-06T01:00');
  });

  it('takes the first of a repeated autumn hour', () => {
    // Chicago, 2026-11-01: 01:00-01:59 happens twice (CDT, then CST); 01:30 is the CDT one.
    assert.equal(wallTimeToInstant('2026-11-01T01:30', 'America/Chicago'), '2026-11-01T06:30:00.000Z');
  });

  it('ends a day at its last second, after a repeated last hour', () => {
    assert.equal(endOfDayIn('2026-11-26', 'America/Chicago'), '2026-11-27T05:59:59.000Z');
    assert.equal(endOfDayIn('2026-11-26', 'UTC'), '2026-11-26T23:59:59.000Z');
    // Santiago, 2026-04-04 (Saturday): at midnight the clocks go back to 23:00, so the day's
    // 23:59:59 happens twice (UTC-3, then UTC-4); the day ends after the second, at 03:59:59Z.
    assert.equal(endOfDayIn('2026-04-04', 'America/Santiago'), '2026-04-05T03:59:59.000Z');
    // The day Santiago skips midnight still ends the second before the next day begins.
    assert.equal(endOfDayIn('2026-09-05', 'America/Santiago'), '2026-09-06T03:59:59.000Z');
  });
});
