import type { Database, Queryable } from '../db/database.js';
import type { Logger } from '../log/logger.js';

/**
 * Cross-instance "forget this grant" (SPEC §11: a compromised account's tokens stop being served
 * on every instance within seconds). The change is announced with NOTIFY inside the transaction
 * that makes it, so every instance sharing the database hears it at commit and drops its
 * in-memory copy; without this, another instance trusts its copy for GRANT_MEMORY_TTL_MS.
 */
export const GRANTS_CHANGED_CHANNEL = 'sga_grants_changed';

/** NOTIFY's payload limit is 8000 bytes: past this many users, everyone's copy is dropped. */
const MAX_IDS_PER_NOTICE = 100;
const EVERYONE = '*';

export async function announceGrantsChanged(tx: Queryable, serenUserIds: readonly string[]): Promise<void> {
  if (serenUserIds.length === 0) return;
  const payload = serenUserIds.length > MAX_IDS_PER_NOTICE ? EVERYONE : JSON.stringify(serenUserIds);
  await tx.query('SELECT pg_notify($1, $2)', [GRANTS_CHANGED_CHANNEL, payload]);
}

export interface GrantForgetter {
  forget(serenUserId: string): void;
  forgetAll(): void;
}

/** Listens for announcements and forgets what they name; a gap in listening forgets everything. */
export function listenForGrantChanges(db: Database, memory: GrantForgetter, logger: Logger): { start(): Promise<void>; stop(): Promise<void> } {
  let stop: (() => Promise<void>) | undefined;
  const onMessage = (payload: string) => {
    let ids: string[] | undefined;
    try {
      const parsed = JSON.parse(payload) as unknown;
      if (Array.isArray(parsed)) ids = parsed.filter((id): id is string => typeof id === 'string');
    } catch {
      // '*' or anything unreadable: forget everything rather than guess
    }
    if (ids) for (const id of ids) memory.forget(id);
    else memory.forgetAll();
    logger.debug({ seren_user_ids: ids ?? 'all' }, 'grant changes announced on the database: dropped the in-memory copies');
  };
  const onGap = () => {
    logger.warn('listening for grant changes resumed after a dropped database connection; dropped every in-memory grant copy');
    memory.forgetAll();
  };
  return {
    async start() {
      stop = await db.listen(GRANTS_CHANGED_CHANNEL, onMessage, onGap);
    },
    async stop() {
      await stop?.();
      stop = undefined;
    },
  };
}
