import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** CPU 0 runs the servers under test, CPU 1 the load generator (this process). */
export const SERVER_CPU = 0;
export const LOAD_CPU = 1;

export interface Pinning {
  /** Whether servers get `taskset -c 0` and this process runs on CPU 1. */
  pinned: boolean;
  /** Why not, in one line (printed and stored in the results). */
  note: string;
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Moves every thread of this process (the load generator) to CPU 1, so it never competes with
 * the server on CPU 0. Children started later with `taskset -c 0` override the inherited mask.
 * @example const pinning = pinLoadGenerator(); if (!pinning.pinned) console.warn(pinning.note);
 */
export function pinLoadGenerator(): Pinning {
  if (!hasTaskset()) return { pinned: false, note: 'taskset (util-linux) not found: server and load generator run unpinned' };
  if (availableParallelism() < 2) return { pinned: false, note: `only ${availableParallelism()} CPU: server and load generator share it, unpinned` };
  try {
    execFileSync('taskset', ['-a', '-c', '-p', String(LOAD_CPU), String(process.pid)], { stdio: 'ignore' });
    return { pinned: true, note: `server on CPU ${SERVER_CPU} (taskset -c ${SERVER_CPU}), load generator on CPU ${LOAD_CPU}` };
  } catch (error) {
    return { pinned: false, note: `taskset could not pin this process (${(error as Error).message.split('\n')[0]}): unpinned` };
  }
}

/**
 * The command line that runs `argv` on the server CPU when pinning works.
 * @example spawn(...serverCommand(pinning, ['node', 'bin/apiusers.js', 'serve']))
 */
export function serverCommand(pinning: Pinning, argv: string[]): [string, string[]] {
  if (pinning.pinned) return ['taskset', ['-c', String(SERVER_CPU), ...argv]];
  return [argv[0]!, argv.slice(1)];
}
