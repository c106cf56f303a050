import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { buildApp } from '../http/app.js';
import { issueSetupToken, setupUrl } from '../modules/setup/setup.service.js';
import { createDeps } from './create-deps.js';
import { createMailTransport } from '../modules/mail/mail-transport.js';
import { startOutboxWorker } from '../modules/mail/outbox-worker.js';
import { startCredentialMaintenance } from '../modules/api-auth/credential-maintenance-schedule.js';

/** `apiusers serve`: migrate, then serve the API (and, later, the UI) until SIGINT/SIGTERM. */
export function registerServe(program: Command, env: Record<string, string | undefined>): void {
  program
    .command('serve')
    .description('Migrate the database and serve the HTTP API on HOST:PORT (default http://127.0.0.1:3000)')
    .action(async () => {
      const config = loadConfig(env);
      const deps = await createDeps(config);
      const app = await buildApp(deps, { defaultMetrics: true });
      if (deps.secretKeyCreated) app.log.warn(`generated a new server secret in ${config.dataDir}/secret-key; set SECRET_KEY to share one across instances`);
      // Sends the emails that committed changes wrote to the outbox (SMTP_URL, or the local mailbox).
      const worker = startOutboxWorker(deps, createMailTransport(deps), app.log);
      // Expiry reminders and idle credentials, per organization policy: now, then every 15 minutes.
      const maintenance = startCredentialMaintenance(deps, app.log);
      const close = async (signal: string) => {
        app.log.info({ signal }, 'shutting down');
        await app.close();
        await maintenance.stop();
        await worker.stop();
        await deps.invalidation.stop();
        await deps.database.destroy();
        process.exit(0);
      };
      process.once('SIGINT', () => void close('SIGINT'));
      process.once('SIGTERM', () => void close('SIGTERM'));
      await app.listen({ port: config.port, host: config.host });
      const setup = await issueSetupToken(deps);
      if (setup) {
        process.stdout.write(
          `\n  No organization exists yet. Open this one-time link to create the first organization and its Account owner\n` +
          `  (valid until ${setup.expiresAt}; or POST /v1/setup with the token after #token=):\n\n    ${setupUrl(config.publicUrl, setup.token)}\n\n`,
        );
      }
      process.stdout.write(`  apiusers is serving ${config.publicUrl}  (API docs: ${config.publicUrl}/docs)\n`);
      await new Promise(() => undefined);
    });
}
