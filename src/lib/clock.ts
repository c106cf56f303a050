/** Where the service reads time from; tests pass a fixed or movable clock. */
export interface Clock {
  now(): Date;
}

/** @example systemClock.now().toISOString() */
export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock tests can move forward.
 * @example const clock = createManualClock('2026-01-01T00:00:00Z'); clock.advance(60_000);
 */
export function createManualClock(start: string | Date): Clock & { advance(ms: number): void; set(d: string | Date): void } {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    advance(ms) {
      current = new Date(current.getTime() + ms);
    },
    set(d) {
      current = new Date(d);
    },
  };
}

/** ISO 8601 UTC with milliseconds: the one text form timestamps are stored in, so they sort as text. */
export function toTimestamp(date: Date): string {
  return date.toISOString();
}

/** @example addSeconds(clock.now(), 3600) */
export function addSeconds(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}
