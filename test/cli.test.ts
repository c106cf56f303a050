import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDeps } from '../src/cli/create-deps.js';
import { loadConfig } from '../src/config/config.js';
import { buildApp } from '../src/http/app.js';
import { runCli, type CliResult } from './support/cli.js';

/**
 * The real `apiusers` command as an operator runs it: a child process on a temp SQLite file and
 * data folder, with the password on standard input. What the CLI created is then checked through
 * the HTTP API on the same files.
 */

const OWNER_PASSWORD = 'correct horse battery staple';

/** A failure as the CLI promises it: exit 1, one line on stderr, no stack trace. */
function assertOneLineFailure(result: CliResult, pattern: RegExp): void {
  assert.equal(result.code, 1, result.stderr);
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${result.stderr}`);
  assert.match(lines[0]!, /^error: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
}

describe('apiusers CLI', () => {
  let dir: string;
  let env: Record<string, string>;
  let accountNumber: string;

  /** Runs `fn` against the HTTP app built on the CLI's own database file and secret key. */
  async function withApp<T>(fn: (app: Awaited<ReturnType<typeof buildApp>>) => Promise<T>): Promise<T> {
    const deps = await createDeps(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { migrate: false });
    const app = await buildApp(deps, { logger: false });
    try {
      return await fn(app);
    } finally {
      await app.close();
      await deps.database.destroy();
    }
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'apiusers-cli-'));
    env = { DATABASE_URL: join(dir, 'apiusers.db'), DATA_DIR: dir };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--help and every subcommand\'s --help -> exit 0 with usage', async () => {
    const commands = [[], ['serve'], ['migrate'], ['init'], ['admins'], ['admins', 'list'], ['admins', 'create'], ['tokens'], ['tokens', 'create']];
    const results = await Promise.all(commands.map((c) => runCli([...c, '--help'], env)));
    results.forEach((result, i) => {
      const name = ['apiusers', ...commands[i]!].join(' ');
      assert.equal(result.code, 0, `${name} --help: ${result.stderr}`);
      assert.match(result.stdout, new RegExp(`^Usage: ${name} `), name);
    });
    for (const sub of ['serve', 'migrate', 'init', 'admins', 'tokens']) assert.match(results[0]!.stdout, new RegExp(`\\n  ${sub}\\b`));
  });

  it('an unknown command -> exit 2 naming it', async () => {
    const result = await runCli(['bogus'], env);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown command 'bogus'/);
  });

  it('migrate --json lists the applied migrations; a second run says the schema is up to date', async () => {
    const first = await runCli(['migrate', '--json'], env);
    assert.equal(first.code, 0, first.stderr);
    const applied = JSON.parse(first.stdout);
    assert.equal(applied.engine, 'sqlite');
    assert.equal(applied.applied[0], '0001_create_core_tables');

    const again = await runCli(['migrate', '--json'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout), { engine: 'sqlite', applied: [] });
    const human = await runCli(['migrate'], env);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /up to date/);
  });

  it('init --password-stdin --json creates "ACCOUNT NAME" and an owner who can sign in with that password', async () => {
    const result = await runCli([
      'init', '--name', 'Acme Corp', '--time-zone', 'America/Chicago', '--owner-email', 'o@acme.example',
      '--owner-first-name', 'O', '--owner-last-name', 'Wner', '--password-stdin', '--json',
    ], env, `${OWNER_PASSWORD}\n`);
    assert.equal(result.code, 0, result.stderr);
    const created = JSON.parse(result.stdout);
    assert.match(created.organization.account_number, /^[1-9]\d{8}$/);
    accountNumber = created.organization.account_number;
    assert.equal(created.organization.display_name, `${accountNumber} ACME CORP`);
    assert.equal(created.organization.time_zone, 'America/Chicago');
    assert.equal(created.owner.status, 'enabled');
    assert.equal(created.invite_url, null);

    await withApp(async (app) => {
      // The trailing newline of the piped password is not part of it.
      const session = await app.inject({ method: 'POST', url: '/v1/session', payload: { email: 'o@acme.example', password: OWNER_PASSWORD } });
      assert.equal(session.statusCode, 200, session.body);
      assert.equal(session.json().organization.id, created.organization.id);
    });
  });

  it('init without --password-stdin -> the owner is invited and the output carries a one-time invite_url', async () => {
    const result = await runCli(['init', '--name', 'Beta', '--owner-email', 'b@beta.example', '--owner-first-name', 'B', '--owner-last-name', 'Eta', '--json'], env);
    assert.equal(result.code, 0, result.stderr);
    const created = JSON.parse(result.stdout);
    assert.equal(created.owner.status, 'invited');
    assert.match(created.invite_url, /^http:\/\/127\.0\.0\.1:3000\/invite#token=[A-Za-z0-9_-]{20,}$/);

    const human = await runCli(['init', '--name', 'Gamma', '--owner-email', 'g@gamma.example', '--owner-first-name', 'G', '--owner-last-name', 'Amma'], env);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /\/invite#token=/);
  });

  it('admins create --password-stdin adds an administrator; admins list --json shows them', async () => {
    const create = await runCli([
      'admins', 'create', '--org', accountNumber, '--email', 'Mel@Acme.example', '--first-name', 'Mel', '--last-name', 'Allen', '--role', 'viewer', '--password-stdin', '--json',
    ], env, 'another long passphrase here\n');
    assert.equal(create.code, 0, create.stderr);
    const added = JSON.parse(create.stdout);
    assert.equal(added.administrator.email, 'mel@acme.example');
    assert.equal(added.administrator.role.id, 'viewer');
    assert.equal(added.administrator.status, 'enabled');
    assert.equal(added.invite_url, null);

    const list = await runCli(['admins', 'list', '--org', accountNumber, '--json'], env);
    assert.equal(list.code, 0, list.stderr);
    const admins = JSON.parse(list.stdout) as { email: string; role: { id: string } }[];
    assert.deepEqual(admins.map((a) => [a.email, a.role.id]), [['o@acme.example', 'owner'], ['mel@acme.example', 'viewer']]);

    const table = await runCli(['admins', 'list', '--org', accountNumber], env);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, new RegExp(`^${accountNumber} ACME CORP\\n`));
    assert.match(table.stdout, /Mel Allen\s+mel@acme\.example\s+Viewer\s+enabled/);
  });

  it('tokens create --json returns an au_pat_ token that authenticates the administrator', async () => {
    const result = await runCli(['tokens', 'create', '--email', 'o@acme.example', '--name', 'ci', '--json'], env);
    assert.equal(result.code, 0, result.stderr);
    const created = JSON.parse(result.stdout);
    assert.match(created.token, /^au_pat_[A-Za-z0-9_-]{20,}$/);
    assert.equal(created.name, 'ci');
    assert.equal(created.expires_at, null);
    await withApp(async (app) => {
      const me = await app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${created.token}` } });
      assert.equal(me.statusCode, 200, me.body);
      assert.equal(me.json().administrator.email, 'o@acme.example');
    });
  });

  it('a bad configuration -> exit 2 and stderr lists every problem at once', async () => {
    const result = await runCli(['migrate'], { ...env, PORT: 'abc', LOG_LEVEL: 'loud' });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /PORT: .*"abc"/);
    assert.match(result.stderr, /LOG_LEVEL: .*"loud"/);
    assert.equal(result.stdout, '');
  });

  it('a weak password -> exit 1, one line, no stack trace, nobody added', async () => {
    const result = await runCli([
      'admins', 'create', '--org', accountNumber, '--email', 'weak@acme.example', '--first-name', 'W', '--last-name', 'Eak', '--password-stdin',
    ], env, 'password\n');
    assertOneLineFailure(result, /password must be at least 15 characters/);
    const list = await runCli(['admins', 'list', '--org', accountNumber, '--json'], env);
    assert.ok(!(JSON.parse(list.stdout) as { email: string }[]).some((a) => a.email === 'weak@acme.example'));
  });

  it('an unknown organization -> exit 1 with one line naming it', async () => {
    assertOneLineFailure(await runCli(['admins', 'list', '--org', '999999999'], env), /No organization "999999999"/);
  });

  it('tokens create for an unknown email -> exit 1 with one line', async () => {
    assertOneLineFailure(await runCli(['tokens', 'create', '--email', 'nobody@acme.example', '--name', 'ci'], env), /No administrator with email/);
  });
});
