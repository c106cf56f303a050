import { parseArgs } from 'node:util';

/** What `npm run bench` and `npm run bench:memory` accept; the defaults are the credentials issue's method. */
export interface BenchOptions {
  /** Seconds of load per case and round. */
  duration: number;
  /**
   * Seconds of each baseline run. Every round measures the baseline before its first case and
   * again after every case, and a case's ratio is over the mean of the two runs around it.
   */
  baselineDuration: number;
  rounds: number;
  connections: number;
  /** Seconds of unrecorded load per target before round 1 (JIT, caches, pools). */
  warmup: number;
  /** A PostgreSQL URL; null: a fresh SQLite file. */
  database: string | null;
  /** Only these case ids (plus the baseline); null: all. */
  cases: string[] | null;
  /** Keep the data folder (and PostgreSQL schema) for inspection. */
  keep: boolean;
  /** Skip `npm run build` even when dist/ is older than src/. */
  noBuild: boolean;
  /** apiusers' HOT_PATH setting: `off` measures every call through Fastify, for comparison. */
  hotPath: 'on' | 'listener' | 'off';
  /**
   * Start a new apiusers process for each round (warmed up again): how fast a process is varies
   * from launch to launch (docs/benchmarks.md), so the median then covers several launches.
   */
  freshProcess: boolean;
  /** NODE_OPTIONS for the apiusers server only (e.g. `--perf-basic-prof` to profile it with perf); null: none. */
  serverNodeOptions: string | null;
}

const USAGE = `usage: npm run bench -- [--duration 10] [--baseline-duration 5] [--rounds 3] [--connections 50] [--warmup 3]
                       [--database postgres://user@host/db] [--cases a,b,c,d,e] [--hot-path on|listener|off] [--fresh-process]
                       [--server-node-options=--perf-basic-prof] [--keep] [--no-build]`;

function positiveInteger(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}, not "${value}"\n${USAGE}`);
  return n;
}

/**
 * @example parseBenchOptions(['--duration', '2', '--rounds', '1']) // a smoke run
 * @throws Error with the usage line on a bad flag
 */
export function parseBenchOptions(argv: string[], defaults: Partial<BenchOptions> = {}): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      'baseline-duration': { type: 'string' },
      rounds: { type: 'string' },
      connections: { type: 'string' },
      warmup: { type: 'string' },
      database: { type: 'string' },
      cases: { type: 'string' },
      keep: { type: 'boolean' },
      'no-build': { type: 'boolean' },
      'hot-path': { type: 'string' },
      'fresh-process': { type: 'boolean' },
      'server-node-options': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const database = values.database ?? null;
  if (database !== null && !/^postgres(ql)?:\/\//.test(database)) throw new Error(`--database takes a postgres:// URL (SQLite is the default)\n${USAGE}`);
  const hotPath = values['hot-path'] ?? 'on';
  if (hotPath !== 'on' && hotPath !== 'listener' && hotPath !== 'off') throw new Error(`--hot-path takes on, listener or off, not "${hotPath}"\n${USAGE}`);
  const duration = positiveInteger('duration', values.duration, defaults.duration ?? 10);
  return {
    hotPath,
    freshProcess: values['fresh-process'] ?? false,
    serverNodeOptions: values['server-node-options'] || null,
    duration,
    baselineDuration: positiveInteger('baseline-duration', values['baseline-duration'], Math.max(1, Math.round(duration / 2))),
    rounds: positiveInteger('rounds', values.rounds, defaults.rounds ?? 3),
    connections: positiveInteger('connections', values.connections, defaults.connections ?? 50),
    warmup: positiveInteger('warmup', values.warmup, defaults.warmup ?? 3, 0),
    database,
    cases: values.cases ? values.cases.split(',').map((c) => c.trim()).filter(Boolean) : null,
    keep: values.keep ?? false,
    noBuild: values['no-build'] ?? false,
  };
}
