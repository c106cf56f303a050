import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { systemContext } from '../http/request-context.js';
import { adminInviteUrl, insertAdministrator } from '../modules/admins/admin.service.js';
import { presentOrganization } from '../modules/organizations/organization.presenter.js';
import { createOrganization } from '../modules/organizations/organization.service.js';
import { BUILT_IN_ROLE } from '../modules/roles/privileges.js';
import { createDeps } from './create-deps.js';
import { print, readStdin } from './output.js';

interface InitOptions {
  name: string;
  timeZone: string;
  ownerEmail: string;
  ownerFirstName: string;
  ownerLastName: string;
  passwordStdin?: boolean;
  json?: boolean;
}

/** `apiusers init`: create an organization and its Account owner without a browser (for scripts). */
export function registerInit(program: Command, env: Record<string, string | undefined>): void {
  program
    .command('init')
    .description('Create an organization and its Account owner (non-interactive; works on a database that already has organizations too)')
    .requiredOption('--name <name>', 'organization name, e.g. "Acme Corp"')
    .option('--time-zone <zone>', 'IANA time zone', 'UTC')
    .requiredOption('--owner-email <email>', "the Account owner's email")
    .requiredOption('--owner-first-name <name>', "the owner's first name")
    .requiredOption('--owner-last-name <name>', "the owner's last name")
    .option('--password-stdin', "read the owner's password from standard input; without it the owner gets a one-time invitation link")
    .option('--json', 'machine-readable output')
    .action(async (options: InitOptions) => {
      const password = options.passwordStdin ? await readStdin() : undefined;
      const deps = await createDeps(loadConfig(env));
      try {
        const ctx = systemContext('apiusers-cli');
        const result = await deps.db.transaction().execute(async (trx) => {
          const organization = await createOrganization(trx, deps.clock, ctx, { name: options.name, timeZone: options.timeZone }, '--');
          const owner = await insertAdministrator(trx, deps, ctx, organization.id, {
            email: options.ownerEmail, firstName: options.ownerFirstName, lastName: options.ownerLastName, roleId: BUILT_IN_ROLE.owner, password,
          });
          return { organization, owner };
        });
        const inviteUrl = result.owner.inviteToken ? adminInviteUrl(deps.config.publicUrl, result.owner.inviteToken) : null;
        const org = presentOrganization(result.organization, deps.clock.now());
        print(!!options.json, { organization: org, owner: { id: result.owner.administrator.id, email: result.owner.administrator.email, status: result.owner.administrator.status }, invite_url: inviteUrl }, () =>
          `Created ${org.display_name} (id ${org.id}, ${org.time_zone_label}).\nAccount owner: ${result.owner.administrator.email}` +
          (inviteUrl ? `\nThe owner sets a password with this one-time link (valid 7 days):\n  ${inviteUrl}` : ' (can sign in now)'));
      } finally {
        await deps.database.destroy();
      }
    });
}
