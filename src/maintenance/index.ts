import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Clock } from '../clock.js';
import type { Logger } from '../log/logger.js';
import { Maintenance } from './maintenance.js';

export { Maintenance, type MaintenanceTask } from './maintenance.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The periodic purges of this app (tests run them with `runDue()` / `runNow(name)`). */
    maintenance: Maintenance;
  }
}

/** The app's maintenance scheduler: started when the app is ready, stopped (runs awaited) when it closes. */
export function createMaintenance(app: FastifyInstance, deps: { clock: Clock; logger: Logger; registry: Registry }): Maintenance {
  const maintenance = new Maintenance(deps.clock, deps.logger, deps.registry);
  app.decorate('maintenance', maintenance);
  app.addHook('onReady', async () => maintenance.start());
  app.addHook('onClose', async () => maintenance.stop());
  return maintenance;
}
