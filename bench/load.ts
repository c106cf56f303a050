import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';

/** One HTTP request, repeated by every connection for the whole run. */
export interface LoadTarget {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** Varies the request per call (the memory bench cycles through many users' credentials). */
  setupRequest?: (request: { headers?: Record<string, string> }) => { headers?: Record<string, string> };
}

/** What one run measured. Throughput counts 2xx answers only: a 429 is not a served request. */
export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  seconds: number;
  /**
   * CPU time the server process used over the run, as a share of one core. Well under 100 means
   * the figure was limited by something else (the load generator, or other processes on the CPU).
   */
  serverCpuPercent: number | null;
  /** The same for this process, the load generator: near 100 means it may be the bottleneck. */
  loadGeneratorCpuPercent: number;
  /** The machine's 1-minute load average at the end of the run (other processes add noise). */
  loadAverage: number;
}

let ticksPerSecond: number | undefined;

/** utime + stime of a process, in seconds (proc(5): fields 14 and 15 of /proc/<pid>/stat). */
function cpuSecondsOf(pid: number): number | null {
  try {
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return null;
  }
}

/**
 * Runs autocannon in this process (pinned to the load CPU): keep-alive connections,
 * pipelining 1. Latency percentiles are autocannon's, of 2xx answers, in whole milliseconds.
 * @example const result = await runLoad(target, { connections: 50, seconds: 10 });
 */
export async function runLoad(target: LoadTarget, options: { connections: number; seconds: number; serverPid?: number }): Promise<LoadResult> {
  const serverBefore = options.serverPid ? cpuSecondsOf(options.serverPid) : null;
  const selfBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const result = await autocannon({
    url: target.url,
    method: target.method,
    headers: target.headers,
    body: target.body,
    connections: options.connections,
    pipelining: 1,
    duration: options.seconds,
    timeout: 10,
    ...(target.setupRequest ? { requests: [{ setupRequest: target.setupRequest as never }] } : {}),
  });
  const wallSeconds = (performance.now() - wallBefore) / 1000;
  const self = process.cpuUsage(selfBefore);
  const serverAfter = options.serverPid ? cpuSecondsOf(options.serverPid) : null;
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count ?? 0;
  return {
    requestsPerSecond: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    seconds: result.duration,
    serverCpuPercent: serverBefore !== null && serverAfter !== null ? (100 * (serverAfter - serverBefore)) / wallSeconds : null,
    loadGeneratorCpuPercent: (100 * (self.user + self.system)) / 1e6 / wallSeconds,
    loadAverage: loadavg()[0]!,
  };
}
