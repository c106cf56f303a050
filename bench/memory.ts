import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/database.js';
import { buildIfNeeded, createInstance, ROOT } from './apiusers-instance.js';
import { createApiKey, createApiUser, seedOrganization } from './apiusers-seed.js';
import { bulkSeed, readTemplate, type SeededCredentials } from './bulk-seed.js';
import { pinLoadGenerator } from './cpu-pinning.js';
import { runLoad } from './load.js';
import { readRoutes } from './openapi-routes.js';
import { freePort, stopAllServers } from './server-process.js';

/*
 * `npm run bench:memory`: peak RSS of the apiusers server holding 100,000 API users and 200,000
 * API keys. The rows are inserted straight into the database; then a fresh server process serves
 * account-info calls spread over as many users' credentials as the time allows, so the
 * verification cache fills, and its VmHWM (the kernel's peak resident set) is read from /proc.
 */
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    users: { type: 'string', default: '100000' },
    'keys-per-user': { type: 'string', default: '2' },
    'typed-users': { type: 'string', default: '200' },
    duration: { type: 'string', default: '20' },
    connections: { type: 'string', default: '50' },
    database: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'hot-path': { type: 'string', default: 'on' },
  },
  strict: true,
});
const count = (name: string, value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, not "${value}"`);
  return n;
};
const users = count('users', values.users);
const keysPerUser = count('keys-per-user', values['keys-per-user']);
const typedUsers = Math.min(users, count('typed-users', values['typed-users']));
const duration = Math.max(1, count('duration', values.duration));
const connections = Math.max(1, count('connections', values.connections));
const hotPath = values['hot-path'];
if (hotPath !== 'on' && hotPath !== 'listener' && hotPath !== 'off') throw new Error(`--hot-path takes on, listener or off, not "${hotPath}"`);
const log = (line: string) => process.stdout.write(`${line}\n`);
process.once('SIGINT', () => {
  stopAllServers();
  process.exit(130);
});

/** kB figures from /proc/<pid>/status: VmHWM is the peak resident set since the process started. */
function memoryOf(pid: number): { rssKb: number; peakRssKb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKb: field('VmRSS'), peakRssKb: field('VmHWM') };
}
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const basic = (u: { username: string; password: string }) => `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}`;

const pinning = pinLoadGenerator();
log(`pinning: ${pinning.note}`);
log(`build: ${buildIfNeeded(values['no-build'])}`);
const instance = await createInstance(values.database ?? null, 'apiusers-bench-memory-');
log(`database: ${instance.engine}`);
try {
  const org = await seedOrganization(instance);
  // A first server creates one API user and key the ordinary way: the rows to clone.
  const setup = await instance.start(pinning, await freePort());
  const routes = await readRoutes(setup.baseUrl);
  const template = await createApiUser(setup.baseUrl, routes, org, 'bench template');
  if (template.note) log(`api user: ${template.note}`);
  const key = await createApiKey(setup.baseUrl, routes, org, template);
  await setup.stop();

  // The build's own key hash, when it has API keys; loaded lazily so an older build still runs.
  const keyModule = 'unavailable' in key ? null : await import('../src/modules/api-keys/api-key.service.js').catch(() => null);
  const apiKeyHash = keyModule && typeof keyModule.apiKeyHash === 'function' ? keyModule.apiKeyHash : null;
  const keysNote = 'unavailable' in key ? `API keys not seeded: ${key.unavailable}` : apiKeyHash ? null : 'API keys not seeded: this build exports no apiKeyHash';
  if (keysNote) log(keysNote);

  const database = openDatabase(instance.engine === 'postgres' ? { engine: 'postgres', url: instance.databaseUrl } : { engine: 'sqlite', file: instance.databaseUrl });
  const seedStarted = Date.now();
  let seeded: SeededCredentials;
  try {
    const rows = await readTemplate(database.db, template.id);
    seeded = await bulkSeed(database.db, rows, {
      users, keysPerUser: apiKeyHash ? keysPerUser : 0, typedUsers, secretKey: instance.secretKey, apiKeyHash,
      onProgress: (done) => {
        if (done % 10_000 !== 0 && done !== users) return;
        // One line redrawn on a terminal; a line per step in a log file.
        process.stdout.write(process.stdout.isTTY ? `\rseeded ${done.toLocaleString('en-US')} API users` : `seeded ${done.toLocaleString('en-US')} API users\n`);
      },
    });
  } finally {
    await database.destroy();
  }
  const seedSeconds = (Date.now() - seedStarted) / 1000;
  log(`${process.stdout.isTTY ? '\n' : ''}seeded ${users.toLocaleString('en-US')} API users (${typedUsers} with argon2id passwords) and ${seeded.keys.length.toLocaleString('en-US')} API keys in ${seedSeconds.toFixed(0)} s`);

  // A fresh process, so its peak resident set covers serving only.
  const server = await instance.start(pinning, await freePort(), { HOT_PATH: hotPath });
  const url = `${server.baseUrl}/v2/account-info`;
  for (const [what, authorization] of [['generated password', basic(seeded.generated[0]!)], ...(seeded.keys[0] ? [['API key', `Bearer ${seeded.keys[0]}`]] : [])] as Array<[string, string]>) {
    const response = await fetch(url, { headers: { authorization } });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`a seeded ${what} was refused (${response.status}): the cloned rows do not authenticate`);
  }
  const idle = memoryOf(server.pid);
  log(`server idle after start: RSS ${mb(idle.rssKb)}`);

  // Each call presents the next credential: 2 of 3 an API key (when seeded), else a generated
  // password; one in 250 calls, until they run out, a typed password (argon2id once).
  let calls = 0;
  let keyIndex = 0;
  let generatedIndex = 0;
  let typedIndex = 0;
  const nextAuthorization = () => {
    const n = calls++;
    if (n % 250 === 0 && typedIndex < seeded.typed.length) return basic(seeded.typed[typedIndex++]!);
    if (seeded.keys.length > 0 && n % 3 !== 0) return `Bearer ${seeded.keys[keyIndex++ % seeded.keys.length]}`;
    return basic(seeded.generated[generatedIndex++ % seeded.generated.length]!);
  };
  let sampledPeakKb = idle.rssKb;
  const sampler = setInterval(() => { sampledPeakKb = Math.max(sampledPeakKb, memoryOf(server.pid).rssKb); }, 250);
  const result = await runLoad({
    url, method: 'GET', headers: {},
    setupRequest: (request) => ({ ...request, headers: { ...request.headers, authorization: nextAuthorization() } }),
  }, { connections, seconds: duration });
  clearInterval(sampler);
  const after = memoryOf(server.pid);
  await server.stop();

  const distinct = {
    keys: Math.min(keyIndex, seeded.keys.length),
    generatedPasswords: Math.min(generatedIndex, seeded.generated.length),
    typedPasswords: typedIndex,
  };
  const databaseBytes = instance.engine === 'sqlite' ? statSync(instance.databaseUrl).size : null;
  log(`\nload: ${duration} s, ${connections} connections: ${result.ok.toLocaleString('en-US')} answered 200 (${Math.round(result.requestsPerSecond).toLocaleString('en-US')}/s, p99 ${result.p99Ms} ms), ${result.non2xx} non-2xx, ${result.errors} errors`);
  log(`distinct credentials presented: ${distinct.keys.toLocaleString('en-US')} keys, ${distinct.generatedPasswords.toLocaleString('en-US')} generated passwords, ${distinct.typedPasswords} typed passwords`);
  log(`peak RSS (VmHWM): ${mb(after.peakRssKb)}   RSS at the end: ${mb(after.rssKb)}   idle after start: ${mb(idle.rssKb)}${databaseBytes === null ? '' : `   SQLite file: ${(databaseBytes / 1048576).toFixed(0)} MB`}`);
  if (keysNote) log(keysNote);

  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `memory-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
    database: instance.engine, pinning, users, typedUsers, keys: seeded.keys.length, keysNote, seedSeconds,
    load: { duration, connections, ...result }, distinct,
    memory: { idleRssKb: idle.rssKb, peakRssKb: after.peakRssKb, sampledPeakRssKb: sampledPeakKb, endRssKb: after.rssKb }, databaseBytes,
  }, null, 2)}\n`);
  log(`results: ${file}`);
} finally {
  stopAllServers();
  await instance.dispose(values.keep);
}
