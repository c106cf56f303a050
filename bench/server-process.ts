import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { serverCommand, type Pinning } from './cpu-pinning.js';

/** A server under test, running as a child process pinned to the server CPU. */
export interface ServerProcess {
  name: string;
  /** The node process itself (taskset execs it, so this is also the pinned pid). */
  pid: number;
  baseUrl: string;
  logFile: string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

/** Stops every child still running (on exit or Ctrl-C), by its own pid. */
export function stopAllServers(): void {
  for (const child of running) child.kill('SIGTERM');
}

/** @example const port = await freePort(); */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts `argv` pinned to the server CPU, its output in `logFile`, and waits until `readyPath`
 * answers 200.
 * @example const hello = await startServer({ name: 'baseline', argv: ['node', 'x.js'], port, pinning, env, logFile });
 * @throws Error with the log's last lines when the process exits or is not ready within 60 s
 */
export async function startServer(spec: {
  name: string; argv: string[]; port: number; pinning: Pinning; env: NodeJS.ProcessEnv; logFile: string; cwd?: string; readyPath?: string;
}): Promise<ServerProcess> {
  const [command, args] = serverCommand(spec.pinning, spec.argv);
  const log = openSync(spec.logFile, 'a');
  const child = spawn(command, args, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', log, log] });
  closeSync(log);
  running.add(child);
  let exited: string | null = null;
  const done = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? code}`;
    running.delete(child);
    resolve();
  }));
  const baseUrl = `http://127.0.0.1:${spec.port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`${spec.name} ${exited} before it was ready:\n${tail(spec.logFile)}`);
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`${spec.name} was not ready within 60 s:\n${tail(spec.logFile)}`);
    }
    try {
      const response = await fetch(`${baseUrl}${spec.readyPath ?? '/'}`);
      await response.arrayBuffer();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  return {
    name: spec.name,
    pid: child.pid!,
    baseUrl,
    logFile: spec.logFile,
    stop: async () => {
      if (!exited) child.kill('SIGTERM');
      await Promise.race([done, sleep(10_000)]);
      if (!exited) child.kill('SIGKILL');
      await done;
    },
  };
}
