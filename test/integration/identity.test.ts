import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/errors/errors.js';
import { DevIdentityResolver, HttpIdentityResolver } from '../../src/seren/identity.js';
import { AdjustableClock } from '../../src/clock.js';
import { SerenStandIn } from '../support/seren.js';

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err.code;
    throw err;
  }
  return 'resolved';
};

describe('Seren identity', () => {
  const seren = new SerenStandIn();
  const clock = new AdjustableClock();
  beforeAll(() => seren.start());
  afterAll(() => seren.close());

  it('100 lookups of one key cost one call, concurrent or not, until the TTL passes', async () => {
    const key = seren.addUser('sk_cache_me', { email: 'ada@seren.test', name: 'Ada' });
    const resolver = new HttpIdentityResolver(seren.url, 300, clock.now);
    const before = seren.calls;
    const users = await Promise.all(Array.from({ length: 50 }, () => resolver.resolve(key)));
    for (let i = 0; i < 50; i++) users.push(await resolver.resolve(key));
    expect(seren.calls - before).toBe(1);
    expect(new Set(users.map((u) => u.id)).size).toBe(1);
    expect(users[0]).toMatchObject({ email: 'ada@seren.test', name: 'Ada', status: 'active' });
    clock.advance(301);
    await resolver.resolve(key);
    expect(seren.calls - before).toBe(2);
  });

  it('accepts a bare user object without data', async () => {
    const resolver = new HttpIdentityResolver(seren.url, 300, clock.now);
    seren.failNext({ body: JSON.stringify({ id: 'u-bare', email: 'b@x', name: 'B', status: 'paused' }) });
    expect(await resolver.resolve('sk_anything')).toMatchObject({ id: 'u-bare', status: 'paused' });
  });

  it('401/403 means invalid credentials, cached briefly', async () => {
    const resolver = new HttpIdentityResolver(seren.url, 300, clock.now);
    const before = seren.calls;
    expect(await codeOf(resolver.resolve('sk_unknown'))).toBe('invalid_seren_credentials');
    expect(await codeOf(resolver.resolve('sk_unknown'))).toBe('invalid_seren_credentials');
    expect(seren.calls - before).toBe(1);
    seren.failNext({ status: 403 });
    expect(await codeOf(resolver.resolve('sk_other'))).toBe('invalid_seren_credentials');
    clock.advance(11);
    await resolver.resolve('sk_unknown').catch(() => {});
    expect(seren.calls - before).toBe(3);
  });

  it('5xx, 429, a time-out or an unreadable body is seren_unavailable, never invalid credentials, and is not cached', async () => {
    const key = seren.addUser('sk_flaky');
    const resolver = new HttpIdentityResolver(seren.url, 300, clock.now, 200);
    for (const failure of [{ status: 500 }, { status: 503 }, { status: 429 }, { delayMs: 400 }, { body: '<html>' }, { body: '{"data":{}}' }]) {
      seren.failNext(failure);
      const err = await resolver.resolve(key).catch((e: unknown) => e);
      expect(err, JSON.stringify(failure)).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe('seren_unavailable');
      expect((err as ApiError).headers['Retry-After']).toMatch(/^\d+$/);
    }
    expect((await resolver.resolve(key)).id).toBe(seren.users.get(key)!.id);
  });

  it('fails closed: an answer without the user id or status is seren_unavailable, never an active user', async () => {
    const resolver = new HttpIdentityResolver(seren.url, 300, clock.now);
    const answers = [
      { data: { id: 'u-no-status', email: 'a@x', name: 'A' } },
      { id: 'u-no-status', email: 'a@x', name: 'A' },
      { data: { id: 'u-empty-status', status: '' } },
      { data: { email: 'a@x', status: 'active' } },
      { data: { id: '', status: 'active' } },
    ];
    for (const answer of answers) {
      seren.failNext({ body: JSON.stringify(answer) });
      expect(await codeOf(resolver.resolve('sk_fail_closed')), JSON.stringify(answer)).toBe('seren_unavailable');
    }
  });

  it('a flood of rejected keys neither evicts a known user nor grows the rejected cache past its bound', async () => {
    const key = seren.addUser('sk_known_before_flood');
    const resolver = new HttpIdentityResolver(seren.url, 300, clock.now, undefined, { maxKnownKeys: 5, maxRejectedKeys: 20 });
    const user = await resolver.resolve(key);
    const before = seren.calls;
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => codeOf(resolver.resolve(`sk_junk_${batch}_${i}`))));
    }
    expect(seren.calls - before).toBe(200);
    expect(resolver.cacheSizes).toEqual({ known: 1, rejected: 20 });
    expect(await resolver.resolve(key)).toBe(user); // still cached: no call to Seren
    expect(seren.calls - before).toBe(200);
  });

  it('is unreachable when nothing listens', async () => {
    const resolver = new HttpIdentityResolver('http://127.0.0.1:1/auth/me', 300, clock.now);
    expect(await codeOf(resolver.resolve('sk_x'))).toBe('seren_unavailable');
  });

  it('dev identities: seren_dev_<name> only', async () => {
    const dev = new DevIdentityResolver();
    expect(await dev.resolve('seren_dev_alice')).toEqual({ id: 'dev-alice', email: 'alice@dev.local', name: 'alice', status: 'active' });
    expect(await codeOf(dev.resolve('sk_live_real'))).toBe('invalid_seren_credentials');
  });
});
