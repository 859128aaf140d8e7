/**
 * A benchmark child process: an open-loop load generator at a constant rate, for latency at a
 * given load (no wrk2 here; wrk itself is closed-loop).
 *
 *   node --import tsx bench/open-loop.ts '{"url":…,"rate":…,"seconds":…,"warmupSeconds":…,"connections":…,"keys":{…}}'
 *
 * Request i is due at start + i / rate. A timer wakes at the next due instant (never a busy
 * loop: the generator must not take a core from the service) and sends everything due; a
 * request waits for a free keep-alive connection if all are busy. Its latency counts from the
 * instant it was due, so the timer's own lateness (~1 ms, Node's timer resolution) and any wait
 * for a connection are included: no coordinated omission, and the bare route measured the same
 * way shows the floor this method adds. Raw HTTP/1.1 on net sockets (status line and
 * Content-Length only), about a tenth of node:http's CPU per request, so the generator stays
 * light beside the service. Answers `{result}` over IPC.
 */
import { type Socket, connect } from 'node:net';

interface Options {
  url: string;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  /** count > 0: keys prefix+first … prefix+(first+count-1) in turn; 0: a new key per request. */
  keys: { prefix: string; first: number; count: number };
}

interface Conn {
  socket: Socket;
  pending: Buffer | undefined;
  dueAt: number;
  measured: boolean;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = Buffer.from('\r\ncontent-length: ');

const opts = JSON.parse(process.argv[2] ?? '{}') as Options;
const url = new URL(opts.url);
const head = `POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: 0\r\nAuthorization: Bearer ${opts.keys.prefix}`;
const warmup = Math.floor(opts.rate * opts.warmupSeconds);
const total = warmup + Math.floor(opts.rate * opts.seconds);
const latencies = new Float64Array(total);
const lags = new Float64Array(total);
let measured = 0;
let ok = 0;
let other = 0;
/** Answers that were not 2xx, by status code. */
const statuses: Record<string, number> = {};
let done = 0;
let sent = 0;
const idle: Conn[] = [];
const backlog: number[] = [];

function send(conn: Conn, index: number, dueAt: number) {
  const n = opts.keys.count > 0 ? opts.keys.first + (index % opts.keys.count) : opts.keys.first + index;
  conn.dueAt = dueAt;
  conn.measured = index >= warmup;
  if (conn.measured) lags[index - warmup] = performance.now() - dueAt;
  conn.socket.write(`${head}${n}\r\n\r\n`);
}

function onData(conn: Conn, chunk: Buffer) {
  let buf = conn.pending ? Buffer.concat([conn.pending, chunk]) : chunk;
  for (;;) {
    const end = buf.indexOf(HEADER_END);
    if (end < 0) break;
    const at = buf.indexOf(CONTENT_LENGTH);
    let length = 0;
    if (at >= 0 && at < end) for (let i = at + CONTENT_LENGTH.length; buf[i]! >= 48 && buf[i]! <= 57; i++) length = length * 10 + buf[i]! - 48;
    const size = end + 4 + length;
    if (buf.length < size) break;
    done++;
    if (conn.measured) {
      latencies[measured++] = performance.now() - conn.dueAt;
      if (buf[9] === 50) ok++; // 2xx
      else {
        other++;
        const status = buf.toString('latin1', 9, 12);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }
    buf = buf.subarray(size);
    const next = backlog.shift();
    if (next !== undefined) send(conn, next, start + next * interval);
    else idle.push(conn);
  }
  conn.pending = buf.length ? buf : undefined;
}

await Promise.all(
  Array.from(
    { length: opts.connections },
    () =>
      new Promise<void>((resolve, reject) => {
        const socket = connect(Number(url.port), url.hostname, () => resolve());
        socket.setNoDelay(true);
        const conn: Conn = { socket, pending: undefined, dueAt: 0, measured: false };
        socket.on('data', (chunk) => onData(conn, chunk));
        socket.once('error', reject);
        idle.push(conn);
      }),
  ),
);

const interval = 1000 / opts.rate;
const start = performance.now();
await new Promise<void>((resolve) => {
  const tick = () => {
    const now = performance.now();
    while (sent < total && start + sent * interval <= now) {
      const conn = idle.pop();
      if (conn) send(conn, sent, start + sent * interval);
      else backlog.push(sent);
      sent++;
    }
    if (sent >= total) return resolve();
    setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
  };
  tick();
});
const measuredSince = start + warmup * interval;
const deadline = performance.now() + 10_000;
while (done < sent && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
const elapsed = (performance.now() - measuredSince) / 1000;

const sorted = latencies.subarray(0, measured).sort();
const sortedLags = lags.subarray(0, Math.max(0, sent - warmup)).sort();
const at = (a: Float64Array, p: number) => a[Math.min(a.length - 1, Math.floor((p / 100) * a.length))] ?? Number.NaN;
process.send!({
  result: {
    sent: sent - warmup,
    ok,
    other,
    lost: sent - done,
    statuses,
    elapsed_s: elapsed,
    p50_ms: at(sorted, 50),
    p99_ms: at(sorted, 99),
    max_ms: sorted[sorted.length - 1] ?? Number.NaN,
    send_lag_p99_ms: at(sortedLags, 99),
  },
});
process.disconnect();
process.exit(0);
