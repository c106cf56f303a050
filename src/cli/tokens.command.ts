import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { findAdministratorByEmail } from '../modules/admins/admin.repository.js';
import { normalizeEmail } from '../modules/admins/admin.service.js';
import { createAccessToken } from '../modules/tokens/access-token.service.js';
import { CliError, print } from './output.js';
import { createDeps } from './create-deps.js';

export function registerTokens(program: Command, env: Record<string, string | undefined>): void {
  const tokens = program.command('tokens').description('Personal access tokens for the REST API');
  tokens
    .command('create')
    .description("Create a personal access token for an administrator; it acts with that administrator's role")
    .requiredOption('--email <email>', 'the administrator the token belongs to')
    .requiredOption('--name <name>', 'what the token is for, e.g. "ci pipeline"')
    .option('--expires-in-days <days>', 'lifetime in days (1-366); no expiry when omitted', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 366) throw new CliError(`--expires-in-days must be a whole number from 1 to 366, not "${v}"`, 2);
      return n;
    })
    .option('--json', 'machine-readable output')
    .action(async (options: { email: string; name: string; expiresInDays?: number; json?: boolean }) => {
      const deps = await createDeps(loadConfig(env));
      try {
        const admin = await findAdministratorByEmail(deps.db, normalizeEmail(options.email));
        if (!admin) throw new CliError(`No administrator with email ${options.email}.`);
        if (admin.status !== 'enabled') throw new CliError(`${admin.email} is ${admin.status}; tokens are for enabled administrators.`);
        const ctx = { principal: null, requestId: null, ip: null, userAgent: 'apiusers-cli' };
        const { token, info } = await createAccessToken(deps, ctx, { name: options.name, expiresInDays: options.expiresInDays }, { userId: admin.id, organizationId: admin.organizationId });
        print(!!options.json, { id: info.id, name: info.name, hint: info.hint, expires_at: info.expiresAt, token }, () =>
          `${token}\n\nThis is the only time the token is shown. Use it as: Authorization: Bearer <token>\n(expires: ${info.expiresAt ?? 'never'})`);
      } finally {
        await deps.database.destroy();
      }
    });
}
