import type { Tier } from './rate-limit-tiers.js';

/**
 * One user's fixed window in one tier. `consumed` is what decisions read: every request this
 * process counted, plus (PostgreSQL) what the other instances had counted at the last sync.
 * The other fields are the sync's bookkeeping (shared-rate-windows.ts); counting in memory only,
 * they stay 0.
 */
export class RateWindow {
  consumed = 0;
  /** Requests counted here and not yet sent to the shared row. */
  pending = 0;
  /** Requests sent in the statement that has not answered yet. */
  inFlight = 0;

  constructor(
    readonly key: string,
    /** Wall-clock ms when the window opened: a whole minute. */
    readonly start: number,
    /** Wall-clock ms when it ends and the quota is whole again. */
    readonly endsAt: number,
    /** `pending` at which an allowed request asks for an early sync. */
    public syncAt: number,
  ) {}
}

/**
 * Fixed windows per key, counted in a Map, aligned to multiples of `durationMs` since the epoch
 * (a minute window is 12:03:00.000-12:03:59.999 on every instance). Synchronous, so a counted
 * request costs no promise on the hot path. Expired windows are swept at most once per window
 * length.
 */
export class FixedWindowCounter {
  protected readonly windows = new Map<string, RateWindow>();
  private nextSweep = 0;

  constructor(readonly limit: number, readonly durationMs: number) {}

  /** When the window holding `now` ends. */
  windowEnd(now: number): number {
    return now - (now % this.durationMs) + this.durationMs;
  }

  consume(key: string, now: number): RateWindow {
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now || window.start > now) {
      this.sweep(now);
      const start = now - (now % this.durationMs);
      window = this.open(key, start, start + this.durationMs);
      this.windows.set(key, window);
    }
    window.consumed += 1;
    return window;
  }

  /** The key's window holding `now`, if one was opened. */
  get(key: string, now: number): RateWindow | null {
    const window = this.windows.get(key);
    // start > now: the clock went back (a test's clock, or a step of NTP); that window is not running.
    return window && window.endsAt > now && window.start <= now ? window : null;
  }

  protected open(key: string, start: number, endsAt: number): RateWindow {
    return new RateWindow(key, start, endsAt, 0);
  }

  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + this.durationMs;
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
  }
}

/**
 * Where the limiter's windows are counted: the counter of each finite tier, and what must run
 * when the app closes. Picked once per app, by database engine (request-limiter.ts).
 */
export interface WindowCounts {
  counterFor(tier: Tier, limit: number, durationMs: number): FixedWindowCounter;
  close(): Promise<void>;
}
