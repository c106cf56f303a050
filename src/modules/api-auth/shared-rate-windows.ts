import { Counter, Histogram, type Registry } from 'prom-client';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import type { Tier } from './rate-limit-tiers.js';
import { FixedWindowCounter, RateWindow, type WindowCounts } from './rate-window-counter.js';
import { addRateWindowCounts, deleteRateWindowsBefore, type RateWindowCount } from './rate-window.repository.js';

/**
 * An allowed request asks for a sync before the timer's when its instance has counted, unshared,
 * a quarter of what the user had left at the last sync: the nearer the limit, the sooner
 * (1 unshared request once 4 or fewer are left).
 */
const EARLY_SYNC_DIVISOR = 4;
/** PostgreSQL takes at most 65,535 parameters per statement; 4 per row, so batches are split. */
const ROWS_PER_STATEMENT = 1000;
/** Closing waits this long for the last sync, so a hung database cannot hold a shutdown. */
const CLOSE_TIMEOUT_MS = 2000;

/** What the sync logs: pino's (Fastify's) logger fits. */
export interface SyncLog {
  warn(object: object, message: string): void;
  info(object: object, message: string): void;
}

export interface SharedWindowOptions {
  db: Db;
  clock: Clock;
  /** RATE_LIMIT_SYNC_MS: how often each instance shares its counts and learns the others'. */
  syncIntervalMs: number;
  log: SyncLog;
  /** Where the sync's duration and failures are exposed (/metrics). */
  metrics?: Registry;
}

/** @example earlySyncAt(60, 44) // 4: after 4 more unshared requests, sync */
export function earlySyncAt(limit: number, consumed: number): number {
  return Math.max(1, Math.ceil((limit - consumed) / EARLY_SYNC_DIVISOR));
}

/**
 * A tier's windows counted here, as FixedWindowCounter does, that also remember what they have
 * not shared yet. Per request this adds two integer updates and a comparison: the decision stays
 * local and synchronous.
 */
class SharedWindowCounter extends FixedWindowCounter {
  /** Windows with `pending` > 0, each once (a window joins when its `pending` leaves 0). */
  private dirty: RateWindow[] = [];

  constructor(readonly tier: Tier, limit: number, durationMs: number, private readonly syncSoon: () => void) {
    super(limit, durationMs);
  }

  override consume(key: string, now: number): RateWindow {
    const window = super.consume(key, now);
    if (window.pending++ === 0) this.dirty.push(window);
    // Only allowed requests hurry a sync: once refused, a user stays refused until the window
    // ends, whatever the other instances counted.
    if (window.pending >= window.syncAt && window.consumed <= this.limit) this.syncSoon();
    return window;
  }

  protected override open(key: string, start: number, endsAt: number): RateWindow {
    return new RateWindow(key, start, endsAt, earlySyncAt(this.limit, 0));
  }

  /** The windows with something to share; they leave the list (and their `pending` must be taken). */
  takeDirty(): RateWindow[] {
    const taken = this.dirty;
    this.dirty = [];
    return taken;
  }

  /** A sent increment did not arrive: it becomes pending again, to be sent with the next sync. */
  restore(window: RateWindow): void {
    if (window.inFlight === 0) return;
    const wasClean = window.pending === 0;
    window.pending += window.inFlight;
    window.inFlight = 0;
    if (wasClean) this.dirty.push(window);
  }
}

interface Sent {
  counter: SharedWindowCounter;
  window: RateWindow;
  windowStart: string;
}

/**
 * API users' rate-limit windows shared by every instance on one PostgreSQL database, with the
 * decision kept in memory — the local-cache design of Unkey's and Envoy's global rate limits.
 * Each instance counts as alone, and every `syncIntervalMs` adds what it counted since to one
 * row per user, tier and minute (`count = count + excluded.count … returning count`), one
 * statement for all its active users, learning the total over every instance. A decision uses
 * that last known total plus this instance's requests since.
 *
 * How far a user can go past its quota in a window (docs/credentials.md#rate-limits): an
 * instance sends each count within one interval plus a statement's round trip (T + L) and
 * learns the total that often while it counts, so its view misses at most what the others
 * admitted in the last 2 × (T + L); once the real total reaches the quota, each instance stops
 * within that time, and the excess is at most what the user makes on each instance in
 * 2 × (T + L), summed: about instances × rate × interval. The early syncs shrink it for bursts.
 * A refusal is never early: every count is one that happened (a sync whose commit was not
 * acknowledged is sent again and counts twice, erring towards refusing).
 *
 * If PostgreSQL fails, each instance keeps limiting on its own counts, keeps the unsent
 * increments for the next sync, and logs once per outage. Past minutes are not sent and are
 * deleted once a minute. `close()` sends what is left.
 */
export class SharedWindowCounts implements WindowCounts {
  private readonly counters: SharedWindowCounter[] = [];
  private readonly timer: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  /** A sync was asked for while one ran: run another at once after it. */
  private again = false;
  private early: NodeJS.Immediate | null = null;
  private failing = false;
  private closed = false;
  /** The cutoff of the last successful sweep; the next is due when the minute changes. */
  private sweptBefore = '';
  private readonly durations: Histogram | null;
  private readonly failures: Counter | null;

  constructor(private readonly options: SharedWindowOptions) {
    this.timer = setInterval(() => void this.sync(), options.syncIntervalMs);
    // A timer must not keep a finished process (a CLI command, a test) alive.
    this.timer.unref();
    const registers = options.metrics ? [options.metrics] : [];
    this.durations = options.metrics ? new Histogram({
      name: 'apiusers_rate_limit_sync_duration_seconds',
      help: 'Time of one sync of the API users\' rate-limit counts with PostgreSQL (statements and sweep).',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }) : null;
    this.failures = options.metrics ? new Counter({
      name: 'apiusers_rate_limit_sync_failures_total',
      help: 'Syncs of the API users\' rate-limit counts that failed; requests were limited on this instance\'s counts meanwhile.',
      registers,
    }) : null;
  }

  counterFor(tier: Tier, limit: number, durationMs: number): FixedWindowCounter {
    const counter = new SharedWindowCounter(tier, limit, durationMs, this.syncSoon);
    this.counters.push(counter);
    return counter;
  }

  /**
   * Shares the counts now (the timer's and close's way in; tests call it to settle the counts).
   * Never rejects: a failure is logged and counted, and the increments wait for the next sync.
   */
  sync(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.run().finally(() => {
      this.running = null;
      // Asked for between the loop's last look and now: run it, unless PostgreSQL just failed
      // (then the timer retries).
      if (this.again && !this.failing) void this.sync();
    });
    return this.running;
  }

  /** Stops the timer and sends the increments still unsent, waiting at most CLOSE_TIMEOUT_MS. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    if (this.early) clearImmediate(this.early);
    let timeout: NodeJS.Timeout | undefined;
    const last = (async () => {
      if (this.running) await this.running;
      await this.sync();
    })();
    await Promise.race([last, new Promise<void>((resolve) => { timeout = setTimeout(resolve, CLOSE_TIMEOUT_MS).unref(); })]);
    clearTimeout(timeout);
  }

  /** Called from the request path: schedules a sync on the next turn of the event loop, never waits for it. */
  private readonly syncSoon = (): void => {
    // While PostgreSQL fails, only the timer retries: requests must not become a retry storm.
    if (this.early !== null || this.failing || this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.early = setImmediate(() => {
      this.early = null;
      void this.sync();
    });
  };

  private async run(): Promise<void> {
    do {
      this.again = false;
      if (!(await this.syncOnce())) return;
    } while (this.again);
  }

  /** @returns false when PostgreSQL failed */
  private async syncOnce(): Promise<boolean> {
    const now = this.options.clock.now().getTime();
    const sent: Sent[] = [];
    for (const counter of this.counters) {
      for (const window of counter.takeDirty()) {
        // That minute is over: no decision reads it any more, on any instance.
        if (window.endsAt <= now) {
          window.pending = 0;
          continue;
        }
        window.inFlight = window.pending;
        window.pending = 0;
        sent.push({ counter, window, windowStart: new Date(window.start).toISOString() });
      }
    }
    const sweepBefore = this.counters.length > 0 ? new Date(now - (now % this.counters[0]!.durationMs) - this.counters[0]!.durationMs).toISOString() : '';
    if (sent.length === 0 && sweepBefore === this.sweptBefore) return true;
    const started = performance.now();
    try {
      await this.send(sent);
      if (sweepBefore !== this.sweptBefore) {
        // The previous minute stays a minute longer, for an instance whose clock is a little behind.
        await deleteRateWindowsBefore(this.options.db, sweepBefore);
        this.sweptBefore = sweepBefore;
      }
      this.durations?.observe((performance.now() - started) / 1000);
      if (this.failing) {
        this.failing = false;
        this.options.log.info({}, 'rate-limit sync with PostgreSQL works again; API users\' counts are shared across instances');
      }
      return true;
    } catch (error) {
      for (const { counter, window } of sent) counter.restore(window);
      this.failures?.inc();
      if (!this.failing) {
        this.failing = true;
        this.options.log.warn({ err: error }, 'rate-limit sync with PostgreSQL failed; limiting API users on this instance\'s counts until it works again');
      }
      return false;
    }
  }

  private async send(sent: Sent[]): Promise<void> {
    // Primary-key order: concurrent batches from several instances lock rows in one order.
    sent.sort((a, b) => compare(a.windowStart, b.windowStart) || compare(a.window.key, b.window.key) || compare(a.counter.tier, b.counter.tier));
    for (let offset = 0; offset < sent.length; offset += ROWS_PER_STATEMENT) {
      const chunk = sent.slice(offset, offset + ROWS_PER_STATEMENT);
      const byKey = new Map<string, Sent>();
      const increments: RateWindowCount[] = chunk.map((entry) => {
        byKey.set(keyOf(entry.windowStart, entry.window.key, entry.counter.tier), entry);
        return { windowStart: entry.windowStart, userId: entry.window.key, tier: entry.counter.tier, count: entry.window.inFlight };
      });
      for (const total of await addRateWindowCounts(this.options.db, increments)) {
        const entry = byKey.get(keyOf(total.windowStart, total.userId, total.tier));
        if (!entry) continue;
        const { window, counter } = entry;
        // The total includes what was just sent; what was counted here meanwhile comes on top.
        // Never lower than what this instance knows: a row deleted early (an instance whose
        // clock runs ahead swept it) must not hand a user a fresh quota.
        window.consumed = Math.max(window.consumed, total.count + window.pending);
        window.inFlight = 0;
        window.syncAt = earlySyncAt(counter.limit, window.consumed);
      }
      // A row the statement did not answer for (none should be): send its increment again next time.
      for (const { counter, window } of chunk) counter.restore(window);
    }
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function keyOf(windowStart: string, userId: string, tier: string): string {
  return `${windowStart} ${userId} ${tier}`;
}
