import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { describeSigningKeys, MAX_ACCESS_TOKEN_MINUTES, REMOVAL_GRACE_MINUTES, rotateSigningKey } from '../modules/oauth/signing-key.service.js';
import { createDeps } from './create-deps.js';
import { print, table } from './output.js';

type Env = Record<string, string | undefined>;

/** `apiusers signing-keys list|rotate`: the keys that sign OAuth access tokens, on the local database. @example registerSigningKeys(program, process.env); */
export function registerSigningKeys(program: Command, env: Env): void {
  const keys = program.command('signing-keys').description('The ES256 keys that sign OAuth access tokens (published at /.well-known/jwks.json)');

  keys
    .command('list')
    .description('List signing keys: active, retired (still published) and removed')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      const deps = await createDeps(loadConfig(env));
      try {
        const list = await describeSigningKeys(deps);
        print(!!options.json, { data: list }, () => list.length === 0
          ? 'No signing key yet: the first is made when the server issues its first token or serves the JWKS.'
          : table(['Kid', 'Algorithm', 'State', 'Created', 'Retired', 'Leaves the JWKS'], list.map((k) => [
            k.kid, k.algorithm, k.state, k.created_at, k.retired_at ?? '-', k.remove_after ?? '-',
          ])));
      } finally {
        await deps.database.destroy();
      }
    });

  keys
    .command('rotate')
    .description(`Make a new active key now; the old one keeps verifying tokens for ${MAX_ACCESS_TOKEN_MINUTES + REMOVAL_GRACE_MINUTES} minutes, then leaves the JWKS`)
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      const deps = await createDeps(loadConfig(env));
      try {
        const rotated = (await rotateSigningKey(deps))!;
        print(!!options.json, { kid: rotated.key.id, algorithm: rotated.key.algorithm, created_at: rotated.key.created_at, retired: rotated.retired }, () =>
          `New signing key ${rotated.key.id} is active (running servers sign with it within 5 seconds); ${rotated.retired} old key(s) retired, published until their tokens have expired.`);
      } finally {
        await deps.database.destroy();
      }
    });
}
