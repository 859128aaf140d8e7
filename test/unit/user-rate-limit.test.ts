import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/errors/errors.js';
import { userRateLimit } from '../../src/http/user-rate-limit.js';

const requestOf = (id: string) => ({ serenUser: { id, email: '', name: '', status: 'active' } }) as unknown as FastifyRequest;

describe('the per-user rate limit', () => {
  it('allows RATE_LIMIT_PER_MINUTE per Seren user per minute, then answers rate_limited with Retry-After', () => {
    let now = 1_000_000;
    const limit = userRateLimit(2, () => now);
    const check = (id: string) => {
      let outcome: unknown = 'not called';
      limit(requestOf(id), {} as FastifyReply, (err) => (outcome = err));
      return outcome;
    };
    expect(check('a')).toBeUndefined();
    now += 20_000;
    expect(check('a')).toBeUndefined();
    const refused = check('a');
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).code).toBe('rate_limited');
    expect((refused as ApiError).headers).toEqual({ 'Retry-After': '40' });
    expect(check('b')).toBeUndefined();
    now += 40_000;
    expect(check('a')).toBeUndefined();
  });
});
