import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { AdjustableClock } from '../src/clock.js';
import { type Config, parseConfig } from '../src/config/config.js';
import { Keyring, generateKeySpec } from '../src/crypto/keyring.js';
import { type Database, openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { GoogleEmulator } from '../src/emulator/index.js';
import { GoogleClient } from '../src/google/client.js';
import { buildApp } from '../src/http/app.js';
import { type Logger, createLogger } from '../src/log/logger.js';
import { HttpIdentityResolver } from '../src/seren/identity.js';
import { connectGoogle } from '../test/support/connect.js';
import { SerenStandIn } from '../test/support/seren.js';
import { BENCH_CATALOG, BENCH_CLIENT } from './fixtures.js';

/** Upstreams and settings shared by the service instances of one scenario. */
export interface World {
  google: GoogleEmulator;
  seren: SerenStandIn;
  dataDir: string;
  env: Record<string, string>;
  logger: Logger;
  close(): Promise<void>;
}

export async function startWorld(opts: { databaseUrl?: string | undefined; logLevel: string }): Promise<World> {
  const google = new GoogleEmulator({ autoApprove: true, clients: [{ ...BENCH_CLIENT }] });
  await google.start();
  const seren = new SerenStandIn();
  await seren.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'sga-bench-'));
  const publishersFile = join(dataDir, 'publishers.json');
  writeFileSync(publishersFile, JSON.stringify(BENCH_CATALOG));
  const env: Record<string, string> = {
    GOOGLE_CLIENT_ID: BENCH_CLIENT.clientId,
    GOOGLE_CLIENT_SECRET: BENCH_CLIENT.clientSecret,
    GOOGLE_ISSUER: google.issuer,
    SEREN_USERINFO_URL: seren.url,
    TOKEN_ENCRYPTION_KEYS: generateKeySpec('bench'),
    DATA_DIR: dataDir,
    PUBLISHERS_FILE: publishersFile,
    RATE_LIMIT_PER_MINUTE: '1000000',
    LOG_LEVEL: opts.logLevel,
    ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}),
  };
  // Logs go nowhere, asynchronously: the benchmark measures the service, not a terminal.
  const logger = createLogger(opts.logLevel, pino.destination({ dest: '/dev/null', sync: false, minLength: 8 * 1024 }));
  return {
    google,
    seren,
    dataDir,
    env,
    logger,
    async close() {
      await google.close();
      await seren.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Instance {
  url: string;
  config: Config;
  db: Database;
  close(): Promise<void>;
}

/**
 * One service instance as startService builds it (migrate, Google client, identity resolver,
 * buildApp, listen), but on a database handle the caller may share between instances: two
 * instances in one process can then share even the embedded database.
 */
export async function startInstance(world: World, db: Database, clock: AdjustableClock): Promise<Instance> {
  const config = parseConfig({ ...world.env, PORT: '0', PUBLIC_URL: 'http://127.0.0.1' });
  await migrate(db);
  const google = new GoogleClient({
    issuer: config.google.issuer!,
    clientId: config.google.clientId,
    clientSecret: config.google.clientSecret,
    redirectUri: `${config.publicUrl}/auth/google/callback`,
  });
  await google.discover();
  const identity = new HttpIdentityResolver(config.serenUserinfoUrl!, config.identityCacheTtlSeconds, clock.now);
  const app = await buildApp({ config, db, keyring: new Keyring(config.encryptionKeys!), clock: clock.now, google, identity, logger: world.logger });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, config, db, close: () => app.close() };
}

export const openWorldDatabase = (world: World) => openDatabase({ url: world.env.DATABASE_URL, dataDir: world.dataDir });

let users = 0;
/** A Seren user with a connected Google account; returns its API key. */
export async function connectedUser(world: World, instance: Instance, clock: AdjustableClock): Promise<string> {
  const key = `sk_bench_${process.pid}_${++users}_${Math.random().toString(36).slice(2)}`;
  world.seren.addUser(key, { id: `bench-${process.pid}-${Date.now()}-${users}` });
  const id = world.seren.users.get(key)!.id;
  await connectGoogle({ url: instance.url, google: world.google, config: instance.config, db: instance.db, now: clock.now }, id, {
    email: `${id}@bench.example`,
  });
  return key;
}
