import { createHook } from 'node:async_hooks';
import { type Server, type ServerResponse, createServer } from 'node:http';
import { type Socket, createServer as createNetServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/net/http-client.js';
import { HttpIdentityResolver } from '../../src/seren/identity.js';

/** The upstream client of the cold path (src/net/http-client.ts), against real loopback servers. */
describe('HttpClient', () => {
  const servers: Server[] = [];
  const clients: HttpClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  /** A loopback server; counts the TCP connections it accepted. */
  async function serve(handler: (res: ServerResponse, n: number) => void) {
    let requests = 0;
    const server = createServer((_req, res) => handler(res, ++requests));
    let connections = 0;
    server.on('connection', () => connections++);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    return {
      url: new URL(`http://127.0.0.1:${port}/x`),
      connections: () => connections,
      close: () => server.closeAllConnections(),
    };
  }
  const client = () => {
    const c = new HttpClient();
    clients.push(c);
    return c;
  };
  const get = (c: HttpClient, url: URL, ms = 2_000) => c.request(url, { method: 'GET', headers: {}, deadline: performance.now() + ms });

  it('reuses one kept-alive connection for calls one after another', async () => {
    const upstream = await serve((res, n) => res.end(`answer ${n}`));
    const c = client();
    for (let i = 1; i <= 5; i++) expect((await get(c, upstream.url)).body.toString()).toBe(`answer ${i}`);
    expect(upstream.connections()).toBe(1);
  });

  it('abandons a call at its deadline with a TimeoutError', async () => {
    const upstream = await serve(() => {}); // never answers
    const started = performance.now();
    await expect(get(client(), upstream.url, 150)).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(performance.now() - started).toBeLessThan(2_000);
    upstream.close();
  });

  it('sends a call again on a new connection when a kept-alive one is closed as it is reused', async () => {
    // The second request arrives on the kept-alive connection just as the server drops it.
    const upstream = await serve((res, n) => (n === 2 ? res.socket!.destroy() : res.end(`answer ${n}`)));
    const c = client();
    expect((await get(c, upstream.url)).body.toString()).toBe('answer 1');
    expect((await get(c, upstream.url)).body.toString()).toBe('answer 3');
    expect(upstream.connections()).toBe(2);
  });

  it('refuses an answer over 1 MB', async () => {
    const upstream = await serve((res) => res.end(Buffer.alloc(1024 * 1024 + 1, 'a')));
    await expect(get(client(), upstream.url)).rejects.toThrow(/exceeds/);
  });

  it('starts no timer per call (an AbortSignal.timeout per Seren lookup started one, live until it expired)', async () => {
    // A bare TCP responder: unlike node:http's server it starts no timers of its own.
    const body = JSON.stringify({ data: { id: 'u1', status: 'active' } });
    const sockets: Socket[] = [];
    const raw = createNetServer((socket) => {
      sockets.push(socket);
      socket.on('data', () => socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`));
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    try {
      const resolver = new HttpIdentityResolver(`http://127.0.0.1:${(raw.address() as { port: number }).port}/auth/me`, 0, Date.now);
      await resolver.resolve('warm-up');
      let timers = 0;
      const hook = createHook({ init: (_id, type) => void (type === 'Timeout' && timers++) }).enable();
      try {
        for (let i = 0; i < 40; i++) await resolver.resolve(`key-${i}`);
      } finally {
        hook.disable();
      }
      expect(timers).toBeLessThan(5);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => raw.close(r));
    }
  });
});
