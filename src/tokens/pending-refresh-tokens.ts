import { setTimeout as sleep } from 'node:timers/promises';
import { DatabaseUnavailableError } from '../db/failures.js';
import type { Logger } from '../log/logger.js';
import type { GrantRow, Refreshed } from './token-store.js';

/** First wait between attempts at a write that failed; doubles up to the cap, with jitter. */
export const PENDING_WRITE_FIRST_RETRY_MS = 100;
export const PENDING_WRITE_MAX_RETRY_MS = 1_000;

/** Stores one refresh's result guarded by the refresh token it used; undefined when that token is no longer the row's. */
export type SaveRefreshed = (serenUserId: string, usedVersion: string, refreshed: Refreshed) => Promise<GrantRow | undefined>;

interface Pending {
  readonly usedVersion: string;
  readonly refreshed: Refreshed;
  /** The attempt under way, shared by the retry loop and anyone flushing. */
  attempt: Promise<void> | undefined;
}

/**
 * SPEC §3: a refresh token that Google rotated is never lost. When the write after a refresh
 * fails because the database is unavailable, the result waits here (in this process's memory)
 * and the write is retried until it lands, the row no longer holds the refresh token that was
 * used (a reconnect or a disconnect replaced it: nothing to keep), or the process ends. Until
 * then this instance refreshes that user only after flushing the write, so it never uses the
 * refresh token Google has just replaced.
 */
export class PendingRefreshTokens {
  private readonly pending = new Map<string, Pending>();
  private closed = false;

  constructor(
    private readonly save: SaveRefreshed,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /** Keeps a result whose write failed, and retries it in the background. */
  add(serenUserId: string, usedVersion: string, refreshed: Refreshed): void {
    const entry: Pending = { usedVersion, refreshed, attempt: undefined };
    this.pending.set(serenUserId, entry);
    this.logger.warn({ seren_user_id: serenUserId }, 'could not store a refresh token Google rotated; keeping it and retrying until the database takes it');
    void this.retry(serenUserId, entry);
  }

  /** A rotated refresh token of this user still waits for the database. */
  has(serenUserId: string): boolean {
    return this.pending.has(serenUserId);
  }

  /** Writes the user's pending result now; throws DatabaseUnavailableError while it cannot. */
  async flush(serenUserId: string): Promise<void> {
    const entry = this.pending.get(serenUserId);
    if (entry) await this.attempt(serenUserId, entry);
  }

  /** Shutdown: one last attempt each; what still cannot be written is logged as lost. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      [...this.pending].map(([id, entry]) =>
        this.attempt(id, entry).catch(() =>
          this.logger.error({ seren_user_id: id }, 'shutting down with a rotated refresh token the database never took: this grant will need reauthorization'),
        ),
      ),
    );
  }

  private async retry(serenUserId: string, entry: Pending): Promise<void> {
    for (let wait = PENDING_WRITE_FIRST_RETRY_MS; this.pending.get(serenUserId) === entry && !this.closed; wait = Math.min(wait * 2, PENDING_WRITE_MAX_RETRY_MS)) {
      await sleep(wait / 2 + (Math.random() * wait) / 2, undefined, { ref: false });
      if (this.pending.get(serenUserId) !== entry || this.closed) return;
      try {
        await this.attempt(serenUserId, entry);
        return;
      } catch (err) {
        if (!(err instanceof DatabaseUnavailableError)) {
          this.logger.error({ err, seren_user_id: serenUserId }, 'storing a rotated refresh token failed; retrying');
        }
      }
    }
  }

  private attempt(serenUserId: string, entry: Pending): Promise<void> {
    entry.attempt ??= this.save(serenUserId, entry.usedVersion, entry.refreshed)
      .then((saved) => {
        if (this.pending.get(serenUserId) === entry) this.pending.delete(serenUserId);
        if (saved) this.logger.info({ seren_user_id: serenUserId }, 'stored the rotated refresh token that had been waiting for the database');
        else this.logger.warn({ seren_user_id: serenUserId }, 'a rotated refresh token waiting for the database is moot: the grant was replaced or removed meanwhile');
      })
      .finally(() => (entry.attempt = undefined));
    return entry.attempt;
  }
}
