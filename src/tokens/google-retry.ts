import { setTimeout as sleep } from 'node:timers/promises';
import { GoogleError } from '../google/errors.js';

/**
 * Bounded retries of one Google call: only for failures a second try can fix at once (5xx,
 * refused or reset connections), with full jitter, and never past a small time budget so a
 * caller (and the refresh lease it holds) is not kept long. 429 and any `Retry-After` are
 * honoured by not retrying: the caller passes the wait on to its client.
 */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  /** No attempt starts later than this after the first one began. */
  readonly budgetMs: number;
}

export const GOOGLE_RETRY: RetryPolicy = Object.freeze({ maxAttempts: 3, baseDelayMs: 100, budgetMs: 2_000 });

/** The failure class used in metrics and logs: GoogleError kinds, with rate limiting told apart. */
export type FailureClass = 'invalid_grant' | 'misconfigured' | 'unavailable' | 'rate_limited' | 'invalid_response' | 'rejected';

export function failureClass(err: GoogleError): FailureClass {
  return err.reason === 'rate_limited' ? 'rate_limited' : err.kind;
}

/** A server error or a broken connection, without a Retry-After that says "not before". */
const isRetryable = (err: unknown) =>
  err instanceof GoogleError && (err.reason === 'server_error' || err.reason === 'unreachable') && err.retryAfterSeconds === undefined;

export async function withRetries<T>(
  call: () => Promise<T>,
  onFailure: (err: unknown, attempt: number) => void = () => {},
  policy: RetryPolicy = GOOGLE_RETRY,
): Promise<T> {
  const start = performance.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      onFailure(err, attempt);
      const delay = Math.random() * policy.baseDelayMs * 2 ** (attempt - 1);
      const late = performance.now() - start + delay > policy.budgetMs;
      if (!isRetryable(err) || attempt >= policy.maxAttempts || late) throw err;
      await sleep(delay);
    }
  }
}
