import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import type { Administrator } from '../modules/admins/admin.repository.js';
import { presentAdministrator } from '../modules/admins/admin.schemas.js';
import { createAdministrator, listAdministrators } from '../modules/admins/admin.service.js';
import { organizationDisplayName } from '../modules/organizations/organization.presenter.js';
import { ownerPrincipal, resolveOrganization } from './cli-principal.js';
import { createDeps } from './create-deps.js';
import { print, readStdin, table } from './output.js';

export function registerAdmins(program: Command, env: Record<string, string | undefined>): void {
  const admins = program.command('admins').description('List and add administrators (people) of an organization');

  admins
    .command('list')
    .description('List the administrators of an organization')
    .requiredOption('--org <org>', 'organization id or 9-digit account number')
    .option('--json', 'machine-readable output')
    .action(async (options: { org: string; json?: boolean }) => {
      const deps = await createDeps(loadConfig(env));
      try {
        const org = await resolveOrganization(deps.db, options.org);
        const ctx = { principal: await ownerPrincipal(deps.db, org), requestId: null, ip: null, userAgent: 'apiusers-cli' };
        const rows: Administrator[] = [];
        let after: [string, string] | undefined;
        for (;;) {
          const page = await listAdministrators(deps, ctx, org.id, { kind: 'admin', after, limit: 200 });
          rows.push(...page);
          if (page.length < 200) break;
          after = [page.at(-1)!.createdAt, page.at(-1)!.id];
        }
        print(!!options.json, rows.map(presentAdministrator), () =>
          `${organizationDisplayName(org)}\n` + table(['Name', 'Email', 'Role', 'Status', 'Last sign-in'], rows.map((a) => [
            `${a.firstName} ${a.lastName}`, a.email, a.roleName, a.status, a.lastSignInAt ?? '-',
          ])));
      } finally {
        await deps.database.destroy();
      }
    });

  admins
    .command('create')
    .description('Add an administrator: with --password-stdin ready to sign in, else invited with a one-time link')
    .requiredOption('--org <org>', 'organization id or 9-digit account number')
    .requiredOption('--email <email>', 'email (their sign-in name)')
    .requiredOption('--first-name <name>', 'first name')
    .requiredOption('--last-name <name>', 'last name')
    .option('--role <role>', 'role id (owner excluded): enterprise-super-admin, administrator, viewer or a custom role id', 'administrator')
    .option('--password-stdin', 'read the password from standard input')
    .option('--json', 'machine-readable output')
    .action(async (options: { org: string; email: string; firstName: string; lastName: string; role: string; passwordStdin?: boolean; json?: boolean }) => {
      const password = options.passwordStdin ? await readStdin() : undefined;
      const deps = await createDeps(loadConfig(env));
      try {
        const org = await resolveOrganization(deps.db, options.org);
        const ctx = { principal: await ownerPrincipal(deps.db, org), requestId: null, ip: null, userAgent: 'apiusers-cli' };
        const { administrator, inviteUrl } = await createAdministrator(deps, ctx, org.id, {
          email: options.email, firstName: options.firstName, lastName: options.lastName, roleId: options.role, password,
        });
        print(!!options.json, { administrator: presentAdministrator(administrator), invite_url: inviteUrl }, () =>
          `Added ${administrator.firstName} ${administrator.lastName} <${administrator.email}> as ${administrator.roleName} (${administrator.status}).` +
          (inviteUrl ? `\nSend them this one-time link to choose a password (valid 7 days):\n  ${inviteUrl}` : ''));
      } finally {
        await deps.database.destroy();
      }
    });
}
