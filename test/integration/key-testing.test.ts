import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REJECTED_KEYS_PER_MINUTE } from '../../src/seren/rejected-keys.js';
import { type Harness, startHarness } from '../support/harness.js';
import { newUser } from '../support/token-client.js';

/**
 * Issue 11, finding 1: the service must not be an oracle for testing stolen keys against Seren.
 * Keys Seren rejects are counted per client address; past the limit, unknown keys from that
 * address answer 429 without a call to Seren, while keys already known keep working.
 */
describe('rejected-key limit per client address (SPEC §5)', () => {
  let h: Harness;
  beforeAll(async () => {
    // A trusted proxy, so each test can speak from its own client address (X-Forwarded-For).
    h = await startHarness({ env: { TRUST_PROXY: 'true' } });
  });
  afterAll(() => h?.close());

  const status = (apiKey: string, address: string) =>
    fetch(`${h.url}/token/status`, { headers: { authorization: `Bearer ${apiKey}`, 'x-forwarded-for': address } });

  it(`past ${REJECTED_KEYS_PER_MINUTE} rejected keys a minute, unknown keys get 429 without a call to Seren; known keys still work`, async () => {
    const address = '203.0.113.7';
    const known = newUser(h);
    expect((await status(known.key, address)).status).toBe(200);

    const before = h.seren.calls;
    for (let i = 0; i < REJECTED_KEYS_PER_MINUTE; i++) {
      const res = await status(`sk_stolen_${i}`, address);
      expect(res.status).toBe(401);
      await res.body?.cancel();
    }
    expect(h.seren.calls - before).toBe(REJECTED_KEYS_PER_MINUTE);

    for (let i = 0; i < 20; i++) {
      const res = await status(`sk_stolen_more_${i}`, address);
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await res.json()).error).toBe('rate_limited');
    }
    expect(h.seren.calls - before).toBe(REJECTED_KEYS_PER_MINUTE); // Seren was not asked

    // A valid key that is not known yet is refused too (it cannot be told apart without Seren)…
    const unknownGood = newUser(h);
    expect((await status(unknownGood.key, address)).status).toBe(429);
    // …but the key already known still works, and so does the same exchange from another address.
    expect((await status(known.key, address)).status).toBe(200);
    expect((await status(unknownGood.key, '198.51.100.9')).status).toBe(200);
    expect(h.seren.calls - before).toBe(REJECTED_KEYS_PER_MINUTE + 1);

    // The window is one minute.
    h.clock.advance(61);
    const later = await status('sk_stolen_after_a_minute', address);
    expect(later.status).toBe(401);
    expect(h.seren.calls - before).toBe(REJECTED_KEYS_PER_MINUTE + 2);
  });

  it('a key Seren already rejected answers 401 from the cache, and is not counted again', async () => {
    const address = '203.0.113.8';
    const before = h.seren.calls;
    for (let i = 0; i < REJECTED_KEYS_PER_MINUTE * 2; i++) {
      const res = await status('sk_one_wrong_key', address);
      expect(res.status).toBe(401);
      await res.body?.cancel();
    }
    expect(h.seren.calls - before).toBeLessThanOrEqual(2); // cached for 10 s of real time
    expect((await status('sk_another_wrong_key', address)).status).toBe(401);
  });
});
