import type { Command } from 'commander';
import type { MailMessage } from '../modules/mail/mail-message.repository.js';
import { listMail } from '../modules/mail/mail.service.js';
import { organizationDisplayName } from '../modules/organizations/organization.presenter.js';
import { ORG_HELP } from './api-user-text.js';
import { mailboxFiles } from './mailbox-files.js';
import { CliError, print, table } from './output.js';
import { runAsOwner, type OwnerSession } from './owner-session.js';
import { formatInZone, timeZoneBanner } from './zoned-time.js';

type Env = Record<string, string | undefined>;

/** As GET …/mail shows a message, plus the .eml file the local mailbox wrote. */
function presentMessage(m: MailMessage, file: string | null) {
  return { id: m.id, message_id: m.messageId, to: m.to, subject: m.subject, text: m.text, created_at: m.createdAt, file };
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 200) throw new CliError(`--limit must be a whole number from 1 to 200, not "${value}"`, 2);
  return n;
}

/** The mailbox is small (development and trials), so a lookup by id walks it newest first. */
async function findMessage({ deps, org, ctx }: OwnerSession, id: string): Promise<MailMessage> {
  let before: [string, string] | undefined;
  for (;;) {
    const page = await listMail(deps, ctx, { organizationId: org.id, before, limit: 200 });
    const match = page.find((m) => m.id === id.toLowerCase());
    if (match) return match;
    if (page.length < 200) throw new CliError(`No message ${id} in the local mailbox of ${org.accountNumber}; apiusers mail list --org ${org.accountNumber} shows them.`);
    before = [page.at(-1)!.createdAt, page.at(-1)!.id];
  }
}

/** `apiusers mail …`: the local mailbox, where emails go when no SMTP_URL is set. */
export function registerMail(program: Command, env: Env): void {
  const mail = program.command('mail')
    .description('Read the local mailbox: the emails (invitations) kept when no SMTP_URL is set')
    .addHelpText('after', '\nExample:\n  $ apiusers mail list --org 952442891');

  mail
    .command('list')
    .description('List the newest emails of an organization: time, recipient, subject')
    .requiredOption('--org <org>', ORG_HELP)
    .option('--limit <n>', 'how many (1-200)', parseLimit, 20)
    .option('--json', 'machine-readable output, as GET …/mail (with the body and the .eml file)')
    .addHelpText('after', '\nExample:\n  $ apiusers mail list --org 952442891 --limit 5')
    .action((options: { org: string; limit: number; json?: boolean }) => runAsOwner(env, options.org, async ({ deps, org, ctx }) => {
      const messages = await listMail(deps, ctx, { organizationId: org.id, limit: options.limit });
      const files = await mailboxFiles(deps.config.dataDir);
      const now = deps.clock.now();
      print(!!options.json, { data: messages.map((m) => presentMessage(m, files.get(m.outboxId) ?? null)) }, () => [
        organizationDisplayName(org),
        timeZoneBanner(org, now),
        table(['Id', 'Time', 'To', 'Subject'], messages.map((m) => [m.id, formatInZone(m.createdAt, org.timeZone, now), m.to, m.subject])),
        messages.length === 0 ? 'The mailbox is empty.' : `Read one with: apiusers mail show --org ${org.accountNumber} <id>`,
      ].join('\n'));
    }));

  mail
    .command('show')
    .description('Print one email in full (it may hold a one-time link: treat it as a secret)')
    .argument('<id>', 'message id from mail list')
    .requiredOption('--org <org>', ORG_HELP)
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ apiusers mail show --org 952442891 0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b')
    .action((id: string, options: { org: string; json?: boolean }) => runAsOwner(env, options.org, async (session) => {
      const m = await findMessage(session, id);
      const file = (await mailboxFiles(session.deps.config.dataDir)).get(m.outboxId) ?? null;
      const when = formatInZone(m.createdAt, session.org.timeZone, session.deps.clock.now());
      print(!!options.json, presentMessage(m, file), () =>
        `Message-ID: ${m.messageId}\nDate: ${when} (${m.createdAt})\nTo: ${m.to}\nSubject: ${m.subject}\nFile: ${file ?? '-'}\n\n${m.text}`);
    }));
}
