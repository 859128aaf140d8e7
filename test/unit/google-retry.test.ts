import { describe, expect, it } from 'vitest';
import { GoogleError } from '../../src/google/errors.js';
import { failureClass, withRetries } from '../../src/tokens/google-retry.js';

const failing = (errors: GoogleError[]) => {
  let calls = 0;
  const call = async () => {
    const err = errors[calls++];
    if (err) throw err;
    return 'ok';
  };
  return { call, calls: () => calls };
};

const policy = { maxAttempts: 3, baseDelayMs: 5, budgetMs: 1_000 };

describe('bounded retries of Google calls', () => {
  it('retries 5xx and refused connections, then succeeds', async () => {
    const f = failing([new GoogleError('unavailable', 'refresh: Google answered HTTP 503', { reason: 'server_error' }), new GoogleError('unavailable', 'refresh: Google is unreachable', { reason: 'unreachable' })]);
    expect(await withRetries(f.call, undefined, policy)).toBe('ok');
    expect(f.calls()).toBe(3);
  });

  it('gives up after maxAttempts', async () => {
    const err = new GoogleError('unavailable', 'refresh: Google answered HTTP 500', { reason: 'server_error' });
    const f = failing([err, err, err, err]);
    await expect(withRetries(f.call, undefined, policy)).rejects.toBe(err);
    expect(f.calls()).toBe(3);
  });

  it.each([
    ['429', new GoogleError('unavailable', 'refresh: Google answered HTTP 429', { reason: 'rate_limited' })],
    ['Retry-After', new GoogleError('unavailable', 'refresh: Google answered HTTP 503', { reason: 'server_error', retryAfterSeconds: 30 })],
    ['a time-out', new GoogleError('unavailable', 'refresh: Google timed out', { reason: 'timeout' })],
    ['invalid_grant', new GoogleError('invalid_grant', 'refresh: Google refused the grant (invalid_grant)', { oauthError: 'invalid_grant' })],
    ['invalid_client', new GoogleError('misconfigured', 'refresh: Google rejected our OAuth client', { oauthError: 'invalid_client' })],
  ])('does not retry %s', async (_name, err) => {
    const f = failing([err]);
    await expect(withRetries(f.call, undefined, policy)).rejects.toBe(err);
    expect(f.calls()).toBe(1);
  });

  it('starts no attempt past the time budget', async () => {
    const err = new GoogleError('unavailable', 'refresh: Google answered HTTP 502', { reason: 'server_error' });
    const f = failing([err, err, err]);
    await expect(withRetries(f.call, undefined, { maxAttempts: 10, baseDelayMs: 1_000_000, budgetMs: 1 })).rejects.toBe(err);
    expect(f.calls()).toBe(1);
  });

  it('tells rate limiting apart from other unavailability', () => {
    expect(failureClass(new GoogleError('unavailable', 'refresh: Google answered HTTP 429', { reason: 'rate_limited' }))).toBe('rate_limited');
    expect(failureClass(new GoogleError('unavailable', 'refresh: Google answered HTTP 503', { reason: 'server_error' }))).toBe('unavailable');
    expect(failureClass(new GoogleError('misconfigured', 'x', { oauthError: 'invalid_client' }))).toBe('misconfigured');
  });
});
