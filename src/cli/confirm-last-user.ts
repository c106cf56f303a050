import { createInterface } from 'node:readline/promises';
import { AppError } from '../http/app-error.js';
import { CliError } from './output.js';

async function ask(question: string): Promise<string> {
  // The prompt goes to stderr, so stdout stays the command's result (and valid JSON with --json).
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

/**
 * Runs a change the last-user guard may refuse (409 api_user.last_for_application), the way the
 * Movius Confirm dialog does: show the guide's warning, ask "Are you sure…? [y/N]" on a terminal,
 * and repeat the change confirmed on "y". `--yes` confirms up front; without a terminal and
 * without --yes the command fails with the warning, so scripts never hang on a prompt.
 * @example await confirmLastUser((confirm) => deleteApiUser(deps, ctx, org.id, user.id, user.version, confirm), { yes: options.yes, verb: 'delete' });
 */
export async function confirmLastUser<T>(change: (confirmed: boolean) => Promise<T>, options: { yes?: boolean | undefined; verb: string }): Promise<T> {
  try {
    return await change(options.yes === true);
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'api_user.last_for_application') throw error;
    const warning = String(error.extra.warning ?? error.detail);
    if (!process.stdin.isTTY) throw new CliError(`${warning} Pass --yes to ${options.verb} anyway.`);
    process.stderr.write(`${warning}\n`);
    const answer = await ask(`Are you sure you want to ${options.verb}? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw new CliError(`Cancelled; nothing was changed.`);
    return change(true);
  }
}
