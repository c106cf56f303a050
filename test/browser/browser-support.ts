import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { CONFIG_OPTIONS } from '../../src/config/config.js';

/** Debian's Chromium (`apt-get install -y chromium`); the browser tests skip without it. */
export const CHROMIUM = '/usr/bin/chromium';
export const SKIP_REASON = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: apt-get install -y chromium to run the browser tests`;
export const OWNER = { email: 'owner@acme.example', password: 'correct horse battery staple', firstName: 'Olivia', lastName: 'Owner' };

const ROOT = join(import.meta.dirname, '..', '..');
const SCREENSHOTS = join(ROOT, 'test-output', 'screenshots');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Builds the UI into dist/web when it is not there (the API tests never need it). */
export function ensureWebBuild(): void {
  if (existsSync(join(ROOT, 'dist', 'web', 'index.html'))) return;
  const build = spawnSync('npm', ['run', 'build:web', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build:web failed');
}

export interface RunningServer {
  base: string;
  /** The printed setup link, when the server was started with `setUp: false`. */
  setupLink?: string;
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** Extra environment (SMTP_URL, OUTBOX_POLL_MS…) on top of the fresh data folder and port. */
  env?: Record<string, string>;
  /** false: leave the database without an organization and return the printed setup link. */
  setUp?: boolean;
}

/**
 * `apiusers serve` on a free port with a fresh data folder, set up through POST /v1/setup with
 * the token it prints, exactly as a newcomer would: Acme Corp in America/Chicago and its owner.
 */
export async function startSetUpServer(options: ServerOptions = {}): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'apiusers-browser-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of CONFIG_OPTIONS) delete env[key];
  Object.assign(env, { PORT: String(port), DATA_DIR: join(dir, 'data'), DATABASE_URL: join(dir, 'data', 'apiusers.db'), LOG_LEVEL: 'warn' }, options.env);
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'bin.ts'), 'serve'], { env, cwd: ROOT });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const link = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no setup link within 30 s:\n${output}`)), 30_000);
      const check = () => {
        const match = /https?:\/\/\S+\/setup#token=[A-Za-z0-9_-]+/.exec(output);
        if (match && /apiusers is serving/.test(output)) {
          clearTimeout(timer);
          child.stdout.off('data', check);
          resolve(match[0]);
        }
      };
      child.stdout.on('data', check);
      child.once('exit', (code) => reject(new Error(`server exited (${code}):\n${output}`)));
    });
    if (options.setUp === false) return { base, setupLink: link, stop };
    const token = new URL(link).hash.replace(/^#token=/, '');
    const response = await fetch(`${base}/v1/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token,
        organization: { name: 'Acme Corp', time_zone: 'America/Chicago' },
        owner: { email: OWNER.email, first_name: OWNER.firstName, last_name: OWNER.lastName, password: OWNER.password },
      }),
    });
    if (response.status !== 201) throw new Error(`POST /v1/setup -> ${response.status} ${await response.text()}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { base, stop };
}

/** Chromium, headless, on a fresh profile, at a laptop width. */
export async function openBrowser(width = 1280, height = 860): Promise<{ context: BrowserContext; page: Page; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'apiusers-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width, height },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = context.pages()[0] ?? await context.newPage();
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot under test-output/screenshots/ (git-ignored) and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Fills the sign-in page the UI sent us to, as the owner. */
export async function signIn(page: Page): Promise<void> {
  await page.getByLabel('Email').fill(OWNER.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(OWNER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** An input's value once it matches `pattern` (the UI fills some in after a request). */
export async function waitForValue(input: Locator, pattern: RegExp, ms = 10_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await input.inputValue();
    if (pattern.test(value)) return value;
    if (Date.now() > deadline) throw new Error(`input value ${JSON.stringify(value)} never matched ${pattern}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Fills the sign-in page with any administrator's email and password. */
export async function signInAs(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export interface RestSession {
  organizationId: string;
  /** fetch on the server with the session cookie and CSRF token. */
  call(method: string, path: string, body?: unknown): Promise<Response>;
}

/** Signs in through POST /v1/session (the owner by default), for arranging data over REST. */
export async function restSession(base: string, email = OWNER.email, password = OWNER.password): Promise<RestSession> {
  const signedIn = await fetch(`${base}/v1/session`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }),
  });
  if (signedIn.status !== 200) throw new Error(`POST /v1/session -> ${signedIn.status} ${await signedIn.text()}`);
  const session = await signedIn.json() as { csrf_token: string; organization: { id: string } };
  const cookie = signedIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return {
    organizationId: session.organization.id,
    call: (method, path, body) => fetch(`${base}${path}`, {
      method,
      headers: { cookie, 'x-csrf-token': session.csrf_token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  };
}
