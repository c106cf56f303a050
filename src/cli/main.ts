import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config.js';
import { AppError } from '../http/app-error.js';
import { registerAdmins } from './admins.command.js';
import { registerApiUsers } from './api-users.command.js';
import { registerApplications } from './applications.command.js';
import { registerInit } from './init.command.js';
import { registerMail } from './mail.command.js';
import { registerKeys } from './keys.command.js';
import { registerMigrate } from './migrate.command.js';
import { CliError } from './output.js';
import { registerServe } from './serve.command.js';
import { registerSigningKeys } from './signing-keys.command.js';
import { registerToken } from './token.command.js';
import { registerTokens } from './tokens.command.js';

/**
 * The `apiusers` command. Exit codes: 0 success, 1 the operation failed (one line on stderr),
 * 2 bad usage or configuration.
 * @example await main(['node', 'apiusers', 'migrate', '--json'])
 */
export async function main(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const program = new Command('apiusers')
    .description('Self-hosted service for API users. Configuration comes from environment variables (see docs/configuration.md); ' +
      'without DATABASE_URL the database is the SQLite file DATA_DIR/apiusers.db (data/apiusers.db by default).')
    .exitOverride()
    .showHelpAfterError();
  registerServe(program, env);
  registerMigrate(program, env);
  registerInit(program, env);
  registerAdmins(program, env);
  registerTokens(program, env);
  registerApiUsers(program, env);
  registerApplications(program, env);
  registerMail(program, env);
  registerKeys(program, env);
  registerToken(program, env);
  registerSigningKeys(program, env);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    if (error instanceof CliError) {
      process.stderr.write(`error: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof AppError) {
      // The detail already names the field and what is wrong with it; the contract is one line.
      process.stderr.write(`error: ${error.detail}\n`);
      return 1;
    }
    process.stderr.write(`error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
