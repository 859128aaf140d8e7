/**
 * `npm run bench`: the service measured the way production uses it, every part in a process of
 * its own (docs/benchmark.md). A benchmark, not a test: it only reports.
 *
 * Writes bench/results.local.json (ignored by git); `npm run bench -- --reference` also writes
 * bench/reference-run.json, the run kept in the repository with its machine line.
 *
 * DATABASE_URL names a PostgreSQL server on which the benchmark creates (and drops) scratch
 * databases; without it everything runs on the embedded database. BENCH_QUICK=1: a smoke run
 * of a minute or two. BENCH_ONLY=cached,cold,upstream50,embedded,scale,start,burst: some groups
 * only. BENCH_PROFILE=<scenario> runs that scenario's service under --cpu-prof.
 */
import { BenchContext, settings } from './context.js';
import { haveWrk } from './generators.js';
import { burstGroup, cachedGroup, coldExchange, scaleGroup, startGroup, upstream50Group } from './groups.js';
import { buildBench } from './proc.js';
import { type Row, machineLine, printTable, target, writeResults } from './report.js';

const FILES = [new URL('./results.local.json', import.meta.url), ...(process.argv.includes('--reference') ? [new URL('./reference-run.json', import.meta.url)] : [])];

async function main() {
  if (!(await haveWrk())) throw new Error('npm run bench needs wrk (Debian: apt-get install wrk)');
  const started = Date.now();
  const { quick, rounds, seconds: duration_s, connections, users } = settings;
  const machine = machineLine({ quick, rounds, duration_s, connections, users, database: process.env.DATABASE_URL ? 'postgres' : 'embedded' });
  console.log('compiling bench/ and src/ (the children run compiled, as the image runs the service)');
  await buildBench();
  const ctx = await BenchContext.start();
  let cachedRatio = Number.NaN;
  let coldRatio = Number.NaN;
  let scale: { small: Row; large: Row } | undefined;
  let starts: Awaited<ReturnType<typeof startGroup>> | undefined;
  let burst: { upstream_refreshes: number } | undefined;
  // Before each scenario on the server: what the previous one wrote is vacuumed and checkpointed.
  const settled = async <T>(measure: () => Promise<T>): Promise<T> => (await ctx.main.settle(), measure());
  try {
    if (ctx.wanted('cached')) cachedRatio = await settled(() => cachedGroup(ctx));
    if (ctx.wanted('cold')) {
      coldRatio = await settled(() => coldExchange(ctx, 'f_cold_exchange', ctx.main, ctx.cursor, 'info'));
      await settled(() => coldExchange(ctx, 'f_cold_exchange_warn', ctx.main, ctx.cursor, 'warn'));
    }
    if (ctx.wanted('embedded') && !quick && ctx.main !== ctx.embedded) await coldExchange(ctx, 'd_cold_exchange_embedded', ctx.embedded, ctx.embeddedCursor, 'info', 1);
    if (ctx.wanted('upstream50')) await settled(() => upstream50Group(ctx));
    if (ctx.wanted('scale')) scale = await settled(() => scaleGroup(ctx));
    if (ctx.wanted('start')) starts = await startGroup(ctx);
    if (ctx.wanted('burst')) burst = await burstGroup(ctx);
  } finally {
    await ctx.close();
  }

  const { scenarios } = ctx;
  const f = scenarios.f_cold_exchange;
  const p99Ratio = (a: Row | undefined, b: Row | undefined) => (a && b ? Number((a.p99_ms / b.p99_ms).toFixed(2)) : undefined);
  const results = {
    machine,
    scenarios,
    ratio_cached_to_baseline: cachedRatio,
    ratio_cold_to_baseline: coldRatio,
    scale: scale && { rows_small: settings.rowsSmall, rows_large: scale.large.rows, p99_small_ms: scale.small.p99_ms, p99_large_ms: scale.large.p99_ms, rate: settings.upstreamRate },
    start: starts && {
      fresh_ms: starts.fresh.ms, existing_ms: starts.existing.ms, fresh_rss_mb: starts.fresh.rss_mb, fresh_rss_peak_mb: starts.fresh.rss_peak_mb,
      existing_rss_mb: starts.existing.rss_mb, postgres_ms: starts.postgres?.ms, postgres_rss_mb: starts.postgres?.rss_mb,
    },
    upstream_refreshes_per_burst: burst?.upstream_refreshes,
    targets: {
      cold_cpu_ms_per_exchange: target('<= 0.6', f?.cpu_ms_per_exchange as number | undefined, (m) => m <= 0.6),
      cold_db_round_trips_per_exchange: target('<= 2', f?.db_round_trips_per_exchange as number | undefined, (m) => m <= 2),
      ratio_cold_to_baseline: target('>= 0.025', coldRatio, (m) => m >= 0.025),
      cold_rss_peak_mb: target('< 150', f?.rss_peak_mb as number | undefined, (m) => m < 150),
      cold_upstream_50ms_p99_ms: target('<= 110 at 200/s', scenarios.f_cold_exchange_upstream_50ms?.p99_ms, (m) => m <= 110),
      cached_half_load_p99_to_bare: target('<= 1.5', p99Ratio(scenarios.b_cached_open_loop_half_load, scenarios.a_baseline_open_loop), (m) => m <= 1.5),
      scale_p99_large_to_small: target('<= 1.1', p99Ratio(scale?.large, scale?.small), (m) => m <= 1.1),
      start_fresh_ms: target('< 6000', starts?.fresh.ms, (m) => m < 6000),
      start_fresh_rss_mb: target('< 300', starts?.fresh.rss_mb, (m) => m < 300),
      start_existing_ms: target('< 2000', starts?.existing.ms, (m) => m < 2000),
      ratio_cached_to_baseline: target('>= 0.6', cachedRatio, (m) => m >= 0.6),
      upstream_refreshes_per_burst: target('= 1', burst?.upstream_refreshes, (m) => m === 1),
    },
    ...(Object.keys(ctx.profiles).length ? { profiles: ctx.profiles } : {}),
    notes: ctx.notes,
    took_s: Math.round((Date.now() - started) / 100) / 10,
  };
  writeResults(FILES, results);
  console.log(`\n${printTable(scenarios, results.targets)}\n`);
  for (const n of ctx.notes) console.log(`note: ${n}`);
  console.log(`\nwrote ${FILES.map((u) => u.pathname).join(', ')} in ${results.took_s} s`);
}

await main();
