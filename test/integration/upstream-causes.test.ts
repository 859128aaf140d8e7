import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { GoogleClient } from '../../src/google/client.js';
import { GoogleError } from '../../src/google/errors.js';
import { GoogleEmulator } from '../../src/emulator/index.js';
import { createLogger } from '../../src/log/logger.js';
import { startService } from '../../src/runtime.js';
import { EXCHANGE_DEADLINE_MS } from '../../src/tokens/deadline.js';
import { AuthFlow } from '../support/auth-flow.js';
import { connectGoogle } from '../support/connect.js';
import { freshStorage } from '../support/database.js';
import { type Harness, TEST_CLIENT, freePort, startHarness, waitFor } from '../support/harness.js';
import { untrustedTlsServer } from '../support/tls-server.js';
import { exchange, logLines, newUser } from '../support/token-client.js';

const client = (issuer: string) => new GoogleClient({ issuer, clientId: 'x', clientSecret: 'y', redirectUri: 'http://127.0.0.1:1/cb', timeoutSeconds: 2 });

describe('a failure to reach Google says why', () => {
  it('names the TLS reason when the certificate is not trusted', async () => {
    const tls = await untrustedTlsServer();
    try {
      const err = (await client(tls.url).discover().catch((e: unknown) => e)) as GoogleError;
      expect(err).toBeInstanceOf(GoogleError);
      expect(err).toMatchObject({ kind: 'unavailable', reason: 'unreachable', networkCause: expect.stringContaining('DEPTH_ZERO_SELF_SIGNED_CERT') });
      expect(err.message).toContain('DEPTH_ZERO_SELF_SIGNED_CERT');
    } finally {
      await tls.close();
    }
  });

  it('names a refused connection', async () => {
    const port = await freePort();
    const err = (await client(`http://127.0.0.1:${port}`).discover().catch((e: unknown) => e)) as GoogleError;
    expect(err.networkCause).toMatch(/^ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
  });

  it('at start: one warn line with the TLS reason and no stack, however often discovery is retried', async () => {
    const tls = await untrustedTlsServer();
    const storage = await freshStorage();
    const port = await freePort();
    const lines: string[] = [];
    const config = parseConfig({
      PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`,
      GOOGLE_CLIENT_ID: TEST_CLIENT.clientId, GOOGLE_CLIENT_SECRET: TEST_CLIENT.clientSecret, GOOGLE_ISSUER: tls.url,
      SEREN_USERINFO_URL: 'http://127.0.0.1:1/auth/me', TOKEN_ENCRYPTION_KEYS: `k:${Buffer.alloc(32, 1).toString('base64')}`,
      ...storage.env,
    });
    const service = await startService(config, { logger: createLogger('info', { write: (l: string) => void lines.push(l) }) });
    try {
      await waitFor(() => tls.refusedHandshakes() >= 3, 'three discovery attempts', 15_000);
      const warnings = lines.map((l) => JSON.parse(l)).filter((l) => l.level === 40 && String(l.msg).includes('discovery'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0].msg).toContain('DEPTH_ZERO_SELF_SIGNED_CERT');
      expect(warnings[0].err.cause).toContain('DEPTH_ZERO_SELF_SIGNED_CERT');
      expect(JSON.stringify(warnings[0])).not.toContain('"stack"');
    } finally {
      await service.close();
      await storage.cleanup();
      await tls.close();
    }
  }, 30_000);
});

describe('refresh failures in the log', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ logLevel: 'info' });
  });
  afterAll(() => h?.close());
  afterEach(() => h.google.controls.clearFailures());

  it('Google answering 503 for every user is one warn line with the status, without a stack', async () => {
    const users = [newUser(h), newUser(h), newUser(h)];
    for (const u of users) await connectGoogle(h, u.id);
    h.clock.advance(3_600);
    h.google.controls.failNext('token', { status: 503 }, Infinity);
    const before = h.logs.length;
    for (const u of users) expect((await exchange(h, u.key, 'gmail')).status).toBe(503);
    const warnings = logLines(h).slice(before).filter((l) => l.level === 40 && l.msg.includes('Google refresh'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toContain('HTTP 503');
    expect(JSON.stringify(warnings[0])).not.toContain('"stack"');
  });

  /** Users whose stored token has 3,550 s left: too little for a normal gmail answer, enough for a degraded one. */
  const usersWithUsableTokens = async (n: number) => {
    const users = Array.from({ length: n }, () => newUser(h));
    for (const u of users) await connectGoogle(h, u.id);
    h.clock.advance(50);
    return users;
  };
  const degradedLines = (from: number) =>
    logLines(h).slice(from).filter((l) => l.level === 40 && l.msg.includes('returning the stored access token'));

  it('degraded answers to every user while Google answers 503 are one warn line, with the cause', async () => {
    const users = await usersWithUsableTokens(3);
    h.google.controls.failNext('token', { status: 503 }, Infinity);
    const before = h.logs.length;
    for (const u of users) expect((await exchange(h, u.key, 'gmail')).status).toBe(200);
    const degraded = degradedLines(before);
    expect(degraded).toHaveLength(1); // before: one per exchange
    expect(degraded[0]!.msg).toContain('HTTP 503');
    expect(degraded[0]!.publisher).toBe('gmail');
    expect(JSON.stringify(degraded[0])).not.toContain('"stack"');
  });

  it('Google hanging past the exchange deadline: the warn line names the time-out, without a stack', async () => {
    const [user] = await usersWithUsableTokens(1);
    h.google.controls.failNext('token', { hang: true }, Infinity);
    const before = h.logs.length;
    const started = performance.now();
    expect((await exchange(h, user!.key, 'gmail')).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(EXCHANGE_DEADLINE_MS + 1_000);
    const degraded = degradedLines(before);
    expect(degraded).toHaveLength(1);
    expect(degraded[0]!.msg).toContain('refresh: no answer within the exchange deadline');
    expect(JSON.stringify(degraded[0])).not.toContain('"stack"');
  }, 10_000);
});

describe('Google failing while browser pages are served', () => {
  it('discovery failing on every page load is one warn line, without a stack', async () => {
    const google = new GoogleEmulator({ autoApprove: true, clients: [{ ...TEST_CLIENT }] });
    await google.start();
    google.controls.failNext('discovery', { status: 503 }, Infinity);
    const h = await startHarness({ google, logLevel: 'info', waitForReady: false });
    try {
      const flow = new AuthFlow(h);
      const links = [await flow.link(newUser(h).key), await flow.link(newUser(h).key)];
      for (const link of [...links, ...links]) expect((await fetch(link)).status).toBe(503);
      const warnings = logLines(h).filter((l) => l.level === 40 && l.msg.includes('for a browser page'));
      expect(warnings).toHaveLength(1); // before: one per page load
      expect(JSON.stringify(warnings[0])).toContain('HTTP 503');
      expect(JSON.stringify(warnings[0])).not.toContain('"stack"');
    } finally {
      await h.close();
      await google.close();
    }
  });
});

