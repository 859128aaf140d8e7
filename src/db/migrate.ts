import type { Database } from './database.js';
import { MIGRATIONS } from './migrations.js';

// Any constant shared by every instance: two starters on one database queue on it.
const MIGRATION_LOCK = 7_406_611_042;
/** A migration (or waiting for another starter's) may take far longer than a request's query. */
const MIGRATION_TIMEOUT_MS = 10 * 60_000;

/**
 * Applies pending migrations in one transaction under an advisory lock, so instances starting
 * together on one database never race; returns the ids applied now.
 */
export async function migrate(db: Database): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      id TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW())`);
    const done = new Set((await tx.query<{ id: string }>('SELECT id FROM schema_migrations')).map((r) => r.id));
    const applied: string[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.id)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (id) VALUES ($1)', [m.id]);
      applied.push(m.id);
    }
    return applied;
  }, { timeoutMs: MIGRATION_TIMEOUT_MS });
}

/** True when every known migration is recorded (used by GET /ready). */
export async function migrationsApplied(db: Database): Promise<boolean> {
  const rows = await db.query<{ n: number }>(
    `SELECT COUNT(*)::int AS n FROM schema_migrations WHERE id = ANY($1::text[])`,
    [MIGRATIONS.map((m) => m.id)],
  );
  return rows[0]?.n === MIGRATIONS.length;
}
