import type { Clock } from '../clock.js';
import { GoogleError } from '../google/errors.js';
import type { Logger } from '../log/logger.js';

/** A Retry-After beyond this is capped: a wrong value must not stop every refresh for days. */
export const MAX_BACKOFF_SECONDS = 3600;
/** A 429 without Retry-After still means "slow down": this long. */
export const DEFAULT_BACKOFF_SECONDS = 5;

/** Where the window is shared between instances (the database). */
export interface BackoffStore {
  recordGoogleBackoff(until: number): Promise<void>;
  readGoogleBackoff(): Promise<number | null>;
}

/**
 * SPEC §3: when Google asks to back off (429, or 503 with Retry-After), no instance calls its
 * token endpoint until the window ends. The window lives in this instance's memory and in the
 * database; each refresh learns the shared value with its lease, so an instance that has not
 * seen the 429 itself still holds back. Exchanges that need Google meanwhile answer
 * `503 google_unavailable` with the window's remaining seconds as `Retry-After`.
 */
export class GoogleBackoff {
  /** End of the window on the service clock (ms); 0: none. */
  private until = 0;

  constructor(
    private readonly store: BackoffStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Whole seconds left in the window, 0 when Google may be called. */
  remainingSeconds(now = this.clock()): number {
    return this.until > now ? Math.ceil((this.until - now) / 1000) : 0;
  }

  /**
   * Seconds left in the window, having read the shared value first: for a call to the token
   * endpoint that comes without a lease (a code redemption in the browser flow).
   */
  async remainingSecondsShared(): Promise<number> {
    this.learn(await this.store.readGoogleBackoff().catch(() => null));
    return this.remainingSeconds();
  }

  /** A window recorded by any instance (read with the refresh lease). */
  learn(until: number | null | undefined): void {
    if (until && until > this.until) this.until = until;
  }

  /** What a refresh gets instead of a call to Google inside the window. */
  refusal(): GoogleError {
    return new GoogleError('unavailable', 'Google asked us to back off; not calling its token endpoint before the window ends', {
      reason: 'rate_limited',
      retryAfterSeconds: this.remainingSeconds(),
    });
  }

  /** Opens (or extends) the window when Google's failure asks for one, here and for every instance. */
  async observe(err: unknown): Promise<void> {
    if (!(err instanceof GoogleError) || err.kind !== 'unavailable') return;
    const seconds = err.retryAfterSeconds ?? (err.reason === 'rate_limited' ? DEFAULT_BACKOFF_SECONDS : undefined);
    if (seconds === undefined) return;
    const until = this.clock() + Math.min(seconds, MAX_BACKOFF_SECONDS) * 1000;
    if (until <= this.until) return;
    this.until = until;
    this.logger.warn({ retry_after_seconds: Math.min(seconds, MAX_BACKOFF_SECONDS) }, "Google asked us to back off: no call to its token endpoint until the window ends");
    await this.store.recordGoogleBackoff(until).catch((cause: unknown) =>
      this.logger.warn({ cause: (cause as Error).message }, 'could not share the Google back-off window through the database; this instance keeps it'),
    );
  }
}
