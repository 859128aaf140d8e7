/** Endpoints that can be told to fail. */
export const FAIL_ENDPOINTS = ['token', 'discovery', 'jwks', 'revoke', 'userinfo', 'gmail'] as const;
export type FailEndpoint = (typeof FAIL_ENDPOINTS)[number];

/**
 * What the next call(s) to an endpoint do instead of answering normally:
 * an HTTP status (optionally with `Retry-After` seconds), a delay before answering normally
 * (for client time-outs), no answer at all until the emulator closes (a hanging Google), or an
 * OAuth error body.
 */
export type Failure =
  | { status: 500 | 502 | 503 | 429; retryAfter?: number }
  | { delayMs: number }
  | { hang: true }
  | { error: 'invalid_client' | 'unauthorized_client' | 'invalid_grant' };

interface Queued {
  failure: Failure;
  remaining: number;
}

interface Sleeper {
  timer: NodeJS.Timeout;
  resolve: (outcome: SleepOutcome) => void;
}

export type SleepOutcome = 'elapsed' | 'interrupted';

/** Queues of injected failures per endpoint, consumed first in, first out. */
export class FailureInjector {
  readonly #queues = new Map<FailEndpoint, Queued[]>();
  readonly #sleepers = new Set<Sleeper>();

  /** `count` may be `Infinity`: the failure then stays until `clear()`. */
  add(endpoint: FailEndpoint, failure: Failure, count = 1): void {
    if (!(count > 0)) throw new RangeError('failNext: count must be positive');
    const queue = this.#queues.get(endpoint) ?? [];
    queue.push({ failure: { ...failure }, remaining: count });
    this.#queues.set(endpoint, queue);
  }

  clear(endpoint?: FailEndpoint): void {
    if (endpoint === undefined) this.#queues.clear();
    else this.#queues.delete(endpoint);
  }

  take(endpoint: FailEndpoint): Failure | undefined {
    const queue = this.#queues.get(endpoint);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) queue.shift();
    return head.failure;
  }

  /** A delay that `releaseAll()` cuts short, so shutting down never waits on an injected slow response. */
  sleep(ms: number): Promise<SleepOutcome> {
    return new Promise((resolve) => {
      const sleeper: Sleeper = {
        timer: setTimeout(() => {
          this.#sleepers.delete(sleeper);
          resolve('elapsed');
        }, ms),
        resolve,
      };
      this.#sleepers.add(sleeper);
    });
  }

  releaseAll(): void {
    for (const s of this.#sleepers) {
      clearTimeout(s.timer);
      s.resolve('interrupted');
    }
    this.#sleepers.clear();
  }
}
