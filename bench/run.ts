/**
 * `npm run bench`: the service measured the way production uses it, every part in a process of
 * its own (docs/benchmark.md). A benchmark, not a test: it only reports.
 *
 * Writes bench/results.local.json (ignored by git); `npm run bench -- --reference` also writes
 * bench/reference-run.json, the run kept in the repository with its machine line.
 *
 * DATABASE_URL names a PostgreSQL server on which the benchmark creates (and drops) scratch
 * databases; without it everything runs on the embedded database. BENCH_QUICK=1: a smoke run
 * of a minute or two. BENCH_PROFILE=<scenario> runs that scenario's service under --cpu-prof.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeySpec } from '../src/crypto/keyring.js';
import { type Target as Db, scratchEmbedded, scratchPostgres } from './databases.js';
import { BENCH_CATALOG, BENCH_CLIENT, COLD_PUBLISHER, KEY_PREFIX } from './fixtures.js';
import { type Keys, haveWrk, openLoop, wrk } from './generators.js';
import { printSummary, summarize } from './profile-top.js';
import { runChild } from './proc.js';
import { type Row, machineLine, printTable, target, writeResults } from './report.js';
import { type Measurable, type Upstreams, UserCursor, closedLoopBeside, costed, openLoopBeside, startBare, startServiceChild, startUpstreams } from './scenarios.js';
import { buildForStart, measureStart } from './start.js';

const int = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = int('BENCH_ROUNDS', QUICK ? 1 : 3);
const SECONDS = int('BENCH_DURATION_SECONDS', QUICK ? 3 : 8);
const WARMUP_S = QUICK ? 1 : 2;
const CONNECTIONS = int('BENCH_CONNECTIONS', 16);
const USERS = int('BENCH_USERS', QUICK ? 40_000 : 200_000);
const ROWS_SMALL = 1_000;
const ROWS_LARGE = QUICK ? 100_000 : 1_000_000;
/** Open-loop rate of the 50 ms-upstream and the 1 k / 1 M-row scenarios. */
const UPSTREAM_RATE = 200;
const BURST = 1000;
const PROFILE = process.env.BENCH_PROFILE;
const PROFILE_DIR = new URL('./profiles/', import.meta.url).pathname;
const FILES = [new URL('./results.local.json', import.meta.url), ...(process.argv.includes('--reference') ? [new URL('./reference-run.json', import.meta.url)] : [])];

const say = (s: string) => process.stderr.write(`${s}\n`);
const scenarios: Record<string, Row> = {};
const notes: string[] = [];
const profiles: Record<string, unknown> = {};

function record(name: string, row: Row) {
  scenarios[name] = row;
  if (row.failed) notes.push(`${name}: ${row.failed} requests failed or were not 2xx${row.statuses ? ` (${JSON.stringify(row.statuses)})` : ''}`);
  const extra = row.cpu_ms_per_exchange === undefined ? '' : `, CPU ${row.cpu_ms_per_exchange} ms/exchange, ${row.db_round_trips_per_exchange} statements/exchange, RSS peak ${row.rss_peak_mb} MB`;
  say(`  ${name}: ${row.rps} req/s, p50 ${row.p50_ms} ms, p99 ${row.p99_ms} ms${extra}`);
}

const cachedKeys: Keys = { prefix: KEY_PREFIX, first: 1, count: CONNECTIONS };

async function main() {
  if (!(await haveWrk())) throw new Error('npm run bench needs wrk (Debian: apt-get install wrk)');
  const started = Date.now();
  const machine = machineLine({ quick: QUICK, rounds: ROUNDS, duration_s: SECONDS, connections: CONNECTIONS, users: USERS, database: process.env.DATABASE_URL ? 'postgres' : 'embedded' });
  const keySpec = generateKeySpec('bench');
  const work = mkdtempSync(join(tmpdir(), 'sga-bench-run-'));
  const publishersFile = join(work, 'publishers.json');
  writeFileSync(publishersFile, JSON.stringify(BENCH_CATALOG));

  const up0 = await startUpstreams(0);
  const up50 = await startUpstreams(50);
  const bare = await startBare();
  const serverUrl = process.env.DATABASE_URL;
  const main = serverUrl ? await scratchPostgres(serverUrl, `sga_bench_${process.pid}`) : scratchEmbedded();
  const embedded = main.kind === 'embedded' ? main : scratchEmbedded();
  const dbs: Db[] = [main, ...(embedded === main ? [] : [embedded])];

  const env = (db: Db, up: Upstreams, logLevel: string) => ({
    ...db.env,
    NODE_ENV: undefined,
    GOOGLE_CLIENT_ID: BENCH_CLIENT.clientId,
    GOOGLE_CLIENT_SECRET: BENCH_CLIENT.clientSecret,
    GOOGLE_ISSUER: up.google.url,
    SEREN_USERINFO_URL: `${up.seren.url}/auth/me`,
    TOKEN_ENCRYPTION_KEYS: keySpec,
    PUBLISHERS_FILE: publishersFile,
    RATE_LIMIT_PER_MINUTE: '1000000',
    LOG_LEVEL: logLevel,
  });
  const seed = (db: Db, first: number, count: number, filler = 0) =>
    runChild<{ rows: number; ms: number }>('./seed.ts', [JSON.stringify({ first, count, filler })], { env: { ...db.env, TOKEN_ENCRYPTION_KEYS: keySpec } });
  /** Runs `fn` against a fresh service process; `name` may be the one BENCH_PROFILE asks for. */
  const withService = async <T>(name: string, db: Db, up: Upstreams, logLevel: string, fn: (svc: Measurable) => Promise<T>): Promise<T> => {
    const profiled = PROFILE === name;
    const dir = profiled ? join(PROFILE_DIR, `${name}-${Date.now()}`) : undefined;
    const svc = await startServiceChild(env(db, up, logLevel), dir);
    try {
      return await fn(svc);
    } finally {
      await svc.stop();
      if (dir) {
        const file = join(dir, readdirSync(dir)[0]!);
        const summary = summarize(file, 25);
        profiles[name] = { file, ...summary };
        say(printSummary(summary));
      }
    }
  };
  const warm = (svc: Measurable, path: string, keys: Keys) => wrk(`${svc.url}${path}`, keys, WARMUP_S, CONNECTIONS);

  say(`seeding ${USERS} users (${main.kind})`);
  const seeded = await seed(main, 1, USERS);
  say(`  ${seeded.rows} rows in ${seeded.ms} ms`);
  const embeddedUsers = QUICK ? CONNECTIONS : 20_000;
  if (embedded !== main) await seed(embedded, 1, embeddedUsers);
  const cursor = new UserCursor(CONNECTIONS + 1, USERS);
  const embeddedCursor = embedded === main ? cursor : new UserCursor(CONNECTIONS + 1, embeddedUsers);

  // (a, b) The cached exchange: a few users served from memory (a database read every 2 s each).
  const cachedPath = '/token/exchange?publisher=gmail';
  let cachedRatio = Number.NaN;
  for (const level of ['info', 'warn']) {
    const name = level === 'info' ? 'b_cached_exchange_embedded' : 'b_cached_exchange_embedded_warn';
    say(`(b) cached exchange, embedded, LOG_LEVEL=${level}: ${ROUNDS} round(s) of ${SECONDS} s beside the bare route, ${CONNECTIONS} connections`);
    await withService(name, embedded, up0, level, async (svc) => {
      await warm(svc, cachedPath, cachedKeys);
      await wrk(`${bare.url}/token/exchange`, cachedKeys, WARMUP_S, CONNECTIONS);
      const r = await closedLoopBeside(bare, svc, undefined, { path: cachedPath, keys: () => cachedKeys, rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS });
      if (level === 'info') {
        record('a_baseline_fastify', { ...r.bare });
        cachedRatio = r.ratio;
      }
      record(name, { ...r.service, bare_rps: r.bare.rps, ratio_to_bare: r.ratio, log_level: level });
      if (level !== 'info') return;
      const rate = Math.max(1, Math.round(r.service.rps / 2));
      say(`(b) open loop at half the cached peak: ${rate}/s, the service, then the bare route`);
      const o = await openLoopBeside(bare, svc, { path: cachedPath, keys: cachedKeys, rate, seconds: Math.max(SECONDS, 5), warmupSeconds: WARMUP_S, connections: CONNECTIONS * 4 });
      record('b_cached_open_loop_half_load', { ...o.service, rate });
      record('a_baseline_open_loop', { ...o.bare, rate });
    });
  }

  if (main.kind === 'postgres') {
    say(`(c) cached exchange, PostgreSQL, LOG_LEVEL=info`);
    await withService('c_cached_exchange_postgres', main, up0, 'info', async (svc) => {
      await warm(svc, cachedPath, cachedKeys);
      const r = await closedLoopBeside(bare, svc, undefined, { path: cachedPath, keys: () => cachedKeys, rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS });
      record('c_cached_exchange_postgres', { ...r.service, bare_rps: r.bare.rps, ratio_to_bare: r.ratio });
    });
  } else notes.push('c_cached_exchange_postgres: skipped (set DATABASE_URL to a PostgreSQL server to run it)');

  // (f) The cold exchange: every request a user never seen (identity miss at Seren, database read, lease, refresh at Google, save).
  const coldPath = '/token/exchange?publisher=gmail';
  let coldRatio = Number.NaN;
  const cold = async (name: string, db: Db, c: UserCursor, level: string, rounds: number) =>
    withService(name, db, up0, level, async (svc) => {
      say(`(f) cold exchange (${db.kind}), LOG_LEVEL=${level}: a new user per request, ${rounds} round(s) of ${SECONDS} s beside the bare route, ${CONNECTIONS} connections`);
      const w = await warm(svc, coldPath, c.fresh());
      c.used(w.requests, CONNECTIONS);
      const r = await closedLoopBeside(bare, svc, up0, { path: coldPath, keys: () => c.fresh(), used: (n) => c.used(n, CONNECTIONS), rounds, seconds: SECONDS, connections: CONNECTIONS });
      record(name, { ...r.service, bare_rps: r.bare.rps, ratio_to_bare: r.ratio, database: db.kind, log_level: level });
      return r.ratio;
    });
  coldRatio = await cold('f_cold_exchange', main, cursor, 'info', ROUNDS);
  await cold('f_cold_exchange_warn', main, cursor, 'warn', ROUNDS);
  if (!QUICK && main !== embedded) await cold('d_cold_exchange_embedded', embedded, embeddedCursor, 'info', 1);

  say(`(f) cold exchange with 50 ms upstreams, open loop at ${UPSTREAM_RATE}/s`);
  await withService('f_cold_exchange_upstream_50ms', main, up50, 'info', async (svc) => {
    const seconds = Math.max(SECONDS, 5);
    const keys = cursor.fresh();
    const m = await costed(svc, up50, () => openLoop(`${svc.url}${coldPath}`, keys, { rate: UPSTREAM_RATE, seconds, warmupSeconds: WARMUP_S, connections: 100 }));
    cursor.used(UPSTREAM_RATE * (seconds + WARMUP_S), 0);
    record('f_cold_exchange_upstream_50ms', { ...m, rate: UPSTREAM_RATE, upstream_latency_ms: 50 });
  });

  // Scale: the same cold load (1,000 users in turn, a refresh per request) on 1 k rows, then with filler rows.
  say(`scale: ${ROWS_SMALL} rows, then ${ROWS_LARGE} rows; open loop at ${UPSTREAM_RATE}/s, a refresh per request`);
  const scaleDb = serverUrl ? await scratchPostgres(serverUrl, `sga_bench_${process.pid}_scale`) : scratchEmbedded();
  dbs.push(scaleDb);
  await seed(scaleDb, 1, ROWS_SMALL);
  const scaleRun = (name: string) =>
    withService(name, scaleDb, up0, 'info', (svc) =>
      costed(svc, undefined, () =>
        openLoop(`${svc.url}/token/exchange?publisher=${COLD_PUBLISHER}`, { prefix: KEY_PREFIX, first: 1, count: ROWS_SMALL }, { rate: UPSTREAM_RATE, seconds: Math.max(SECONDS, 5), warmupSeconds: WARMUP_S, connections: 32 }),
      ),
    );
  const small = await scaleRun('scale_small');
  record('scale_rows_small', { ...small, rows: ROWS_SMALL });
  const filled = await seed(scaleDb, ROWS_SMALL + 1, 0, ROWS_LARGE - ROWS_SMALL);
  say(`  ${filled.rows} rows after ${filled.ms} ms of seeding`);
  const large = await scaleRun('scale_large');
  record('scale_rows_large', { ...large, rows: filled.rows });

  say('start: build, then fresh embedded, existing embedded, PostgreSQL');
  await buildForStart();
  const startEnv = (db: Db) => ({ ...env(db, up0, 'info') });
  const fresh = scratchEmbedded();
  dbs.push(fresh);
  const freshStart = await measureStart(startEnv(fresh));
  const existingStart = await measureStart(startEnv(fresh));
  const pgStart = main.kind === 'postgres' ? await measureStart(startEnv(main)) : undefined;
  say(`  fresh ${freshStart.ms} ms (${freshStart.rss_mb} MB), existing ${existingStart.ms} ms (${existingStart.rss_mb} MB)${pgStart ? `, PostgreSQL ${pgStart.ms} ms (${pgStart.rss_mb} MB)` : ''}`);

  say(`(e) ${BURST} concurrent exchanges for one user across two instances on one ${main.kind} database`);
  const b = await runChild<{ requests: number; ok: number; distinct_tokens: number; upstream_refreshes: number; elapsed_ms: number; latencies_ms: number[] }>(
    './burst.ts',
    [String(BURST)],
    { env: { BENCH_DATABASE_URL: main.kind === 'postgres' ? main.env.DATABASE_URL : undefined } },
  );
  const pct = (p: number) => Number((b.latencies_ms[Math.min(b.latencies_ms.length - 1, Math.floor((p / 100) * b.latencies_ms.length))] ?? 0).toFixed(3));
  record('e_burst_two_instances', { rps: Math.round(b.requests / (b.elapsed_ms / 1000)), p50_ms: pct(50), p99_ms: pct(99), requests: b.requests, ok: b.ok, distinct_tokens: b.distinct_tokens, upstream_refreshes: b.upstream_refreshes });

  for (const c of [bare, up0.google, up0.seren, up50.google, up50.seren]) await c.stop();
  for (const db of dbs) await db.drop();
  rmSync(work, { recursive: true, force: true });

  const f = scenarios.f_cold_exchange!;
  const results = {
    machine,
    scenarios,
    ratio_cached_to_baseline: cachedRatio,
    ratio_cold_to_baseline: coldRatio,
    scale: { rows_small: ROWS_SMALL, rows_large: scenarios.scale_rows_large!.rows, p99_small_ms: small.p99_ms, p99_large_ms: large.p99_ms, rate: UPSTREAM_RATE },
    start: {
      fresh_ms: freshStart.ms, existing_ms: existingStart.ms, fresh_rss_mb: freshStart.rss_mb, fresh_rss_peak_mb: freshStart.rss_peak_mb,
      existing_rss_mb: existingStart.rss_mb, postgres_ms: pgStart?.ms, postgres_rss_mb: pgStart?.rss_mb,
    },
    upstream_refreshes_per_burst: b.upstream_refreshes,
    targets: {
      cold_cpu_ms_per_exchange: target('<= 0.6', f.cpu_ms_per_exchange as number, (m) => m <= 0.6),
      cold_db_round_trips_per_exchange: target('<= 2', f.db_round_trips_per_exchange as number, (m) => m <= 2),
      ratio_cold_to_baseline: target('>= 0.025', coldRatio, (m) => m >= 0.025),
      cold_rss_peak_mb: target('< 150', f.rss_peak_mb as number, (m) => m < 150),
      cold_upstream_50ms_p99_ms: target('<= 110 at 200/s', scenarios.f_cold_exchange_upstream_50ms!.p99_ms, (m) => m <= 110),
      cached_half_load_p99_to_bare: target('<= 1.5', Number((scenarios.b_cached_open_loop_half_load!.p99_ms / scenarios.a_baseline_open_loop!.p99_ms).toFixed(2)), (m) => m <= 1.5),
      scale_p99_large_to_small: target('<= 1.1', Number((large.p99_ms / small.p99_ms).toFixed(2)), (m) => m <= 1.1),
      start_fresh_ms: target('< 6000', freshStart.ms, (m) => m < 6000),
      start_fresh_rss_mb: target('< 300', freshStart.rss_mb, (m) => m < 300),
      start_existing_ms: target('< 2000', existingStart.ms, (m) => m < 2000),
      ratio_cached_to_baseline: target('>= 0.6', cachedRatio, (m) => m >= 0.6),
      upstream_refreshes_per_burst: target('= 1', b.upstream_refreshes, (m) => m === 1),
    },
    ...(Object.keys(profiles).length ? { profiles } : {}),
    notes,
    took_s: Math.round((Date.now() - started) / 100) / 10,
  };
  writeResults(FILES, results);
  console.log(`\n${printTable(scenarios, results.targets)}\n`);
  for (const n of notes) console.log(`note: ${n}`);
  console.log(`\nwrote ${FILES.map((u) => u.pathname).join(', ')} in ${results.took_s} s`);
}

await main();
