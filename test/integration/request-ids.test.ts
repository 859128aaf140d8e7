import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { internalErrorPage } from '../../src/pages/problems.js';
import { connectGoogle } from '../support/connect.js';
import { type Harness, startHarness } from '../support/harness.js';
import { exchange, logLines, newUser } from '../support/token-client.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());
  afterEach(() => {
    h.google.controls.clearFailures();
    h.seren.failAlways(undefined);
  });

  const linesOf = (id: string) => logLines(h).filter((l) => l.request_id === id);

  it('answers every response with a unique X-Request-Id, a UUID rather than a per-process counter', async () => {
    const responses = await Promise.all([
      fetch(`${h.url}/health`),
      fetch(`${h.url}/openapi.json`),
      fetch(`${h.url}/no-such-route`),
      fetch(`${h.url}/auth/google?seren_token=nonsense`),
      exchange(h, undefined),
      exchange(h, undefined),
    ]);
    const ids = responses.map((r) => r.headers.get('x-request-id'));
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('puts the request id in every JSON error body, the same as the header', async () => {
    const user = newUser(h);
    const connected = newUser(h);
    await connectGoogle(h, connected.id);
    h.clock.advance(3_600); // its stored token has expired: the next exchange refreshes
    h.google.controls.failNext('token', { error: 'invalid_client' });
    const answers = [
      await fetch(`${h.url}/no-such-route`), // 404
      await exchange(h, undefined), // 401
      await exchange(h, user.key, 'no-such-publisher'), // 400
      await fetch(`${h.url}/token/exchange?unexpected=1`, { method: 'POST', headers: { authorization: `Bearer ${user.key}` } }), // 401 google_not_connected (an unknown parameter is ignored)
      await exchange(h, connected.key, 'gmail'), // 500 google_client_misconfigured
    ];
    expect(answers.map((res) => res.status)).toEqual([404, 401, 400, 401, 500]);
    for (const res of answers) {
      const body = await res.json();
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(body.error).toEqual(expect.any(String));
      expect(body.request_id, JSON.stringify(body)).toBe(res.headers.get('x-request-id'));
    }
  });

  it('answers a URL that cannot be decoded in the API error shape, with its request id (not Fastify\'s own body)', async () => {
    const url = new URL(h.url);
    const answer = await new Promise<{ status?: number; id: unknown; body: string }>((resolve, reject) => {
      // A raw request: fetch would re-encode the broken %-escape.
      const req = request({ host: url.hostname, port: url.port, path: '/token/%E0%A4%A', method: 'POST' }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode, id: res.headers['x-request-id'], body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(400);
    expect(answer.id).toMatch(UUID);
    expect(JSON.parse(answer.body)).toEqual({ error: 'invalid_request', message: expect.stringContaining('cannot be decoded'), request_id: answer.id });
  });

  it('keeps a sane incoming X-Request-Id and logs it on every line of that request', async () => {
    const id = 'gw-3f2a9c1e:trace=1';
    const res = await exchange(h, undefined, undefined, { headers: { 'x-request-id': id } });
    expect(res.headers.get('x-request-id')).toBe(id);
    expect((await res.json()).request_id).toBe(id);
    const lines = linesOf(id);
    expect(lines.map((l) => l.msg)).toContain('request completed');
  });

  it('writes no request line for probes and scrapes (their routes log at warn), one for an exchange', async () => {
    const ids: string[] = [];
    for (const path of ['/health', '/ready', '/metrics']) ids.push((await fetch(`${h.url}${path}`)).headers.get('x-request-id')!);
    const exchanged = await exchange(h, undefined);
    await exchanged.text();
    for (const id of ids) expect(linesOf(id).map((l) => l.msg)).not.toContain('request completed');
    expect(linesOf(exchanged.headers.get('x-request-id')!).map((l) => l.msg)).toContain('request completed');
  });

  it('replaces an incoming X-Request-Id that is too long or carries unsafe characters', async () => {
    for (const unsafe of ['x'.repeat(129), 'a b', 'id"}{"admin":true', '<script>', '']) {
      const res = await fetch(`${h.url}/health`, { headers: { 'x-request-id': unsafe } });
      expect(res.headers.get('x-request-id'), unsafe).toMatch(UUID);
    }
  });

  it('tags the lines the token services write during a request (the cause of a 503) with its id', async () => {
    const user = newUser(h);
    await connectGoogle(h, user.id);
    h.clock.advance(3_600); // the stored access token has expired: the exchange must refresh
    h.google.controls.failNext('token', { status: 500 }, Infinity);
    const id = 'why-did-this-fail-1';
    const res = await exchange(h, user.key, 'gmail', { headers: { 'x-request-id': id } });
    expect(res.status).toBe(503);
    const cause = linesOf(id).find((l) => l.msg.includes('Google refresh is unavailable'));
    expect(cause, JSON.stringify(linesOf(id))).toBeDefined();
  });

  it('shows the request id on the HTML 500 page, for the user to quote', () => {
    expect(internalErrorPage('3b1f0c1e-id').body).toContain('<code>3b1f0c1e-id</code>');
  });
});
