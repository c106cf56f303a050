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

/**
 * What `apiusers init` and `apiusers api-users create` leave, as an operator starts: an organization
 * (its account number) and a dotdigital-style API user with a typed password.
 * @example const { org, username } = await seedWithCli({ DATA_DIR: dir, DATABASE_URL: file });
 */
export async function seedWithCli(env: Record<string, string>): Promise<{ org: string; username: string }> {
  const init = await runCli(['init', '--name', 'Acme Corp', '--owner-email', 'o@acme.example', '--owner-first-name', 'O', '--owner-last-name', 'Wner', '--password-stdin', '--json'], env, 'correct horse battery staple\n');
  if (init.code !== 0) throw new Error(`apiusers init failed: ${init.stderr}`);
  const org = JSON.parse(init.stdout).organization.account_number as string;
  const user = await runCli(['api-users', 'create', '--org', org, '--description', 'Magento', '--password-stdin', '--json'], env, 'Magento-sync-2026!\n');
  if (user.code !== 0) throw new Error(`apiusers api-users create failed: ${user.stderr}`);
  const created = JSON.parse(user.stdout);
  return { org, username: (created.api_user?.username ?? created.username) as string };
}
