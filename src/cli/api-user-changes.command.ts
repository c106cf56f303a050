import type { Command } from 'commander';
import { deleteApiUser, updateApiUser } from '../modules/api-users/api-user-change.service.js';
import { ApiUserChangesBody, presentApiUser } from '../modules/api-users/api-user.schemas.js';
import { findApiUserByRef } from './api-user-ref.js';
import { API_USER_FLAGS, apiUserDetails, apiUserLabel, collect, definedOnly, ORG_HELP } from './api-user-text.js';
import { confirmLastUser } from './confirm-last-user.js';
import { assertValidBody, inFlagTerms } from './flag-validation.js';
import { CliError, print, readStdin } from './output.js';
import { runAsOwner } from './owner-session.js';

type Env = Record<string, string | undefined>;

interface UpdateOptions {
  org: string; firstName?: string; lastName?: string; email?: string | false; description?: string;
  application?: string[]; passwordStdin?: boolean; yes?: boolean; json?: boolean;
}

const YES_HELP = 'go ahead even if this leaves an external application without an enabled API user (no prompt)';

function registerUpdate(apiUsers: Command, env: Env): void {
  apiUsers
    .command('update')
    .description('Edit personal details, description, applications or password (Movius "Edit"); the username never changes')
    .argument('<user>', 'API user id or username')
    .requiredOption('--org <org>', ORG_HELP)
    .option('--first-name <name>', 'first name')
    .option('--last-name <name>', 'last name')
    .option('--email <email>', 'contact address for invitations')
    .option('--no-email', 'remove the contact address')
    .option('--description <text>', 'how the account is used')
    .option('--application <key>', 'the applications it connects as, replacing the current ones; repeat for several', collect)
    .option('--password-stdin', 'set a new password read from standard input')
    .option('--yes', YES_HELP)
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ apiusers api-users update --org 952442891 apiuser-038271645590@apiconnector.example --description "Magento 2" --application httpapi --application salesforce')
    .action(async (ref: string, options: UpdateOptions) => {
      const password = options.passwordStdin ? await readStdin() : undefined;
      const body = definedOnly({
        first_name: options.firstName, last_name: options.lastName, email: options.email === false ? null : options.email,
        description: options.description, applications: options.application, password, password_confirmation: password,
      });
      if (Object.keys(body).length === 0) {
        throw new CliError('Nothing to change: pass --first-name, --last-name, --email, --no-email, --description, --application or --password-stdin.', 2);
      }
      assertValidBody(ApiUserChangesBody, { ...body }, API_USER_FLAGS);
      await runAsOwner(env, options.org, async (session) => {
        const { deps, org, ctx } = session;
        const user = await findApiUserByRef(session, ref);
        const changes = {
          firstName: body.first_name, lastName: body.last_name, email: body.email, description: body.description,
          applications: body.applications, password, passwordConfirmation: password,
        };
        const updated = await confirmLastUser(
          (confirmed) => updateApiUser(deps, ctx, org.id, user.id, user.version, changes, confirmed),
          { yes: options.yes, verb: 'remove it' },
        ).catch((error: unknown) => Promise.reject(inFlagTerms(error, API_USER_FLAGS)));
        const now = deps.clock.now();
        print(!!options.json, presentApiUser(updated, org, now), () => `Updated.\n${apiUserDetails(updated, org, now)}`);
      });
    });
}

function registerStatusChange(apiUsers: Command, env: Env, status: 'enabled' | 'disabled'): void {
  const verb = status === 'enabled' ? 'enable' : 'disable';
  apiUsers
    .command(verb)
    .description(status === 'enabled'
      ? 'Enable an API user: it can authenticate again with its password'
      : 'Disable an API user: its calls are refused until it is enabled again; guarded like delete')
    .argument('<user>', 'API user id or username')
    .requiredOption('--org <org>', ORG_HELP)
    .option('--yes', YES_HELP)
    .option('--json', 'machine-readable output')
    .addHelpText('after', `\nExample:\n  $ apiusers api-users ${verb} --org 952442891 apiuser-038271645590@apiconnector.example${status === 'disabled' ? ' --yes' : ''}`)
    .action((ref: string, options: { org: string; yes?: boolean; json?: boolean }) => runAsOwner(env, options.org, async (session) => {
      const { deps, org, ctx } = session;
      const user = await findApiUserByRef(session, ref);
      // Already there: no change, no version bump, no audit entry.
      const result = user.status === status ? user : await confirmLastUser(
        (confirmed) => updateApiUser(deps, ctx, org.id, user.id, user.version, { status }, confirmed),
        { yes: options.yes, verb },
      );
      print(!!options.json, presentApiUser(result, org, deps.clock.now()), () =>
        user.status === status ? `${user.username} is already ${status}.` : `${verb === 'enable' ? 'Enabled' : 'Disabled'} ${apiUserLabel(user)}.`);
    }));
}

function registerDelete(apiUsers: Command, env: Env): void {
  apiUsers
    .command('delete')
    .description('Delete an API user and its credentials (Movius "Delete"); asks first when it is the only API user of an application')
    .argument('<user>', 'API user id or username')
    .requiredOption('--org <org>', ORG_HELP)
    .option('--yes', YES_HELP)
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ apiusers api-users delete --org 952442891 apiuser-038271645590@apiconnector.example --yes')
    .action((ref: string, options: { org: string; yes?: boolean; json?: boolean }) => runAsOwner(env, options.org, async (session) => {
      const { deps, org, ctx } = session;
      const user = await findApiUserByRef(session, ref);
      await confirmLastUser((confirmed) => deleteApiUser(deps, ctx, org.id, user.id, user.version, confirmed), { yes: options.yes, verb: 'delete' });
      print(!!options.json, { deleted: true, id: user.id, username: user.username }, () =>
        `Deleted ${apiUserLabel(user)}; it can no longer call the API.`);
    }));
}

/** The changes the Movius Edit screen makes, each guarded by the last-user rule where it applies. */
export function registerApiUserChanges(apiUsers: Command, env: Env): void {
  registerUpdate(apiUsers, env);
  registerStatusChange(apiUsers, env, 'disabled');
  registerStatusChange(apiUsers, env, 'enabled');
  registerDelete(apiUsers, env);
}
