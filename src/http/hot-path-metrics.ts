import { Counter, Gauge, type Registry } from 'prom-client';

/** What the hot path counts in plain fields on the request path, read only when /metrics is scraped. */
export interface HotPathCounts {
  /** Answers from memory, per route pattern. */
  answered: ReadonlyMap<string, number>;
  /** Connections the fast lane gave to Node, and requests it had the full route answer. */
  laneCounts: { readonly handovers: number; readonly forwarded: number };
  /** Connections in the fast lane now. */
  laneSize: () => number;
}

/**
 * The hot path's series: counted in a Map and two numbers on the request path (no label lookup
 * per call), turned into prom-client metrics only when /metrics is scraped.
 * @example registerHotPathMetrics(registry, { answered, laneCounts, laneSize: () => lane.size });
 */
export function registerHotPathMetrics(registry: Registry, counts: HotPathCounts): void {
  new Counter({
    name: 'apiusers_hot_path_answers_total',
    help: 'Requests answered from memory before Fastify routing (the rest of each route\'s requests went through Fastify).',
    labelNames: ['route'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [route, count] of counts.answered) this.inc({ route }, count);
    },
  });
  new Gauge({
    name: 'apiusers_fast_lane_connections', help: 'Connections in the HTTP fast lane now (the rest are served by Node\'s HTTP server).', registers: [registry],
    collect() { this.set(counts.laneSize()); },
  });
  new Counter({
    name: 'apiusers_fast_lane_handovers_total', help: 'Connections the fast lane handed to Node\'s HTTP server (a request for another route, or one it does not read).', registers: [registry],
    collect() { this.reset(); this.inc(counts.laneCounts.handovers); },
  });
  new Counter({
    name: 'apiusers_fast_lane_forwarded_total', help: 'Requests read by the fast lane and answered by their full route (not decidable from memory).', registers: [registry],
    collect() { this.reset(); this.inc(counts.laneCounts.forwarded); },
  });
}
