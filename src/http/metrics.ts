import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';

const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

interface Series {
  labels: { method: string; route: string; status_code: string };
  /** Observations per bucket (not cumulative); the last slot is above every bound. */
  counts: Float64Array;
  sum: number;
  count: number;
}

function record(series: Series, seconds: number): void {
  let bucket = 0;
  while (bucket < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[bucket]!) bucket++;
  series.counts[bucket]! += 1;
  series.sum += seconds;
  series.count += 1;
}

/**
 * A Prometheus histogram of request durations by method, route pattern and status, registered in a
 * prom-client Registry beside the process metrics and exposed in the same text format.
 *
 * prom-client's own Histogram validates and hashes the label object on every observation (a few
 * microseconds, the price of a cached credential check); here one series is found with a single
 * Map lookup on a string key, and the cumulative buckets are built only when /metrics is scraped.
 */
export class RequestDurationHistogram {
  readonly name = 'apiusers_http_request_duration_seconds';
  readonly help = 'HTTP request duration by method, route pattern and status.';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();

  observe(method: string, route: string, status: number, seconds: number): void {
    record(this.seriesOf(method, route, status), seconds);
  }

  /**
   * The observe function of one series, for a caller that always records the same method, route
   * and status (the hot path's 200s): no key to build and look up per request.
   */
  recorder(method: string, route: string, status: number): (seconds: number) => void {
    const series = this.seriesOf(method, route, status);
    return (seconds) => record(series, seconds);
  }

  private seriesOf(method: string, route: string, status: number): Series {
    const key = `${method} ${status} ${route}`;
    let series = this.series.get(key);
    if (!series) {
      series = { labels: { method, route, status_code: String(status) }, counts: new Float64Array(DURATION_BUCKETS.length + 1), sum: 0, count: 0 };
      this.series.set(key, series);
    }
    return series;
  }

  /** What prom-client's Registry asks every metric for when it renders /metrics. */
  get() {
    const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = [];
    for (const { labels, counts, sum, count } of this.series.values()) {
      let cumulative = 0;
      DURATION_BUCKETS.forEach((bound, i) => {
        cumulative += counts[i]!;
        values.push({ labels: { le: bound, ...labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: '+Inf', ...labels }, value: count, metricName: `${this.name}_bucket` });
      values.push({ labels, value: sum, metricName: `${this.name}_sum` });
      values.push({ labels, value: count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.series.clear();
  }
}

/**
 * A registry per app (no global state), with process metrics and a request-duration histogram
 * labelled by route pattern (never by raw URL, which would explode cardinality).
 */
export function installMetrics(app: FastifyInstance, options: { defaultMetrics: boolean; duration?: RequestDurationHistogram }): Registry {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'apiusers_' });
  const duration = options.duration ?? new RequestDurationHistogram();
  registry.registerMetric(duration as never);
  app.addHook('onResponse', (request, reply, done) => {
    duration.observe(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  return registry;
}
