/** The two load generators, each run as a process of its own (see proc.ts). */
import { runChild, runCommand } from './proc.js';

export interface Keys {
  prefix: string;
  first: number;
  /** > 0: that many keys in turn; 0: a new key for every request from `first` on. */
  count: number;
}

export interface Measured {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  /** Requests answered (any status) in the measured window. */
  requests: number;
  /** Answers that were not 2xx, plus connection errors and time-outs. */
  failed: number;
}

const round = (n: number, digits = 3) => Number(n.toFixed(digits));
const WRK_SCRIPT = new URL('./wrk-keys.lua', import.meta.url).pathname;

/** Closed loop: wrk with `connections` connections for `seconds`, one thread, a key per request. */
export async function wrk(url: string, keys: Keys, seconds: number, connections: number): Promise<Measured> {
  const out = await runCommand('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', WRK_SCRIPT, url, '--', keys.prefix, String(keys.first), String(keys.count)]);
  const line = out.split('\n').find((l) => l.startsWith('WRK '));
  if (!line) throw new Error(`wrk printed no result:\n${out}`);
  const r = JSON.parse(line.slice(4)) as Record<string, number>;
  const failed = r.non_2xx! + r.connect_errors! + r.read_errors! + r.write_errors! + r.timeouts!;
  return {
    rps: Math.round((r.requests! - r.non_2xx!) / (r.duration_us! / 1e6)),
    p50_ms: round(r.p50_us! / 1000),
    p99_ms: round(r.p99_us! / 1000),
    requests: r.requests!,
    failed,
  };
}

export interface OpenLoopResult extends Measured {
  /** The generator's own lateness: how long after its due instant a request left (p99). */
  send_lag_p99_ms: number;
  /** Answers that were not 2xx, by status code. */
  statuses: Record<string, number>;
}

/** Open loop at `rate` per second (open-loop.ts), after `warmupSeconds` at the same rate that are not measured. */
export async function openLoop(url: string, keys: Keys, o: { rate: number; seconds: number; warmupSeconds: number; connections: number }): Promise<OpenLoopResult> {
  const r = await runChild<{ sent: number; ok: number; other: number; lost: number; p50_ms: number; p99_ms: number; send_lag_p99_ms: number; statuses: Record<string, number> }>('./open-loop.ts', [
    JSON.stringify({ url, keys, ...o }),
  ]);
  return {
    rps: Math.round(r.ok / o.seconds),
    p50_ms: round(r.p50_ms),
    p99_ms: round(r.p99_ms),
    requests: r.ok + r.other,
    failed: r.other + r.lost,
    send_lag_p99_ms: round(r.send_lag_p99_ms),
    statuses: r.statuses,
  };
}

/** Is wrk installed? (Debian: `apt-get install wrk`.) */
export async function haveWrk(): Promise<boolean> {
  return runCommand('wrk', ['-v']).then(
    () => true,
    (err: Error) => !/ENOENT/.test(err.message),
  );
}
