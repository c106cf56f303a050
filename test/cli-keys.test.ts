import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseCredential } from '../src/lib/credential-format.js';
import { runCli, seedWithCli } from './support/cli.js';

/** `apiusers keys create|list|roll|revoke` as an operator runs them, on a temp SQLite file. */

describe('apiusers keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'apiusers-cli-keys-'));
  const env = { DATA_DIR: dir, DATABASE_URL: join(dir, 'apiusers.db') };
  let org: string;
  let username: string;

  before(async () => {
    ({ org, username } = await seedWithCli(env));
    assert.match(username, /^apiuser-\d{12}@/);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('create prints a well-formed key once; list shows its hint and never the key; roll keeps the old one until the given time; revoke', async () => {
    const created = await runCli(['keys', 'create', '--org', org, username, '--name', 'magento production', '--json'], env);
    assert.equal(created.code, 0, created.stderr);
    const { key, id, hint } = JSON.parse(created.stdout);
    assert.ok(parseCredential(key), key);
    assert.ok(key.startsWith('au_key_'));

    const listed = await runCli(['keys', 'list', '--org', org, username], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(listed.stdout.includes(hint));
    assert.ok(!listed.stdout.includes(key), 'the secret is never listed');

    const until = new Date(Date.now() + 3600_000).toISOString();
    const rolled = await runCli(['keys', 'roll', '--org', org, username, id, '--old-valid-until', until, '--json'], env);
    assert.equal(rolled.code, 0, rolled.stderr);
    const roll = JSON.parse(rolled.stdout);
    assert.notEqual(roll.key, key);
    assert.equal(roll.previous.expires_at, until);

    const revoked = await runCli(['keys', 'revoke', '--org', org, username, roll.id], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    const after = JSON.parse((await runCli(['keys', 'list', '--org', org, username, '--json'], env)).stdout) as Array<{ id: string; revoked_at: string | null }>;
    assert.ok(after.find((k) => k.id === roll.id)?.revoked_at);
  });

  it('a bad --expires-at -> exit 2; an unknown key to revoke -> exit 1 with one line', async () => {
    const bad = await runCli(['keys', 'create', '--org', org, username, '--name', 'x', '--expires-at', 'next tuesday'], env);
    assert.equal(bad.code, 2, bad.stderr);
    const unknown = await runCli(['keys', 'revoke', '--org', org, username, '01a21300-0000-7000-8000-000000000000'], env);
    assert.equal(unknown.code, 1, unknown.stderr);
    assert.match(unknown.stderr, /^error: /);
    assert.doesNotMatch(unknown.stderr, /\n\s+at /);
  });
});
