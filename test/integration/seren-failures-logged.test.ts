import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness.js';
import { untrustedTlsServer } from '../support/tls-server.js';
import { exchange, logLines, newUser } from '../support/token-client.js';

const serenLines = (h: Harness, from: number) => logLines(h).slice(from).filter((l) => l.msg.startsWith('Seren identity lookup failed'));

describe('Seren identity failures in the log', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ logLevel: 'info' });
  });
  afterAll(() => h?.close());

  it('a 503 seren_unavailable leaves a warn line saying what Seren answered, with the request id and never the key', async () => {
    h.seren.failAlways({ status: 503 });
    try {
      const before = h.logs.length;
      const users = [newUser(h), newUser(h), newUser(h)];
      const answers = [];
      for (const u of users) answers.push(await exchange(h, u.key, 'gmail', { headers: { 'x-request-id': `seren-down-${u.id}` } }));
      for (const res of answers) expect((await res.json()).error).toBe('seren_unavailable');
      const lines = serenLines(h, before);
      expect(lines).toHaveLength(1); // one outage, one line a minute
      expect(lines[0]).toMatchObject({ level: 40, msg: 'Seren identity lookup failed: answered HTTP 503 Service Unavailable', request_id: `seren-down-${users[0]!.id}` });
      expect(JSON.stringify(lines[0])).not.toContain('"stack"');
      for (const line of h.logs.slice(before)) for (const u of users) expect(line).not.toContain(u.key);
    } finally {
      h.seren.failAlways(undefined);
    }
  });

  it('a key Seren rejects is not a Seren failure', async () => {
    const before = h.logs.length;
    expect((await exchange(h, 'sk_unknown_key_1234567890')).status).toBe(401);
    expect(serenLines(h, before)).toEqual([]);
  });
});

describe('Seren behind a certificate we do not trust', () => {
  it('logs the TLS reason', { timeout: 60_000 }, async () => {
    const tls = await untrustedTlsServer();
    const h = await startHarness({ logLevel: 'info', env: { SEREN_USERINFO_URL: `${tls.url}/auth/me` } });
    try {
      const res = await exchange(h, 'sk_any_key_1234567890');
      expect(res.status).toBe(503);
      const body = await res.json();
      expect(body.error).toBe('seren_unavailable');
      expect(body.message).not.toContain('127.0.0.1'); // the cause is for the operators' log, not the caller
      const [line] = serenLines(h, 0);
      expect(line?.msg).toMatch(/^Seren identity lookup failed: unreachable: DEPTH_ZERO_SELF_SIGNED_CERT/);
    } finally {
      await h.close();
      await tls.close();
    }
  });
});
