import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectGoogle } from '../support/connect.js';
import { type Harness, startHarness } from '../support/harness.js';
import { newUser } from '../support/token-client.js';

/** A raw connection to the service, to hold it idle or to pipeline requests on it. */
async function rawConnection(url: string): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let data = '';
  socket.on('data', (d) => (data += d));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, received: () => data, closed };
}

describe('shutdown', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    if (!h) return;
    // The tests close the service themselves; the rest of the harness is closed here.
    await h.google.close();
    await h.seren.close();
    await h.storage.cleanup();
    h = undefined;
  });

  it('closes idle connections at once: a client that never sent a request, and one between keep-alive requests', { timeout: 45_000 }, async () => {
    h = await startHarness();
    const silent = await rawConnection(h.url);
    const keptAlive = await rawConnection(h.url);
    keptAlive.socket.write(`GET /health HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n`);
    await waitUntil(() => keptAlive.received().includes('"healthy"'));

    const started = performance.now();
    await h.service.close();
    // Before: close() waited for the silent client until it hung up (SIGTERM's 10 s grace, then exit 1).
    expect(performance.now() - started).toBeLessThan(2_000);
    await Promise.all([silent.closed, keptAlive.closed]);
  });

  it('answers a request arriving during shutdown with 503 service_unavailable, Retry-After and the SPEC error shape', { timeout: 45_000 }, async () => {
    h = await startHarness();
    const user = newUser(h);
    await connectGoogle(h, user.id, { email: `${user.id}@example.com` });
    h.clock.advance(3600); // the next exchange must refresh at Google …
    h.google.controls.failNext('token', { delayMs: 1_000 }); // … which takes a second

    const conn = await rawConnection(h.url);
    conn.socket.write(`POST /token/exchange HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${user.key}\r\nContent-Length: 0\r\n\r\n`);
    await waitUntil(() => h!.google.calls.token_refresh === 1);
    const closing = h.service.close();
    // The connection is busy, so it stays open: a second request arrives on it during shutdown.
    await new Promise((r) => setTimeout(r, 50));
    conn.socket.write(`GET /health HTTP/1.1\r\nHost: x\r\n\r\n`);
    await conn.closed;
    await closing;

    const responses = conn.received().split(/(?=HTTP\/1\.1 )/);
    expect(responses).toHaveLength(2);
    expect(responses[0]).toMatch(/^HTTP\/1\.1 200 /); // the request in progress was finished
    const [head, body] = responses[1]!.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 503 /);
    expect(head).toMatch(/\r\nretry-after: [1-9]\d*\r\n/i);
    expect(head).toMatch(/\r\nconnection: close\r\n/i);
    expect(JSON.parse(body!)).toMatchObject({ error: 'service_unavailable', message: expect.stringMatching(/shutting down/) });
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
