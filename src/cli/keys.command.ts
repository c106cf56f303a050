import type { Command } from 'commander';
import type { ApiKey } from '../modules/api-keys/api-key.repository.js';
import { createApiKey, listApiKeys, revokeApiKey, rollApiKey } from '../modules/api-keys/api-key.service.js';
import { findApiUserByRef } from './api-user-ref.js';
import { CliError, print, table } from './output.js';
import { runAsOwner } from './owner-session.js';

function parseTime(flag: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new CliError(`${flag} must be an ISO 8601 time such as 2027-06-30T00:00:00Z, not "${value}"`, 2);
  return date;
}

function keyJson(k: ApiKey) {
  return {
    id: k.id, name: k.name, hint: k.hint, expires_at: k.expiresAt, revoked_at: k.revokedAt, replaced_by: k.replacedBy,
    last_used_at: k.lastUsedAt, last_used_ip: k.lastUsedIp, last_used_application: k.lastUsedApplication, created_at: k.createdAt,
  };
}

const SHOWN_ONCE = 'This is the only time the key is shown. Integrations send it as: Authorization: Bearer <key>  (or X-API-Key: <key>)';

/** `apiusers keys create|list|roll|revoke`: an API user's API keys, with the same rules as the REST API. */
export function registerKeys(program: Command, env: Record<string, string | undefined>): void {
  const keys = program.command('keys').description("An API user's API keys: create (shown once), list, roll without downtime, revoke");

  keys.command('create')
    .description('Create an API key for an API user and print it once')
    .requiredOption('--org <org>', 'organization id or 9-digit account number')
    .argument('<api-user>', 'API user id or username (apiuser-…@…)')
    .requiredOption('--name <name>', 'what the key is for, e.g. "magento production"')
    .option('--expires-at <time>', 'ISO 8601 time when the key stops working')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  apiusers keys create --org 952442891 apiuser-038271645590@apiconnector.example --name "magento production"')
    .action(async (ref: string, options: { org: string; name: string; expiresAt?: string; json?: boolean }) => {
      const expiresAt = parseTime('--expires-at', options.expiresAt);
      await runAsOwner(env, options.org, async (session) => {
        const user = await findApiUserByRef(session, ref);
        const { key, apiKey } = await createApiKey(session.deps, session.ctx, session.org.id, user.id, { name: options.name, expiresAt: expiresAt ?? null });
        print(!!options.json, { ...keyJson(apiKey), key }, () => `${key}\n\n${SHOWN_ONCE}\n(name: ${apiKey.name}, expires: ${apiKey.expiresAt ?? 'never'})`);
      });
    });

  keys.command('list')
    .description("List an API user's keys with hint, status, expiry and last use (never the secrets)")
    .requiredOption('--org <org>', 'organization id or 9-digit account number')
    .argument('<api-user>', 'API user id or username')
    .option('--json', 'machine-readable output')
    .action(async (ref: string, options: { org: string; json?: boolean }) => {
      await runAsOwner(env, options.org, async (session) => {
        const user = await findApiUserByRef(session, ref);
        const rows = await listApiKeys(session.deps, session.ctx, session.org.id, user.id);
        const now = session.deps.clock.now().toISOString();
        const status = (k: ApiKey) => (k.revokedAt ? 'revoked' : k.expiresAt && k.expiresAt <= now ? 'expired' : k.replacedBy ? `expiring ${k.expiresAt}` : 'active');
        print(!!options.json, rows.map(keyJson), () => rows.length === 0 ? `${user.username} has no API keys.` : table(
          ['Id', 'Name', 'Hint', 'Status', 'Expires', 'Last used'],
          rows.map((k) => [k.id, k.name, k.hint, status(k), k.expiresAt ?? '-', k.lastUsedAt ? `${k.lastUsedAt} (${k.lastUsedApplication ?? '?'})` : 'never']),
        ));
      });
    });

  keys.command('roll')
    .description('Create a replacement key now; the old one keeps working until --old-valid-until (default 24 h)')
    .requiredOption('--org <org>', 'organization id or 9-digit account number')
    .argument('<api-user>', 'API user id or username')
    .argument('<key-id>', 'the id of the key to replace (see keys list)')
    .option('--old-valid-until <time>', 'ISO 8601 time until which the old key keeps working')
    .option('--json', 'machine-readable output')
    .action(async (ref: string, keyId: string, options: { org: string; oldValidUntil?: string; json?: boolean }) => {
      const until = parseTime('--old-valid-until', options.oldValidUntil);
      await runAsOwner(env, options.org, async (session) => {
        const user = await findApiUserByRef(session, ref);
        const { key, apiKey, previous } = await rollApiKey(session.deps, session.ctx, session.org.id, user.id, keyId, { oldKeyValidUntil: until });
        print(!!options.json, { ...keyJson(apiKey), key, previous: keyJson(previous) }, () =>
          `${key}\n\n${SHOWN_ONCE}\nThe old key ${previous.hint} keeps working until ${previous.expiresAt}.`);
      });
    });

  keys.command('revoke')
    .description('Revoke a key: refused on its next use')
    .requiredOption('--org <org>', 'organization id or 9-digit account number')
    .argument('<api-user>', 'API user id or username')
    .argument('<key-id>', 'the id of the key (see keys list)')
    .option('--json', 'machine-readable output')
    .action(async (ref: string, keyId: string, options: { org: string; json?: boolean }) => {
      await runAsOwner(env, options.org, async (session) => {
        const user = await findApiUserByRef(session, ref);
        await revokeApiKey(session.deps, session.ctx, session.org.id, user.id, keyId);
        print(!!options.json, { revoked: keyId }, () => `Revoked key ${keyId} of ${user.username}.`);
      });
    });
}
