import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { DeadlineWatch } from './deadline-watch.js';

/** One outbound request. `deadline` is absolute, on the `performance.now()` clock. */
export interface OutboundRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | Buffer | undefined;
  deadline: number;
}

export interface OutboundResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Answers larger than this are refused: nobody we call sends more than a few KB. */
const MAX_BODY_BYTES = 1024 * 1024;
/**
 * How long an idle kept-alive connection is kept (a NAT may forget a quiet connection after a
 * few minutes), checked every SWEEP_MS. The agent's own `timeout` option would instead restart
 * a timer on every request.
 */
const IDLE_SOCKET_MS = 30_000;
const SWEEP_MS = 10_000;
const idleSince = Symbol('idleSince');
type Pooled = Socket & { [idleSince]?: number };

/** The deadline passed: the same error a fetch aborted by `AbortSignal.timeout` rejects with. */
export const timedOut = () => new DOMException('The operation was aborted due to timeout', 'TimeoutError');

/**
 * The service's client for its upstreams (Google, Seren): `node:http`/`node:https` over
 * kept-alive connections. It exists for the cold exchange's sake: undici's `fetch` costs about
 * four times the CPU per call, and `AbortSignal.timeout` leaves a live timer and weak
 * references per call until it expires. Here a request carries an absolute deadline that one
 * shared watch enforces (deadline-watch.ts); no timer or signal per call.
 *
 * A request that fails because the server closed a kept-alive connection just as we reused it
 * is sent again once on a new one (the request never reached the server).
 */
export class HttpClient {
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64, scheduling: 'lifo' }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64, scheduling: 'lifo' }),
  };
  private readonly watch = new DeadlineWatch();
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    for (const agent of Object.values(this.agents)) agent.on('free', (socket: Pooled) => (socket[idleSince] = performance.now()));
    this.sweeper = setInterval(() => this.closeIdleSockets(), SWEEP_MS);
    this.sweeper.unref();
  }

  request(url: URL, req: OutboundRequest): Promise<OutboundResponse> {
    return this.send(url, req, true);
  }

  /** Closes every connection and stops the sweeper. */
  destroy(): void {
    clearInterval(this.sweeper);
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }

  private closeIdleSockets() {
    const oldest = performance.now() - IDLE_SOCKET_MS;
    for (const agent of Object.values(this.agents)) {
      for (const sockets of Object.values(agent.freeSockets)) {
        for (const socket of (sockets ?? []) as Pooled[]) if ((socket[idleSince] ?? 0) < oldest) socket.destroy();
      }
    }
  }

  private send(url: URL, req: OutboundRequest, mayRetry: boolean): Promise<OutboundResponse> {
    const protocol = url.protocol === 'https:' ? 'https:' : url.protocol === 'http:' ? 'http:' : undefined;
    if (!protocol) return Promise.reject(new TypeError(`unsupported protocol ${url.protocol}`));
    if (performance.now() >= req.deadline) return Promise.reject(timedOut());
    return new Promise<OutboundResponse>((resolve, reject) => {
      const headers = req.body === undefined ? req.headers : { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) };
      const outgoing = (protocol === 'https:' ? https : http).request(url, { method: req.method, headers, agent: this.agents[protocol] });
      let settled = false;
      let responded = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        unwatch();
        outgoing.destroy();
        // A kept-alive connection the server had just closed: the request never reached it.
        const stale = mayRetry && !responded && outgoing.reusedSocket && (err as NodeJS.ErrnoException).code === 'ECONNRESET';
        if (stale) this.send(url, req, false).then(resolve, reject);
        else reject(err);
      };
      const unwatch = this.watch.add(req.deadline, () => fail(timedOut()));
      outgoing.once('error', fail);
      outgoing.once('response', (res: IncomingMessage) => {
        responded = true;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) fail(new Error(`the answer from ${url.host} exceeds ${MAX_BODY_BYTES} bytes`));
          else chunks.push(chunk);
        });
        res.once('error', fail);
        res.once('end', () => {
          if (settled) return;
          settled = true;
          unwatch();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) });
        });
      });
      outgoing.end(req.body);
    });
  }
}
