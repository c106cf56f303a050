import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import type { Pinning } from './cpu-pinning.js';
import { startServer, type ServerProcess } from './server-process.js';

export const ROOT = resolve(import.meta.dirname, '..');
const ENTRY = join(ROOT, 'dist/src/cli/bin.js');
/** The installed command, as an operator runs it: `node bin/apiusers.js serve`. */
const BIN = join(ROOT, 'bin/apiusers.js');

/** One fresh apiusers installation: its data folder, database, server secret and environment. */
export interface ApiUsersInstance {
  dataDir: string;
  /** What DATABASE_URL is set to (a SQLite file, or PostgreSQL with a schema of its own). */
  databaseUrl: string;
  engine: 'sqlite' | 'postgres';
  secretKey: Buffer;
  env: NodeJS.ProcessEnv;
  /** Runs `apiusers <args>` against this installation; resolves to its stdout. */
  cli(args: string[], stdin?: string): Promise<string>;
  start(pinning: Pinning, port: number, extraEnv?: NodeJS.ProcessEnv): Promise<ServerProcess>;
  dispose(keep: boolean): Promise<void>;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds dist/ when it is missing or older than src/, so routes that just landed are measured.
 * tsc writes dist/ even when type checking fails; then this warns and goes on.
 * @returns a line saying what happened
 */
export function buildIfNeeded(skip: boolean): string {
  const stale = existsSync(ENTRY) && newestMtime(join(ROOT, 'src')) > statSync(ENTRY).mtimeMs;
  if (existsSync(ENTRY) && (!stale || skip)) return stale ? 'dist/ is older than src/ (--no-build: measuring it anyway)' : 'dist/ is up to date';
  try {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    return existsSync(ENTRY) ? 'built dist/ (npm run build)' : 'npm run build wrote no dist/';
  } catch (error) {
    const out = String((error as { stdout?: Buffer }).stdout ?? '').trim().split('\n').slice(0, 5).join('\n');
    if (!existsSync(ENTRY)) throw new Error(`npm run build failed and there is no dist/:\n${out}`);
    return `npm run build reported errors (dist/ written anyway; first lines below)\n${out}`;
  }
}

async function postgresSchema(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await run(`create schema ${schema}`);
  const withSchema = new URL(url);
  // node-postgres passes `options` to the server at connect: every pooled connection uses the schema.
  withSchema.searchParams.set('options', `-c search_path=${schema}`);
  return { url: withSchema.toString(), drop: () => run(`drop schema ${schema} cascade`) };
}

/**
 * A fresh data folder with a SQLite database, or with `postgresUrl` a fresh schema on that
 * server. LOG_LEVEL=warn: request logs would dominate the measurement.
 * @example const instance = await createInstance(null); await instance.cli(['migrate']);
 */
export async function createInstance(postgresUrl: string | null, prefix = 'apiusers-bench-'): Promise<ApiUsersInstance> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const secretKey = randomBytes(32);
  const schema = postgresUrl ? await postgresSchema(postgresUrl) : null;
  const databaseUrl = schema?.url ?? join(dataDir, 'apiusers.db');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production',
    DATA_DIR: dataDir, DATABASE_URL: databaseUrl, SECRET_KEY: secretKey.toString('hex'), LOG_LEVEL: 'warn',
  };
  return {
    dataDir, databaseUrl, engine: schema ? 'postgres' : 'sqlite', secretKey, env,
    cli: (args, stdin) => new Promise((resolvePromise, reject) => {
      const child = execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env }, (error, stdout, stderr) => {
        if (error) reject(new Error(`apiusers ${args[0]} failed: ${stderr.trim() || error.message}`));
        else resolvePromise(stdout);
      });
      child.stdin?.end(stdin ?? '');
    }),
    start: (pinning, port, extraEnv = {}) => startServer({
      name: 'apiusers', argv: [process.execPath, BIN, 'serve'], port, pinning, cwd: ROOT,
      env: { ...env, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${port}`, ...extraEnv },
      logFile: join(dataDir, 'apiusers.log'), readyPath: '/readyz',
    }),
    dispose: async (keep) => {
      if (keep) return;
      await schema?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
