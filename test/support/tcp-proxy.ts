import { type Server, type Socket, connect, createServer } from 'node:net';

interface Link {
  client: Socket;
  upstream: Socket | undefined;
  /** Data is dropped both ways, without a reset: what a NAT or failover that forgot the connection does. */
  silent: boolean;
}

/**
 * A TCP proxy on 127.0.0.1 that the fault-injection tests put between the service and
 * PostgreSQL, and break on purpose:
 * - `cut()`: every connection is reset and new ones are reset at once, until `resume()`;
 * - `stall()`: every connection goes silent (data dropped both ways, no reset), and new ones are
 *   accepted but never answered; `resume()` lets new connections through while the stalled ones
 *   stay stranded for good, as after a NAT timeout.
 */
export class TcpProxy {
  private readonly links = new Set<Link>();
  private mode: 'pass' | 'cut' | 'stall' = 'pass';

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = createServer({ pauseOnConnect: false }, (client) => proxy!.accept(client, target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new TcpProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  /** The same PostgreSQL URL, through this proxy. */
  url(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  /** Connections currently open through the proxy (silent ones included). */
  get connections(): number {
    return this.links.size;
  }

  cut(): void {
    this.mode = 'cut';
    for (const link of this.links) this.drop(link);
  }

  stall(): void {
    this.mode = 'stall';
    for (const link of this.links) link.silent = true;
  }

  resume(): void {
    this.mode = 'pass';
  }

  async close(): Promise<void> {
    for (const link of this.links) this.drop(link);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, target: { host: string; port: number }): void {
    client.on('error', () => {});
    if (this.mode === 'cut') {
      client.resetAndDestroy();
      return;
    }
    const link: Link = { client, upstream: undefined, silent: this.mode === 'stall' };
    this.links.add(link);
    client.once('close', () => this.drop(link));
    if (link.silent) return; // accepted, never answered
    const upstream = connect(target.port, target.host);
    link.upstream = upstream;
    upstream.on('error', () => {});
    // A stranded connection hears nothing, not even the server hanging up.
    upstream.once('close', () => (link.silent ? undefined : this.drop(link)));
    client.on('data', (chunk) => {
      if (!link.silent) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!link.silent) client.write(chunk);
    });
  }

  private drop(link: Link): void {
    if (!this.links.delete(link)) return;
    link.client.resetAndDestroy();
    link.upstream?.resetAndDestroy();
  }
}
