import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrator.js';
import { print } from './output.js';

export function registerMigrate(program: Command, env: Record<string, string | undefined>): void {
  program
    .command('migrate')
    .description('Bring the database schema up to date: DATABASE_URL, else DATA_DIR/apiusers.db (serve also does this at start)')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      const config = loadConfig(env);
      const database = openDatabase(config.database);
      try {
        const result = await migrateToLatest(database.db);
        const applied = (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
        print(!!options.json, { engine: database.engine, applied }, () =>
          applied.length ? `Applied ${applied.length} migration(s) on ${database.engine}: ${applied.join(', ')}` : `The ${database.engine} schema is up to date.`);
      } finally {
        await database.destroy();
      }
    });
}
