/**
 * What one `npm run bench` run shares between its scenario groups: settings, the long-lived
 * children (fake upstreams, the bare route), the scratch databases and the recorded rows.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeySpec } from '../src/crypto/keyring.js';
import { type Target as Db, scratchEmbedded, scratchPostgres } from './databases.js';
import { BENCH_CATALOG, BENCH_CLIENT, KEY_PREFIX } from './fixtures.js';
import type { Keys } from './generators.js';
import { printSummary, summarize } from './profile-top.js';
import { runChild } from './proc.js';
import type { Row } from './report.js';
import { type Measurable, type Upstreams, UserCursor, startBare, startServiceChild, startUpstreams } from './scenarios.js';

const int = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const QUICK = process.env.BENCH_QUICK === '1';

export const settings = {
  quick: QUICK,
  rounds: int('BENCH_ROUNDS', QUICK ? 1 : 3),
  seconds: int('BENCH_DURATION_SECONDS', QUICK ? 3 : 8),
  warmupSeconds: QUICK ? 1 : 2,
  connections: int('BENCH_CONNECTIONS', 16),
  users: int('BENCH_USERS', QUICK ? 40_000 : 200_000),
  rowsSmall: 1_000,
  rowsLarge: QUICK ? 100_000 : 1_000_000,
  /** Open-loop rate of the 50 ms-upstream and the 1 k / 1 M-row scenarios. */
  upstreamRate: 200,
  burst: 1000,
  /** The scenario whose service runs under --cpu-prof (BENCH_PROFILE). */
  profile: process.env.BENCH_PROFILE,
  /** BENCH_ONLY=cold,scale…: only these groups. */
  only: process.env.BENCH_ONLY?.split(','),
};

const PROFILE_DIR = new URL('./profiles/', import.meta.url).pathname;
const say = (s: string) => process.stderr.write(`${s}\n`);

export class BenchContext {
  readonly scenarios: Record<string, Row> = {};
  readonly notes: string[] = [];
  readonly profiles: Record<string, unknown> = {};
  readonly say = say;
  readonly cachedKeys: Keys = { prefix: KEY_PREFIX, first: 1, count: settings.connections };
  private readonly keySpec = generateKeySpec('bench');
  private readonly work = mkdtempSync(join(tmpdir(), 'sga-bench-run-'));
  private readonly publishersFile = join(this.work, 'publishers.json');
  private readonly dbs: Db[] = [];

  private constructor(
    /** The fake Google and Seren (0 ms; setUpstreamLatency changes it), one issuer for the whole run. */
    readonly up: Upstreams,
    readonly bare: Measurable,
    readonly main: Db,
    readonly embedded: Db,
    /** Fresh seeded users of `main` (and of `embedded`, when that is another database). */
    readonly cursor: UserCursor,
    readonly embeddedCursor: UserCursor,
  ) {
    writeFileSync(this.publishersFile, JSON.stringify(BENCH_CATALOG));
    this.dbs.push(main);
    if (embedded !== main) this.dbs.push(embedded);
  }

  /** Starts the shared children and scratch databases, and seeds the users. */
  static async start(): Promise<BenchContext> {
    const [up, bare] = await Promise.all([startUpstreams(0), startBare()]);
    const serverUrl = process.env.DATABASE_URL;
    const main = serverUrl ? await scratchPostgres(serverUrl, `sga_bench_${process.pid}`) : scratchEmbedded();
    const embedded = main.kind === 'embedded' ? main : scratchEmbedded();
    const embeddedUsers = settings.quick ? settings.connections : 20_000;
    const first = settings.connections + 1;
    const cursor = new UserCursor(first, settings.users);
    const ctx = new BenchContext(up, bare, main, embedded, cursor, main === embedded ? cursor : new UserCursor(first, embeddedUsers));
    say(`seeding ${settings.users} users (${main.kind})`);
    const seeded = await ctx.seed(main, 1, settings.users);
    say(`  ${seeded.rows} rows in ${seeded.ms} ms`);
    if (embedded !== main) await ctx.seed(embedded, 1, embeddedUsers);
    return ctx;
  }

  wanted(group: string): boolean {
    return !settings.only || settings.only.includes(group);
  }

  /** A scratch database of its own (dropped by close()). */
  async scratch(suffix: string): Promise<Db> {
    const serverUrl = process.env.DATABASE_URL;
    const db = serverUrl ? await scratchPostgres(serverUrl, `sga_bench_${process.pid}_${suffix}`) : scratchEmbedded();
    this.dbs.push(db);
    return db;
  }

  record(name: string, row: Row) {
    this.scenarios[name] = row;
    if (row.failed) this.notes.push(`${name}: ${row.failed} requests failed or were not 2xx${row.statuses ? ` (${JSON.stringify(row.statuses)})` : ''}`);
    const extra = row.cpu_ms_per_exchange === undefined ? '' : `, CPU ${row.cpu_ms_per_exchange} ms/exchange, ${row.db_round_trips_per_exchange} statements/exchange, RSS peak ${row.rss_peak_mb} MB`;
    say(`  ${name}: ${row.rps} req/s, p50 ${row.p50_ms} ms, p99 ${row.p99_ms} ms${extra}`);
  }

  /** The service's environment, as an operator would set it. */
  env(db: Db, up: Upstreams, logLevel: string) {
    return {
      ...db.env,
      NODE_ENV: undefined,
      GOOGLE_CLIENT_ID: BENCH_CLIENT.clientId,
      GOOGLE_CLIENT_SECRET: BENCH_CLIENT.clientSecret,
      GOOGLE_ISSUER: up.google.url,
      SEREN_USERINFO_URL: `${up.seren.url}/auth/me`,
      TOKEN_ENCRYPTION_KEYS: this.keySpec,
      PUBLISHERS_FILE: this.publishersFile,
      RATE_LIMIT_PER_MINUTE: '1000000',
      LOG_LEVEL: logLevel,
    };
  }

  seed(db: Db, first: number, count: number, filler = 0) {
    return runChild<{ rows: number; ms: number }>('./seed.ts', [JSON.stringify({ first, count, filler })], { env: { ...db.env, TOKEN_ENCRYPTION_KEYS: this.keySpec } });
  }

  /** Runs `fn` against a fresh service process; `name` may be the one BENCH_PROFILE asks for. */
  async withService<T>(name: string, db: Db, up: Upstreams, logLevel: string, fn: (svc: Measurable) => Promise<T>): Promise<T> {
    const svc = await startServiceChild(this.env(db, up, logLevel), settings.profile === name);
    try {
      return await fn(svc);
    } finally {
      mkdirSync(PROFILE_DIR, { recursive: true });
      const file = join(PROFILE_DIR, `${name}-${Date.now()}.cpuprofile`);
      if (await svc.stopProfile(file)) {
        const summary = summarize(file, 25);
        this.profiles[name] = { file, ...summary };
        say(printSummary(summary));
      }
      await svc.stop();
    }
  }

  async close() {
    for (const c of [this.bare, this.up.google, this.up.seren]) await c.stop();
    for (const db of this.dbs) await db.drop();
    rmSync(this.work, { recursive: true, force: true });
  }
}
