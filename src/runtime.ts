import type { FastifyInstance } from 'fastify';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config/config.js';
import { loadOrCreateDevKey } from './crypto/dev-key.js';
import { Keyring } from './crypto/keyring.js';
import { type Database, openDatabase } from './db/database.js';
import { migrate } from './db/migrate.js';
import { logOutages } from './db/outage.js';
import { GoogleClient } from './google/client.js';
import { bindingOf, enforceBinding } from './installation/binding.js';
import { type AppDeps, EMULATOR_PREFIX, buildApp } from './http/app.js';
import type { Logger } from './log/logger.js';
import { RepeatLimitedLog } from './log/repeat-limited.js';
import { DevIdentityResolver, HttpIdentityResolver, type IdentityResolver } from './seren/identity.js';

export interface RunningService {
  app: FastifyInstance;
  db: Database;
  /** The address the service listens on, e.g. http://127.0.0.1:8787. */
  url: string;
  /** Stops accepting, finishes in-flight requests, then closes the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  logger: Logger;
  clock?: Clock;
  /** Replaces the resolver the config implies (tests point it at a Seren stand-in). */
  identity?: IdentityResolver;
  /** An already opened database instead of the one the config names (the benchmark counts its statements). */
  database?: Database;
}

/** Keys from TOKEN_ENCRYPTION_KEYS, or the dev key generated once into DATA_DIR. */
export function resolveKeyring(config: Pick<Config, 'encryptionKeys' | 'dataDir'>, logger: Logger): Keyring {
  if (config.encryptionKeys) return new Keyring(config.encryptionKeys);
  const { keys, created } = loadOrCreateDevKey(config.dataDir);
  logger.warn(
    { dataDir: config.dataDir },
    created
      ? 'TOKEN_ENCRYPTION_KEYS is not set: generated a dev encryption key into DATA_DIR (fine for development only)'
      : 'TOKEN_ENCRYPTION_KEYS is not set: using the dev encryption key kept in DATA_DIR (fine for development only)',
  );
  return new Keyring(keys);
}

/** Migrates, then serves: what `seren-google-auth serve` and `npm start` run. */
export async function startService(config: Config, opts: StartOptions): Promise<RunningService> {
  const { logger } = opts;
  const clock = opts.clock ?? systemClock;
  const keyring = resolveKeyring(config, logger);
  const db = logOutages(opts.database ?? (await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir })), logger);
  try {
    const applied = await migrate(db);
    logger.info({ database: db.kind, applied }, applied.length ? `applied ${applied.length} migration(s)` : 'database schema is up to date');
    // Before anything can touch a grant: this database's grants must belong to our Google client.
    const binding = bindingOf(config);
    const bound = await enforceBinding(db, binding);
    if (bound !== 'matches') logger.info({ issuer: binding.issuer, client_id: binding.clientId }, 'database bound to this Google client');

    const redirectUri = `${config.publicUrl}/auth/google/callback`;
    let emulator: AppDeps['emulator'];
    if (config.devMode) {
      // Imported only in dev mode: production paths never load the emulator. Like Google, it
      // accepts only the registered redirect URI (anything else would be an open redirect).
      const { GoogleEmulator } = await import('./emulator/index.js');
      emulator = new GoogleEmulator({
        issuer: config.publicUrl + EMULATOR_PREFIX,
        clients: [{ clientId: config.google.clientId, clientSecret: config.google.clientSecret, redirectUris: [redirectUri] }],
      });
    }
    const google = new GoogleClient({
      issuer: config.google.issuer ?? config.publicUrl + EMULATOR_PREFIX,
      clientId: config.google.clientId,
      clientSecret: config.google.clientSecret,
      redirectUri,
    });
    const identity =
      opts.identity ??
      (config.serenUserinfoUrl ? new HttpIdentityResolver(config.serenUserinfoUrl, config.identityCacheTtlSeconds, clock) : new DevIdentityResolver());

    const app = await buildApp({ config, db, keyring, clock, google, identity, logger, emulator });
    const url = await app.listen({ port: config.port, host: config.host });

    // Discovery may need this very server (dev mode) or a Google that is briefly down: keep
    // trying in the background; /ready says when it has loaded.
    const stopDiscovery = new AbortController();
    const discoveryLog = new RepeatLimitedLog(logger, clock);
    void google.discoverWithRetries(stopDiscovery.signal, (err, delayMs) =>
      discoveryLog.write('warn', err.message, { err, retryInMs: delayMs }, `Google discovery at ${google.issuer} failed, retrying: ${err.message.replace(/^discovery: /, '')}`),
    ).then(() => !stopDiscovery.signal.aborted && logger.info({ issuer: google.issuer }, 'Google discovery loaded'));

    return {
      app,
      db,
      url,
      async close() {
        stopDiscovery.abort();
        await app.close();
        await db.close();
      },
    };
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
}
