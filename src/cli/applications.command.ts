import type { Command } from 'commander';
import { Type } from 'typebox';
import type { Application } from '../modules/applications/application.repository.js';
import { ApplicationKey, presentApplication } from '../modules/applications/application.schemas.js';
import { createApplication, deleteApplication, listApplications } from '../modules/applications/application.service.js';
import { organizationDisplayName } from '../modules/organizations/organization.presenter.js';
import { definedOnly, ORG_HELP } from './api-user-text.js';
import { assertValidBody } from './flag-validation.js';
import { CliError, print, table } from './output.js';
import { runAsOwner, type OwnerSession } from './owner-session.js';

type Env = Record<string, string | undefined>;

// The body of POST …/applications (application.routes.ts keeps its name and description rules private).
const NewApplicationBody = Type.Object({
  key: ApplicationKey,
  name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
  description: Type.Optional(Type.String({ maxLength: 500 })),
}, { additionalProperties: false });

async function findApplicationByRef({ deps, org, ctx }: OwnerSession, ref: string): Promise<Application> {
  const all = await listApplications(deps, ctx, org.id);
  const match = all.find((a) => a.key === ref.toLowerCase() || a.id === ref.toLowerCase());
  if (!match) throw new CliError(`No application "${ref}" in ${org.accountNumber}. Known: ${all.map((a) => a.key).join(', ')}`);
  return match;
}

/** `apiusers applications …`: the external applications API users connect as. */
export function registerApplications(program: Command, env: Env): void {
  const applications = program.command('applications')
    .description('List, add and delete the external applications API users connect as (HttpApi, Salesforce, custom)')
    .addHelpText('after', '\nExample:\n  $ apiusers applications create --org 952442891 --key acme-portal --name "Acme Portal"');

  applications
    .command('list')
    .description('List the external applications of an organization')
    .requiredOption('--org <org>', ORG_HELP)
    .option('--json', 'machine-readable output, as GET …/applications')
    .addHelpText('after', '\nExample:\n  $ apiusers applications list --org 952442891')
    .action((options: { org: string; json?: boolean }) => runAsOwner(env, options.org, async ({ deps, org, ctx }) => {
      const rows = await listApplications(deps, ctx, org.id);
      print(!!options.json, { data: rows.map(presentApplication) }, () =>
        `${organizationDisplayName(org)}\n` + table(['Key', 'Name', 'Kind', 'Description'], rows.map((a) => [a.key, a.name, a.kind.replace('_', '-'), a.description])));
    }));

  applications
    .command('create')
    .description('Add a custom application, e.g. your own app built on the platform; API users then connect with X-Application: <key>')
    .requiredOption('--org <org>', ORG_HELP)
    .requiredOption('--key <key>', 'lower-case identifier sent in X-Application, e.g. acme-portal')
    .requiredOption('--name <name>', 'display name, e.g. "Acme Portal"')
    .option('--description <text>', 'what the application is')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ apiusers applications create --org 952442891 --key acme-portal --name "Acme Portal" --description "Our customer portal"')
    .action((options: { org: string; key: string; name: string; description?: string; json?: boolean }) => {
      const body = definedOnly({ key: options.key, name: options.name, description: options.description });
      assertValidBody(NewApplicationBody, body, { key: '--key', name: '--name', description: '--description' });
      return runAsOwner(env, options.org, async ({ deps, org, ctx }) => {
        const created = await createApplication(deps, ctx, org.id, { key: options.key, name: options.name, description: options.description });
        print(!!options.json, presentApplication(created), () => `Added ${created.name} (key ${created.key}). Assign it with: apiusers api-users update --org ${org.accountNumber} <user> --application ${created.key}`);
      });
    });

  applications
    .command('delete')
    .description('Delete a custom application; refused while API users connect as it, and for the built-in ones')
    .argument('<application>', 'application key or id')
    .requiredOption('--org <org>', ORG_HELP)
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ apiusers applications delete --org 952442891 acme-portal')
    .action((ref: string, options: { org: string; json?: boolean }) => runAsOwner(env, options.org, async (session) => {
      const app = await findApplicationByRef(session, ref);
      await deleteApplication(session.deps, session.ctx, session.org.id, app.id, app.version);
      print(!!options.json, { deleted: true, id: app.id, key: app.key }, () => `Deleted ${app.name} (key ${app.key}).`);
    }));
}
