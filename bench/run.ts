/**
 * `npm run bench` (issue 4): autocannon on loopback against one child process per scenario;
 * prints a table and writes bench/results.json. A benchmark, not a test: it only reports.
 *
 * Scenarios: (a) a bare Fastify route (the ceiling); (b) cached exchange on the embedded
 * database, at peak and at half of that load; (c) the same on PostgreSQL when DATABASE_URL is
 * set; (d) cold exchange, a refresh at the emulated Google every time; (e) refreshes at Google
 * for 1,000 concurrent exchanges of one user across two instances on one database.
 *
 * DATABASE_URL, when set, must name a database the benchmark may migrate and write rows to
 * (scenarios c and e run there). BENCH_DURATION_SECONDS (8) and BENCH_CONNECTIONS (10) adjust runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, freemem, totalmem, platform, release, arch } from 'node:os';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { paced } from './paced.js';

const DURATION_S = Number(process.env.BENCH_DURATION_SECONDS ?? 8);
const OPEN_LOOP_S = 5;
const WARMUP_S = 2;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const COLD_USERS = CONNECTIONS;
const BURST = 1000;
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'warn';
const RESULTS_FILE = new URL('./results.json', import.meta.url);

interface Measured {
  rps: number;
  p50_ms: number;
  p99_ms: number;
}

interface Child {
  process: ChildProcess;
  ready: { url: string; keys?: string[]; issuer?: string };
}

function startChild(mode: string, args: string[] = [], env: Record<string, string> = {}): Promise<Child & { result?: unknown }> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./server.ts', import.meta.url).pathname, mode, ...args], {
    env: { ...process.env, ...env, BENCH_LOG_LEVEL: LOG_LEVEL },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) resolve({ process: child, ready: JSON.parse(line.slice(6)) });
      if (line.startsWith('RESULT ')) resolve({ process: child, ready: { url: '' }, result: JSON.parse(line.slice(7)) });
    });
    child.on('exit', (code) => reject(new Error(`bench child "${mode}" exited with code ${code} before it was ready`)));
  });
}

async function stopChild(child: Child): Promise<void> {
  if (child.process.exitCode !== null) return;
  const exited = new Promise((resolve) => child.process.once('exit', resolve));
  child.process.kill('SIGTERM');
  await exited;
}

const percentile = (sorted: Float64Array | number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const round = (n: number, digits = 2) => Number(n.toFixed(digits));

/** One autocannon run; latencies are kept at full precision (autocannon's own histogram counts whole milliseconds). */
async function load(
  url: string,
  opts: { keys?: string[]; overallRate?: number; duration?: number } = {},
): Promise<Measured & { non2xx: number; errors: number }> {
  const latencies: number[] = [];
  const keys = opts.keys ?? [];
  let next = 0;
  const instance = autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: opts.duration ?? DURATION_S,
    ...(opts.overallRate ? { overallRate: opts.overallRate } : {}),
    // Each connection speaks for one user (round-robin over the keys).
    requests: [
      {
        setupRequest: (req, context) => {
          if (keys.length === 0) return req;
          context.key ??= keys[next++ % keys.length];
          return { ...req, headers: { ...req.headers, authorization: `Bearer ${String(context.key)}` } };
        },
      },
    ],
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, responseTime: number) => {
    if (status === 200) latencies.push(responseTime);
  });
  const result = await instance;
  const sorted = Float64Array.from(latencies).sort();
  return {
    rps: round(sorted.length / result.duration, 0),
    p50_ms: round(percentile(sorted, 50), 3),
    p99_ms: round(percentile(sorted, 99), 3),
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/** Open-loop latency at a constant rate (see paced.ts); a short unmeasured run first warms both sides. */
async function openLoop(url: string, ratePerSecond: number, key?: string): Promise<Measured> {
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  const opts = { url, method: 'POST', headers, ratePerSecond, connections: CONNECTIONS };
  await paced({ ...opts, durationSeconds: 1 });
  const r = await paced({ ...opts, durationSeconds: OPEN_LOOP_S });
  return { rps: round(r.ok / r.elapsedSeconds, 0), p50_ms: round(percentile(r.latencies, 50), 3), p99_ms: round(percentile(r.latencies, 99), 3) };
}

async function warm(url: string, keys?: string[]) {
  await load(url, { keys: keys ?? [], duration: WARMUP_S });
}

const refreshCount = async (issuer: string) => ((await (await fetch(`${issuer}/_control/calls`)).json()) as { token_refresh: number }).token_refresh;

async function main() {
  const scenarios: Record<string, Measured & Record<string, unknown>> = {};
  const notes: string[] = [];
  const started = Date.now();

  const report = (name: string, m: Measured & { non2xx?: number; errors?: number }, extra: Record<string, unknown> = {}) => {
    scenarios[name] = { rps: m.rps, p50_ms: m.p50_ms, p99_ms: m.p99_ms, ...extra };
    if (m.non2xx || m.errors) notes.push(`${name}: ${m.non2xx ?? 0} non-2xx answers, ${m.errors ?? 0} errors`);
    process.stderr.write(`  ${name}: ${m.rps} req/s, p50 ${m.p50_ms} ms, p99 ${m.p99_ms} ms\n`);
  };

  process.stderr.write(`(a) bare Fastify route, ${CONNECTIONS} connections, ${DURATION_S} s\n`);
  const base = await startChild('baseline');
  const baseUrl = `${base.ready.url}/token/exchange`;
  await warm(baseUrl);
  report('a_baseline_fastify', await load(baseUrl));

  const cached = async (name: string, env: Record<string, string>) => {
    process.stderr.write(`(${name[0]}) cached exchange\n`);
    const svc = await startChild('service', ['1'], env);
    const url = `${svc.ready.url}/token/exchange?publisher=gmail`;
    const refreshesBefore = await refreshCount(svc.ready.issuer!);
    await warm(url, svc.ready.keys);
    const peak = await load(url, { keys: svc.ready.keys });
    report(name, peak);
    const halfRate = Math.max(1, Math.round(peak.rps / 2));
    const half = await load(url, { keys: svc.ready.keys, overallRate: halfRate });
    report(`${name}_half_load`, half);
    // The same rate, evenly paced (autocannon's rate limit sends in bursts), for this scenario and for the bare route.
    report(`${name}_half_load_open_loop`, await openLoop(url, halfRate, svc.ready.keys![0]));
    report(`a_baseline_fastify_open_loop_at_${name[0]}_half_rate`, await openLoop(baseUrl, halfRate));
    const refreshes = (await refreshCount(svc.ready.issuer!)) - refreshesBefore;
    if (refreshes > 0) notes.push(`${name}: ${refreshes} refresh(es) at Google during the run (gmail tokens age out after 40 s)`);
    await stopChild(svc);
    return { peak, half };
  };

  const embedded = await cached('b_cached_exchange_embedded', {});
  if (process.env.DATABASE_URL) await cached('c_cached_exchange_postgres', { BENCH_DATABASE_URL: process.env.DATABASE_URL });
  else notes.push('c_cached_exchange_postgres: skipped (set DATABASE_URL to run it)');
  await stopChild(base);

  process.stderr.write(`(d) cold exchange: ${COLD_USERS} users, one connection each, a refresh at the emulated Google per exchange\n`);
  const cold = await startChild('service', [String(COLD_USERS)], {});
  const coldUrl = `${cold.ready.url}/token/exchange?publisher=bench-cold`;
  const coldBefore = await refreshCount(cold.ready.issuer!);
  const coldRun = await load(coldUrl, { keys: cold.ready.keys });
  const coldRefreshes = (await refreshCount(cold.ready.issuer!)) - coldBefore;
  report('d_cold_exchange_embedded', coldRun, { upstream_refreshes: coldRefreshes });
  await stopChild(cold);

  process.stderr.write(`(e) ${BURST} concurrent exchanges for one user across two instances on one ${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded'} database\n`);
  const burst = await startChild('burst', [String(BURST)], process.env.DATABASE_URL ? { BENCH_DATABASE_URL: process.env.DATABASE_URL } : {});
  const b = burst.result as { requests: number; ok: number; distinct_tokens: number; upstream_refreshes: number; elapsed_ms: number; latencies_ms: number[] };
  const sortedBurst = b.latencies_ms.sort((x, y) => x - y);
  report(
    'e_burst_two_instances',
    { rps: round(b.requests / (b.elapsed_ms / 1000), 0), p50_ms: round(percentile(sortedBurst, 50), 3), p99_ms: round(percentile(sortedBurst, 99), 3) },
    { requests: b.requests, ok: b.ok, distinct_tokens: b.distinct_tokens, upstream_refreshes: b.upstream_refreshes },
  );

  const baseline = scenarios.a_baseline_fastify!;
  const ratio = round(embedded.peak.rps / baseline.rps, 3);
  const results = {
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memory_gb: round(totalmem() / 2 ** 30, 1),
      free_memory_gb: round(freemem() / 2 ** 30, 1),
      platform: `${platform()} ${release()} ${arch()}`,
      node: process.version,
      date: new Date().toISOString(),
      connections: CONNECTIONS,
      duration_s: DURATION_S,
      log_level: LOG_LEVEL,
    },
    scenarios,
    ratio_cached_to_baseline: ratio,
    upstream_refreshes_per_burst: b.upstream_refreshes,
    targets: {
      ratio_cached_to_baseline: { target: '>= 0.6', met: ratio >= 0.6 },
      cached_p99_at_half_load_ms: { target: '< 2', measured: embedded.half.p99_ms, met: embedded.half.p99_ms < 2 },
      note: 'the half-load p99 is autocannon at overallRate = peak / 2; *_open_loop rows pace the same rate evenly (no coordinated omission) and show the bare route at that rate as this machine\'s noise floor',
      upstream_refreshes_per_burst: { target: '= 1', met: b.upstream_refreshes === 1 },
    },
    notes,
    took_s: round((Date.now() - started) / 1000, 1),
  };
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);

  const rows = Object.entries(scenarios).map(([name, m]) => [name, String(m.rps), m.p50_ms.toFixed(3), m.p99_ms.toFixed(3)]);
  const header = ['scenario', 'req/s', 'p50 ms', 'p99 ms'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n`);
  console.log(`ratio (b)/(a): ${ratio} (target >= 0.6)`);
  console.log(`p99 of (b) at half load: ${embedded.half.p99_ms} ms (target < 2 ms)`);
  console.log(`refreshes at Google for ${BURST} concurrent exchanges on two instances: ${b.upstream_refreshes} (target 1)`);
  for (const n of notes) console.log(`note: ${n}`);
  console.log(`\nwrote ${RESULTS_FILE.pathname} in ${results.took_s} s`);
}

await main();
