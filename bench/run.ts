import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { buildIfNeeded, createInstance, ROOT } from './apiusers-instance.js';
import { createApiKey, createApiUser, seedOrganization } from './apiusers-seed.js';
import { CASES, type BenchContext } from './cases.js';
import { pinLoadGenerator } from './cpu-pinning.js';
import { runLoad, type LoadTarget } from './load.js';
import { readRoutes } from './openapi-routes.js';
import { parseBenchOptions } from './options.js';
import { formatTable, summarize, type CaseOutcome } from './report.js';
import { freePort, startServer, stopAllServers } from './server-process.js';

/*
 * `npm run bench`: the credentials issue's throughput method. apiusers, a bare Fastify
 * hello-world (the baseline) and oidc-provider run pinned to CPU 0; autocannon runs here, pinned
 * to CPU 1. Each round measures the baseline, then each case followed by the baseline again; a
 * case is reported as the median over rounds of its ratio to the mean of the two baseline runs
 * around it, so a host that drifts during a round moves a case and its reference together.
 */
const options = parseBenchOptions(process.argv.slice(2));

/** One run's line: requests/s, the ratio when there is one, p99, and the CPU figures. */
function formatRun(result: Awaited<ReturnType<typeof runLoad>>, ratio: number | null): string {
  const bad = result.non2xx + result.errors > 0 ? `  (${result.non2xx} non-2xx, ${result.errors} errors)` : '';
  const cpu = `CPU: server ${result.serverCpuPercent?.toFixed(0) ?? '?'}%, load generator ${result.loadGeneratorCpuPercent.toFixed(0)}%, load avg ${result.loadAverage.toFixed(1)}`;
  return `${Math.round(result.requestsPerSecond).toLocaleString('en-US').padStart(7)} req/s  ${ratio === null ? '     ' : `${ratio.toFixed(2)}x`}  p99 ${String(result.p99Ms).padStart(3)} ms  (${cpu})${bad}`;
}
const log = (line: string) => process.stdout.write(`${line}\n`);

/**
 * Which way apiusers answered (from its /metrics): so a reader sees that the measured calls took
 * the path the docs describe, and how many connections left the fast lane.
 */
async function hotPathCounts(baseUrl: string): Promise<string> {
  try {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    const read = (series: string) => text.split('\n').find((line) => line.startsWith(series))?.split(' ').at(-1) ?? 'n/a';
    return `apiusers answered from memory: account-info ${read('apiusers_hot_path_answers_total{route="/v2/account-info"}')}, verify ${read('apiusers_hot_path_answers_total{route="/v1/verify"}')}; `
      + `fast lane: ${read('apiusers_fast_lane_handovers_total')} connections handed to Node, ${read('apiusers_fast_lane_forwarded_total')} requests forwarded to their route (since the last start)`;
  } catch (error) {
    return `apiusers /metrics: ${(error as Error).message}`;
  }
}
process.once('SIGINT', () => {
  stopAllServers();
  process.exit(130);
});

const pinning = pinLoadGenerator();
/** What every apiusers server of the run gets besides its instance's environment. */
const serverEnv: NodeJS.ProcessEnv = { HOT_PATH: options.hotPath, ...(options.serverNodeOptions ? { NODE_OPTIONS: options.serverNodeOptions } : {}) };
log(`pinning: ${pinning.note}`);
const busy = loadavg()[0]!;
if (busy > 1) log(`warning: load average ${busy.toFixed(2)} — other processes are busy on this machine; expect noise`);
log(`build: ${buildIfNeeded(options.noBuild)}`);

const instance = await createInstance(options.database);
log(`database: ${instance.engine}${instance.engine === 'sqlite' ? ` (${instance.databaseUrl})` : ''}`);
const stoppers: Array<() => Promise<void>> = [];
try {
  const org = await seedOrganization(instance);
  const apiusersPort = await freePort();
  let apiusers = await instance.start(pinning, apiusersPort, serverEnv);
  let stopApiusers = apiusers.stop;
  stoppers.push(() => stopApiusers());
  const routes = await readRoutes(apiusers.baseUrl);
  const user = await createApiUser(apiusers.baseUrl, routes, org);
  if (user.note) log(`api user: ${user.note}`);
  const apiKey = await createApiKey(apiusers.baseUrl, routes, org, user);
  const serverScript = (name: string) => [process.execPath, '--import', 'tsx', join(ROOT, 'bench/servers', name)];
  const baselinePort = await freePort();
  const baseline = await startServer({
    name: 'baseline', argv: serverScript('hello-world.ts'), port: baselinePort, pinning, cwd: ROOT,
    env: { ...process.env, PORT: String(baselinePort) }, logFile: join(instance.dataDir, 'baseline.log'),
  });
  stoppers.push(baseline.stop);
  const oidcPort = await freePort();
  // The client is the same API user: its username as client_id, its password as client_secret.
  const oidc = await startServer({
    name: 'oidc-provider', argv: serverScript('oidc-provider.ts'), port: oidcPort, pinning, cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', PORT: String(oidcPort), CLIENT_ID: user.username, CLIENT_SECRET: user.password },
    logFile: join(instance.dataDir, 'oidc-provider.log'),
  }).catch((error: Error) => ({ unavailable: `oidc-provider did not start: ${error.message.split('\n')[0]}` }));
  if ('stop' in oidc) stoppers.push(oidc.stop);
  const ctx: BenchContext = { apiusers, baseline, oidc, routes, org, user, apiKey };

  const selected = CASES.filter((c) => c.id === 'baseline' || !options.cases || options.cases.includes(c.id) || (c.id === 'oidc' && options.cases.includes('e')));
  const outcomes: CaseOutcome[] = selected.map((c) => ({ id: c.id, label: c.label, goal: c.goal, unavailable: null, rounds: [] }));
  const targets = new Map<string, LoadTarget>();
  for (const [index, c] of selected.entries()) {
    const target = await c.target(ctx);
    if ('unavailable' in target) {
      outcomes[index]!.unavailable = target.unavailable;
      log(`${c.label}: ${target.unavailable}`);
    } else {
      targets.set(c.id, target);
    }
  }
  if (!targets.has('baseline')) throw new Error('the baseline server did not answer; nothing to compare against');

  const pidOf = { baseline: baseline.pid, apiusers: apiusers.pid, oidc: 'pid' in oidc ? oidc.pid : undefined };
  const load = { connections: options.connections };
  if (options.warmup > 0) {
    log(`warm-up: ${options.warmup} s per case, not recorded`);
    for (const c of selected) if (targets.has(c.id)) await runLoad(targets.get(c.id)!, { ...load, seconds: options.warmup });
  }
  const startedAt = new Date();
  for (let round = 1; round <= options.rounds; round++) {
    if (options.freshProcess && round > 1) {
      // A new apiusers process on the same port and database, warmed up like the first.
      await stopApiusers();
      apiusers = await instance.start(pinning, apiusersPort, serverEnv);
      stopApiusers = apiusers.stop;
      ctx.apiusers = apiusers;
      pidOf.apiusers = apiusers.pid;
      log(`round ${round}/${options.rounds}  fresh apiusers process (pid ${apiusers.pid})`);
      for (const c of selected) {
        if (c.server !== 'apiusers' || !targets.has(c.id) || options.warmup === 0) continue;
        const target = await c.target(ctx);
        if (!('unavailable' in target)) await runLoad(target, { ...load, seconds: options.warmup });
      }
    }
    // The baseline runs before the first case and after every case: a case's ratio is over the
    // mean of the two baseline runs around it, so a machine that speeds up or slows down during
    // the round (a shared host does) moves the case and its reference together.
    const baselineIndex = selected.findIndex((c) => c.id === 'baseline');
    const measureBaseline = async (): Promise<{ requestsPerSecond: number; line: string }> => {
      const result = await runLoad(targets.get('baseline')!, { ...load, seconds: options.baselineDuration, serverPid: pidOf.baseline });
      outcomes[baselineIndex]!.rounds.push({ ...result, round, ratio: 1 });
      return { requestsPerSecond: result.requestsPerSecond, line: `round ${round}/${options.rounds}  ${selected[baselineIndex]!.label.padEnd(44)} ${formatRun(result, null)}` };
    };
    const first = await measureBaseline();
    log(first.line);
    let baselineBefore = first.requestsPerSecond;
    for (const [index, c] of selected.entries()) {
      if (c.id === 'baseline' || !targets.has(c.id)) continue;
      // Fetched again each round: a JWT must not expire mid-run, and the route must still answer.
      const target = round === 1 ? targets.get(c.id)! : await c.target(ctx);
      if ('unavailable' in target) {
        log(`round ${round}/${options.rounds}  ${c.label}: ${target.unavailable}`);
        continue;
      }
      const result = await runLoad(target, { ...load, seconds: options.duration, serverPid: pidOf[c.server] });
      const after = await measureBaseline();
      const reference = (baselineBefore + after.requestsPerSecond) / 2;
      const ratio = reference > 0 ? result.requestsPerSecond / reference : null;
      baselineBefore = after.requestsPerSecond;
      outcomes[index]!.rounds.push({ ...result, round, ratio });
      log(`round ${round}/${options.rounds}  ${c.label.padEnd(44)} ${formatRun(result, ratio)}`);
      log(after.line);
    }
  }

  log(`\n${await hotPathCounts(apiusers.baseUrl)}`);
  const summaries = summarize(outcomes);
  log(`\n${options.rounds} round(s) × ${options.duration} s per case (baseline ${options.baselineDuration} s before the first case and after each), ${options.connections} connections, keep-alive, pipelining 1; ${instance.engine}; HOT_PATH=${options.hotPath}; ${options.freshProcess ? 'a fresh apiusers process per round' : 'one apiusers process'}; ${pinning.note}\n`);
  log(formatTable(summaries));
  const results = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version, loadAverageAtEnd: loadavg() },
    options, pinning, database: instance.engine,
    summaries, outcomes,
  };
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  log(`\nresults: ${file}`);
  if (options.keep) log(`data folder kept: ${instance.dataDir}`);
} finally {
  for (const stop of stoppers.reverse()) await stop();
  await instance.dispose(options.keep);
}
