import { Option, type Command } from 'commander';
import { Type } from 'typebox';
import { NewApiUserBody, presentApiUser } from '../modules/api-users/api-user.schemas.js';
import { createApiUser, proposeApiUsername, resendApiUserInvite } from '../modules/api-users/api-user.service.js';
import { DirectoryQuerySchema } from '../modules/directory/directory.schemas.js';
import { listDirectoryPage } from '../modules/directory/directory.service.js';
import { organizationDisplayName } from '../modules/organizations/organization.presenter.js';
import { registerApiUserChanges } from './api-user-changes.command.js';
import { findApiUserByRef } from './api-user-ref.js';
import { API_USER_FLAGS, apiUserDetails, apiUserLabel, applicationNames, collect, definedOnly, ORG_HELP } from './api-user-text.js';
import { deliverQueuedMail, describeDelivery, type MailDelivery } from './deliver-queued-mail.js';
import { assertValidBody, inFlagTerms } from './flag-validation.js';
import { CliError, print, readStdin, table } from './output.js';
import { runAsOwner } from './owner-session.js';
import { formatInZone, timeZoneBanner } from './zoned-time.js';

type Env = Record<string, string | undefined>;

interface ListOptions { org: string; q?: string; status?: 'enabled' | 'disabled'; application?: string; json?: boolean }
interface CreateOptions {
  org: string; username?: string; firstName?: string; lastName?: string; email?: string; description?: string;
  application?: string[]; disabled?: boolean; passwordStdin?: boolean; json?: boolean;
}

const ListQuery = Type.Object({ q: DirectoryQuerySchema.q, status: DirectoryQuerySchema.status, application: DirectoryQuerySchema.application });

function registerList(apiUsers: Command, env: Env): void {
  apiUsers
    .command('list')
    .description('List and search the API users of an organization (Settings > Access > API users), times in its time zone')
    .requiredOption('--org <org>', ORG_HELP)
    .option('--q <text>', 'search: part of the name, username, email or description')
    .addOption(new Option('--status <status>', 'only enabled or only disabled users').choices(['enabled', 'disabled']))
    .option('--application <key>', 'only users connecting as this application, e.g. salesforce')
    .option('--json', 'machine-readable output (times in ISO 8601 UTC, as the API)')
    .addHelpText('after', '\nExample:\n  $ apiusers api-users list --org 952442891 --q magento --status enabled')
    .action((options: ListOptions) => runAsOwner(env, options.org, async ({ deps, org, ctx }) => {
      const query = definedOnly({ q: options.q, status: options.status, application: options.application });
      assertValidBody(ListQuery, query, { q: '--q', status: '--status', application: '--application' });
      const first = await listDirectoryPage(deps, ctx, org.id, 'api-users:read', 'api', { ...query, limit: 200 });
      const data = [...first.data];
      for (let cursor = first.next_cursor; cursor !== null;) {
        const page = await listDirectoryPage(deps, ctx, org.id, 'api-users:read', 'api', { ...query, limit: 200, cursor });
        data.push(...page.data);
        cursor = page.next_cursor;
      }
      const now = deps.clock.now();
      print(!!options.json, { data, time_zone: first.time_zone, time_zone_label: first.time_zone_label }, () => [
        organizationDisplayName(org),
        timeZoneBanner(org, now),
        table(['Username', 'Name', 'Description', 'Status', 'Applications', 'Last sign-in'], data.map((u) => [
          u.username ?? '-', `${u.first_name} ${u.last_name}`.trim() || '-', u.description || '-', u.status,
          applicationNames(u), formatInZone(u.last_sign_in_at, org.timeZone, now),
        ])),
        data.length === 0 ? 'No API users match.' : `${data.length} API user(s)`,
      ].join('\n'));
    }));
}

function registerPropose(apiUsers: Command, env: Env): void {
  apiUsers
    .command('propose')
    .description('Propose a fresh generated username to accept with create --username (dotdigital: "Accept the randomly-generated Email address")')
    .requiredOption('--org <org>', ORG_HELP)
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ apiusers api-users create --org 952442891 --username "$(apiusers api-users propose --org 952442891)" --description Magento --password-stdin')
    .action((options: { org: string; json?: boolean }) => runAsOwner(env, options.org, async ({ deps, org, ctx }) => {
      const username = await proposeApiUsername(deps, ctx, org.id);
      print(!!options.json, { username, status: 'enabled', applications: ['httpapi'] }, () => username);
    }));
}

function registerShow(apiUsers: Command, env: Env): void {
  apiUsers
    .command('show')
    .description('Show one API user (the Details panel); never a password')
    .argument('<user>', 'API user id or username')
    .requiredOption('--org <org>', ORG_HELP)
    .option('--json', 'machine-readable output, as GET …/api-users/{id}')
    .addHelpText('after', '\nExample:\n  $ apiusers api-users show --org 952442891 apiuser-038271645590@apiconnector.example')
    .action((ref: string, options: { org: string; json?: boolean }) => runAsOwner(env, options.org, async (session) => {
      const user = await findApiUserByRef(session, ref);
      const now = session.deps.clock.now();
      print(!!options.json, presentApiUser(user, session.org, now), () => apiUserDetails(user, session.org, now));
    }));
}

function registerCreate(apiUsers: Command, env: Env): void {
  apiUsers
    .command('create')
    .description('Create an API user: with --password-stdin it can authenticate at once (dotdigital); without, an invitation is emailed to --email (Movius)')
    .requiredOption('--org <org>', ORG_HELP)
    .option('--username <name>', 'a name from `api-users propose`; generated when omitted')
    .option('--first-name <name>', 'first name')
    .option('--last-name <name>', 'last name')
    .option('--email <email>', 'contact address the invitation goes to (required without --password-stdin)')
    .option('--description <text>', 'how the account is used, e.g. "Magento integration"')
    .option('--application <key>', 'external application it connects as; repeat for several (default: httpapi)', collect)
    .option('--disabled', 'create it disabled (default: enabled)')
    .option('--password-stdin', 'read the password from standard input; it is its own confirmation')
    .option('--json', 'machine-readable output')
    .addHelpText('after', [
      '', 'Examples:',
      "  $ echo 'Magento-sync-2026!' | apiusers api-users create --org 952442891 --description 'Magento integration' --password-stdin",
      '  $ apiusers api-users create --org 952442891 --first-name Melanie --last-name Allen --email melanie.allen@acme.example --application salesforce',
    ].join('\n'))
    .action(async (options: CreateOptions) => {
      const password = options.passwordStdin ? await readStdin() : undefined;
      const body = definedOnly({
        username: options.username, first_name: options.firstName, last_name: options.lastName, email: options.email,
        description: options.description, status: options.disabled ? ('disabled' as const) : undefined, applications: options.application,
        password, password_confirmation: password,
      });
      if (password === undefined && !body.email) {
        throw new CliError('--email is needed to send the invitation with the password; or pass --password-stdin to type the password instead.', 2);
      }
      assertValidBody(NewApiUserBody, { ...body }, API_USER_FLAGS);
      await runAsOwner(env, options.org, async (session) => {
        const { deps, org, ctx } = session;
        const { apiUser, inviteSent } = await createApiUser(deps, ctx, org.id, {
          username: body.username, firstName: body.first_name, lastName: body.last_name, email: body.email, description: body.description,
          status: body.status, applications: body.applications, password, passwordConfirmation: password,
        }).catch((error: unknown) => Promise.reject(inFlagTerms(error, API_USER_FLAGS)));
        const delivery: MailDelivery | null = inviteSent ? await deliverQueuedMail(session, apiUser.email!) : null;
        print(!!options.json, { api_user: presentApiUser(apiUser, org, deps.clock.now()), invite_sent: inviteSent, delivery }, () =>
          `Created API user ${apiUserLabel(apiUser)} in ${organizationDisplayName(org)}: ${apiUser.status}, connects as ${applicationNames(apiUser)}.\n` +
          (delivery ? describeDelivery(delivery, org.accountNumber) : 'It can authenticate now with the password you typed (HTTP Basic; test with GET /v2/account-info).'));
      });
    });
}

function registerResendInvite(apiUsers: Command, env: Env): void {
  apiUsers
    .command('resend-invite')
    .description('Movius "Resend Invite": email a new one-time link to the password (the previous link stops working)')
    .argument('<user>', 'API user id or username')
    .requiredOption('--org <org>', ORG_HELP)
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ apiusers api-users resend-invite --org 952442891 apiuser-038271645590@apiconnector.example')
    .action((ref: string, options: { org: string; json?: boolean }) => runAsOwner(env, options.org, async (session) => {
      const { deps, org, ctx } = session;
      const found = await findApiUserByRef(session, ref);
      const user = await resendApiUserInvite(deps, ctx, org.id, found.id);
      const delivery = await deliverQueuedMail(session, user.email!);
      print(!!options.json, { api_user: presentApiUser(user, org, deps.clock.now()), invite_sent: true, delivery }, () =>
        describeDelivery(delivery, org.accountNumber));
    }));
}

/** `apiusers api-users …`: the API users of an organization, through the same services as the REST API. */
export function registerApiUsers(program: Command, env: Env): void {
  const apiUsers = program.command('api-users')
    .description('List, create, edit, disable and delete API users (acting as the Account owner)')
    .addHelpText('after', '\nExamples:\n  $ apiusers api-users list --org 952442891\n  $ apiusers api-users delete --org 952442891 apiuser-038271645590@apiconnector.example --yes');
  registerList(apiUsers, env);
  registerPropose(apiUsers, env);
  registerShow(apiUsers, env);
  registerCreate(apiUsers, env);
  registerApiUserChanges(apiUsers, env);
  registerResendInvite(apiUsers, env);
}
