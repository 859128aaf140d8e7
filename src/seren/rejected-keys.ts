import { ApiError, retryAfter } from '../errors/errors.js';

/** SPEC §5: past this many keys Seren rejected from one client address in a minute, unknown keys are refused. */
export const REJECTED_KEYS_PER_MINUTE = 60;
const WINDOW_MS = 60_000;
/** Addresses tracked at most (an attacker may rotate addresses); the longest-tracked go first. */
const MAX_ADDRESSES = 100_000;

/**
 * Counts, per client address, the API keys that Seren rejected, in fixed one-minute windows,
 * so the service cannot be used to test stolen keys against Seren at volume (SPEC §5).
 */
export class RejectedKeyLimit {
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(readonly perMinute = REJECTED_KEYS_PER_MINUTE) {}

  /** Throws `429 rate_limited` when this address is past the limit in the current window. */
  check(address: string, now: number): void {
    const w = this.windows.get(address);
    if (!w || now - w.startedAt >= WINDOW_MS || w.count < this.perMinute) return;
    const waitSeconds = (w.startedAt + WINDOW_MS - now) / 1000;
    throw new ApiError(
      'rate_limited',
      `Too many Seren API keys that Seren rejected came from this address (more than ${this.perMinute} a minute); check the key, and retry in ${Math.ceil(waitSeconds)} s.`,
      {},
      retryAfter(waitSeconds),
    );
  }

  /** Counts one key Seren rejected for this address. */
  note(address: string, now: number): void {
    let w = this.windows.get(address);
    if (!w || now - w.startedAt >= WINDOW_MS) {
      this.windows.delete(address);
      if (this.windows.size >= MAX_ADDRESSES) this.windows.delete(this.windows.keys().next().value!);
      w = { startedAt: now, count: 0 };
      this.windows.set(address, w);
    }
    w.count++;
  }
}
