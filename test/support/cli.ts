import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CONFIG_OPTIONS } from '../../src/config/config.js';

/** What a CLI run left: its exit code and everything it printed. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI entry, run through tsx so tests need no build. */
export const CLI_BIN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'bin.ts');

/** tsx's loader by location, so that a run from another working directory still finds it. */
const TSX_LOADER = import.meta.resolve('tsx');

/** The environment without any of the service's own settings, so the caller's shell cannot leak in. */
export function cleanEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of CONFIG_OPTIONS) delete env[key];
  return { ...env, ...overrides };
}

/**
 * Runs `apiusers <args>` as an operator would: a child process, stdin not a terminal, in `cwd`
 * when given (relative paths such as the default `data/` are taken from there).
 * @example const result = await runCli(['migrate', '--json'], { DATABASE_URL: file, DATA_DIR: dir });
 */
export function runCli(args: string[], env: Record<string, string>, stdin = '', options: { cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX_LOADER, CLI_BIN, ...args], { env: cleanEnv(env), cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
