import type { WorkerLogger } from '../mail/outbox-worker.js';
import type { MaintenanceDeps } from './credential-maintenance-pass.js';
import { runCredentialMaintenance } from './credential-maintenance.js';

/** How often `serve` runs the maintenance: reminders and idle checks are about days, not seconds. */
export const MAINTENANCE_INTERVAL_MS = 15 * 60_000;

/**
 * Runs the maintenance once now (off the start-up path) and then every 15 minutes, until
 * stopped. A failed pass is logged and the next one runs as planned.
 * @example const maintenance = startCredentialMaintenance(deps, app.log); …; await maintenance.stop();
 */
export function startCredentialMaintenance(deps: MaintenanceDeps, logger: WorkerLogger, options: { intervalMs?: number } = {}): { stop(): Promise<void> } {
  const intervalMs = options.intervalMs ?? MAINTENANCE_INTERVAL_MS;
  let stopped = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  async function pass(): Promise<void> {
    try {
      const counts = await runCredentialMaintenance(deps, deps.clock.now(), (error, organizationId) => {
        logger.error({ err: error, organization_id: organizationId }, 'credential maintenance failed for an organization');
      });
      if (counts.expiryReminders + counts.idleWarnings + counts.idleRevocations > 0) logger.info({ ...counts }, 'credential maintenance done');
    } catch (error) {
      logger.error({ err: error }, 'credential maintenance failed; trying again at the next interval');
    }
  }

  function schedule(delayMs: number): void {
    timer = setTimeout(() => {
      running = pass().finally(() => {
        running = undefined;
        if (!stopped) schedule(intervalMs);
      });
    }, delayMs);
    // The HTTP server keeps the process alive; this timer must not.
    timer.unref();
  }

  schedule(0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
