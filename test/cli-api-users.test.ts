import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { createDeps } from '../src/cli/create-deps.js';
import { loadConfig } from '../src/config/config.js';
import { buildApp } from '../src/http/app.js';
import { runCli, type CliResult } from './support/cli.js';

/**
 * `apiusers api-users | applications | mail` as an operator runs them: child processes on a temp
 * SQLite file and data folder, stdin not a terminal (so a guarded change never prompts). The two
 * guides' flows: dotdigital (generated name, description, typed password) and Movius (name,
 * email, application, invitation email), then the last-user warning on disable and delete.
 */

const API_USER_PASSWORD = 'Magento-sync-2026!';

/** Exit 0 and the parsed --json output. */
function jsonOf<T = any>(result: CliResult): T {
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as T;
}

/** A failure as the CLI promises it: the exit code, one line on stderr, no stack trace. */
function assertOneLineFailure(result: CliResult, code: number, pattern: RegExp): void {
  assert.equal(result.code, code, result.stderr);
  const [first] = result.stderr.split('\n');
  assert.match(first!, /^error: /);
  assert.match(first!, pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
}

describe('apiusers api-users / applications / mail CLI', () => {
  let dir: string;
  let env: Record<string, string>;
  let org: string;
  let dotdigital: { id: string; username: string };
  let movius: { id: string; username: string };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apiusers-cli-api-users-'));
    env = { DATABASE_URL: join(dir, 'apiusers.db'), DATA_DIR: dir };
    const init = jsonOf(await runCli([
      'init', '--name', 'Acme Corp', '--time-zone', 'America/Chicago', '--owner-email', 'o@acme.example',
      '--owner-first-name', 'Olivia', '--owner-last-name', 'Owner', '--password-stdin', '--json',
    ], env, 'correct horse battery staple\n'));
    org = init.organization.account_number;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const show = async (ref: string) => jsonOf(await runCli(['api-users', 'show', '--org', org, ref, '--json'], env));

  it('--help of every new command -> exit 0, usage and an example', async () => {
    const commands = [
      ['api-users'], ['api-users', 'list'], ['api-users', 'propose'], ['api-users', 'show'], ['api-users', 'create'], ['api-users', 'update'],
      ['api-users', 'disable'], ['api-users', 'enable'], ['api-users', 'delete'], ['api-users', 'resend-invite'],
      ['applications'], ['applications', 'list'], ['applications', 'create'], ['applications', 'delete'], ['mail'], ['mail', 'list'], ['mail', 'show'],
    ];
    const results = await Promise.all(commands.map((c) => runCli([...c, '--help'], env)));
    results.forEach((result, i) => {
      const name = ['apiusers', ...commands[i]!].join(' ');
      assert.equal(result.code, 0, `${name} --help: ${result.stderr}`);
      assert.match(result.stdout, new RegExp(`^Usage: ${name} `), name);
      assert.match(result.stdout, /\nExamples?:\n  \$ .*apiusers /, `${name} has an example`);
    });
  });

  it('create --password-stdin (dotdigital) -> enabled HttpApi user, no email, and it authenticates with that password', async () => {
    const proposed = (await runCli(['api-users', 'propose', '--org', org], env)).stdout.trim();
    assert.match(proposed, /^apiuser-\d{12}@apiconnector\.example$/);
    const created = jsonOf(await runCli([
      'api-users', 'create', '--org', org, '--username', proposed, '--description', 'Magento integration', '--password-stdin', '--json',
    ], env, `${API_USER_PASSWORD}\n`));
    assert.equal(created.api_user.username, proposed);
    assert.equal(created.api_user.status, 'enabled');
    assert.deepEqual(created.api_user.applications.map((a: { key: string }) => a.key), ['httpapi']);
    assert.equal(created.invite_sent, false);
    assert.equal(created.delivery, null);
    dotdigital = { id: created.api_user.id, username: proposed };

    const deps = await createDeps(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { migrate: false });
    const app = await buildApp(deps, { logger: false });
    try {
      // The trailing newline of the piped password is not part of it.
      const basic = Buffer.from(`${proposed}:${API_USER_PASSWORD}`).toString('base64');
      const info = await app.inject({ method: 'GET', url: '/v2/account-info', headers: { authorization: `Basic ${basic}` } });
      assert.equal(info.statusCode, 200, info.body);
      // The last sign-in is written off the request path; wait for it before closing the database.
      for (let i = 0; i < 100; i++) {
        const row = await deps.db.selectFrom('users').select('last_sign_in_at').where('id', '=', dotdigital.id).executeTakeFirstOrThrow();
        if (row.last_sign_in_at) break;
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await app.close();
      await deps.database.destroy();
    }
  });

  it('create without a password (Movius) -> invitation delivered to the local mailbox: mail list shows it, the .eml exists', async () => {
    const created = jsonOf(await runCli([
      'api-users', 'create', '--org', org, '--first-name', 'Melanie', '--last-name', 'Allen', '--email', 'Melanie.Allen@acme.example',
      '--application', 'salesforce', '--json',
    ], env));
    assert.equal(created.api_user.name, 'Melanie Allen');
    assert.deepEqual(created.api_user.applications.map((a: { key: string }) => a.key), ['salesforce']);
    assert.equal(created.invite_sent, true);
    assert.equal(created.delivery.status, 'sent');
    assert.equal(created.delivery.via, 'local_mailbox');
    assert.equal(created.delivery.to, 'melanie.allen@acme.example');
    movius = { id: created.api_user.id, username: created.api_user.username };

    const mail = jsonOf(await runCli(['mail', 'list', '--org', org, '--json'], env));
    const invite = mail.data.find((m: { to: string }) => m.to === 'melanie.allen@acme.example');
    assert.ok(invite, 'the invitation is in the mailbox');
    assert.equal(invite.id, created.delivery.mail_id);
    assert.equal(invite.subject, 'Your API user for Acme Corp');
    assert.ok(invite.file.startsWith(resolve(dir, 'mail')), invite.file);
    assert.ok(existsSync(invite.file), `${invite.file} exists`);
    assert.equal(invite.file, created.delivery.file);
    const eml = await simpleParser(readFileSync(invite.file));
    assert.equal(eml.subject, 'Your API user for Acme Corp');
    assert.ok(eml.text?.includes(`Username: ${movius.username}\n`), eml.text);

    const shown = await runCli(['mail', 'show', '--org', org, invite.id], env);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^Message-ID: <.+@apiusers>\n/);
    assert.match(shown.stdout, /\/reveal#token=[A-Za-z0-9_-]{20,}/);

    const human = await runCli(['mail', 'list', '--org', org], env);
    assert.match(human.stdout, /All the information displayed in US - Central \(C[DS]T\)/);
    assert.match(human.stdout, /melanie\.allen@acme\.example\s+Your API user for Acme Corp/);
  });

  it('list --q -> only the matching user; times in the organization zone under its label, --json in ISO UTC', async () => {
    const found = jsonOf(await runCli(['api-users', 'list', '--org', org, '--q', 'magento', '--json'], env));
    assert.deepEqual(found.data.map((u: { username: string }) => u.username), [dotdigital.username]);
    assert.equal(found.time_zone, 'America/Chicago');
    const signedIn: string = found.data[0].last_sign_in_at;
    assert.match(signedIn, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

    const human = await runCli(['api-users', 'list', '--org', org, '--q', 'magento'], env);
    assert.equal(human.code, 0, human.stderr);
    const lines = human.stdout.split('\n');
    assert.equal(lines[0], `${org} ACME CORP`);
    assert.match(lines[1]!, /^All the information displayed in US - Central \(C[DS]T\)$/);
    assert.match(lines[2]!, /^Username\s+Name\s+Description\s+Status\s+Applications\s+Last sign-in$/);
    const chicago = new Intl.DateTimeFormat('en-US', { timeZone: 'America/Chicago', hour: '2-digit', minute: '2-digit', hour12: true }).format(new Date(signedIn));
    assert.match(lines[4]!, new RegExp(`^${dotdigital.username}\\s+-\\s+Magento integration\\s+enabled\\s+HttpApi\\s+(TODAY|\\w{3} \\d{2}, \\d{4}) ${chicago}$`));
    assert.ok(!human.stdout.includes('Melanie'), 'the other user is filtered out');

    const bySalesforce = jsonOf(await runCli(['api-users', 'list', '--org', org, '--application', 'salesforce', '--json'], env));
    assert.deepEqual(bySalesforce.data.map((u: { id: string }) => u.id), [movius.id]);
  });

  it('disable the only HttpApi user without --yes -> exit 1 with the guide\'s warning and nothing changed; with --yes -> disabled', async () => {
    const refused = await runCli(['api-users', 'disable', '--org', org, dotdigital.username], env);
    assertOneLineFailure(refused, 1, new RegExp(
      `'${dotdigital.username}' is used to connect to 'HttpApi'\\. If you disable this user, the integration with 'HttpApi' will fail\\. Pass --yes`,
    ));
    assert.equal((await show(dotdigital.id)).status, 'enabled');

    const confirmed = await runCli(['api-users', 'disable', '--org', org, dotdigital.username, '--yes'], env);
    assert.equal(confirmed.code, 0, confirmed.stderr);
    assert.match(confirmed.stdout, /^Disabled apiuser-/);
    assert.equal((await show(dotdigital.username)).status, 'disabled');
  });

  it('delete the only enabled HttpApi user without --yes -> exit 1 with the delete warning; with --yes -> gone', async () => {
    jsonOf(await runCli(['api-users', 'enable', '--org', org, dotdigital.id, '--json'], env));
    assertOneLineFailure(await runCli(['api-users', 'delete', '--org', org, dotdigital.username], env), 1,
      /If you delete this user, the integration with 'HttpApi' will fail\. Pass --yes to delete anyway\./);

    const deleted = jsonOf(await runCli(['api-users', 'delete', '--org', org, dotdigital.username, '--yes', '--json'], env));
    assert.deepEqual(deleted, { deleted: true, id: dotdigital.id, username: dotdigital.username });
    assertOneLineFailure(await runCli(['api-users', 'show', '--org', org, dotdigital.id], env), 1, /No API user/);
  });

  it('update --password-stdin then show --json -> no password, hash or secret anywhere in the output', async () => {
    const newPassword = 'Salesforce-link-2026!';
    const updated = jsonOf(await runCli(['api-users', 'update', '--org', org, movius.username, '--description', 'Salesforce sync', '--password-stdin', '--json'], env, newPassword));
    assert.equal(updated.description, 'Salesforce sync');
    const result = await runCli(['api-users', 'show', '--org', org, movius.username, '--json'], env);
    const shown = jsonOf(result);
    assert.equal(shown.id, movius.id);
    assert.ok(!result.stdout.includes(newPassword));
    assert.ok(!result.stdout.includes(API_USER_PASSWORD));
    assert.doesNotMatch(result.stdout, /password|hash|secret|\$argon2/i);
  });

  it('resend-invite -> a second invitation in the local mailbox', async () => {
    const resent = jsonOf(await runCli(['api-users', 'resend-invite', '--org', org, movius.id, '--json'], env));
    assert.equal(resent.delivery.status, 'sent');
    const mail = jsonOf(await runCli(['mail', 'list', '--org', org, '--json'], env));
    assert.equal(mail.data.filter((m: { to: string }) => m.to === 'melanie.allen@acme.example').length, 2);
    assert.equal(mail.data[0].id, resent.delivery.mail_id, 'newest first');
  });

  it('applications create, list, delete -> a custom application comes and goes; built-in ones stay', async () => {
    const created = jsonOf(await runCli(['applications', 'create', '--org', org, '--key', 'acme-portal', '--name', 'Acme Portal', '--json'], env));
    assert.equal(created.kind, 'custom');
    const listed = jsonOf(await runCli(['applications', 'list', '--org', org, '--json'], env));
    assert.deepEqual(listed.data.map((a: { key: string }) => a.key).sort(), ['acme-portal', 'httpapi', 'salesforce']);
    jsonOf(await runCli(['applications', 'delete', '--org', org, 'acme-portal', '--json'], env));
    assertOneLineFailure(await runCli(['applications', 'delete', '--org', org, 'httpapi'], env), 1, /built in/);
  });

  it('bad usage -> exit 2 naming the flag; a refused change -> exit 1, one line', async () => {
    assertOneLineFailure(await runCli(['api-users', 'create', '--org', org, '--email', 'not-an-email'], env), 2, /^error: --email: must match format "email"$/);
    assertOneLineFailure(await runCli(['api-users', 'create', '--org', org, '--first-name', 'Nobody'], env), 2, /--email is needed .* --password-stdin/);
    assertOneLineFailure(await runCli(['api-users', 'update', '--org', org, movius.id], env), 2, /Nothing to change/);
    assertOneLineFailure(await runCli(['applications', 'create', '--org', org, '--key', 'Bad Key', '--name', 'X'], env), 2, /^error: --key: /);
    const badStatus = await runCli(['api-users', 'list', '--org', org, '--status', 'bogus'], env);
    assert.equal(badStatus.code, 2);
    assert.match(badStatus.stderr, /Allowed choices are enabled, disabled/);
    assert.equal((await runCli(['mail', 'list', '--org', org, '--limit', '0'], env)).code, 2);
    assertOneLineFailure(await runCli(['api-users', 'create', '--org', org, '--application', 'nope', '--password-stdin'], env, API_USER_PASSWORD), 1,
      /^error: --application: there is no application "nope"/);
    assertOneLineFailure(await runCli(['api-users', 'create', '--org', org, '--password-stdin'], env, 'short'), 1, /^error: --password-stdin: The password must be at least 8 characters/);
    assertOneLineFailure(await runCli(['api-users', 'show', '--org', org, 'apiuser-000000000000@apiconnector.example'], env), 1, /No API user "apiuser-000000000000@apiconnector\.example"/);
  });
});
