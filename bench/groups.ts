/** The scenario groups of `npm run bench` (docs/benchmark.md), each recording its rows in the context. */
import type { BenchContext } from './context.js';
import { settings } from './context.js';
import { type Target as Db, scratchEmbedded } from './databases.js';
import { COLD_PUBLISHER, KEY_PREFIX } from './fixtures.js';
import { type Keys, openLoop, wrk } from './generators.js';
import { runChild } from './proc.js';
import type { Row } from './report.js';
import { type Measurable, type UserCursor, closedLoopBeside, costed, openLoopBeside, setUpstreamLatency } from './scenarios.js';
import { type StartMeasure, measureStart } from './start.js';

const EXCHANGE = '/token/exchange?publisher=gmail';
const { rounds, seconds, warmupSeconds, connections } = settings;
const warm = (svc: Measurable, path: string, keys: Keys) => wrk(`${svc.url}${path}`, keys, warmupSeconds, connections);

/** (a, b, c) The cached exchange: a few users answered from memory (a database read every 2 s each). Returns b's ratio to the bare route. */
export async function cachedGroup(ctx: BenchContext): Promise<number> {
  let ratio = Number.NaN;
  for (const level of ['info', 'warn']) {
    const name = level === 'info' ? 'b_cached_exchange_embedded' : 'b_cached_exchange_embedded_warn';
    ctx.say(`(b) cached exchange, embedded, LOG_LEVEL=${level}: ${rounds} round(s) of ${seconds} s beside the bare route, ${connections} connections`);
    await ctx.withService(name, ctx.embedded, ctx.up, level, async (svc) => {
      await warm(svc, EXCHANGE, ctx.cachedKeys);
      await warm(ctx.bare, '/token/exchange', ctx.cachedKeys);
      const r = await closedLoopBeside(ctx.bare, svc, undefined, { path: EXCHANGE, keys: () => ctx.cachedKeys, rounds, seconds, connections });
      ctx.record(name, { ...r.service, bare_rps: r.bare.rps, ratio_to_bare: r.ratio, log_level: level });
      if (level !== 'info') return;
      ratio = r.ratio;
      ctx.record('a_baseline_fastify', { ...r.bare });
      const rate = Math.max(1, Math.round(r.service.rps / 2));
      ctx.say(`(b) open loop at half the cached peak: ${rate}/s, the service, then the bare route`);
      const o = await openLoopBeside(ctx.bare, svc, { path: EXCHANGE, keys: ctx.cachedKeys, rate, seconds: Math.max(seconds, 5), warmupSeconds, connections: connections * 4 });
      ctx.record('b_cached_open_loop_half_load', { ...o.service, rate });
      ctx.record('a_baseline_open_loop', { ...o.bare, rate });
    });
  }
  if (ctx.main.kind !== 'postgres') {
    ctx.notes.push('c_cached_exchange_postgres: skipped (set DATABASE_URL to a PostgreSQL server to run it)');
    return ratio;
  }
  ctx.say('(c) cached exchange, PostgreSQL, LOG_LEVEL=info');
  await ctx.withService('c_cached_exchange_postgres', ctx.main, ctx.up, 'info', async (svc) => {
    await warm(svc, EXCHANGE, ctx.cachedKeys);
    const r = await closedLoopBeside(ctx.bare, svc, undefined, { path: EXCHANGE, keys: () => ctx.cachedKeys, rounds, seconds, connections });
    ctx.record('c_cached_exchange_postgres', { ...r.service, bare_rps: r.bare.rps, ratio_to_bare: r.ratio });
  });
  return ratio;
}

/**
 * (f, d) The cold exchange: every request a user never seen (identity miss at Seren, database
 * read, lease, refresh at Google, save). Returns the ratio to the bare route.
 */
export function coldExchange(ctx: BenchContext, name: string, db: Db, cursor: UserCursor, level: string, roundsHere = rounds): Promise<number> {
  return ctx.withService(name, db, ctx.up, level, async (svc) => {
    ctx.say(`(f) cold exchange (${db.kind}), LOG_LEVEL=${level}: a new user per request, ${roundsHere} round(s) of ${seconds} s beside the bare route, ${connections} connections`);
    const w = await warm(svc, EXCHANGE, cursor.fresh());
    cursor.used(w.requests, connections);
    const r = await closedLoopBeside(ctx.bare, svc, ctx.up, { path: EXCHANGE, keys: () => cursor.fresh(), used: (n) => cursor.used(n, connections), rounds: roundsHere, seconds, connections });
    ctx.record(name, { ...r.service, bare_rps: r.bare.rps, ratio_to_bare: r.ratio, database: db.kind, log_level: level });
    return r.ratio;
  });
}

/** The cold exchange with 50 ms upstreams, open loop at 200/s. */
export async function upstream50Group(ctx: BenchContext): Promise<void> {
  const rate = settings.upstreamRate;
  ctx.say(`(f) cold exchange with 50 ms upstreams, open loop at ${rate}/s`);
  await setUpstreamLatency(ctx.up, 50);
  await ctx.withService('f_cold_exchange_upstream_50ms', ctx.main, ctx.up, 'info', async (svc) => {
    const window = Math.max(seconds, 5);
    const keys = ctx.cursor.fresh();
    const m = await costed(svc, ctx.up, () => openLoop(`${svc.url}${EXCHANGE}`, keys, { rate, seconds: window, warmupSeconds, connections: 100 }));
    ctx.cursor.used(rate * (window + warmupSeconds), 0);
    ctx.record('f_cold_exchange_upstream_50ms', { ...m, rate, upstream_latency_ms: 50 });
  }).finally(() => setUpstreamLatency(ctx.up, 0));
}

/** The same cold load (1,000 users in turn, a refresh per request) on 1 k rows, then with filler rows up to 1 M. */
export async function scaleGroup(ctx: BenchContext): Promise<{ small: Row; large: Row }> {
  const { rowsSmall, rowsLarge, upstreamRate: rate } = settings;
  ctx.say(`scale: ${rowsSmall} rows, then ${rowsLarge} rows; open loop at ${rate}/s, a refresh per request`);
  const db = await ctx.scratch('scale');
  await ctx.seed(db, 1, rowsSmall);
  await db.settle();
  const run = (name: string) =>
    ctx.withService(name, db, ctx.up, 'info', (svc) =>
      costed(svc, undefined, () =>
        openLoop(`${svc.url}/token/exchange?publisher=${COLD_PUBLISHER}`, { prefix: KEY_PREFIX, first: 1, count: rowsSmall }, { rate, seconds: Math.max(seconds, 5), warmupSeconds, connections: 32 }),
      ),
    );
  ctx.record('scale_rows_small', { ...(await run('scale_small')), rows: rowsSmall });
  const filled = await ctx.seed(db, rowsSmall + 1, 0, rowsLarge - rowsSmall);
  ctx.say(`  ${filled.rows} rows after ${filled.ms} ms of seeding`);
  await db.settle();
  ctx.record('scale_rows_large', { ...(await run('scale_large')), rows: filled.rows });
  return { small: ctx.scenarios.scale_rows_small!, large: ctx.scenarios.scale_rows_large! };
}

/** Start to ready of the compiled service: a fresh embedded DATA_DIR, the same again, PostgreSQL. */
export async function startGroup(ctx: BenchContext): Promise<{ fresh: StartMeasure; existing: StartMeasure; postgres: StartMeasure | undefined }> {
  ctx.say('start: fresh embedded, existing embedded, PostgreSQL');
  const env = (db: Db) => ctx.env(db, ctx.up, 'info');
  const dir = scratchEmbedded();
  const s = {
    fresh: await measureStart(env(dir)),
    existing: await measureStart(env(dir)),
    postgres: ctx.main.kind === 'postgres' ? await measureStart(env(ctx.main)) : undefined,
  };
  await dir.drop();
  ctx.say(`  fresh ${s.fresh.ms} ms (${s.fresh.rss_mb} MB), existing ${s.existing.ms} ms (${s.existing.rss_mb} MB)${s.postgres ? `, PostgreSQL ${s.postgres.ms} ms (${s.postgres.rss_mb} MB)` : ''}`);
  return s;
}

/** (e) 1,000 concurrent exchanges of one user across two instances on one database. */
export async function burstGroup(ctx: BenchContext): Promise<{ upstream_refreshes: number }> {
  ctx.say(`(e) ${settings.burst} concurrent exchanges for one user across two instances on one ${ctx.main.kind} database`);
  // A database of its own: the emulated Google here is another issuer than the run's fake one.
  const db = await ctx.scratch('burst');
  const b = await runChild<{ requests: number; ok: number; distinct_tokens: number; upstream_refreshes: number; elapsed_ms: number; latencies_ms: number[] }>(
    './burst.ts',
    [String(settings.burst)],
    { env: { BENCH_DATABASE_URL: db.kind === 'postgres' ? db.env.DATABASE_URL : undefined } },
  );
  const pct = (p: number) => Number((b.latencies_ms[Math.min(b.latencies_ms.length - 1, Math.floor((p / 100) * b.latencies_ms.length))] ?? 0).toFixed(3));
  const { requests, ok, distinct_tokens, upstream_refreshes } = b;
  ctx.record('e_burst_two_instances', { rps: Math.round(requests / (b.elapsed_ms / 1000)), p50_ms: pct(50), p99_ms: pct(99), requests, ok, distinct_tokens, upstream_refreshes });
  return b;
}
