/**
 * How one scenario is measured: the service in its own process, its counters read before and
 * after each load window, and the bare Fastify route measured by the same generator in the same
 * rounds (alternating), so every figure has its ceiling beside it.
 */
import { type Keys, type Measured, openLoop, wrk } from './generators.js';
import { type Child, ask, startChild, stopChild } from './proc.js';

export interface Stats {
  cpu_user_us: number;
  cpu_system_us: number;
  statements: number;
  /** Requests the process received (the generator's count misses those it cut off at the end). */
  received: number;
  rss_mb: number;
  rss_peak_mb: number;
  heap_used_mb: number;
  /** V8's heap as reserved now (young and old generations): what of RSS is JavaScript's. */
  heap_total_mb: number;
  gc_count: number;
  gc_ms: number;
  gc_max_ms: number;
}

/** What a window of load cost the service. */
export interface Cost {
  cpu_ms_per_exchange: number;
  db_round_trips_per_exchange: number;
  rss_peak_mb: number;
  /** V8's heap (young and old generations) when the window ended. */
  heap_total_mb: number;
  gc_ms_per_s: number;
  gc_max_ms: number;
  google_calls_per_exchange?: number;
  seren_calls_per_exchange?: number;
}

const round = (n: number, digits = 3) => Number(n.toFixed(digits));
export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** A running process answering `{stats}` (service.ts, upstreams.ts). */
export class Measurable {
  private profiling = false;

  /** `profiled`: CPU-profile every measured window (see costed) until stopProfile. */
  constructor(
    readonly child: Child,
    readonly profiled = false,
  ) {}
  async startProfile(): Promise<void> {
    if (!this.profiled || this.profiling) return;
    this.profiling = true;
    await ask(this.child, { profile: 'start' }, 'profiled');
  }
  async stopProfile(file: string): Promise<boolean> {
    if (!this.profiling) return false;
    this.profiling = false;
    await ask(this.child, { profile: 'stop', file }, 'profiled');
    return true;
  }
  get url(): string {
    return this.child.ready.url as string;
  }
  stats<T = Stats>(): Promise<T> {
    return ask<T>(this.child, { stats: true }, 'stats');
  }
  stop(): Promise<void> {
    return stopChild(this.child);
  }
}

export interface Upstreams {
  google: Measurable;
  seren: Measurable;
}

/** Both fakes answer after `ms` from now on. */
export async function setUpstreamLatency(up: Upstreams, ms: number): Promise<void> {
  await Promise.all([ask(up.google.child, { latency: ms }, 'latency'), ask(up.seren.child, { latency: ms }, 'latency')]);
}

export async function startUpstreams(latencyMs: number): Promise<Upstreams> {
  const [google, seren] = await Promise.all([startChild('./upstreams.ts', ['google', String(latencyMs)]), startChild('./upstreams.ts', ['seren', String(latencyMs)])]);
  return { google: new Measurable(google), seren: new Measurable(seren) };
}

/** BENCH_SERVICE_NODE_ARGS: node flags for the service's process only (e.g. V8 heap sizes to try). */
const SERVICE_NODE_ARGS = process.env.BENCH_SERVICE_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];

/** The service (service.ts) configured by `env`; `profiled`: its measured windows are CPU-profiled. */
export async function startServiceChild(env: Record<string, string | undefined>, profiled = false): Promise<Measurable> {
  return new Measurable(await startChild('./service.ts', ['service'], { env, nodeArgs: SERVICE_NODE_ARGS }), profiled);
}

export async function startBare(): Promise<Measurable> {
  return new Measurable(await startChild('./service.ts', ['bare']));
}

/** Runs `load` and reports what it cost the service (and how often it called each upstream). */
export async function costed<M extends Measured>(svc: Measurable, upstreams: Upstreams | undefined, load: () => Promise<M>): Promise<M & Cost> {
  const calls = async () => (upstreams ? Promise.all([upstreams.google.stats<{ calls: number }>(), upstreams.seren.stats<{ calls: number }>()]) : undefined);
  await svc.startProfile();
  const before = await svc.stats();
  const callsBefore = await calls();
  const started = performance.now();
  const m = await load();
  const seconds = (performance.now() - started) / 1000;
  const after = await settled(svc);
  const callsAfter = await calls();
  // Per exchange the service received: requests the generator cut off still cost their share.
  const n = Math.max(1, after.received - before.received);
  const cpuUs = after.cpu_user_us + after.cpu_system_us - before.cpu_user_us - before.cpu_system_us;
  return {
    ...m,
    cpu_ms_per_exchange: round(cpuUs / 1000 / n),
    db_round_trips_per_exchange: round((after.statements - before.statements) / n, 2),
    rss_peak_mb: after.rss_peak_mb,
    heap_total_mb: after.heap_total_mb,
    gc_ms_per_s: round((after.gc_ms - before.gc_ms) / seconds, 1),
    gc_max_ms: round(after.gc_max_ms, 1),
    ...(callsBefore && callsAfter
      ? {
          google_calls_per_exchange: round((callsAfter[0].calls - callsBefore[0].calls) / n, 2),
          seren_calls_per_exchange: round((callsAfter[1].calls - callsBefore[1].calls) / n, 2),
        }
      : {}),
  };
}

/**
 * The service's counters once the requests still in flight when the load stopped have sent their
 * last statement (each read restarts the RSS peak and the longest GC pause: the highest of the
 * reads is the window's).
 */
async function settled(svc: Measurable): Promise<Stats> {
  let last = await svc.stats();
  let peak = last.rss_peak_mb;
  let gcMax = last.gc_max_ms;
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const now = await svc.stats();
    peak = Math.max(peak, now.rss_peak_mb);
    gcMax = Math.max(gcMax, now.gc_max_ms);
    const done = now.statements === last.statements && now.cpu_user_us - last.cpu_user_us < 5_000;
    last = now;
    if (done) break;
  }
  return { ...last, rss_peak_mb: peak, gc_max_ms: gcMax };
}

/**
 * Seeded users handed out once each: a cold scenario takes a fresh range for every run, so no
 * request meets a user another request has warmed.
 */
export class UserCursor {
  constructor(
    private next: number,
    private readonly last: number,
  ) {}
  fresh(): Keys {
    return { prefix: 'sk_bench_', first: this.next, count: 0 };
  }
  /** After a run from fresh(): skips what it used (plus what may still have been in flight). */
  used(requests: number, inFlight: number) {
    this.next += requests + inFlight + 16;
    if (this.next > this.last) throw new Error(`the benchmark ran out of seeded users (${this.last}): seed more (BENCH_USERS)`);
  }
}

export interface SideBySide<M> {
  service: M & Cost;
  bare: Measured;
  /** Median over the rounds of service req/s ÷ bare req/s in the same round. */
  ratio: number;
}

/**
 * Closed loop (wrk), `rounds` times: the bare route, then the service, each for `seconds`.
 * Figures are medians over the rounds; costs are summed over them.
 */
export async function closedLoopBeside(
  bare: Measurable,
  svc: Measurable,
  upstreams: Upstreams | undefined,
  o: { path: string; keys: () => Keys; used?: (requests: number) => void; rounds: number; seconds: number; connections: number },
): Promise<SideBySide<Measured>> {
  const bareKeys: Keys = { prefix: 'sk_bench_', first: 1, count: o.connections };
  const bares: Measured[] = [];
  const runs: Array<Measured & Cost> = [];
  for (let r = 0; r < o.rounds; r++) {
    bares.push(await wrk(`${bare.url}/token/exchange`, bareKeys, o.seconds, o.connections));
    const m = await costed(svc, upstreams, () => wrk(`${svc.url}${o.path}`, o.keys(), o.seconds, o.connections));
    o.used?.(m.requests);
    runs.push(m);
  }
  const med = <T>(xs: T[], f: (x: T) => number) => round(median(xs.map(f)));
  const total = runs.reduce((s, m) => s + m.requests, 0);
  const weighted = (f: (m: Cost) => number) => round(runs.reduce((s, m) => s + f(m) * m.requests, 0) / Math.max(1, total));
  return {
    service: {
      rps: med(runs, (m) => m.rps),
      p50_ms: med(runs, (m) => m.p50_ms),
      p99_ms: med(runs, (m) => m.p99_ms),
      requests: total,
      failed: runs.reduce((s, m) => s + m.failed, 0),
      cpu_ms_per_exchange: weighted((m) => m.cpu_ms_per_exchange),
      db_round_trips_per_exchange: round(weighted((m) => m.db_round_trips_per_exchange), 2),
      rss_peak_mb: Math.max(...runs.map((m) => m.rss_peak_mb)),
      heap_total_mb: Math.max(...runs.map((m) => m.heap_total_mb)),
      gc_ms_per_s: med(runs, (m) => m.gc_ms_per_s),
      gc_max_ms: Math.max(...runs.map((m) => m.gc_max_ms)),
      ...(runs[0]!.google_calls_per_exchange !== undefined
        ? { google_calls_per_exchange: weighted((m) => m.google_calls_per_exchange!), seren_calls_per_exchange: weighted((m) => m.seren_calls_per_exchange!) }
        : {}),
    },
    bare: { rps: med(bares, (m) => m.rps), p50_ms: med(bares, (m) => m.p50_ms), p99_ms: med(bares, (m) => m.p99_ms), requests: 0, failed: 0 },
    ratio: round(median(runs.map((m, i) => m.rps / bares[i]!.rps)), 4),
  };
}

/** Open loop at `rate`, the service and then the bare route at the same rate. */
export async function openLoopBeside(bare: Measurable, svc: Measurable, o: { path: string; keys: Keys; rate: number; seconds: number; warmupSeconds: number; connections: number }) {
  const run = { rate: o.rate, seconds: o.seconds, warmupSeconds: o.warmupSeconds, connections: o.connections };
  const service = await costed(svc, undefined, () => openLoop(`${svc.url}${o.path}`, o.keys, run));
  const baseline = await openLoop(`${bare.url}/token/exchange`, o.keys, run);
  return { service, bare: baseline };
}
