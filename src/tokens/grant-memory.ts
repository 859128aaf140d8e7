import type { Clock } from '../clock.js';
import type { GrantView } from './token-store.js';

/**
 * How long this instance trusts its in-memory copy of a grant (and its cached access token)
 * before reading the database again. Changes made on this instance (disconnect, reconnect,
 * invalid_grant) invalidate the copy at once; a RISC event handled by any instance sharing the
 * database reaches every instance at its commit (grant-invalidation.ts); other changes made by
 * another instance are seen at most this late. Why the staleness is acceptable: what another instance
 * can change is a disconnect or a reauthorization, after which Google itself rejects the access
 * token we might still hand out during these seconds; and a reconnect that adds scopes is
 * re-read at once, since an insufficient-scope or reauthorization answer always re-checks the
 * database first.
 */
export const GRANT_MEMORY_TTL_MS = 2_000;

/** Bounds memory for very many users; the oldest entries go first. */
const MAX_ENTRIES = 100_000;

/**
 * Per-user copies of grants with an absolute expiry. A ticket taken before a database read
 * is checked before its result is stored, so a read that raced an invalidation never puts the
 * old grant back.
 */
export class GrantMemory {
  private readonly entries = new Map<string, { view: GrantView; freshUntil: number }>();
  private epoch = 0;

  constructor(private readonly clock: Clock) {}

  get(serenUserId: string): GrantView | undefined {
    const entry = this.entries.get(serenUserId);
    if (!entry) return undefined;
    if (entry.freshUntil > this.clock()) return entry.view;
    this.entries.delete(serenUserId);
    return undefined;
  }

  /** Taken before reading the database; `put` ignores a result whose ticket an invalidation outdated. */
  ticket(): number {
    return this.epoch;
  }

  put(view: GrantView, ticket: number): void {
    if (ticket !== this.epoch) return;
    const now = this.clock();
    this.entries.delete(view.serenUserId);
    this.dropExpired(now);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(view.serenUserId, { view, freshUntil: now + GRANT_MEMORY_TTL_MS });
  }

  /** Copies held now (expired ones included until the next put). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Under cold load (a new user per exchange) copies expire unread and would pile up until the
   * cap, each holding an opened access token. Entries sit in the order they were put, all with
   * the same lifetime, so the expired ones are at the front: dropping them costs one step each.
   */
  private dropExpired(now: number) {
    for (const [id, entry] of this.entries) {
      if (entry.freshUntil > now) return;
      this.entries.delete(id);
    }
  }

  invalidate(serenUserId: string): void {
    this.epoch++;
    this.entries.delete(serenUserId);
  }

  /** Drops every copy (changes may have been missed: see grant-invalidation.ts). */
  invalidateAll(): void {
    this.epoch++;
    this.entries.clear();
  }
}
