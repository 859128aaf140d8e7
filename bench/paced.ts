import { connect, type Socket } from 'node:net';

/**
 * An open-loop load generator at a constant rate, for latency at a given load. autocannon's
 * rate limit sends each connection's quota for the second as fast as it can and then waits for
 * the next second, so its "half load" is full load half of the time; here requests leave at
 * evenly spaced instants, and a request's latency counts from the instant it was due (time spent
 * waiting for a free connection included: no coordinated omission). Kept allocation-light so the
 * generator's own pauses stay out of the numbers as far as possible.
 */
export interface PacedOptions {
  url: string;
  method: string;
  headers: Record<string, string>;
  ratePerSecond: number;
  durationSeconds: number;
  connections: number;
}

export interface PacedResult {
  sent: number;
  ok: number;
  other: number;
  /** Milliseconds, sorted. */
  latencies: Float64Array;
  elapsedSeconds: number;
}

interface Conn {
  socket: Socket;
  pending: Buffer | undefined;
  /** When the request in flight was due (performance.now()). */
  dueAt: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = Buffer.from('\r\ncontent-length: ');

export async function paced(opts: PacedOptions): Promise<PacedResult> {
  const url = new URL(opts.url);
  const head = [`${opts.method} ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, 'Connection: keep-alive', 'Content-Length: 0'];
  for (const [k, v] of Object.entries(opts.headers)) head.push(`${k}: ${v}`);
  const request = Buffer.from(`${head.join('\r\n')}\r\n\r\n`);

  const total = Math.floor(opts.ratePerSecond * opts.durationSeconds);
  const latencies = new Float64Array(total);
  let done = 0;
  let ok = 0;
  const idle: Conn[] = [];
  const all: Conn[] = [];
  const backlog: number[] = [];

  const send = (conn: Conn, dueAt: number) => {
    conn.dueAt = dueAt;
    conn.socket.write(request);
  };

  const onData = (conn: Conn, chunk: Buffer) => {
    let buf = conn.pending ? Buffer.concat([conn.pending, chunk]) : chunk;
    for (;;) {
      const end = buf.indexOf(HEADER_END);
      if (end < 0) break;
      const at = buf.indexOf(CONTENT_LENGTH);
      let length = 0;
      if (at >= 0 && at < end) for (let i = at + CONTENT_LENGTH.length; buf[i]! >= 48 && buf[i]! <= 57; i++) length = length * 10 + buf[i]! - 48;
      const size = end + 4 + length;
      if (buf.length < size) break;
      if (buf[9] === 50 && buf[10] === 48 && buf[11] === 48) ok++; // "200"
      latencies[done++] = performance.now() - conn.dueAt;
      buf = buf.subarray(size);
      const next = backlog.shift();
      if (next !== undefined) send(conn, next);
      else idle.push(conn);
    }
    conn.pending = buf.length ? buf : undefined;
  };

  await Promise.all(
    Array.from(
      { length: opts.connections },
      () =>
        new Promise<void>((resolve, reject) => {
          const socket = connect(Number(url.port), url.hostname, () => resolve());
          socket.setNoDelay(true);
          const conn: Conn = { socket, pending: undefined, dueAt: 0 };
          socket.on('data', (chunk) => onData(conn, chunk));
          socket.once('error', reject);
          idle.push(conn);
          all.push(conn);
        }),
    ),
  );

  const intervalMs = 1000 / opts.ratePerSecond;
  const start = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      // Every request due by now leaves now (or waits for a connection, its clock already running).
      while (sent < total && start + sent * intervalMs <= now) {
        const dueAt = start + sent * intervalMs;
        sent++;
        const conn = idle.pop();
        if (conn) send(conn, dueAt);
        else backlog.push(dueAt);
      }
      if (sent < total) setImmediate(tick);
      else resolve();
    };
    tick();
  });
  const deadline = performance.now() + 5_000;
  while (done < sent && performance.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  const elapsedSeconds = (performance.now() - start) / 1000;
  for (const c of all) c.socket.destroy();
  return { sent, ok, other: done - ok, latencies: latencies.subarray(0, done).sort(), elapsedSeconds };
}
