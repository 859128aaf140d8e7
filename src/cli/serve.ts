import { logDestination } from '../log/destination.js';
import { createLogger } from '../log/logger.js';
import { startService } from '../runtime.js';
import { startBanner } from './banner.js';
import { NEEDS, type Need } from '../config/config.js';
import type { Command } from './main.js';

const SHUTDOWN_GRACE_MS = 10_000;

export const serve: Command<Need> = {
  needs: NEEDS,
  summary: 'Apply migrations, then serve HTTP (the default command; what npm start runs)',
  usage: 'seren-google-auth serve\n\nListens on HOST:PORT (default 127.0.0.1:8787). Without GOOGLE_CLIENT_ID it runs in dev mode\nwith an emulated Google and dev identities; NODE_ENV=production refuses that.',
  async run({ config: loadConfig }) {
    const config = loadConfig();
    const logger = createLogger(config.logLevel, await logDestination());
    for (const warning of config.warnings) logger.warn(warning);
    const service = await startService(config, { logger });
    console.error(startBanner(config, service.url));
    if (config.devMode) logger.warn('DEV MODE: Google is emulated and dev identities are accepted; not for production');

    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        logger.info({ signal }, 'shutting down: finishing in-flight requests');
        // A stuck request must not keep the process from exiting.
        setTimeout(() => {
          logger.error('shutdown took too long; exiting');
          process.exit(1);
        }, SHUTDOWN_GRACE_MS).unref();
        service.close().then(resolve, (err) => {
          logger.error({ err }, 'error during shutdown');
          resolve();
        });
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    logger.info('stopped');
  },
};
