import { AdjustableClock } from '../../src/clock.js';
import { parseConfig, type Config } from '../../src/config/config.js';
import { generateKeySpec } from '../../src/crypto/keyring.js';
import { GoogleEmulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { freePort } from '../../src/demo/free-port.js';
import { createLogger } from '../../src/log/logger.js';
import { type RunningService, startService } from '../../src/runtime.js';
import { type SentStatement, countStatements } from './counted-database.js';
import { freshStorage, type TestStorage } from './database.js';
import { SerenStandIn } from './seren.js';

export { freePort };

export const TEST_CLIENT = { clientId: 'test-client.apps.googleusercontent.com', clientSecret: 'test-client-secret-XYZ' };

export interface HarnessOptions {
  env?: Record<string, string>;
  emulator?: EmulatorOptions;
  /** Reuse storage (e.g. a second instance on one database). */
  storage?: TestStorage;
  /** Reuse a running emulated Google / Seren stand-in (several instances, one world). */
  google?: GoogleEmulator;
  seren?: SerenStandIn;
  logLevel?: string;
  /** Adjusts the parsed config (e.g. strict mode, which parseConfig refuses with the http:// emulator). */
  configure?: (config: Config) => Config;
  /** Records every statement the service sends (`Harness.sent`). */
  recordStatements?: boolean;
  /** False: do not wait for /ready (a test of a Google whose discovery never loads). */
  waitForReady?: boolean;
}

/**
 * One running service wired to real parts: its own database (embedded or on the server),
 * the emulated Google and a Seren stand-in, each on a loopback port. Logs are captured.
 */
export interface Harness {
  url: string;
  config: Config;
  service: RunningService;
  google: GoogleEmulator;
  seren: SerenStandIn;
  storage: TestStorage;
  clock: AdjustableClock;
  /** Every log line the service wrote, as JSON text. */
  logs: string[];
  /** Statements the service sent, with their parameters (only with `recordStatements`). */
  sent: SentStatement[];
  close(): Promise<void>;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const google = opts.google ?? new GoogleEmulator({ autoApprove: true, clients: [{ ...TEST_CLIENT }], ...opts.emulator });
  const seren = opts.seren ?? new SerenStandIn();
  const ownGoogle = !opts.google;
  const ownSeren = !opts.seren;
  if (ownGoogle) await google.start();
  if (ownSeren) await seren.start();
  const storage = opts.storage ?? (await freshStorage());
  const port = await freePort();
  const parsed = parseConfig({
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    GOOGLE_CLIENT_ID: TEST_CLIENT.clientId,
    GOOGLE_CLIENT_SECRET: TEST_CLIENT.clientSecret,
    GOOGLE_ISSUER: google.issuer,
    SEREN_USERINFO_URL: seren.url,
    TOKEN_ENCRYPTION_KEYS: process.env.SGA_TEST_KEYS ?? TEST_KEYS,
    ...storage.env,
    ...opts.env,
  });
  const config = opts.configure ? opts.configure(parsed) : parsed;
  const logs: string[] = [];
  const logger = createLogger(opts.logLevel ?? 'debug', { write: (line: string) => void logs.push(line) });
  const clock = new AdjustableClock();
  const counted = opts.recordStatements ? countStatements(await storage.open(), { record: true }) : undefined;
  const service = await startService(config, { logger, clock: clock.now, ...(counted ? { database: counted.db } : {}) });
  // Discovery runs in the background; tests want it loaded.
  // (as if through a TLS proxy, for strict-mode harnesses)
  if (opts.waitForReady !== false) {
    await waitFor(async () => (await fetch(`${service.url}/ready`, { headers: { 'x-forwarded-proto': 'https' } })).ok, 'service /ready');
  }
  return {
    url: service.url,
    config,
    service,
    google,
    seren,
    storage,
    clock,
    logs,
    sent: counted?.sent ?? [],
    async close() {
      await service.close();
      if (ownGoogle) await google.close();
      if (ownSeren) await seren.close();
      if (!opts.storage) await storage.cleanup();
    },
  };
}

/** One key shared by every harness of a run, so instances on one database can read each other's values. */
const TEST_KEYS = generateKeySpec('test1');

/** Polls `check` every 20 ms until it is true; fails after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await Promise.resolve().then(check).catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
